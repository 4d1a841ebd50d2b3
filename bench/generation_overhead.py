"""Overhead of the generation pipeline around a slow provider.

Run from the project root:

    python -m bench.generation_overhead [JOBS] [LATENCY_SECONDS]

JOBS generations (200 by default) are queued at once through the real path: charge in
PostgreSQL, the durable job queue and its worker, the real `replicate` library talking to
the loopback Replicate stand-in in a process of its own (each prediction takes
LATENCY_SECONDS, 2 by default),
download, post-processing to a 1280x720 JPEG, storage, completion. It prints the wall time
and, per job, the time from queueing to the finished result minus the provider latency,
at p50, p99 and max, once with polling and once with Replicate webhooks. The worker runs
JOBS at a time here (GENERATION_WORKERS); Telegram delivery is not part of the figure.
It asserts nothing.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
import time
import uuid
from pathlib import Path
from uuid import UUID

import psycopg
from psycopg.conninfo import make_conninfo

from bot.web import create_web_app, provider_webhook_route, serving
from services.accounts import AccountService, TelegramUser
from services.adapters.auth_users import LocalAuthUsers
from services.adapters.db import Database
from services.adapters.embedded_postgres import EmbeddedPostgres
from services.adapters.migrations import apply_migrations
from services.adapters.storage import LocalStorage
from services.adapters.youtube import YouTubeClient
from services.credits import CreditService
from services.faces import FaceService
from services.generation import Doorbell, GenerationInput, GenerationService, Job, Outcome
from services.generators.cpu import warm_up
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


class FinishLine:
    """The reporter: notes when each job's result is ready to deliver."""

    def __init__(self, jobs: int) -> None:
        self.finished: dict[UUID, float] = {}
        self._all = asyncio.Event()
        self._jobs = jobs

    async def heartbeat(self, job: Job) -> None:
        return None

    async def progress(self, job: Job, fraction: float, stage: str) -> None:
        return None

    async def deliver(self, job: Job, outcome: Outcome) -> str:
        self.finished[job.generation_id] = time.monotonic()
        if len(self.finished) >= self._jobs:
            self._all.set()
        return "sent"

    async def resume(self, job: Job, outcome: Outcome) -> str:
        return await self.deliver(job, outcome)

    async def settle(self, job: Job, outcome: Outcome) -> None:
        return None

    async def wait(self) -> None:
        await self._all.wait()


async def run_once(
    conninfo: str, standin_url: str, jobs: int, latency: float, webhooks: bool
) -> tuple[float, list[float]]:
    db = Database(conninfo, min_size=10, max_size=60)
    await db.open()
    client = replicate_client(STANDIN_TOKEN, standin_url)
    waiter = PredictionWaiter()
    endpoint = ReplicateWebhookEndpoint(WebhookSecret(client), waiter)
    route = provider_webhook_route("/replicate/webhook", endpoint)
    async with serving(create_web_app(db, [route]), 0, "127.0.0.1") as port:
        options = ReplicateOptions(
            webhook_url=f"http://127.0.0.1:{port}/replicate/webhook" if webhooks else None
        )
        generator = ReplicateGenerator(
            client, ReplicateModels(db), options, waiter if webhooks else None, PredictionLog(db)
        )
        files = Path(tempfile.mkdtemp(prefix="bench-files-"))
        storage = LocalStorage(files)
        credits = CreditService(db)
        doorbell = Doorbell()
        generations = GenerationService(
            db, credits, FaceService(db, storage), storage, generator, YouTubeClient(), doorbell
        )
        line = FinishLine(jobs)
        worker = GenerationWorker(
            db, generations, line, doorbell, WorkerOptions(concurrency=jobs, poll_seconds=1.0)
        )
        accounts = AccountService(db, LocalAuthUsers(db))
        base = uuid.uuid4().int % 10**9 * 1000
        profiles = [(await accounts.register(TelegramUser(base + n))).profile for n in range(jobs)]
        await warm_up()
        worker.start()
        queued: dict[UUID, float] = {}

        async def queue(n: int) -> None:
            request = GenerationInput(mode="text_to_thumbnail", prompt=f"Benchmark video {n}")
            charge = await generations.start(profiles[n].id, request, f"bench:{n}", base + n)
            queued[charge.generation_id] = time.monotonic()
            await generations.attach_status_message(charge.generation_id, n + 1)

        started = time.monotonic()
        await asyncio.gather(*(queue(n) for n in range(jobs)))
        await line.wait()
        wall = time.monotonic() - started
        await worker.stop()
    await db.close()
    overheads = sorted(line.finished[g] - queued[g] - latency for g in queued)
    return wall, overheads


def percentile(values: list[float], fraction: float) -> float:
    return values[min(len(values) - 1, round(fraction * (len(values) - 1)))]


async def main(jobs: int, latency: float) -> None:
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="bench-pg-") as data:
        embedded = EmbeddedPostgres(Path(data))
        server = embedded.start()
        name = f"bench_gen_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        conninfo = make_conninfo(server, dbname=name)
        await apply_migrations(conninfo)
        # Replicate is remote in production: its stand-in runs in a process of its own,
        # so its work is not counted as the bot's overhead.
        standin = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.standins.replicate",
            str(free_port()),
            str(latency),
            stdout=asyncio.subprocess.PIPE,
        )
        assert standin.stdout is not None
        standin_url = (await standin.stdout.readline()).decode().strip()
        try:
            print(f"{jobs} generations at once, provider latency {latency:g} s")
            print(f"{'mode':<10} {'wall s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
            for webhooks in (False, True):
                wall, overheads = await run_once(conninfo, standin_url, jobs, latency, webhooks)
                label = "webhooks" if webhooks else "polling"
                p50, p99 = percentile(overheads, 0.5), percentile(overheads, 0.99)
                print(
                    f"{label:<10} {wall:8.2f} {p50 * 1000:8.0f} {p99 * 1000:8.0f}"
                    f" {overheads[-1] * 1000:8.0f}"
                )
        finally:
            standin.terminate()
            await standin.wait()
            embedded.stop()
    print("overhead = queued -> result stored and ready to send, minus the provider latency")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    asyncio.run(
        main(
            int(arguments[0]) if arguments else 200,
            float(arguments[1]) if len(arguments) > 1 else 2.0,
        )
    )
