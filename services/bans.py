"""Bans: a banned account is told one line for anything it sends (handlers/gate.py), can
neither pay (pre-checkout) nor be charged (TB007), and its link pays no referral bonus.
Banning refunds every generation not yet finished; ban, refunds and the admin_audit row
are one transaction in sql/014 (admin_ban_profile)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from services.adapters.db import Database


@dataclass(frozen=True)
class BanResult:
    was_banned: bool
    refunded_generations: int
    refunded_credits: int


class BanService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def ban(self, profile_id: UUID, reason: str, admin_telegram_id: int) -> BanResult:
        row = await self._db.fetch_one(
            "SELECT * FROM admin_ban_profile(%s, %s, %s)", [profile_id, reason, admin_telegram_id]
        )
        assert row is not None
        return BanResult(
            bool(row["was_banned"]),
            int(row["refunded_generations"]),
            int(row["refunded_credits"]),
        )

    async def unban(self, profile_id: UUID, admin_telegram_id: int) -> bool:
        """Lifts the ban (refunds stand); returns whether there was one."""
        return bool(
            await self._db.fetch_value(
                "SELECT admin_unban_profile(%s, %s)", [profile_id, admin_telegram_id]
            )
        )
