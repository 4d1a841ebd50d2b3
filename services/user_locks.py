"""One user's taps at a time across every bot process (a double tap waits for the first).

The lock is a lease row (sql/026), not a PostgreSQL advisory lock: an advisory lock is
held by a connection, and the work inside (a charge, then a Telegram send that may take
seconds) would keep that connection from everyone else; enough slow sends at once and the
pool is empty. Taking the lease is one statement; a tap that finds it taken polls with
backoff, which only double taps ever do. A process that dies holding a lease delays that
user until it expires, nothing more: everything the lock guards is also made safe by
request keys in the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator

from services.adapters.db import TRANSIENT_ERRORS, Database

logger = logging.getLogger(__name__)

LEASE_SECONDS = 60  # longer than any tap's work; a dead holder's lease ends after this
_FIRST_POLL, _LONGEST_POLL = 0.02, 0.25


class UserLockService:
    def __init__(self, db: Database, lease_seconds: int = LEASE_SECONDS) -> None:
        self._db = db
        self._lease_seconds = lease_seconds

    @contextlib.asynccontextmanager
    async def holding(self, telegram_id: int) -> AsyncIterator[None]:
        """Runs the block while this user's lease is ours; waits for it if taken."""
        holder = secrets.token_hex(8)
        delay = _FIRST_POLL
        while not await self._take(telegram_id, holder):
            await asyncio.sleep(delay)
            delay = min(delay * 2, _LONGEST_POLL)
        try:
            yield
        finally:
            await asyncio.shield(self._give_back(telegram_id, holder))

    async def _take(self, telegram_id: int, holder: str) -> bool:
        row = await self._db.fetch_one(
            """
            INSERT INTO user_locks (telegram_id, holder, expires_at)
            VALUES (%s, %s, now() + make_interval(secs => %s))
            ON CONFLICT (telegram_id) DO UPDATE
               SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
             WHERE user_locks.expires_at < now()
            RETURNING holder
            """,
            [telegram_id, holder, self._lease_seconds],
        )
        return row is not None

    async def _give_back(self, telegram_id: int, holder: str) -> None:
        """Best effort: if the database is unreachable, the lease simply runs out."""
        try:
            await self._db.execute(
                "DELETE FROM user_locks WHERE telegram_id = %s AND holder = %s",
                [telegram_id, holder],
            )
        except TRANSIENT_ERRORS as error:
            logger.warning("user lock of %s left to expire: %s", telegram_id, error)
