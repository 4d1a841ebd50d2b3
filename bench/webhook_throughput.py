"""Updates per second in webhook mode, one bot process against three (same run), with
latency percentiles and memory per process; then 300 users through the whole flow on
three processes.

Run from the project root:

    python -m bench.webhook_throughput [USERS] [UPDATES_PER_USER]

Each configuration runs `python -m bot` processes (webhook mode, sharing one database:
DATABASE_URL or an embedded PostgreSQL) behind the round-robin proxy of
tests/e2e/webhook_cluster.py, talking to the loopback Bot API (the sandbox). Telegram
posts updates over up to 40 connections at once; so does this benchmark, straight to the
proxy: USERS users (300 by default) each send /balance UPDATES_PER_USER times (10), all
posted as fast as the connections take them. "Taken" is the webhook's side: updates/s
until the last POST was answered 200 (the update is recorded in PostgreSQL), and each
POST's latency. "Answered" is the user's side: updates/s until the last answer reached
its chat, and each update's latency from its POST to its answer; then PACE updates a
second for PACED_SECONDS, the latency when the bot keeps up. Answers are paced by
python-telegram-bot's AIORateLimiter at 30 messages a second per process (Telegram's
limit for a bot): that, not the bot's work, bounds one process's answers. Memory is
the resident set of each bot process and of the largest of its image workers (each a
process of its own), idle (ready, before the load) and at its peak under load and during
the whole flow below, when images are made. Finally the USERS go through start, a referral, a face,
a thumbnail and a credit pack on three processes (tests/e2e/test_multiprocess.py's flow,
through the sandbox's own webhook delivery), and their balances are checked.
It asserts nothing about speed.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench.database import run_on_a_database
from bot.telegram_webhook import SECRET_HEADER, WEBHOOK_PATH, webhook_secret
from sandbox.server import SandboxServer
from sandbox.users import SandboxUser
from services.adapters.db import Database
from services.adapters.migrations import apply_migrations
from tests.e2e.conftest import containing
from tests.e2e.test_multiprocess import PACK_CREDITS, REFERRAL, SIGNUP, THUMBNAIL, whole_flow
from tests.e2e.webhook_cluster import WebhookCluster

MB = 1024 * 1024
CONNECTIONS = 40  # Telegram's default max_connections for a webhook
PACE = 20  # updates a second in the steady phase: within one process's 30 answers a second
PACED_SECONDS = 15
TIMEOUT = 120.0
_update_ids = itertools.count(2_000_000_000)
_user_ids = itertools.count(9_100_000)


@dataclass
class Memory:
    idle: list[tuple[int, int]] = field(default_factory=list)
    peak: list[tuple[int, int]] = field(default_factory=list)


def balance_update(user: SandboxUser) -> dict[str, object]:
    """A /balance message as Telegram posts it."""
    account = {"id": user.id, "is_bot": False, "first_name": "Bench", "language_code": "en"}
    return {
        "update_id": next(_update_ids),
        "message": {
            "message_id": next(_update_ids),
            "date": int(time.time()),
            "chat": {"id": user.id, "type": "private", "first_name": "Bench"},
            "from": account,
            "text": "/balance",
            "entities": [{"type": "bot_command", "offset": 0, "length": 8}],
        },
    }


async def sample_memory(cluster: WebhookCluster, memory: Memory, every: float = 0.25) -> None:
    memory.peak = [(0, 0)] * len(cluster.bots)
    while True:
        for index, bot in enumerate(cluster.bots):
            with contextlib.suppress(Exception):
                own, worker = bot.memory()
                memory.peak[index] = (
                    max(own, memory.peak[index][0]),
                    max(worker, memory.peak[index][1]),
                )
        await asyncio.sleep(every)


async def throughput(
    sandbox: SandboxServer, conninfo: str, workdir: Path, processes: int, users: int, each: int
) -> None:
    token = sandbox.register_bot(f"bench_webhook{processes}_bot")
    env = {"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": sandbox.url, "DATABASE_URL": conninfo}
    cluster = WebhookCluster(workdir / f"p{processes}", processes, env)
    people = [sandbox.user(next(_user_ids), first_name="Bench", bot=token) for _ in range(users)]
    memory = Memory()
    await cluster.start()
    try:
        for person in people:  # their accounts exist, as for returning users
            await person.send_command("/start")
        await asyncio.gather(
            *(p.wait_for_message(containing("Welcome"), timeout=TIMEOUT) for p in people)
        )
        await asyncio.sleep(2)
        memory.idle = [bot.memory() for bot in cluster.bots]
        sampler = asyncio.create_task(sample_memory(cluster, memory))
        assert cluster.proxy is not None
        target = Target(
            f"{cluster.proxy.url}{WEBHOOK_PATH}", {SECRET_HEADER: webhook_secret(token)}
        )
        connector = aiohttp.TCPConnector(limit=CONNECTIONS)
        async with aiohttp.ClientSession(connector=connector) as http:
            burst = await all_at_once(http, target, people, each)
            steady = await paced(http, target, people)
        sampler.cancel()
    finally:
        await cluster.stop()
    name = f"{processes} process{'es' if processes > 1 else '  '}"
    print(f"{name}: {burst}")
    print(f"{' ' * len(name)}  at a steady {PACE}/s: {steady}")
    for index, ((idle, idle_worker), (peak, peak_worker)) in enumerate(
        zip(memory.idle, memory.peak, strict=True)
    ):
        print(
            f"    bot process {index}: idle {idle / MB:4.0f} MB, under load {peak / MB:4.0f} MB;"
            f" its largest image worker {idle_worker / MB:3.0f} MB, {peak_worker / MB:3.0f} MB"
        )


@dataclass(frozen=True)
class Target:
    url: str
    headers: dict[str, str]

    async def post(self, http: aiohttp.ClientSession, person: SandboxUser) -> None:
        async with http.post(self.url, json=balance_update(person), headers=self.headers) as answer:
            assert answer.status == 200, answer.status


async def all_at_once(
    http: aiohttp.ClientSession, target: Target, people: list[SandboxUser], each: int
) -> str:
    """Every user's updates posted as fast as the connections take them (each chat's in
    order); then until every answer is in."""
    posted_at: dict[int, list[float]] = {person.id: [] for person in people}
    taken: list[float] = []  # POST to its 200: the update is recorded
    answered: list[float] = []  # POST to the answer in the chat

    async def answers_to(person: SandboxUser) -> None:
        for index in range(each):
            await person.wait_for_message(containing("You have"), timeout=TIMEOUT)
            answered.append(time.perf_counter() - posted_at[person.id][index])

    async def lane(items: list[SandboxUser]) -> None:
        for person in items:
            started = time.perf_counter()
            posted_at[person.id].append(started)
            await target.post(http, person)
            taken.append(time.perf_counter() - started)

    listeners = [asyncio.create_task(answers_to(person)) for person in people]
    queue = [person for _ in range(each) for person in people]
    started = time.perf_counter()
    await asyncio.gather(*(lane(queue[n::CONNECTIONS]) for n in range(CONNECTIONS)))
    posted = time.perf_counter() - started
    await asyncio.gather(*listeners)
    handled = time.perf_counter() - started
    count = len(queue)
    return (
        f"{count} at once: taken {count / posted:4.0f} updates/s (POST p50"
        f" {percentile(taken, 50):4.0f} ms, p99 {percentile(taken, 99):4.0f} ms), answered"
        f" {count / handled:3.0f} updates/s (p50 {percentile(answered, 50) / 1000:4.1f} s,"
        f" p99 {percentile(answered, 99) / 1000:4.1f} s)"
    )


async def paced(http: aiohttp.ClientSession, target: Target, people: list[SandboxUser]) -> str:
    """PACE updates a second for PACED_SECONDS, each user's next one well after their last
    answer: the latency of an update when the bot keeps up."""
    answered: list[float] = []

    async def one(person: SandboxUser) -> None:
        started = time.perf_counter()
        await target.post(http, person)
        await person.wait_for_message(containing("You have"), timeout=TIMEOUT)
        answered.append(time.perf_counter() - started)

    sends = []
    for n in range(PACE * PACED_SECONDS):
        sends.append(asyncio.create_task(one(people[n % len(people)])))
        await asyncio.sleep(1 / PACE)
    await asyncio.gather(*sends)
    return (
        f"answered p50 {percentile(answered, 50):4.0f} ms, p99 {percentile(answered, 99):4.0f} ms"
        f" ({len(answered)} updates)"
    )


def percentile(seconds: list[float], which: int) -> float:
    """In milliseconds."""
    ordered = sorted(seconds)
    return ordered[max(0, round(len(ordered) * which / 100) - 1)] * 1000


async def whole_flows(sandbox: SandboxServer, conninfo: str, workdir: Path, users: int) -> None:
    token = sandbox.register_bot("bench_flow_bot")
    env = {"TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": sandbox.url, "DATABASE_URL": conninfo}
    cluster = WebhookCluster(workdir / "flow", 3, env)
    pairs = users // 2
    referrers = [sandbox.user(next(_user_ids), first_name=f"A{i}", bot=token) for i in range(pairs)]
    friends = [sandbox.user(next(_user_ids), first_name=f"B{i}", bot=token) for i in range(pairs)]
    links = [asyncio.get_running_loop().create_future() for _ in range(pairs)]
    memory = Memory()
    await cluster.start()
    try:
        sampler = asyncio.create_task(sample_memory(cluster, memory))
        started = time.perf_counter()
        await asyncio.gather(
            *(
                whole_flow(u, invite=link, joins_by=None)
                for u, link in zip(referrers, links, strict=True)
            ),
            *(
                whole_flow(u, invite=None, joins_by=link)
                for u, link in zip(friends, links, strict=True)
            ),
        )
        wall = time.perf_counter() - started
        sampler.cancel()
    finally:
        await cluster.stop()
    db = Database(conninfo)
    await db.open()
    try:
        rows = await db.fetch_all(
            "SELECT p.telegram_id, p.credits, (SELECT sum(delta) FROM credit_ledger l"
            " WHERE l.profile_id = p.id) AS ledger FROM profiles p WHERE p.telegram_id = ANY(%s)",
            [[user.id for user in referrers + friends]],
        )
    finally:
        await db.close()
    referrer_ids = {user.id for user in referrers}
    right = sum(
        row["credits"]
        == row["ledger"]
        == SIGNUP
        - THUMBNAIL
        + PACK_CREDITS
        + (REFERRAL if row["telegram_id"] in referrer_ids else 0)
        for row in rows
    )
    updates = 2 * pairs * 11 - pairs  # 11 updates a user; a friend sends no /referral
    print(
        f"whole flow, {2 * pairs} users on 3 processes: {wall:.1f} s"
        f" (~{updates / wall:.0f} updates/s, {2 * pairs} thumbnails made);"
        f" balances right and equal to their ledgers: {right} of {len(rows)}"
    )
    for index, (peak, peak_worker) in enumerate(memory.peak):
        print(
            f"    bot process {index}: peak {peak / MB:4.0f} MB;"
            f" its largest image worker {peak_worker / MB:3.0f} MB"
        )


async def benchmark(conninfo: str) -> None:
    await apply_migrations(conninfo)
    users = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    each = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    sandbox = SandboxServer()
    await sandbox.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-webhook-") as workdir:
            print(f"/balance in webhook mode: {users} users x {each}, {CONNECTIONS} connections")
            for processes in (1, 3):
                await throughput(sandbox, conninfo, Path(workdir), processes, users, each)
            await whole_flows(sandbox, conninfo, Path(workdir), users)
    finally:
        await sandbox.stop()


if __name__ == "__main__":
    sys.exit(run_on_a_database(benchmark))
