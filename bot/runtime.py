"""The run: the database, the services, the Telegram bot and the web server, started and
stopped together. With no TELEGRAM_BOT_TOKEN the bot runs against the project's own
loopback Bot API server (sandbox mode, bot/sandbox_mode.py), its web server shows a web chat
with it at `/`, and with `--console` the terminal becomes a chat too; only that mode imports
sandbox/."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from bot.broadcaster import build_broadcaster
from bot.database import database_conninfo
from bot.settings import Settings
from bot.stripe_webhook import stripe_webhook_route
from bot.telegram_app import build_application, start_polling, stop_bot
from bot.telegram_webhook import start_webhook, telegram_webhook_route, webhook_secret
from bot.web import create_web_app, provider_webhook_route, serving
from bot.wiring import REPLICATE_WEBHOOK_PATH, build_services
from bot.workers import build_worker, worker_options
from handlers.context import TelegramApp
from services.adapters.db import Database
from services.adapters.migrations import apply_migrations
from services.container import Services
from services.generators.cpu import image_pool

if TYPE_CHECKING:
    from sandbox.server import SandboxServer

logger = logging.getLogger(__name__)


@asynccontextmanager
async def bot_api(settings: Settings) -> AsyncIterator[tuple[str, str, SandboxServer | None]]:
    """(token, Bot API URL, sandbox server or None) for the configured mode."""
    if settings.telegram_bot_token is not None:
        yield settings.telegram_bot_token.get_secret_value(), settings.telegram_api_url, None
        return
    from bot.sandbox_mode import sandbox_bot_api

    async with sandbox_bot_api(settings.data_dir / "sandbox") as (token, url, server):
        yield token, url, server


async def run(settings: Settings, *, console: bool = False) -> None:
    """Migrates, then runs the bot and the web server until SIGINT or SIGTERM; on the way
    out every part stops in the reverse order of its start, whatever stopped the run.
    `console`: in sandbox mode, this terminal is a chat with the bot as well."""
    stop = _stop_on_signals()
    if settings.sandbox_mode:
        from bot.sandbox_mode import with_sandbox_admin

        settings = with_sandbox_admin(settings)
    async with AsyncExitStack() as running:
        conninfo = await running.enter_async_context(database_conninfo(settings))
        await apply_migrations(conninfo)
        db = Database(conninfo, max_size=20)
        await db.open()
        running.push_async_callback(db.close)
        services = await build_services(settings, db)
        token, api_url, sandbox = await running.enter_async_context(bot_api(settings))
        application = build_application(token, api_url, services)
        routes = _web_routes(settings, services, application, token)
        web_app = create_web_app(db, routes)
        if sandbox is not None:
            from bot.sandbox_mode import mount_web_chat

            mount_web_chat(web_app, sandbox, settings.admin_ids)
        # The sandbox's page lets anyone act as any user, the admin included: this
        # machine only. With a real token the webhooks must be reachable from outside.
        host = "127.0.0.1" if sandbox is not None else "0.0.0.0"
        port = await running.enter_async_context(serving(web_app, settings.port, host))
        if settings.public_url:
            await start_webhook(application, settings.public_url)
        else:
            await start_polling(application)
        running.push_async_callback(stop_bot, application)
        await running.enter_async_context(image_pool())
        worker = build_worker(application, services, worker_options(settings))
        worker.start()
        running.push_async_callback(worker.stop)
        broadcaster = build_broadcaster(application, services)
        broadcaster.start()
        running.push_async_callback(broadcaster.stop)
        logger.info("bot @%s is running", application.bot.username)
        if sandbox is not None:
            from bot.sandbox_mode import announce_web_chat

            announce_web_chat(port)
        terminal = sandbox if console else None
        await _serve_until_stopped(stop, terminal, settings.data_dir / "sandbox-chat")
    logger.info("stopped cleanly")


def _web_routes(
    settings: Settings, services: Services, application: TelegramApp, token: str
) -> list[web.RouteDef]:
    """The web server's routes for this configuration (besides health)."""
    routes = []
    if settings.public_url:
        routes.append(telegram_webhook_route(application, webhook_secret(token)))
    if services.generator_webhook is not None:
        routes.append(provider_webhook_route(REPLICATE_WEBHOOK_PATH, services.generator_webhook))
    if services.stripe_events is not None:
        routes.append(stripe_webhook_route(application, services.stripe_events, services))
    return routes


def _stop_on_signals() -> asyncio.Event:
    """Set on SIGINT or SIGTERM; installed first, so a signal during start-up is kept."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop


async def _serve_until_stopped(
    stop: asyncio.Event, sandbox: SandboxServer | None, downloads: Path
) -> None:
    """Until a signal, or until the terminal chat with `sandbox` (if given) ends."""
    waiters: list[asyncio.Task[object]] = [asyncio.create_task(stop.wait())]
    if sandbox is not None:
        from bot.sandbox_mode import chat_in_terminal

        waiters.append(asyncio.create_task(chat_in_terminal(sandbox, downloads)))
    _, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
