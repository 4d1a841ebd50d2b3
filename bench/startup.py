"""Start-up: from `python -m bot` to the first answered /start, cold and warm.

Run from the project root:

    python -m bench.startup [WARM_RUNS]

The bot runs as a user would first run it: no configuration at all (no token, no
DATABASE_URL, no .env; only PORT, so it does not collide with anything else on this
machine), so it starts its embedded PostgreSQL and its sandbox Telegram with the web chat.
The clock starts when the process is spawned and stops when the web chat shows the bot's
answer to a /start typed into it, as a person in a browser would see it.

* cold: DATA_DIR is new and empty (the database cluster is created, every migration
  applied);
* warm: the same DATA_DIR again (WARM_RUNS times, 3 by default; the median is reported).

After the cold start's answer it also reads the bot's memory (process and image pool,
PSS) once it has settled. It asserts nothing.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.memory import Footprint, footprint
from bench.table import Row, report
from bot.settings import Settings
from tests.test_bot_process import free_port

ROOT = Path(__file__).resolve().parent.parent
SANDBOX_USER = 1000  # the web chat's "You" (bot/sandbox_mode.py)
COLD_CEILING, WARM_CEILING = 3.0, 1.5  # seconds (issue 14)
MEMORY_CEILING_MB = 200.0
SETTLE_SECONDS = 3.0  # before the idle memory is read
TIMEOUT = 120.0
# Every setting a configured run could carry (bot/settings.py); the bot sees none of them.
CONFIGURATION = frozenset(name.upper() for name in Settings.model_fields)


def unconfigured_env(port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CONFIGURATION}
    env["PYTHONPATH"] = str(ROOT)
    env["PORT"] = str(port)
    return env


async def _wait_until_serving(http: aiohttp.ClientSession, base: str, bot: object) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            async with http.get(f"{base}/api/state") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.02)
    raise TimeoutError(f"the bot's web chat did not come up within {TIMEOUT:g} s ({bot})")


async def _answered(stream: aiohttp.ClientResponse) -> None:
    """Until the chat's event stream shows a message from the bot."""
    event = ""
    async for raw in stream.content:
        line = raw.decode().strip()
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif (
            line.startswith("data:")
            and event == "message"
            and json.loads(line.split(":", 1)[1]).get("from_bot")
        ):
            return
    raise RuntimeError("the chat's event stream ended before the bot answered")


async def first_answer(workdir: Path) -> tuple[float, asyncio.subprocess.Process]:
    """Seconds from spawning the bot in `workdir` to its answer to /start; the bot is
    left running."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    bot = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=workdir,
        env=unconfigured_env(port),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        timeout = aiohttp.ClientTimeout(total=TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            await _wait_until_serving(http, base, bot)
            chat = f"{base}/api/chats/{SANDBOX_USER}"
            async with http.get(f"{chat}/events", params={"as": str(SANDBOX_USER)}) as stream:
                async with http.post(
                    f"{chat}/messages", json={"as": SANDBOX_USER, "text": "/start"}
                ) as sent:
                    sent.raise_for_status()
                await _answered(stream)
        return time.monotonic() - started, bot
    except BaseException:
        await stop(bot)
        raise


async def stop(bot: asyncio.subprocess.Process) -> None:
    """Stops the bot as Ctrl+C would (it stops its embedded PostgreSQL too)."""
    if bot.returncode is None:
        bot.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(bot.wait(), 60)
        except TimeoutError:
            bot.kill()
            await bot.wait()


async def measure(warm_runs: int) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-start-") as workdir:
        cold, bot = await first_answer(Path(workdir))
        try:
            await asyncio.sleep(SETTLE_SECONDS)
            idle: Footprint = footprint(bot.pid)
        finally:
            await stop(bot)
        print(f"cold start to the first answered /start: {cold:.2f} s")
        warm = []
        for _ in range(warm_runs):
            seconds, bot = await first_answer(Path(workdir))
            await stop(bot)
            warm.append(seconds)
        print(f"warm starts: {', '.join(f'{s:.2f}' for s in warm)} s")
    print(f"idle bot (sandbox mode, embedded PostgreSQL not counted): {idle}")
    median = statistics.median(warm)
    return [
        Row(
            40,
            "cold start, empty DATA_DIR, no configuration, to the first answered /start",
            f"{cold:.2f} s",
            f"≤ {COLD_CEILING:g} s",
            cold <= COLD_CEILING,
        ),
        Row(
            41,
            "warm start (existing DATA_DIR) to the first answered /start",
            f"{median:.2f} s (median of {len(warm)})",
            f"≤ {WARM_CEILING:g} s",
            median <= WARM_CEILING,
        ),
        Row(
            70,
            "memory of an idle bot process and its image pool (PSS; sandbox mode)",
            str(idle),
            f"≤ {MEMORY_CEILING_MB:.0f} MB",
            idle.total_mb <= MEMORY_CEILING_MB,
        ),
    ]


if __name__ == "__main__":
    report(asyncio.run(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 3)))
