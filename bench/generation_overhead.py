"""Overhead of the generation pipeline around a slow provider, and the memory it keeps.

Run from the project root:

    python -m bench.generation_overhead [--burst 200] [--rate 10] [--seconds 60] [--latency 2]

Generations go through the real path: the charge in PostgreSQL, the durable job queue and
its worker, the real `replicate` library talking to the loopback Replicate stand-in in a
process of its own (each prediction takes --latency seconds), the download, the finish in
the image pool (cut to 1280x720, the headline drawn, a JPEG), storage, completion. The
overhead of a generation is the time from its request (the tap that charges it) to its
result stored and ready to send, minus the provider's latency. Telegram delivery is not
part of it.

1. A burst: --burst generations requested at once, polled for (no PUBLIC_URL), then the
   same with Replicate's webhooks. The worker runs as many at once here.
2. A sustained load: --rate generations a second for --seconds, with webhooks, as the bot
   runs with a PUBLIC_URL (polling alone adds up to its 1 s interval to each).
3. Memory of this process and its image pool (PSS): idle after start-up, after the first
   100 generations and after all of them (2 x --burst + rate x seconds: 1,000 by default).

It prints figures and asserts nothing. DATABASE_URL or an embedded PostgreSQL (see
bench/database.py); a fresh database either way. Run with -m as above, the image pool's
spawned workers import this module too (multiprocessing re-imports a main module that is
not a package's __main__), which adds some 60 MB to the pool's memory that the bot's own
workers do not have: `python -m bench generation` starts it with -c, so they import only
what their work needs, as the bot's do.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import os
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from aiohttp import web

from bench.database import fresh_database, run_on_a_database
from bench.memory import Footprint, footprint
from bench.table import Row, report
from bot.web import provider_webhook_route
from services.accounts import AccountService, TelegramUser
from services.adapters.auth_users import LocalAuthUsers
from services.adapters.db import Database
from services.adapters.storage import LocalStorage
from services.adapters.youtube import YouTubeClient
from services.credits import CreditService
from services.faces import FaceService
from services.generation import Doorbell, GenerationInput, GenerationService, Job, Outcome
from services.generators.cpu import shutdown_pool, warm_up
from services.generators.prediction_log import PredictionLog
from services.generators.replicate_generator import (
    ReplicateGenerator,
    ReplicateOptions,
    replicate_client,
)
from services.generators.replicate_models import ReplicateModels
from services.generators.replicate_webhook import (
    PredictionWaiter,
    ReplicateWebhookEndpoint,
    WebhookSecret,
)
from services.jobs import GenerationWorker, WorkerOptions
from tests.test_bot_process import free_port

STANDIN_TOKEN = "r8_standin_token"
CHARGES_PER_PROFILE = 5  # a new profile's 50 credits pay for 5 generations at 10
SUSTAINED_WORKERS = WorkerOptions().concurrency  # the bot's default GENERATION_WORKERS
SUSTAINED_CEILING = 0.5  # seconds, p99 (issue 14)
MEMORY_CEILING_MB = 200.0
MEMORY_EARLY = 100  # generations after which memory must stop growing


class FinishLine:
    """The reporter: notes when each job's result is ready to deliver."""

    def __init__(self, on_count: dict[int, Callable[[], None]]) -> None:
        self.finished: dict[UUID, float] = {}
        self._changed = asyncio.Condition()
        self._on_count = on_count  # callbacks when that many results are in (all runs)

    async def heartbeat(self, job: Job) -> None:
        return None

    async def progress(self, job: Job, fraction: float, stage: str) -> None:
        return None

    async def deliver(self, job: Job, outcome: Outcome) -> str:
        self.finished[job.generation_id] = time.monotonic()
        callback = self._on_count.pop(len(self.finished), None)
        if callback is not None:
            callback()
        async with self._changed:
            self._changed.notify_all()
        return "sent"

    async def resume(self, job: Job, outcome: Outcome) -> str:
        return await self.deliver(job, outcome)

    async def settle(self, job: Job, outcome: Outcome) -> None:
        return None

    async def until(self, count: int) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: len(self.finished) >= count)


