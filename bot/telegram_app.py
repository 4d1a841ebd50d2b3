"""The python-telegram-bot Application: one per process, every handler registered."""

from __future__ import annotations

from typing import Any

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    BaseRateLimiter,
    ContextTypes,
    Defaults,
)
from telegram.request import HTTPXRequest

import handlers
from bot.metrics import instrument
from bot.payments import connect_payments
from bot.update_intake import SkippingUpdatesRequest
from handlers.buttons import AnswerTrackingBot
from handlers.context import SERVICES_KEY, ChatContext, TelegramApp
from handlers.gate import SERVED_UPDATES
from services.container import Services


def build_application(
    token: str,
    api_url: str,
    services: Services,
    *,
    rate_limiter: BaseRateLimiter[Any] | None = None,
) -> TelegramApp:
    """The bot, talking to Telegram (or any Bot API server at `api_url`).

    Handlers get a ChatContext; every message is HTML without link previews (Defaults).
    Updates are processed concurrently so one user's long generation never holds up
    another's; `rate_limiter` (default: AIORateLimiter) keeps outgoing messages under
    Telegram's flood limits. getUpdates skips updates this PTB version cannot read.
    """
    bot = AnswerTrackingBot(
        token,
        defaults=Defaults(
            parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
        ),
        base_url=f"{api_url}/bot",
        base_file_url=f"{api_url}/file/bot",
        request=HTTPXRequest(connection_pool_size=64),
        get_updates_request=SkippingUpdatesRequest(connection_pool_size=1),
        rate_limiter=rate_limiter or AIORateLimiter(max_retries=3),
    )
    application = (
        ApplicationBuilder()
        .bot(bot)
        .context_types(ContextTypes(context=ChatContext))
        .concurrent_updates(64)
        .build()
    )
    application.bot_data[SERVICES_KEY] = services
    handlers.register(application)
    instrument(application)
    connect_payments(application, services)
    return application


async def publish_and_start(application: TelegramApp) -> None:
    """Initialises the bot, publishes its command menu and starts processing updates."""
    await application.initialize()
    await handlers.publish_commands(application)
    await application.start()


async def start_polling(application: TelegramApp) -> None:
    await publish_and_start(application)
    assert application.updater is not None
    await application.updater.start_polling(allowed_updates=SERVED_UPDATES, timeout=10)


async def stop_bot(application: TelegramApp) -> None:
    """Stops taking updates, lets running handlers finish, and releases connections
    (whichever of these a stop did already is skipped). A webhook stays registered, so
    Telegram keeps updates for the next start."""
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
