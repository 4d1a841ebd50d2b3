"""A process pool for the CPU-bound image work (rendering, resizing, JPEG encoding).

Pillow work in threads still holds the GIL for much of the time, so with many images at
once it starves the event loop (heartbeats, Telegram, the database) and uses one core.
Worker processes use every core and leave the loop free. They are spawned, not forked,
because forking a process that runs an event loop and threads is unsafe.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import TypeVar

Result = TypeVar("Result")

_pool: ProcessPoolExecutor | None = None


def _shared_pool() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(
            max_workers=os.cpu_count() or 2, mp_context=multiprocessing.get_context("spawn")
        )
    return _pool


async def run_cpu_bound(function: Callable[..., Result], *args: object) -> Result:
    """`function(*args)` in the pool; the function and arguments must be picklable."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_shared_pool(), partial(function, *args))


def _ready() -> bool:
    return True


async def warm_up() -> None:
    """Starts the worker processes now (each imports Pillow and our modules, which takes
    a moment) rather than inside the first user's generation."""
    pool = _shared_pool()
    loop = asyncio.get_running_loop()
    workers = pool._max_workers
    await asyncio.gather(*(loop.run_in_executor(pool, _ready) for _ in range(workers)))


def shutdown_pool() -> None:
    """Stops the worker processes (at exit; the next use starts a new pool)."""
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None
