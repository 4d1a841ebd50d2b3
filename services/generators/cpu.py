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
import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager
from functools import partial
from typing import TypeVar

Result = TypeVar("Result")

WORKERS = os.cpu_count() or 2
_pool: ProcessPoolExecutor | None = None


def _shared_pool() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(
            max_workers=WORKERS,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_exit_with_parent,
            initargs=(os.getpid(),),
        )
    return _pool


def _exit_with_parent(parent: int) -> None:
    """Runs in each worker: when the bot process dies without stopping the pool (kill -9,
    the OOM killer), its workers exit within a second instead of living on."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


async def run_cpu_bound(function: Callable[..., Result], *args: object) -> Result:
    """`function(*args)` in the pool; the function and arguments must be picklable."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_shared_pool(), partial(function, *args))


def _ready() -> bool:
    return True


@asynccontextmanager
async def image_pool() -> AsyncIterator[None]:
    """The pool's lifetime: started (warm) on entry, its worker processes stopped on exit
    whatever ends the block, so no worker outlives the application that used it."""
    try:
        await warm_up()
        yield
    finally:
        await asyncio.to_thread(shutdown_pool)


async def warm_up() -> None:
    """Starts the worker processes now (each imports Pillow and our modules, which takes
    a moment) rather than inside the first user's generation."""
    pool = _shared_pool()
    loop = asyncio.get_running_loop()
    await asyncio.gather(*(loop.run_in_executor(pool, _ready) for _ in range(WORKERS)))


def shutdown_pool() -> None:
    """Stops the worker processes (at exit; the next use starts a new pool)."""
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None