class Requester:
    """Requests generations as users would, each charged to a profile that can pay."""

    def __init__(self, profiles: list[UUID], base: int) -> None:
        self.generations: GenerationService | None = None  # the pipeline running now
        self._slots = itertools.cycle(range(len(profiles)))
        self._profiles = profiles
        self._numbers = itertools.count()
        self._base = base
        self.requested: dict[UUID, float] = {}

    async def request(self) -> None:
        assert self.generations is not None
        n = next(self._numbers)
        slot = next(self._slots)
        at = time.monotonic()
        request = GenerationInput(mode="text_to_thumbnail", prompt=f"Benchmark video {n}")
        charge = await self.generations.start(
            self._profiles[slot], request, f"bench:{n}", self._base + slot
        )
        self.requested[charge.generation_id] = at
        await self.generations.attach_status_message(charge.generation_id, n + 1)


@dataclass
class Pipeline:
    generations: GenerationService
    worker: GenerationWorker


@asynccontextmanager
async def webhook_receiver(endpoint: ReplicateWebhookEndpoint) -> AsyncIterator[str]:
    """The bot's Replicate webhook route on a port of its own; yields its URL."""
    app = web.Application()
    app.router.add_routes([provider_webhook_route("/replicate/webhook", endpoint)])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/replicate/webhook"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def pipeline(
    db: Database,
    standin_url: str,
    storage: LocalStorage,
    line: FinishLine,
    *,
    webhooks: bool,
    concurrency: int,
) -> AsyncIterator[Pipeline]:
    """The worker and generator as the bot wires them, polling or with webhooks."""
    client = replicate_client(STANDIN_TOKEN, standin_url)
    waiter = PredictionWaiter()
    endpoint = ReplicateWebhookEndpoint(WebhookSecret(client), waiter)
    async with webhook_receiver(endpoint) as webhook_url:
        options = ReplicateOptions(webhook_url=webhook_url if webhooks else None)
        generator = ReplicateGenerator(
            client, ReplicateModels(db), options, waiter if webhooks else None, PredictionLog(db)
        )
        doorbell = Doorbell()
        generations = GenerationService(
            db,
            CreditService(db),
            FaceService(db, storage),
            storage,
            generator,
            YouTubeClient(),
            doorbell,
        )
        worker = GenerationWorker(
            db, generations, line, doorbell, WorkerOptions(concurrency=concurrency)
        )
        worker.start()
        try:
            yield Pipeline(generations, worker)
        finally:
            await worker.stop()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


def overheads(requester: Requester, line: FinishLine, latency: float) -> list[float]:
    return [line.finished[g] - at - latency for g, at in requester.requested.items()]


async def burst(
    requester: Requester, line: FinishLine, jobs: int, latency: float
) -> tuple[float, list[float]]:
    """Wall time and overheads of `jobs` generations requested at once."""
    before = len(line.finished)
    requester.requested.clear()
    started = time.monotonic()
    await asyncio.gather(*(requester.request() for _ in range(jobs)))
    await line.until(before + jobs)
    return time.monotonic() - started, overheads(requester, line, latency)


async def sustained(
    requester: Requester, line: FinishLine, rate: float, seconds: float, latency: float
) -> list[float]:
    """Overheads of `rate` generations a second for `seconds`, each requested on time
    whatever the previous ones are doing."""
    before = len(line.finished)
    requester.requested.clear()
    count = round(rate * seconds)
    started = time.monotonic()
    tasks = []
    for n in range(count):
        await asyncio.sleep(max(0.0, started + n / rate - time.monotonic()))
        tasks.append(asyncio.create_task(requester.request()))
    await asyncio.gather(*tasks)
    await line.until(before + count)
    return overheads(requester, line, latency)


async def start_standin(latency: float) -> tuple[asyncio.subprocess.Process, str]:
    """Replicate is remote in production: its stand-in runs in a process of its own, so
    its work is not counted as the bot's."""
    standin = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.standins.replicate",
        str(free_port()),
        str(latency),
        stdout=asyncio.subprocess.PIPE,
    )
    assert standin.stdout is not None
    return standin, (await standin.stdout.readline()).decode().strip()


def line_of(label: str, values: list[float], wall: float | None = None) -> str:
    head = f"{label:<30}" + (f" {wall:8.2f}" if wall is not None else " " * 9)
    return (
        f"{head} {percentile(values, 0.5) * 1000:8.0f} {percentile(values, 0.99) * 1000:8.0f}"
        f" {max(values) * 1000:8.0f}"
    )


