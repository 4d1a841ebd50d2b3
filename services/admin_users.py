"""/user: one user as an operator needs to see them (who they are, their money, their
referrals, what they paid and made, their plan, whether they are banned), found by
Telegram id, @username or referral code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from services.accounts import Profile
from services.adapters.db import Database
from services.credits import CreditService, LedgerEntry
from services.referrals import ReferralService, ReferralStats
from services.subscriptions import Subscription, SubscriptionService

_TELEGRAM_ID = re.compile(r"[0-9]{1,15}")
_USERNAME = re.compile(r"@([A-Za-z0-9_]{1,32})")
_REFERRAL_CODE = re.compile(r"[A-Za-z0-9]{4,32}")
_PROFILE_COLUMNS = ", ".join(Profile.__dataclass_fields__)
LEDGER_ROWS = 10
RECENT_ROWS = 5


@dataclass(frozen=True)
class PaymentLine:
    created_at: datetime
    provider: str
    amount: Decimal
    currency: str | None
    credits_added: int
    refunded: bool


@dataclass(frozen=True)
class GenerationLine:
    created_at: datetime
    mode: str
    status: str
    credit_cost: int


@dataclass(frozen=True)
class UserCard:
    profile: Profile
    banned_at: datetime | None
    ban_reason: str | None
    referrer: Profile | None
    referrals: ReferralStats
    ledger: list[LedgerEntry]
    payments: list[PaymentLine]
    generations: list[GenerationLine]
    subscription: Subscription | None


class AdminUserService:
    def __init__(
        self,
        db: Database,
        credits: CreditService,
        referrals: ReferralService,
        subscriptions: SubscriptionService,
    ) -> None:
        self._db = db
        self._credits = credits
        self._referrals = referrals
        self._subscriptions = subscriptions

    async def find(self, who: str) -> Profile | None:
        """The profile a Telegram id, an @username (any case) or a referral code names;
        None for no match or text that is none of these."""
        if _TELEGRAM_ID.fullmatch(who):
            where, value = "telegram_id = %s", who
        elif username := _USERNAME.fullmatch(who):
            where, value = "lower(username) = lower(%s)", username[1]
        elif _REFERRAL_CODE.fullmatch(who):
            where, value = "upper(referral_code) = upper(%s)", who
        else:
            return None
        row = await self._db.fetch_one(
            f"SELECT {_PROFILE_COLUMNS} FROM profiles WHERE {where} LIMIT 1", [value]
        )
        return Profile.from_row(row) if row else None

    async def card(self, profile: Profile) -> UserCard:
        ban = await self._db.fetch_one(
            "SELECT banned_at, ban_reason FROM profiles WHERE id = %s", [profile.id]
        )
        return UserCard(
            profile=profile,
            banned_at=ban["banned_at"] if ban else None,
            ban_reason=ban["ban_reason"] if ban else None,
            referrer=await self._profile(profile.referred_by_profile_id),
            referrals=await self._referrals.stats(profile.id),
            ledger=await self._credits.ledger(profile.id, LEDGER_ROWS),
            payments=await self._payments(profile.id),
            generations=await self._generations(profile.id),
            subscription=await self._subscriptions.current(profile.id),
        )

    async def _profile(self, profile_id: UUID | None) -> Profile | None:
        if profile_id is None:
            return None
        row = await self._db.fetch_one(
            f"SELECT {_PROFILE_COLUMNS} FROM profiles WHERE id = %s", [profile_id]
        )
        return Profile.from_row(row) if row else None

    async def _payments(self, profile_id: UUID) -> list[PaymentLine]:
        rows = await self._db.fetch_all(
            "SELECT created_at, provider, amount, currency, credits_added,"
            "       refunded_at IS NOT NULL AS refunded"
            "  FROM payments WHERE profile_id = %s ORDER BY created_at DESC LIMIT %s",
            [profile_id, RECENT_ROWS],
        )
        return [PaymentLine(**row) for row in rows]

    async def _generations(self, profile_id: UUID) -> list[GenerationLine]:
        rows = await self._db.fetch_all(
            "SELECT created_at, generation_type AS mode, status, credit_cost FROM generations"
            " WHERE profile_id = %s ORDER BY created_at DESC, id DESC LIMIT %s",
            [profile_id, RECENT_ROWS],
        )
        return [GenerationLine(**row) for row in rows]
