"""The python-telegram-bot Application: one per process, every handler registered."""

from __future__ import annotations

from telegram import Update
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

import handlers
from handlers.common import SERVICES_KEY
from services.container import Services


def build_application(token: str, api_url: str, services: Services) -> Application:  # type: ignore[type-arg]
    """The bot, talking to Telegram (or any Bot API server at `api_url`).

    Updates are processed concurrently so one user's long generation never holds up
    another's; AIORateLimiter keeps outgoing messages under Telegram's flood limits.
    """
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api_url}/bot")
        .base_file_url(f"{api_url}/file/bot")
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(64)
        .connection_pool_size(64)
        .build()
    )
    application.bot_data[SERVICES_KEY] = services
    handlers.register(application)
    return application


async def publish_and_start(application: Application) -> None:  # type: ignore[type-arg]
    """Initialises the bot, publishes its command menu and starts processing updates."""
    await application.initialize()
    await handlers.publish_commands(application)
    await application.start()


async def start_polling(application: Application) -> None:  # type: ignore[type-arg]
    await publish_and_start(application)
    assert application.updater is not None
    await application.updater.start_polling(allowed_updates=Update.ALL_TYPES, timeout=10)


async def stop_bot(application: Application) -> None:  # type: ignore[type-arg]
    """Stops taking updates, lets running handlers finish, and releases connections.
    A webhook stays registered, so Telegram keeps updates for the next start."""
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    await application.stop()
    await application.shutdown()
