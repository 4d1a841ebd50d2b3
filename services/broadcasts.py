"""Broadcasts (sql/015_broadcasts.sql): an admin's message to many users, durable in
PostgreSQL, sent by a worker in whichever bot process holds the broadcast's lease.

The composer keeps its draft in the `broadcasts` row (status 'draft', one per admin), so
a restart mid-composition loses nothing. Confirming writes one `broadcast_recipients` row
per target profile and the audit row, in one transaction. The worker sends them in
order, paced below Telegram's ~30 messages a second for the whole bot so interactive
replies keep headroom, and pauses on a 429. Each recipient is marked 'sending' before
its send and recorded the moment Telegram answers; one left 'sending' by a crash is
never sent again (a possible duplicate is worse than a possibly missed announcement).

Telegram itself is reached through a `BroadcastChannel` that bot/broadcaster.py gives.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from aiolimiter import AsyncLimiter

from services.adapters.db import TRANSIENT_ERRORS, Database
from services.audit import AuditService
from services.errors import InputRejected
from services.worker_ids import new_worker_id

logger = logging.getLogger(__name__)

AUDIENCE = re.compile(r"all|active|paying|lang:[a-z]{2,8}")
BUTTON_TEXT_LIMIT = 64
BUTTON_URL_LIMIT = 2048
DRAFT_MINUTES = 30


@dataclass(frozen=True)
class Broadcast:
    id: int
    composer_telegram_id: int
    composer_language: str
    status: str  # draft, running, stopped, done
    step: str  # text, button, audience (what a draft waits for)
    text_html: str | None
    photo_file_id: str | None
    button_text: str | None
    button_url: str | None
    audience: str | None
    total: int
    progress_chat_id: int | None
    progress_message_id: int | None


_COLUMNS = ", ".join(Broadcast.__dataclass_fields__)


def _broadcast(row: dict[str, Any]) -> Broadcast:
    return Broadcast(**{name: row[name] for name in Broadcast.__dataclass_fields__})


@dataclass(frozen=True)
class Tally:
    """Where a broadcast's recipients are; `sending` outside a running send means a
    send whose end is unknown (a crash mid-send), which is never repeated."""

    total: int = 0
    pending: int = 0
    sending: int = 0
    sent: int = 0
    blocked: int = 0
    failed: int = 0

    @property
    def done(self) -> int:
        return self.sent + self.blocked + self.failed


@dataclass(frozen=True)
class AudienceCounts:
    everyone: int
    active: int
    paying: int
    languages: dict[str, int]


@dataclass(frozen=True)
class Recipient:
    position: int
    telegram_id: int


def parse_button(line: str) -> tuple[str, str]:
    """A "Text | https://link" line as a link button's text and URL, or InputRejected."""
    text, bar, url = line.partition("|")
    text, url = text.strip(), url.strip()
    parts = urlsplit(url)
    if (
        not bar
        or not 0 < len(text) <= BUTTON_TEXT_LIMIT
        or len(url) > BUTTON_URL_LIMIT
        or parts.scheme not in ("http", "https")
        or not parts.netloc
        or any(c.isspace() for c in url)
    ):
        raise InputRejected("broadcast_bad_button")
    return text, url


def _language_sql(languages: Sequence[str], default: str) -> tuple[str, dict[str, Any]]:
    """The language the bot speaks to a profile in (handlers/i18n.language_of in SQL)."""
    primary = "split_part(lower(coalesce(p.language_code, '')), '-', 1)"
    expression = f"CASE WHEN {primary} = ANY(%(languages)s) THEN {primary} ELSE %(default)s END"
    return expression, {"languages": list(languages), "default": default}


# Everyone the bot may write to: started it, not banned, not known to have blocked it.
_REACHABLE = "p.telegram_id IS NOT NULL AND NOT p.is_banned AND p.blocked_bot_at IS NULL"
_ACTIVE = "p.last_seen_at >= now() - interval '30 days'"
_PAYING = "EXISTS (SELECT 1 FROM payments pm WHERE pm.profile_id = p.id)"


