"""The per-user lock (services/user_locks.py): one holder at a time, a waiter gets it when
it is given back, and a holder that died stops blocking when its lease runs out."""

from __future__ import annotations

import asyncio

from services.adapters.db import Database
from services.user_locks import UserLockService


async def test_a_second_tap_waits_for_the_first_and_then_runs(db: Database):
    locks = UserLockService(db)
    order: list[str] = []

    async def tap(name: str, hold: float) -> None:
        async with locks.holding(5_000_001):
            order.append(f"{name} in")
            await asyncio.sleep(hold)
            order.append(f"{name} out")

    first = asyncio.create_task(tap("first", 0.3))
    await asyncio.sleep(0.05)
    await asyncio.gather(first, tap("second", 0.0))

    assert order == ["first in", "first out", "second in", "second out"]
    assert await db.fetch_value("SELECT count(*) FROM user_locks WHERE telegram_id = 5000001") == 0


async def test_other_users_never_wait_for_each_other(db: Database):
    locks = UserLockService(db)
    async with locks.holding(5_000_002):
        await asyncio.wait_for(_enter_and_leave(locks, 5_000_003), timeout=1.0)


async def test_a_dead_holders_lease_runs_out(db: Database):
    await db.execute(
        "INSERT INTO user_locks (telegram_id, holder, expires_at)"
        " VALUES (5000004, 'a process killed mid-tap', now() + interval '1 second')"
    )
    locks = UserLockService(db)
    await asyncio.wait_for(_enter_and_leave(locks, 5_000_004), timeout=5.0)


async def _enter_and_leave(locks: UserLockService, telegram_id: int) -> None:
    async with locks.holding(telegram_id):
        pass
