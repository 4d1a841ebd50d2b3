"""Periodic jobs that one bot process at a time runs, however many are running."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from services.adapters.db import Database


async def exclusively(db: Database, name: str, job: Callable[[], Awaitable[None]]) -> bool:
    """Runs `job` unless another process is running the job called `name` right now;
    then it is skipped (False) and runs again at its next interval. The lock is a
    transaction-level advisory lock (it works through Supabase's transaction pooler),
    held on a connection of its own while the job runs."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "SELECT pg_try_advisory_xact_lock(hashtextextended('periodic:' || %s, 0)) AS got",
            [name],
        )
        row = await cursor.fetchone()
        if row is None or not row["got"]:
            return False
        await job()
        return True
