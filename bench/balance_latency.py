"""/balance under a steady stream of updates, against a bare echo bot on the same server.

Run from the project root:

    python -m bench.balance_latency [RATE] [SECONDS]

One loopback Bot API server (sandbox/) in this process serves two bots, each in a process
of its own: the real bot (`python -m bot` with a token and TELEGRAM_API_URL pointing here,
DATABASE_URL a fresh database, the offline generators) and bench/echo_bot.py, a bare
python-telegram-bot echo bot with the same AIORateLimiter. USERS users (who have all
pressed /start first) send RATE updates a second between them for SECONDS (25/s for 30 s
by default, so each p99 is taken over 750 answers, not read off the three slowest of 250;
each user once every USERS / RATE seconds, inside Telegram's one message a second per
chat): /balance to the bot, the same text to the echo bot. Both bots run all
along; the load goes to each in turn, four turns each, so both meet the same moments of a
shared machine. A latency runs from the update reaching the server to the bot's answer
reaching it. It prints p50, p99 and max of each and their ratio, and asserts nothing.
"""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from bench.database import database_server, fresh_database
from bench.generation_overhead import percentile
from bench.startup import ROOT, unconfigured_env
from bench.table import Row, report
from sandbox.server import SandboxServer
from sandbox.users import SandboxUser
from sandbox.views import SentMessage
from tests.test_bot_process import free_port

USERS = 50
SEGMENTS = 4  # turns each bot gets under load, alternating
RATIO_CEILING = 1.5  # the bot's p99 over the echo bot's (issue 14)
TIMEOUT = 60.0
FIRST_USER = 7_700_000


async def spawn(module: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()


async def round_trip(user: SandboxUser, text: str, answer: Callable[[SentMessage], bool]) -> float:
    """Seconds from `text` reaching the server to the bot's answer to it."""
    started = time.monotonic()
    if text.startswith("/"):
        await user.send_command(text)
    else:
        await user.send_text(text)
    await user.wait_for_message(answer, timeout=TIMEOUT)
    return time.monotonic() - started


async def load(
    users: list[SandboxUser],
    text: str,
    answer: Callable[[SentMessage], bool],
    rate: float,
    seconds: float,
) -> list[float]:
    """`rate` updates a second for `seconds`, round-robin over `users`."""
    count = round(rate * seconds)
    started = time.monotonic()
    tasks = []
    for n in range(count):
        await asyncio.sleep(max(0.0, started + n / rate - time.monotonic()))
        tasks.append(asyncio.create_task(round_trip(users[n % len(users)], text, answer)))
    return list(await asyncio.gather(*tasks))


def is_balance(message: SentMessage) -> bool:
    return "You have" in (message.text or "")


def anything(message: SentMessage) -> bool:
    return True


@dataclass
class Contender:
    """A bot under load: its users, what they send and how its answer is recognised."""

    users: list[SandboxUser]
    text: str
    answer: Callable[[SentMessage], bool]
    latencies: list[float] = field(default_factory=list)

    async def load(self, rate: float, seconds: float) -> list[float]:
        return await load(self.users, self.text, self.answer, rate, seconds)


@asynccontextmanager
async def real_bot(sandbox: SandboxServer, conninfo: str) -> AsyncIterator[Contender]:
    """`python -m bot` against the sandbox, its users past /start."""
    token = sandbox.register_bot("bench_balance_bot", first_name="Thumbnail Bot")
    env = unconfigured_env(free_port())
    env.update(TELEGRAM_BOT_TOKEN=token, TELEGRAM_API_URL=sandbox.url, DATABASE_URL=conninfo)
    with tempfile.TemporaryDirectory(prefix="bench-balance-") as data:
        env["DATA_DIR"] = data
        bot = await spawn("bot", env)
        try:
            users = [sandbox.user(FIRST_USER + n, bot=token) for n in range(USERS)]
            welcomed = asyncio.gather(
                *(round_trip(u, "/start", lambda m: "Welcome" in (m.text or "")) for u in users)
            )
            await welcomed
            yield Contender(users, "/balance", is_balance)
        finally:
            await stop(bot)


@asynccontextmanager
async def echo_bot(sandbox: SandboxServer) -> AsyncIterator[Contender]:
    """bench/echo_bot.py against the sandbox."""
    token = sandbox.register_bot("bench_echo_bot", first_name="Echo")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.update(TELEGRAM_BOT_TOKEN=token, TELEGRAM_API_URL=sandbox.url)
    echo = await spawn("bench.echo_bot", env)
    try:
        users = [sandbox.user(FIRST_USER + n, bot=token) for n in range(USERS)]
        await round_trip(users[0], "hello", anything)  # up and polling
        yield Contender(users, "balance?", anything)
    finally:
        await stop(echo)


def summary(label: str, values: list[float]) -> str:
    return (
        f"{label:<10} p50 {statistics.median(values) * 1000:7.1f} ms  p99"
        f" {percentile(values, 0.99) * 1000:7.1f} ms  max {max(values) * 1000:7.1f} ms"
    )


async def measure(server: str, rate: float, seconds: float) -> list[Row]:
    """Both bots run at once; the load goes to one, then the other, SEGMENTS times each,
    so both meet the same moments of a shared machine."""
    sandbox = SandboxServer()
    await sandbox.start()
    try:
        async with (
            fresh_database(server, "bench_balance") as conninfo,
            echo_bot(sandbox) as echo_side,
            real_bot(sandbox, conninfo) as bot_side,
        ):
            for side in (echo_side, bot_side):
                await side.load(rate, seconds / 5)  # warm-up, not counted
            for _ in range(SEGMENTS):
                for side in (echo_side, bot_side):
                    side.latencies += await side.load(rate, seconds / SEGMENTS)
    finally:
        await sandbox.stop()
    echo, bot = echo_side.latencies, bot_side.latencies
    print(f"{round(rate * seconds)} updates at {rate:g}/s from {USERS} users")
    print(summary("echo bot", echo))
    print(summary("/balance", bot))
    ratio = percentile(bot, 0.99) / percentile(echo, 0.99)
    print(f"p99 ratio {ratio:.2f}")
    return [
        Row(
            50,
            f"/balance at {rate:g} updates/s: p99 latency, against a bare python-telegram-bot"
            " echo bot with the same AIORateLimiter on the same sandbox server",
            f"{percentile(bot, 0.99) * 1000:.0f} ms vs {percentile(echo, 0.99) * 1000:.0f} ms"
            f" = {ratio:.2f}x",
            f"≤ {RATIO_CEILING}x",
            ratio <= RATIO_CEILING,
        )
    ]


def main() -> None:
    rate = float(sys.argv[1]) if len(sys.argv) > 1 else 25.0
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
    with database_server() as server:
        report(asyncio.run(measure(server, rate, seconds)))


if __name__ == "__main__":
    main()