class BroadcastService:
    def __init__(self, db: Database, audit: AuditService) -> None:
        self._db = db
        self._audit = audit

    # --- composing ----------------------------------------------------------------------

    async def new_draft(self, admin_telegram_id: int, language: str) -> Broadcast:
        """A fresh draft; an earlier unfinished one of this admin is dropped."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "DELETE FROM broadcasts WHERE composer_telegram_id = %s AND status = 'draft'",
                [admin_telegram_id],
            )
            cursor = await conn.execute(
                f"INSERT INTO broadcasts (composer_telegram_id, composer_language)"
                f" VALUES (%s, %s) RETURNING {_COLUMNS}",
                [admin_telegram_id, language],
            )
            row = await cursor.fetchone()
        assert row is not None
        return _broadcast(row)

    async def draft_of(self, admin_telegram_id: int) -> Broadcast | None:
        """The admin's draft still being written: one abandoned for DRAFT_MINUTES no
        longer takes their messages (they may be describing a thumbnail by then)."""
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM broadcasts"
            " WHERE composer_telegram_id = %s AND status = 'draft'"
            " AND created_at > now() - make_interval(mins => %s)",
            [admin_telegram_id, DRAFT_MINUTES],
        )
        return _broadcast(row) if row is not None else None

    async def get(self, broadcast_id: int) -> Broadcast | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM broadcasts WHERE id = %s", [broadcast_id]
        )
        return _broadcast(row) if row is not None else None

    async def set_text(self, draft: Broadcast, text_html: str, photo_file_id: str | None) -> None:
        if not text_html.strip():
            raise InputRejected("broadcast_needs_text")
        await self._db.execute(
            "UPDATE broadcasts SET text_html = %s, photo_file_id = %s, step = 'button'"
            " WHERE id = %s AND status = 'draft'",
            [text_html, photo_file_id, draft.id],
        )

    async def set_button(self, draft: Broadcast, button: tuple[str, str] | None) -> Broadcast:
        """The link button (or none): the draft is ready for its audience."""
        text, url = button or (None, None)
        row = await self._db.fetch_one(
            f"UPDATE broadcasts SET button_text = %s, button_url = %s, step = 'audience'"
            f" WHERE id = %s AND status = 'draft' AND step <> 'text' RETURNING {_COLUMNS}",
            [text, url, draft.id],
        )
        if row is None:
            raise InputRejected("broadcast_gone")
        return _broadcast(row)

    async def discard(self, broadcast_id: int, admin_telegram_id: int) -> None:
        await self._db.execute(
            "DELETE FROM broadcasts WHERE id = %s AND composer_telegram_id = %s"
            " AND status = 'draft'",
            [broadcast_id, admin_telegram_id],
        )

    async def audience_counts(self, languages: Sequence[str], default: str) -> AudienceCounts:
        """How many each audience would reach now, in one read."""
        language, params = _language_sql(languages, default)
        rows = await self._db.fetch_all(
            f"SELECT {language} AS language, count(*) AS everyone,"
            f" count(*) FILTER (WHERE {_ACTIVE}) AS active,"
            f" count(*) FILTER (WHERE {_PAYING}) AS paying"
            f" FROM profiles p WHERE {_REACHABLE} GROUP BY 1",
            params,
        )
        by_language = {row["language"]: int(row["everyone"]) for row in rows}
        return AudienceCounts(
            everyone=sum(by_language.values()),
            active=sum(int(row["active"]) for row in rows),
            paying=sum(int(row["paying"]) for row in rows),
            languages={code: by_language.get(code, 0) for code in languages},
        )

    # --- running ------------------------------------------------------------------------

    async def start(
        self,
        broadcast_id: int,
        admin_telegram_id: int,
        audience: str,
        languages: Sequence[str],
        default_language: str,
        progress: tuple[int, int],
    ) -> int | None:
        """Confirms a draft: its recipients, its progress message and the audit row, in
        one transaction. The number of recipients, or None if it is no longer a draft of
        this admin (a second tap on the button)."""
        if not AUDIENCE.fullmatch(audience):
            raise InputRejected("broadcast_gone")
        language, params = _language_sql(languages, default_language)
        condition = {"all": "true", "active": _ACTIVE, "paying": _PAYING}.get(audience)
        if condition is None:
            condition = f"{language} = %(language)s"
            params["language"] = audience.removeprefix("lang:")
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE broadcasts SET status = 'running', audience = %(audience)s,"
                " started_at = now(), progress_chat_id = %(chat)s,"
                " progress_message_id = %(message)s"
                " WHERE id = %(id)s AND composer_telegram_id = %(admin)s"
                " AND status = 'draft' AND step = 'audience' RETURNING id",
                {
                    "audience": audience,
                    "chat": progress[0],
                    "message": progress[1],
                    "id": broadcast_id,
                    "admin": admin_telegram_id,
                },
            )
            if await cursor.fetchone() is None:
                return None
            cursor = await conn.execute(
                "INSERT INTO broadcast_recipients (broadcast_id, position, profile_id, telegram_id)"
                " SELECT %(id)s, row_number() OVER (ORDER BY p.created_at, p.id),"
                f" p.id, p.telegram_id FROM profiles p WHERE {_REACHABLE} AND {condition}",
                {**params, "id": broadcast_id},
            )
            total = cursor.rowcount
            await conn.execute(
                "UPDATE broadcasts SET total = %s WHERE id = %s", [total, broadcast_id]
            )
            await self._audit.record(
                admin_telegram_id,
                "broadcast",
                {"broadcast_id": broadcast_id, "audience": audience},
                None,
                {"status": "running", "recipients": total},
                conn=conn,
            )
        return total

    async def stop(self, admin_telegram_id: int) -> list[Broadcast]:
        """Stops the running broadcasts (their unsent recipients stay pending, so each can
        be resumed), with an audit row each."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                f"UPDATE broadcasts SET status = 'stopped', stopped_at = now(),"
                f" reported_at = NULL WHERE status = 'running' RETURNING {_COLUMNS}"
            )
            stopped = [_broadcast(row) for row in await cursor.fetchall()]
            for broadcast in stopped:
                await self._audit.record(
                    admin_telegram_id,
                    "broadcast_stop",
                    {"broadcast_id": broadcast.id},
                    {"status": "running"},
                    {"status": "stopped"},
                    conn=conn,
                )
        return stopped

    async def resume(self, broadcast_id: int, admin_telegram_id: int) -> bool:
        """A stopped broadcast runs again from where it stopped; False if it is not
        stopped (resumed already, say)."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE broadcasts SET status = 'running', stopped_at = NULL, reported_at = NULL"
                " WHERE id = %s AND status = 'stopped' RETURNING id",
                [broadcast_id],
            )
            if await cursor.fetchone() is None:
                return False
            await self._audit.record(
                admin_telegram_id,
                "broadcast_resume",
                {"broadcast_id": broadcast_id},
                {"status": "stopped"},
                {"status": "running"},
                conn=conn,
            )
        return True

    async def tally(self, broadcast_id: int) -> Tally:
        rows = await self._db.fetch_all(
            "SELECT state, count(*) AS n FROM broadcast_recipients"
            " WHERE broadcast_id = %s GROUP BY state",
            [broadcast_id],
        )
        counts = {row["state"]: int(row["n"]) for row in rows}
        return Tally(total=sum(counts.values()), **counts)

    # --- the worker's side --------------------------------------------------------------

    async def claim(self, worker_id: str, lease_seconds: int) -> Broadcast | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM claim_broadcast(%s, %s)", [worker_id, lease_seconds]
        )
        return _broadcast(row) if row is not None else None

    async def pending(self, broadcast_id: int, after: int, limit: int) -> list[Recipient]:
        """The next pending recipients in order, past position `after`."""
        rows = await self._db.fetch_all(
            "SELECT position, telegram_id FROM broadcast_recipients"
            " WHERE broadcast_id = %s AND state = 'pending' AND position > %s"
            " ORDER BY position LIMIT %s",
            [broadcast_id, after, limit],
        )
        return [Recipient(row["position"], row["telegram_id"]) for row in rows]

    async def begin_send(self, broadcast_id: int, position: int) -> bool:
        begun: bool = await self._db.fetch_value(
            "SELECT begin_broadcast_send(%s, %s)", [broadcast_id, position]
        )
        return begun

    async def record_send(
        self, broadcast_id: int, position: int, state: str, error: str | None = None
    ) -> None:
        await self._db.execute(
            "SELECT record_broadcast_send(%s, %s, %s, %s)", [broadcast_id, position, state, error]
        )

    async def finish(self, broadcast_id: int) -> bool:
        finished: bool = await self._db.fetch_value("SELECT finish_broadcast(%s)", [broadcast_id])
        return finished

    async def unreported(self) -> list[Broadcast]:
        """Ended (done or stopped) broadcasts whose outcome the admin has not been shown."""
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM broadcasts"
            " WHERE status IN ('done', 'stopped') AND reported_at IS NULL ORDER BY id"
        )
        return [_broadcast(row) for row in rows]

    async def mark_reported(self, broadcast_id: int, status: str) -> None:
        await self._db.execute(
            "UPDATE broadcasts SET reported_at = now() WHERE id = %s AND status = %s",
            [broadcast_id, status],
        )


class SendOutcome(enum.Enum):
    SENT = "sent"
    BLOCKED = "blocked"  # 403: the user blocked the bot (or deleted their account)
    FAILED = "failed"  # Telegram refused this message to this user (a 400)
    NOT_SENT = "pending"  # certainly not performed (a 429, a refused connection)
    UNCERTAIN = "sending"  # may have been performed (a timeout, a 5xx): never repeated


@dataclass(frozen=True)
class SendReport:
    outcome: SendOutcome
    detail: str | None = None
    retry_after: float = 0.0


class BroadcastChannel(Protocol):
    """How a broadcast reaches Telegram; implemented by bot/broadcaster.py."""

    async def send(self, broadcast: Broadcast, telegram_id: int) -> SendReport: ...

    async def show(self, broadcast: Broadcast, tally: Tally) -> None:
        """Shows progress (or, for an ended broadcast, its outcome) on the admin's
        progress message; safe to repeat."""
        ...


PACE_BURST = 3  # far inside Telegram's burst of 30 for the bot


@dataclass(frozen=True)
class BroadcastOptions:
    # Messages a second for broadcasts, below Telegram's ~30 for the whole bot (and
    # python-telegram-bot's AIORateLimiter at 30), so interactive replies keep headroom.
    rate: float = 26.0
    concurrency: int = 8  # sends in flight at once (each waits for its turn first)
    lease_seconds: int = 10
    poll_seconds: float = 1.0
    progress_seconds: float = 3.0

    @property
    def batch(self) -> int:
        """Recipients read at a time: about two seconds' worth, well inside the lease."""
        return max(1, int(self.rate * 2))


