"""Which PostgreSQL the bot uses: DATABASE_URL, or the embedded server under DATA_DIR."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.settings import Settings
from services.adapters.embedded_postgres import EmbeddedPostgres

logger = logging.getLogger(__name__)


@asynccontextmanager
async def database_conninfo(settings: Settings) -> AsyncIterator[str]:
    """The connection string for the configured database, starting the embedded one if
    DATABASE_URL is unset (and stopping it afterwards)."""
    if settings.database_url is not None:
        logger.info("using the PostgreSQL at DATABASE_URL")
        yield settings.database_url.get_secret_value()
        return
    embedded = EmbeddedPostgres(settings.data_dir)
    conninfo = await asyncio.to_thread(embedded.start)
    try:
        yield conninfo
    finally:
        await asyncio.to_thread(embedded.stop)
