"""A broadcast to 3,000 users through the real bot, with Telegram's flood limits on.

Run from the project root:

    python -m bench.broadcast

The bot runs as `python -m bot` (its own process, AIORateLimiter and all) against the
project's sandbox Bot API server with flood limits switched on (30 messages a second per
bot, about 1 a second per chat); an embedded PostgreSQL in a temporary directory (or a
fresh database on DATABASE_URL) holds 3,000 users, 1 in 25 of whom have blocked the bot.
The admin composes and confirms the broadcast in the chat, as an admin would. While it
runs, a few other users ask /balance (about 3 a second in all), and each answer is timed
from the moment the user sends the command to the moment the reply reaches them.

It prints the broadcast's rate (messages a second, first send to last, blocked sends
included since they count against the budget too), the 429s the sandbox answered, and
the /balance latencies (p50, p99, max). It asserts nothing about speed.

tests/e2e/test_broadcast.py runs the same scenario with a `kill -9` in the middle.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from sandbox.flood import FloodLimits
from sandbox.server import SandboxServer
from sandbox.users import SandboxUser
from services.accounts import AccountService, TelegramUser
from services.adapters.auth_users import LocalAuthUsers
from services.adapters.db import Database
from services.adapters.embedded_postgres import EmbeddedPostgres
from services.adapters.migrations import apply_migrations
from tests.test_bot_process import free_port, start_bot

USERS = 3_000
BLOCKED_EVERY = 25  # 120 of the 3,000 have blocked the bot
PROBES = 6  # users asking /balance during the broadcast
PROBE_INTERVAL = 2.0  # seconds between one probe user's /balance
ADMIN_ID = 4_800_000
FIRST_USER_ID = 4_810_000
TEXT = "📣 New this week: vertical thumbnails for Shorts. Try /generate!"
SETUP_CONCURRENCY = 20
# Between the admin's steps: a person, not a script (Telegram allows ~1 message a second
# per chat, and each step makes the bot answer).
ADMIN_PAUSE = 1.0


@dataclass
class Audience:
    users: list[SandboxUser]
    blocked: list[SandboxUser]

    @property
    def reachable(self) -> list[SandboxUser]:
        gone = {user.id for user in self.blocked}
        return [user for user in self.users if user.id not in gone]


def flood_limited_sandbox() -> SandboxServer:
    """A sandbox with Telegram's limits on, as the broadcast must meet them."""
    return SandboxServer(flood_limits=FloodLimits(enabled=True))


async def populate(sandbox: SandboxServer, token: str, db: Database, count: int) -> Audience:
    """`count` users who started the bot long ago (a profile each); 1 in BLOCKED_EVERY has
    blocked it since, which the database does not know yet."""
    accounts = AccountService(db, LocalAuthUsers(db))
    users = [
        sandbox.user(FIRST_USER_ID + n, first_name=f"Viewer{n}", bot=token) for n in range(count)
    ]
    limit = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def one(user: SandboxUser) -> None:
        async with limit:
            await accounts.register(TelegramUser(user.id, None, user.account.first_name, "en"))

    await asyncio.gather(*(one(user) for user in users))
    blocked = users[BLOCKED_EVERY - 1 :: BLOCKED_EVERY]
    for user in users:
        await user.unblock_bot()  # writing to a bot once starts it, as Telegram has it
    for user in blocked:
        await user.block_bot()
    return Audience(users, blocked)


def bot_env(sandbox: SandboxServer, token: str, conninfo: str) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_URL": sandbox.url,
        "DATABASE_URL": conninfo,
        "ADMIN_IDS": str(ADMIN_ID),
    }


async def compose_and_confirm(admin: SandboxUser, text: str = TEXT, within: float = 60) -> int:
    """The admin's chat: /broadcast, the text, no button, everyone, send. The broadcast id."""
    await admin.send_command("/start")
    await admin.wait_for_message(timeout=within)
    await asyncio.sleep(ADMIN_PAUSE)
    await admin.send_command("/broadcast")
    await admin.wait_for_message(lambda m: "New broadcast" in (m.text or ""), timeout=within)
    await asyncio.sleep(ADMIN_PAUSE)
    await admin.send_text(text)
    ask = await admin.wait_for_message(lambda m: "link button" in (m.text or ""), timeout=within)
    await asyncio.sleep(ADMIN_PAUSE)
    await admin.press(ask, _data(ask, ":skip:"))
    audiences = await admin.wait_for_message(
        lambda m: "Who should get it" in (m.text or ""), timeout=within
    )
    await asyncio.sleep(ADMIN_PAUSE)
    await admin.press(audiences, _data(audiences, ":all"))
    question = await admin.wait_for_message(
        lambda m: "Send broadcast" in (m.text or ""), timeout=within
    )
    await asyncio.sleep(ADMIN_PAUSE)
    await admin.press(question, _data(question, ":go:"))
    broadcast_id = int(_data(question, ":go:").split(":")[2])
    # The confirmation becomes the progress message once the recipients are written.
    await admin.wait_for_message(
        lambda m: f"Broadcast #{broadcast_id}" in (m.text or ""), timeout=within
    )
    return broadcast_id


