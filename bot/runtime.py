"""Wiring: the database, the services and the web server, started and stopped together."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from bot.database import database_conninfo
from bot.settings import Settings
from bot.web import create_web_app
from services.db import Database
from services.migrations import apply_migrations

logger = logging.getLogger(__name__)


async def run(settings: Settings) -> None:
    """Migrates, then serves until SIGINT or SIGTERM."""
    async with database_conninfo(settings) as conninfo:
        await apply_migrations(conninfo)
        db = Database(conninfo)
        await db.open()
        runner = web.AppRunner(create_web_app(db))
        await runner.setup()
        try:
            await web.TCPSite(runner, "0.0.0.0", settings.port).start()
            logger.info("web server on port %d (GET /health)", settings.port)
            await _wait_for_shutdown()
        finally:
            await runner.cleanup()
            await db.close()
    logger.info("stopped cleanly")


async def _wait_for_shutdown() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