class BroadcastWorker:
    """Sends running broadcasts, one at a time for the whole bot (see claim_broadcast)."""

    def __init__(
        self, broadcasts: BroadcastService, channel: BroadcastChannel, options: BroadcastOptions
    ) -> None:
        self._broadcasts = broadcasts
        self._channel = channel
        self.options = options
        self.worker_id = new_worker_id()
        # A token bucket of PACE_BURST tokens refilled at `rate`: sends come evenly, and
        # the few milliseconds each timer wakes late are made up instead of lost.
        self._pace = AsyncLimiter(PACE_BURST, PACE_BURST / options.rate)
        self._paused_until = 0.0
        self._in_flight = asyncio.Semaphore(options.concurrency)
        self._sends: set[asyncio.Task[None]] = set()
        # (broadcast, last position handed to a send): the next batch is read while the
        # last one's sends are still in flight, so batches follow each other without a gap.
        self._cursor = (0, 0)
        self._last_progress = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="broadcast-worker")

    async def stop(self) -> None:
        """Stops at once: sends in flight end where they are ('sending' is never
        repeated), pending ones wait for the next start or another process."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._sends:
            await asyncio.wait(self._sends, timeout=5)

    async def _loop(self) -> None:
        while True:
            busy = False
            try:
                await self._report_ended()
                broadcast = await self._broadcasts.claim(self.worker_id, self.options.lease_seconds)
                if broadcast is not None:
                    busy = await self._send_batch(broadcast)
            except TRANSIENT_ERRORS as error:
                logger.warning("broadcast worker waits for the database: %s", error)
            except Exception:
                logger.exception("broadcast worker loop failed; retrying")
            if not busy:
                await asyncio.sleep(self.options.poll_seconds)

    async def _send_batch(self, broadcast: Broadcast) -> bool:
        """Hands the next batch to sends; True if there may be more. At the end of the
        list it waits for the sends in flight and reads it again from the start (a 429
        puts a recipient back); a broadcast with nothing pending then is finished (its
        outcome is shown by `_report_ended`)."""
        after = self._cursor[1] if self._cursor[0] == broadcast.id else 0
        recipients = await self._broadcasts.pending(broadcast.id, after, self.options.batch)
        if not recipients:
            if self._sends:
                await asyncio.wait(self._sends)
            self._cursor = (broadcast.id, 0)
            if after:
                return True
            if await self._broadcasts.finish(broadcast.id):
                logger.info("broadcast %s finished", broadcast.id)
            return False
        for recipient in recipients:
            await self._in_flight.acquire()
            await self._turn()
            send = asyncio.create_task(self._send_one(broadcast, recipient))
            self._sends.add(send)
            send.add_done_callback(self._sends.discard)
        self._cursor = (broadcast.id, recipients[-1].position)
        await self._show_progress(broadcast)
        return True

    async def _turn(self) -> None:
        """Waits for the next send's slot: the pace, and any pause after a 429."""
        pause = self._paused_until - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)
        await self._pace.acquire()

    async def _send_one(self, broadcast: Broadcast, recipient: Recipient) -> None:
        try:
            if not await self._broadcasts.begin_send(broadcast.id, recipient.position):
                return  # stopped meanwhile, or sent by a worker that took over
            report = await self._channel.send(broadcast, recipient.telegram_id)
            if report.outcome is SendOutcome.NOT_SENT and report.retry_after:
                self._paused_until = max(self._paused_until, time.monotonic() + report.retry_after)
                logger.warning(
                    "broadcast %s paused %.0fs by Telegram", broadcast.id, report.retry_after
                )
            if report.outcome is not SendOutcome.UNCERTAIN:
                await self._broadcasts.record_send(
                    broadcast.id, recipient.position, report.outcome.value, report.detail
                )
        except TRANSIENT_ERRORS as error:
            logger.warning("broadcast %s send unrecorded: %s", broadcast.id, error)
        except Exception:
            logger.exception(
                "broadcast %s send to position %s failed", broadcast.id, recipient.position
            )
        finally:
            self._in_flight.release()

    async def _show_progress(self, broadcast: Broadcast) -> None:
        """Progress is decoration: at most every few seconds, never fatal."""
        now = time.monotonic()
        if now - self._last_progress < self.options.progress_seconds:
            return
        self._last_progress = now
        tally = await self._broadcasts.tally(broadcast.id)
        try:
            await self._channel.show(broadcast, tally)
        except Exception as error:
            logger.debug("progress of broadcast %s not shown: %s", broadcast.id, error)

    async def _report_ended(self) -> None:
        """The outcome of each ended broadcast, shown once it is (an edit: a repeat after
        a crash changes nothing)."""
        for broadcast in await self._broadcasts.unreported():
            tally = await self._broadcasts.tally(broadcast.id)
            try:
                await self._channel.show(broadcast, tally)
            except Exception as error:
                logger.warning("outcome of broadcast %s not shown: %s", broadcast.id, error)
            await self._broadcasts.mark_reported(broadcast.id, broadcast.status)
