"""The run: the database, the services, the Telegram bot and the web server, started and
stopped together. With no TELEGRAM_BOT_TOKEN the bot runs against the project's own
loopback Bot API server (sandbox mode, bot/sandbox_mode.py), its web server shows a web chat
with it at `/`, and with `--console` the terminal becomes a chat too; only that mode imports
sandbox/."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from bot.broadcaster import build_broadcaster
from bot.database import database_conninfo
from bot.durable_intake import DurableIntake, IntakeOptions
from bot.health import (
    Check,
    Readiness,
    WatchedDoorbell,
    health_routes,
    heartbeat_check,
    warn_if_data_is_fragile,
)
from bot.metrics import DatabaseFigures, ErrorLogCounter, metrics_route
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

#: /readyz: how long the webhook intake's claim loop may go without coming round.
INTAKE_SILENCE_SECONDS = 15.0


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
    out every part stops in the reverse order of its start, whatever stopped the run, after
    the update intake: it stops first (`_stop_taking_updates`).
    `console`: in sandbox mode, this terminal is a chat with the bot as well."""
    stop = _stop_on_signals()
    if settings.sandbox_mode:
        from bot.sandbox_mode import with_sandbox_admin

        settings = with_sandbox_admin(settings)
    warn_if_data_is_fragile(settings)
    logging.getLogger().addHandler(ErrorLogCounter())
    async with AsyncExitStack() as running:
        conninfo = await running.enter_async_context(database_conninfo(settings))
        await apply_migrations(conninfo)
        db = Database(conninfo, max_size=20)
        await db.open()
        running.push_async_callback(db.close)
        services = await build_services(settings, db)
        running.push_async_callback(_close_clients, services)
        token, api_url, sandbox = await running.enter_async_context(bot_api(settings))
        application = build_application(token, api_url, services)
        intake = _intake(settings, db, application)
        doorbell = WatchedDoorbell(services.doorbell)
        readiness = Readiness(db, _readiness_checks(settings, application, intake, doorbell))
        routes = _web_routes(services, application, intake, token)
        routes += [*health_routes(readiness), metrics_route(DatabaseFigures(db))]
        web_app = create_web_app(db, routes)
        if sandbox is not None:
            from bot.sandbox_mode import mount_web_chat

            mount_web_chat(web_app, sandbox, settings.admin_ids)
        # The sandbox's page lets anyone act as any user, the admin included: this
        # machine only. With a real token the webhooks must be reachable from outside.
        host = "127.0.0.1" if sandbox is not None else "0.0.0.0"
        port = await running.enter_async_context(serving(web_app, settings.port, host))
        if settings.public_url and intake is not None:
            await start_webhook(application, settings.public_url)
            intake.start()
        else:
            await start_polling(application)
        running.push_async_callback(stop_bot, application)
        await running.enter_async_context(image_pool())
        worker = build_worker(application, services, worker_options(settings), doorbell)
        worker.start()
        running.push_async_callback(worker.stop)
        broadcaster = build_broadcaster(application, services)
        broadcaster.start()
        running.push_async_callback(broadcaster.stop)
        running.push_async_callback(_stop_taking_updates, readiness, application, intake)
        logger.info("bot @%s is running", application.bot.username)
        # What start-up made lives as long as the process: frozen out of the cyclic garbage
        # collector's way, a full collection no longer stalls every update for 40-80 ms.
        gc.freeze()
        if sandbox is not None:
            from bot.sandbox_mode import announce_web_chat

            announce_web_chat(port)
        terminal = sandbox if console else None
        await _serve_until_stopped(stop, terminal, settings.data_dir / "sandbox-chat")
        logger.info("stopping")
    logger.info("stopped cleanly")


def _intake(settings: Settings, db: Database, application: TelegramApp) -> DurableIntake | None:
    """Webhook mode's update intake through PostgreSQL; polling needs none."""
    if not settings.public_url:
        return None
    return DurableIntake(
        db, application, IntakeOptions(lease_seconds=settings.update_lease_seconds)
    )


def _readiness_checks(
    settings: Settings,
    application: TelegramApp,
    intake: DurableIntake | None,
    doorbell: WatchedDoorbell,
) -> dict[str, Check]:
    def update_intake() -> str | None:
        if intake is None:
            updater = application.updater
            return None if updater is not None and updater.running else "not polling"
        if not intake.accepting:
            return "stopping"
        if not intake.running:
            return "not running"
        return intake_beat()

    intake_beat = heartbeat_check(
        "claim loop", lambda: intake.beat_at if intake is not None else 0.0, INTAKE_SILENCE_SECONDS
    )
    workers = heartbeat_check(
        "generation worker", lambda: doorbell.beat_at, float(settings.generation_lease_seconds)
    )
    return {"update_intake": update_intake, "job_workers": workers}


async def _stop_taking_updates(
    readiness: Readiness, application: TelegramApp, intake: DurableIntake | None
) -> None:
    """The first step of a stop: /readyz says so, the webhook answers 503 (Telegram
    delivers those updates again, to whichever process is up) or polling stops, the
    updates in progress finish and so do the tasks their handlers started in the
    background, and the job queue stops; only then does the rest stop (the image pool
    the handlers may need among it)."""
    readiness.stopping = True
    if intake is not None:
        await intake.drain()
    elif application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()


async def _close_clients(services: Services) -> None:
    """HTTP clients the services keep open (the Bot API's closes with the application):
    Supabase Storage's. Asked of the storage rather than checked against its class, so
    a run without Supabase never imports Supabase's libraries (0.2 s of every start)."""
    close = getattr(services.storage, "aclose", None)
    if close is not None:
        await close()


def _web_routes(
    services: Services, application: TelegramApp, intake: DurableIntake | None, token: str
) -> list[web.RouteDef]:
    """The web server's routes for this configuration (besides health and metrics)."""
    routes = []
    if intake is not None:
        routes.append(telegram_webhook_route(intake, webhook_secret(token)))
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
