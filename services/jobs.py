"""The generation worker: claims queued jobs from PostgreSQL and runs them, a bounded
number at a time, in whichever bot process has room.

A job is claimed with SKIP LOCKED under a lease that a heartbeat keeps renewing; if the
process dies, the lease runs out and another worker (or this one after a restart) claims
the job again. After `max_attempts` interrupted attempts the job is failed and refunded,
once, and the user is told. Results are delivered through a `JobReporter` given by the bot;
a result that was made but not delivered (a crash in between) is picked up by the
delivery sweep, so every user hears back.

Delivery is exactly once as far as Telegram lets it be (sql/010_delivery.sql): a send is
marked before it starts and recorded the moment Telegram confirms it. A send whose end is
unknown (the process died, or Telegram's answer was lost) is never repeated: the status
message, which can be edited any number of times, says the result is ready instead.

The variants of one order (services/variants.py) run as jobs of their own, in parallel,
but are delivered together by whichever worker finishes the last of them: the same
three steps on the batch's row, so an album is sent once, or the status says it is ready.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from uuid import UUID

from services.adapters.db import TRANSIENT_ERRORS, Database, persistently
from services.generation import Doorbell, GenerationService, Job, Outcome
from services.generators.base import ProgressCallback
from services.variants import Batch, BatchOutcome, VariantBatches
from services.worker_ids import new_worker_id

logger = logging.getLogger(__name__)
T = TypeVar("T")


class DeliveryNotPerformed(Exception):
    """Telegram certainly did not perform the send (a flood limit, a refused
    connection): it may be sent again later."""


class DeliveryUncertain(Exception):
    """The send may or may not have been performed (a timeout, a 5xx, a dropped
    connection after the request went out): it must not be sent again."""


class JobReporter(Protocol):
    """Tells the user how their job is going; implemented by the Telegram layer."""

    async def heartbeat(self, job: Job) -> None:
        """Called every few seconds while the job runs (a chat action, say)."""
        ...

    async def progress(self, job: Job, fraction: float, stage: str) -> None: ...

    async def deliver(self, job: Job, outcome: Outcome) -> str:
        """Sends the result or the apology, once. Returns how it went (sent, refused,
        unreachable); raises DeliveryNotPerformed or DeliveryUncertain."""
        ...

    async def resume(self, job: Job, outcome: Outcome) -> str:
        """Tells the user the outcome without sending the result again (an edit of the
        status message, which is safe to repeat); raises as `deliver` does."""
        ...

    async def settle(self, job: Job, outcome: Outcome) -> None:
        """After a confirmed delivery: tidy the status message (best effort)."""
        ...

    async def member_finished(self, job: Job, batch: Batch) -> None:
        """A variant finished and others still run: "2 of 4 ready" (best effort)."""
        ...

    async def deliver_batch(self, batch: Batch, outcome: BatchOutcome) -> str:
        """Sends the variants made (one album) and their buttons, or the apology, once;
        raises as `deliver` does."""
        ...

    async def resume_batch(self, batch: Batch, outcome: BatchOutcome) -> str:
        """As `resume`, for a batch: the status message says the variants are ready."""
        ...

    async def settle_batch(self, batch: Batch, outcome: BatchOutcome) -> None: ...


@dataclass(frozen=True)
class WorkerOptions:
    concurrency: int = 32
    lease_seconds: int = 60
    max_attempts: int = 3
    heartbeat_seconds: float = 4.0
    poll_seconds: float = 1.0
    # How long the finish of a job (store, complete, refund, deliver) keeps retrying
    # while the database is unreachable before leaving the job to its lease.
    outage_seconds: float = 120.0


def _job(row: dict[str, Any]) -> Job:
    return Job(
        generation_id=row["id"],
        profile_id=row["profile_id"],
        mode=row["generation_type"],
        input=row["input"],
        chat_id=row["telegram_chat_id"],
        status_message_id=row["status_message_id"],
        language_code=row["language_code"],
        attempts=row["attempts"],
        batch_id=row.get("batch_id"),
        variant_index=row.get("variant_index"),
        batch_size=row.get("batch_size"),
    )


_WITH_LANGUAGE = (
    "SELECT g.*, p.language_code, b.size AS batch_size FROM {source} g"
    " JOIN profiles p ON p.id = g.profile_id"
    " LEFT JOIN generation_batches b ON b.id = g.batch_id"
)


class GenerationWorker:
    def __init__(
        self,
        db: Database,
        generations: GenerationService,
        reporter: JobReporter,
        doorbell: Doorbell,
        options: WorkerOptions | None = None,
    ) -> None:
        self._db = db
        self._generations = generations
        self._reporter = reporter
        self._doorbell = doorbell
        self._batches = VariantBatches(db, generations)
        self.options = options or WorkerOptions()
        self.worker_id = new_worker_id()
        self._running: set[asyncio.Task[None]] = set()
        self._loop_task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        self._loop_task = asyncio.create_task(self._loop(), name="generation-worker")

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """Stops claiming; lets running jobs finish for a while. Jobs still running after
        that keep their lease until it runs out and are then claimed again elsewhere.
        The loop also checks a flag, so a cancellation swallowed by a library on the way
        (it happens: a stop right after a start hung here) cannot keep it claiming."""
        self._stopping = True
        self._doorbell.ring()
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
        if self._running:
            _, pending = await asyncio.wait(self._running, timeout=grace_seconds)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                await self._reap()
                await self._claim_and_start()
                await self._sweep_deliveries()
            except TRANSIENT_ERRORS as error:
                logger.warning("generation worker waits for the database: %s", error)
            except Exception:
                logger.exception("generation worker loop failed; retrying")
            await self._doorbell.wait(self.options.poll_seconds)

    async def _claim_and_start(self) -> None:
        room = self.options.concurrency - len(self._running)
        if room <= 0:
            return
        rows = await self._db.fetch_all(
            _WITH_LANGUAGE.format(source="claim_generations(%s, %s, %s, %s)"),
            [self.worker_id, self.options.lease_seconds, room, self.options.max_attempts],
        )
        for row in rows:
            job = _job(row)
            task = asyncio.create_task(self._process(job), name=f"job-{job.generation_id}")
            self._running.add(task)
            task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._doorbell.ring()  # room for another job

    async def _process(self, job: Job) -> None:
        """Runs one job to its delivery; nothing escapes the task. Whatever stops it
        midway, the job is still in the database and its lease brings it back."""
        heartbeat = asyncio.create_task(self._keep_alive(job))
        try:
            finished = await self._generations.execute(job, self._progress_reporter(job))
        except TRANSIENT_ERRORS as error:
            logger.warning(
                "generation %s paused, database unreachable: %s", job.generation_id, error
            )
            return
        except Exception:
            logger.exception(
                "generation %s stopped; its lease will bring it back", job.generation_id
            )
            return
        finally:
            heartbeat.cancel()
        if finished:
            await self._deliver(job)

    def _progress_reporter(self, job: Job) -> ProgressCallback:
        """Progress is decoration: a failure to show it never touches the job."""

        async def report(fraction: float, stage: str) -> None:
            try:
                await self._reporter.progress(job, fraction, stage)
            except Exception as error:
                logger.debug("progress of %s not shown: %s", job.generation_id, error)

        return report

    async def _keep_alive(self, job: Job) -> None:
        while True:
            with contextlib.suppress(Exception):
                await self._reporter.heartbeat(job)
            await asyncio.sleep(self.options.heartbeat_seconds)
            try:
                kept = await self._db.fetch_value(
                    "SELECT renew_generation_lease(%s, %s, %s)",
                    [job.generation_id, self.worker_id, self.options.lease_seconds],
                )
            except TRANSIENT_ERRORS:
                continue  # try again at the next beat; the lease may still hold
            if not kept:  # finished meanwhile, or taken over after a stall
                logger.info("lease of generation %s ended", job.generation_id)
                return

    async def _deliver(self, job: Job) -> None:
        """Delivers a finished job at most once (a variant: its batch, if it was the
        last to finish); never raises."""
        if job.batch_id is not None:
            await self._safely(f"batch {job.batch_id}", self._deliver_batch_once(job.batch_id, job))
        else:
            await self._safely(f"generation {job.generation_id}", self._deliver_once(job))

    async def _safely(self, what: str, delivery: Awaitable[None]) -> None:
        """Runs a delivery; never raises. What it could not do is left to the delivery
        sweep, which resumes rather than repeats a started send."""
        try:
            await delivery
        except (DeliveryNotPerformed, DeliveryUncertain) as error:
            logger.warning("%s not delivered yet (%r); will retry", what, error)
        except TRANSIENT_ERRORS as error:
            logger.warning("%s not delivered, database unreachable: %s", what, error)
        except Exception:
            logger.exception("could not deliver %s; will retry", what)

    async def _deliver_once(self, job: Job) -> None:
        outcome = await self._persist(lambda: self._generations.outcome_of(job.generation_id))
        state = await self._persist(
            lambda: self._db.fetch_value(
                "SELECT begin_delivery(%s, %s, %s)",
                [job.generation_id, self.worker_id, self.options.lease_seconds],
            )
        )
        if state == "resume":
            await self._finish(job, await self._reporter.resume(job, outcome))
            return
        if state != "send":
            return  # delivered already, in another worker's hands, or not finished
        try:
            method = await self._reporter.deliver(job, outcome)
        except DeliveryNotPerformed:
            await self._persist(
                lambda: self._db.execute(
                    "SELECT abandon_delivery(%s, %s)", [job.generation_id, self.worker_id]
                )
            )
            raise
        except DeliveryUncertain:
            logger.warning(
                "Telegram may have delivered %s; not sending it again", job.generation_id
            )
            await self._finish(job, await self._reporter.resume(job, outcome))
            return
        await self._finish(job, method)
        await self._reporter.settle(job, outcome)

    async def _deliver_batch_once(self, batch_id: UUID, member: Job | None) -> None:
        """The batch's delivery, if all its members finished; else (`member` being one
        that just did) the status message counts the variants ready."""
        batch = await self._persist(lambda: self._batches.load(batch_id))
        if batch is None:
            return
        if not batch.complete:
            if member is not None:
                with contextlib.suppress(Exception):  # decoration
                    await self._reporter.member_finished(member, batch)
            return
        # Read before the send is marked, so a storage error cannot leave a mark behind
        # for an album that was never sent.
        outcome = await self._persist(lambda: self._batches.outcome(batch))
        state = await self._persist(
            lambda: self._db.fetch_value(
                "SELECT begin_batch_delivery(%s, %s, %s)",
                [batch_id, self.worker_id, self.options.lease_seconds],
            )
        )
        if state == "resume":
            await self._finish_batch(batch_id, await self._reporter.resume_batch(batch, outcome))
            return
        if state != "send":
            return  # delivered already, or in another worker's hands
        try:
            method = await self._reporter.deliver_batch(batch, outcome)
        except DeliveryNotPerformed:
            await self._persist(
                lambda: self._db.execute(
                    "SELECT abandon_batch_delivery(%s, %s)", [batch_id, self.worker_id]
                )
            )
            raise
        except DeliveryUncertain:
            logger.warning("Telegram may have delivered batch %s; not sending it again", batch_id)
            await self._finish_batch(batch_id, await self._reporter.resume_batch(batch, outcome))
            return
        await self._finish_batch(batch_id, method)
        await self._reporter.settle_batch(batch, outcome)

    async def _finish_batch(self, batch_id: UUID, method: str) -> None:
        await self._persist(
            lambda: self._db.execute("SELECT finish_batch_delivery(%s, %s)", [batch_id, method])
        )

    async def _finish(self, job: Job, method: str) -> None:
        await self._persist(
            lambda: self._db.execute("SELECT finish_delivery(%s, %s)", [job.generation_id, method])
        )

    async def _persist(self, call: Callable[[], Awaitable[T]]) -> T:
        return await persistently(call, within=self.options.outage_seconds)

    async def _reap(self) -> None:
        """Refunds jobs whose workers died too often; their users hear it from the sweep."""
        rows = await self._db.fetch_all(
            "SELECT reap_generations(%s) AS id", [self.options.max_attempts]
        )
        for row in rows:
            logger.warning("generation %s was interrupted too often; refunded", row["id"])
            job = await self._load(row["id"])
            if job is not None:
                await self._deliver(job)

    async def _sweep_deliveries(self) -> None:
        rows = await self._db.fetch_all(
            _WITH_LANGUAGE.format(source="claim_undelivered(%s, %s, %s, %s)"),
            [
                self.worker_id,
                self.options.lease_seconds,
                self.options.concurrency,
                self.options.lease_seconds,
            ],
        )
        for row in rows:
            await self._deliver(_job(row))
        batches = await self._db.fetch_all(
            "SELECT id FROM claim_undelivered_batches(%s, %s, %s, %s)",
            [
                self.worker_id,
                self.options.lease_seconds,
                self.options.concurrency,
                self.options.lease_seconds,
            ],
        )
        for row in batches:
            await self._safely(f"batch {row['id']}", self._deliver_batch_once(row["id"], None))

    async def _load(self, generation_id: UUID) -> Job | None:
        row = await self._db.fetch_one(
            _WITH_LANGUAGE.format(source="generations") + " WHERE g.id = %s", [generation_id]
        )
        return _job(row) if row is not None else None