async def measure(conninfo: str, args: argparse.Namespace) -> list[Row]:
    total = 2 * args.burst + round(args.rate * args.seconds)
    memory: dict[str, Footprint] = {}
    line = FinishLine({MEMORY_EARLY: lambda: memory.setdefault("early", footprint(os.getpid()))})
    db = Database(conninfo, min_size=10, max_size=60)
    await db.open()
    standin, standin_url = await start_standin(args.latency)
    try:
        accounts = AccountService(db, LocalAuthUsers(db))
        base = uuid.uuid4().int % 10**9 * 1000
        profiles = [
            (await accounts.register(TelegramUser(base + n))).profile.id
            for n in range(math.ceil(total / CHARGES_PER_PROFILE))
        ]
        await warm_up()
        memory["idle"] = footprint(os.getpid())
        with tempfile.TemporaryDirectory(prefix="bench-files-") as files:
            storage = LocalStorage(Path(files))
            print(f"provider latency {args.latency:g} s; overhead in ms")
            print(f"{'run':<30} {'wall s':>8} {'p50':>8} {'p99':>8} {'max':>8}")
            bursts: dict[str, list[float]] = {}
            requester = Requester(profiles, base)
            for webhooks in (False, True):
                async with pipeline(
                    db, standin_url, storage, line, webhooks=webhooks, concurrency=args.burst
                ) as running:
                    requester.generations = running.generations
                    wall, values = await burst(requester, line, args.burst, args.latency)
                label = f"{args.burst} at once, " + ("webhooks" if webhooks else "polling")
                bursts[label] = values
                print(line_of(label, values, wall))
            async with pipeline(
                db, standin_url, storage, line, webhooks=True, concurrency=SUSTAINED_WORKERS
            ) as running:
                requester.generations = running.generations
                steady = await sustained(requester, line, args.rate, args.seconds, args.latency)
            print(line_of(f"{args.rate:g}/s for {args.seconds:g} s, webhooks", steady))
        memory["after"] = footprint(os.getpid())
        memory.setdefault("early", memory["after"])  # a run shorter than MEMORY_EARLY
    finally:
        standin.terminate()
        await standin.wait()
        await db.close()
        await asyncio.to_thread(shutdown_pool)
    print(f"memory idle {memory['idle']}")
    print(f"memory after {MEMORY_EARLY} generations {memory['early']}")
    print(f"memory after {total} generations {memory['after']}")
    return rows(bursts, steady, memory, args, total)


def rows(
    bursts: dict[str, list[float]],
    steady: list[float],
    memory: dict[str, Footprint],
    args: argparse.Namespace,
    total: int,
) -> list[Row]:
    burst_figure = "; ".join(
        f"{label.split(', ')[1]}: p99 {percentile(values, 0.99):.1f} s"
        f" (p50 {percentile(values, 0.5):.1f} s)"
        for label, values in bursts.items()
    )
    p99 = percentile(steady, 0.99)
    growth = memory["after"].total_mb - memory["early"].total_mb
    biggest = max(memory[key].total_mb for key in ("idle", "early", "after"))
    return [
        Row(
            10,
            f"generation overhead above the provider's {args.latency:g} s,"
            f" {args.burst} queued at once",
            burst_figure,
            "report it",
            None,
        ),
        Row(
            20,
            f"generation overhead at a sustained {args.rate:g} generations/s for"
            f" {args.seconds:g} s, provider {args.latency:g} s (webhooks)",
            f"p99 {p99:.2f} s (p50 {percentile(steady, 0.5):.2f} s)",
            f"p99 ≤ {SUSTAINED_CEILING} s",
            p99 <= SUSTAINED_CEILING,
        ),
        Row(
            71,
            "memory of the generation worker process and its image pool (PSS), idle /"
            f" after {MEMORY_EARLY} / after {total} generations",
            f"{memory['idle'].total_mb:.0f} / {memory['early'].total_mb:.0f} /"
            f" {memory['after'].total_mb:.0f} MB ({growth:+.0f} MB after the first"
            f" {MEMORY_EARLY})",
            f"≤ {MEMORY_CEILING_MB:.0f} MB, no growth after the first {MEMORY_EARLY}",
            biggest <= MEMORY_CEILING_MB and growth <= 0.05 * memory["early"].total_mb,
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--latency", type=float, default=2.0)
    args = parser.parse_args()

    async def benchmark(server: str) -> None:
        async with fresh_database(server, "bench_generation") as conninfo:
            report(await measure(conninfo, args))

    return run_on_a_database(benchmark)


if __name__ == "__main__":
    sys.exit(main())