def _data(message: object, fragment: str) -> str:
    buttons = getattr(message, "buttons", [])
    return next(b["callback_data"] for b in buttons if fragment in b.get("callback_data", ""))


async def wait_until_reported(db: Database, broadcast_id: int, within: float) -> None:
    """Until the outcome is on the admin's progress message."""
    deadline = time.monotonic() + within
    while not await db.fetch_value(
        "SELECT reported_at IS NOT NULL FROM broadcasts WHERE id = %s", [broadcast_id]
    ):
        if time.monotonic() > deadline:
            raise TimeoutError(f"broadcast {broadcast_id} not finished within {within}s")
        await asyncio.sleep(0.5)


def copies(user: SandboxUser, text: str = TEXT) -> int:
    return sum(1 for message in user.messages() if message.text == text)


@dataclass(frozen=True)
class Figures:
    sends: int
    seconds: float
    too_many: int
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.sends / self.seconds if self.seconds else 0.0


def broadcast_sends(sandbox: SandboxServer, audience: Audience, since: float) -> Figures:
    """The broadcast's sendMessage calls (delivered or 403) and every 429 since `since`."""
    chats = {user.id for user in audience.users}
    calls = [
        call
        for call in sandbox.calls("sendMessage")
        if call.started >= since and int(call.params.get("chat_id", 0)) in chats
    ]
    answered = [call for call in calls if call.status != 429]
    too_many = sum(1 for call in sandbox.calls() if call.started >= since and call.status == 429)
    first = min(call.started for call in answered)
    last = max(call.started + call.duration for call in answered)
    return Figures(len(answered), last - first, too_many, [])


async def probe_balance(user: SandboxUser, until: asyncio.Event, latencies: list[float]) -> None:
    """/balance every PROBE_INTERVAL seconds; the time until the answer reaches the user."""
    while not until.is_set():
        sent = time.monotonic()
        await user.send_command("/balance")
        await user.wait_for_message(lambda m: "credits" in (m.text or ""), timeout=30)
        latencies.append(time.monotonic() - sent)
        await asyncio.sleep(max(0.0, PROBE_INTERVAL - (time.monotonic() - sent)))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def run(conninfo: str, workdir: Path) -> Figures:
    await apply_migrations(conninfo)
    db = Database(conninfo, max_size=SETUP_CONCURRENCY)
    await db.open()
    async with flood_limited_sandbox() as sandbox:
        token = sandbox.register_bot("thumbs_bench_bot")
        started = time.perf_counter()
        audience = await populate(sandbox, token, db, USERS)
        probes = [
            sandbox.user(FIRST_USER_ID + USERS + n, first_name=f"Probe{n}", bot=token)
            for n in range(PROBES)
        ]
        print(
            f"setup: {USERS} users ({len(audience.blocked)} blocked the bot) in "
            f"{time.perf_counter() - started:.1f}s"
        )
        port = free_port()
        bot = await start_bot(
            workdir, port, env=bot_env(sandbox, token, conninfo), log=workdir / "bot.log"
        )
        try:
            for probe in probes:  # /start first, so probes answer from a warm bot
                await probe.send_command("/start")
                await probe.wait_for_message(timeout=60)
            admin = sandbox.user(ADMIN_ID, first_name="Admin", bot=token)
            since = time.monotonic()
            broadcast_id = await compose_and_confirm(admin)
            done, latencies = asyncio.Event(), []
            probing = [
                asyncio.create_task(probe_balance(probe, done, latencies)) for probe in probes
            ]
            await wait_until_reported(db, broadcast_id, within=600)
            done.set()
            await asyncio.gather(*probing)
        finally:
            bot.send_signal(signal.SIGTERM)
            await bot.wait()
        figures = broadcast_sends(sandbox, audience, since)
        duplicates = sum(max(0, copies(user) - 1) for user in audience.users)
        missing = sum(1 for user in audience.reachable if copies(user) == 0)
        print(f"copies: {duplicates} duplicates, {missing} reachable users without one")
    await db.close()
    return Figures(figures.sends, figures.seconds, figures.too_many, latencies)


@contextmanager
def database() -> Iterator[str]:
    """A fresh database on DATABASE_URL's server, or on an embedded one; dropped after."""
    with tempfile.TemporaryDirectory(prefix="bench-pg-") as data:
        embedded = None
        server = os.environ.get("DATABASE_URL")
        if not server:
            embedded = EmbeddedPostgres(Path(data))
            server = embedded.start()
        name = f"bench_broadcast_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield make_conninfo(server, dbname=name)
        finally:
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
            if embedded is not None:
                embedded.stop()


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with database() as conninfo, tempfile.TemporaryDirectory(prefix="bench-bot-") as workdir:
        figures = asyncio.run(run(conninfo, Path(workdir)))
    lat = figures.latencies
    print(
        f"broadcast: {figures.sends} sends in {figures.seconds:.1f}s = "
        f"{figures.rate:.1f} messages/s; 429s from the sandbox: {figures.too_many}"
    )
    print(
        f"/balance while it ran: {len(lat)} answers, p50 {percentile(lat, 0.5) * 1000:.0f} ms, "
        f"p99 {percentile(lat, 0.99) * 1000:.0f} ms, max {max(lat) * 1000:.0f} ms, "
        f"mean {statistics.fmean(lat) * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
