"""Referrals: reading start payloads, building links, and what a user's link earned.

Applying a referral is part of creating a profile (see accounts.py and sql/002's
apply_referral): only a brand-new user can be referred, and the referrer is paid once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from services.adapters.db import Database
from services.errors import ProfileNotFound

# Telegram deep-link payloads allow A-Z, a-z, 0-9, _ and - (up to 64 characters).
_REFERRAL_PAYLOAD = re.compile(r"^(?:ref[_-]?)?(?P<code>[A-Za-z0-9]{4,32})$")


class ReferralStatus(StrEnum):
    APPLIED = "applied"
    NOT_NEW_USER = "not_new_user"
    ALREADY_REFERRED = "already_referred"
    UNKNOWN_CODE = "unknown_code"
    SELF_REFERRAL = "self_referral"


@dataclass(frozen=True)
class ReferralOutcome:
    status: ReferralStatus
    referrer_id: UUID | None = None
    referrer_telegram_id: int | None = None
    referrer_credits: int | None = None


@dataclass(frozen=True)
class ReferralStats:
    code: str
    joined: int
    credits_earned: int


def code_from_start_payload(payload: str | None) -> str | None:
    """The referral code in a /start payload (`ref_CODE` or `CODE`), or None."""
    if not payload:
        return None
    match = _REFERRAL_PAYLOAD.match(payload.strip())
    return match["code"].upper() if match else None


def referral_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start=ref_{code}"


class ReferralService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def bonus(self) -> int:
        """Credits a referrer earns per friend who joins (credit_rules)."""
        value = await self._db.fetch_value(
            "SELECT credits FROM credit_rules WHERE rule = 'referral_bonus'"
        )
        return int(value or 0)

    async def stats(self, profile_id: UUID) -> ReferralStats:
        """The user's code, how many people joined through it, and the credits it earned."""
        row = await self._db.fetch_one(
            """
            SELECT p.referral_code AS code,
                   count(r.referred_id) AS joined,
                   COALESCE(sum(r.credits_awarded), 0) AS credits_earned
              FROM profiles p LEFT JOIN referrals r ON r.referrer_id = p.id
             WHERE p.id = %s
             GROUP BY p.referral_code
            """,
            [profile_id],
        )
        if row is None:
            raise ProfileNotFound(f"profile {profile_id} not found")
        return ReferralStats(row["code"], int(row["joined"]), int(row["credits_earned"]))
