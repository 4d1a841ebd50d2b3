"""Webhook updates go through PostgreSQL (sql/023 and 024), so several bot
processes behind one URL are one bot and a process that dies loses no update.

The webhook route records an update (`record`) and answers at once; whichever process has
room claims it under a lease, runs the handlers (`Application.process_update`) and marks
it done. The updates of one chat run one at a time, in the order Telegram numbered them,
whichever processes receive them. A process killed in the middle of an update leaves it
claimed until its lease runs out; then another process runs it again (an update whose
handlers had already answered is answered again: the one case that repeats, as with
Telegram's own redelivery). An update interrupted `max_attempts` times is dropped with a
warning, so it cannot block its chat forever.

Stopping (`drain`): the webhook route answers 503 from then on (Telegram keeps the update
and delivers it again, here or to another process), no more updates are claimed, the
running ones get `grace_seconds` to finish, and any still running after that are handed
back for another process to take at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Jsonb
from telegram import Bot, Update

from bot.exclusive import exclusively
from bot.log_setup import about
from bot.update_intake import parse_update
from handlers.context import TelegramApp
from services.adapters.db import TRANSIENT_ERRORS, Database, persistently
from services.worker_ids import new_worker_id

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IntakeOptions:
    concurrency: int = 64
    lease_seconds: int = 30
    poll_seconds: float = 0.5
    max_attempts: int = 3
    grace_seconds: float = 20.0
    prune_seconds: float = 600.0


async def _cancelled(*tasks: asyncio.Task[None]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def chat_key(update: Update) -> int:
    """Whose updates this one queues behind: its chat's, else its sender's, else none."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return -update.update_id


class DurableIntake:
    def __init__(
        self, db: Database, application: TelegramApp, options: IntakeOptions | None = None
    ) -> None:
        self._db = db
        self._application = application
        self.options = options or IntakeOptions()
        self.worker_id = new_worker_id()
        #: Telegram numbers updates per bot: the number before the token's colon.
        self.bot_id = int(application.bot.token.split(":", 1)[0])
        self.accepting = True
        #: When the claim loop last came round (monotonic): its heartbeat, for /readyz.
        self.beat_at = time.monotonic()
        self._wake = asyncio.Event()
        self._running: dict[int, asyncio.Task[None]] = {}
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def bot(self) -> Bot:
        bot: Bot = self._application.bot
        return bot

    @property
    def running(self) -> bool:
        return bool(self._tasks) and not any(task.done() for task in self._tasks)

    async def record(self, body: dict[str, Any], update: Update) -> None:
        """Keeps the update until it is handled; a redelivered one is recorded once."""
        await self._db.execute(
            "INSERT INTO telegram_updates (bot_id, update_id, chat_key, body)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT (bot_id, update_id) DO NOTHING",
            [self.bot_id, update.update_id, chat_key(update), Jsonb(body)],
        )
        self._wake.set()

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._claim_loop(), name="update-intake"),
            asyncio.create_task(self._keep_leases(), name="update-intake-leases"),
            asyncio.create_task(self._prune(), name="update-intake-prune"),
        ]

    async def drain(self) -> None:
        """See the module docstring: refuse, stop claiming, let running updates finish,
        hand back the rest."""
        self.accepting = False
        if not self._tasks:
            return
        claiming, keeping_leases, pruning = self._tasks
        await _cancelled(claiming, pruning)
        cut_short: list[int] = []
        if self._running:
            logger.info("waiting for %d update(s) in progress", len(self._running))
            _, unfinished = await asyncio.wait(
                self._running.values(), timeout=self.options.grace_seconds
            )
            cut_short = [key for key, task in self._running.items() if task in unfinished]
            await _cancelled(*unfinished)
        await _cancelled(keeping_leases)  # renewed while they ran
        if cut_short:
            await self._hand_back(cut_short)

    async def _claim_loop(self) -> None:
        while True:
            self.beat_at = time.monotonic()
            try:
                await self._claim()
            except TRANSIENT_ERRORS as error:
                logger.warning("update intake waits for the database: %s", error)
            except Exception:
                logger.exception("update intake failed to claim; retrying")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.options.poll_seconds)

    async def _claim(self) -> None:
        room = self.options.concurrency - len(self._running)
        if room <= 0:
            return
        rows = await self._db.fetch_all(
            "SELECT * FROM claim_telegram_updates(%s, %s, %s, %s)",
            [self.bot_id, self.worker_id, self.options.lease_seconds, room],
        )
        for row in rows:
            update_id = row["update_id"]
            task = asyncio.create_task(self._handle(update_id, row["body"], row["attempts"]))
            self._running[update_id] = task
            task.add_done_callback(functools.partial(self._finished, update_id))

    def _finished(self, update_id: int, _: asyncio.Task[None]) -> None:
        self._running.pop(update_id, None)
        self._wake.set()  # room for another, and this chat's next update may be waiting

    async def _handle(self, update_id: int, body: dict[str, Any], attempts: int) -> None:
        update = parse_update(body, self._application.bot)
        user = update.effective_user if update is not None else None
        with about(update_id=update_id, telegram_id=user.id if user is not None else None):
            if attempts > self.options.max_attempts:
                logger.warning(
                    "update %s was interrupted %d times; dropped", update_id, attempts - 1
                )
            elif update is not None:
                try:
                    await self._application.process_update(update)
                except Exception:  # the error handler took the handlers' own errors
                    logger.exception("update %s failed outside its handlers", update_id)
            await persistently(
                lambda: self._db.execute(
                    "UPDATE telegram_updates SET done_at = now(), body = NULL, lease_until = NULL"
                    " WHERE bot_id = %s AND update_id = %s",
                    [self.bot_id, update_id],
                )
            )

    async def _keep_leases(self) -> None:
        """Renews the leases of the updates this process is running."""
        while True:
            await asyncio.sleep(self.options.lease_seconds / 3)
            if not self._running:
                continue
            try:
                await self._db.execute(
                    "UPDATE telegram_updates"
                    " SET lease_until = now() + make_interval(secs => %s)"
                    " WHERE bot_id = %s AND update_id = ANY(%s) AND claimed_by = %s"
                    " AND done_at IS NULL",
                    [self.options.lease_seconds, self.bot_id, list(self._running), self.worker_id],
                )
            except TRANSIENT_ERRORS as error:
                logger.warning("update leases not renewed: %s", error)

    async def _prune(self) -> None:
        """Handled updates are kept a day, to recognise a redelivery; then deleted, by
        one process at a time."""

        async def delete() -> None:
            await self._db.execute(
                "DELETE FROM telegram_updates WHERE done_at < now() - interval '1 day'"
            )

        while True:
            await asyncio.sleep(self.options.prune_seconds)
            try:
                await exclusively(self._db, "prune_telegram_updates", delete)
            except TRANSIENT_ERRORS as error:
                logger.warning("handled updates not pruned: %s", error)

    async def _hand_back(self, update_ids: list[int]) -> None:
        """Updates cut short by a stop: free to be claimed again at once, the attempt not
        counted (the process stopped, the update did not fail)."""
        logger.warning("handing back %d unfinished update(s)", len(update_ids))
        with contextlib.suppress(*TRANSIENT_ERRORS):  # their leases run out instead
            await self._db.execute(
                "UPDATE telegram_updates"
                " SET lease_until = NULL, claimed_by = NULL, attempts = attempts - 1"
                " WHERE bot_id = %s AND update_id = ANY(%s) AND claimed_by = %s"
                " AND done_at IS NULL",
                [self.bot_id, update_ids, self.worker_id],
            )
