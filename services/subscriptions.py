"""Subscription plans and the subscriptions they become.

A paid period (a Stars payment or renewal, a Stripe invoice) is one SQL call that credits
the plan's credits and extends the subscription in the same transaction, once per
provider payment id (sql/008). Cancelling switches renewal off and keeps the paid period
(services/renewals.py); a scheduled job (bot/payments.py) ends subscriptions whose period
ran out and tells their owners.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from services import payments
from services.adapters.db import Database
from services.credits import PaymentProvider

logger = logging.getLogger(__name__)

DEFAULT_PLAN = "monthly_25images"
STARS_SUBSCRIPTION_PERIOD = 2592000  # 30 days, the only period Telegram accepts
# A renewal lands a little after the period ends; only then is a subscription lapsed.
EXPIRY_GRACE = timedelta(hours=2)


@dataclass(frozen=True)
class SubscriptionPlan:
    id: str
    credits: int
    period_days: int
    price_stars: int
    stripe_price_cents: int
    stripe_currency: str
    active: bool


@dataclass(frozen=True)
class Subscription:
    id: UUID
    profile_id: UUID
    plan_name: str
    is_active: bool
    provider: str | None
    provider_subscription_id: str | None
    start_date: datetime | None
    end_date: datetime | None
    canceled_at: datetime | None

    @property
    def renews(self) -> bool:
        return self.canceled_at is None


@dataclass(frozen=True)
class PeriodPaid:
    payment_id: UUID
    subscription_id: UUID | None
    credited: bool  # False: this payment was recorded before; nothing moved
    balance: int
    credits: int
    end_date: datetime | None
    mismatch: payments.PaymentMismatch | None = None  # the price check's finding, if any


@dataclass(frozen=True)
class SubscriptionChange:
    subscription_id: UUID
    profile_id: UUID
    was_active: bool
    is_active: bool
    end_date: datetime | None
    canceled_at: datetime | None

    @property
    def ended_now(self) -> bool:
        return self.was_active and not self.is_active


@dataclass(frozen=True)
class Lapse:
    subscription_id: UUID
    profile_id: UUID
    plan_name: str
    end_date: datetime | None
    still_subscribed: bool


_PLAN_QUERY = """
    SELECT sp.id, r.credits, sp.period_days, sp.price_stars, sp.stripe_price_cents,
           sp.stripe_currency, sp.active
      FROM subscription_plans sp JOIN credit_rules r ON r.rule = sp.id
"""
_SUBSCRIPTION_COLUMNS = ", ".join(Subscription.__dataclass_fields__)


class SubscriptionService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def plan(self, plan_id: str = DEFAULT_PLAN) -> SubscriptionPlan | None:
        row = await self._db.fetch_one(f"{_PLAN_QUERY} WHERE sp.id = %s", [plan_id])
        return SubscriptionPlan(**row) if row else None

    async def current(self, profile_id: UUID) -> Subscription | None:
        """The profile's running subscription (the one paid furthest ahead), if any."""
        row = await self._db.fetch_one(
            f"SELECT {_SUBSCRIPTION_COLUMNS} FROM subscriptions"
            " WHERE profile_id = %s AND is_active"
            " ORDER BY end_date DESC NULLS LAST, created_at DESC LIMIT 1",
            [profile_id],
        )
        return Subscription(**row) if row else None

    async def get(self, subscription_id: UUID) -> Subscription | None:
        row = await self._db.fetch_one(
            f"SELECT {_SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE id = %s", [subscription_id]
        )
        return Subscription(**row) if row else None

    async def record_payment(
        self,
        profile_id: UUID,
        plan_id: str,
        provider: PaymentProvider,
        provider_payment_id: str,
        amount: Decimal | int,
        currency: str,
        *,
        provider_subscription_id: str | None = None,
        period_end: datetime | None = None,
        details: dict[str, Any] | None = None,
    ) -> PeriodPaid:
        """Credits one paid period and extends the subscription, at most once per payment.
        Without a subscription id the profile's latest one with this provider is extended.
        A payment below the plan's price (or the price the subscription started at) or in
        another currency is recorded but pays for no period (sql/011)."""
        row = await self._db.fetch_one(
            "SELECT * FROM record_subscription_payment(%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                profile_id,
                plan_id,
                provider.value,
                provider_subscription_id,
                provider_payment_id,
                Decimal(amount),
                currency,
                period_end,
                Jsonb(details or {}),
            ],
        )
        assert row is not None
        return PeriodPaid(
            row["payment_id"],
            row["subscription_id"],
            row["credited"],
            row["balance"],
            row["credits_added"],
            row["end_date"],
            payments.mismatch_of(
                row,
                profile_id,
                provider,
                provider_payment_id,
                payments.ProductKind.SUBSCRIPTION,
                plan_id,
                Decimal(amount),
                currency,
            ),
        )

    async def update(
        self,
        provider: PaymentProvider,
        provider_subscription_id: str,
        *,
        renews: bool | None = None,
        ended: bool = False,
    ) -> SubscriptionChange | None:
        """Records a provider's change (renewal off/on, or the end); None if unknown."""
        row = await self._db.fetch_one(
            "SELECT * FROM update_subscription(%s, %s, %s, %s)",
            [provider.value, provider_subscription_id, renews, ended],
        )
        return SubscriptionChange(**row) if row else None

    async def expire_lapsed(self) -> list[Lapse]:
        """Deactivates subscriptions whose paid period ended (plus the grace); each lapse
        is returned once, however many bot processes run this at the same time."""
        rows = await self._db.fetch_all(
            "SELECT * FROM expire_subscriptions(now(), %s)", [EXPIRY_GRACE]
        )
        return [Lapse(**row) for row in rows]

    async def end_lapsed(self, notify: payments.PaymentNotifier) -> None:
        """Ends lapsed plans and tells each owner, unless another plan of theirs still
        runs; one owner who cannot be told does not keep the others from hearing."""
        for lapse in await self.expire_lapsed():
            logger.info("subscription %s lapsed", lapse.subscription_id)
            if lapse.still_subscribed:
                continue
            ended = payments.PaymentEvent.SUBSCRIPTION_ENDED
            try:
                await notify(payments.PaymentNotice(lapse.profile_id, ended))
            except Exception:
                logger.exception("could not tell profile %s its plan lapsed", lapse.profile_id)

    @staticmethod
    def period_notice(
        profile_id: UUID, paid: PeriodPaid, *, first: bool
    ) -> payments.PaymentNotice | None:
        """What the subscriber hears: the plan started or renewed with its credits, or
        what the price check found; None when this payment was recorded before."""
        if not paid.credited:
            return None
        if paid.mismatch is not None:
            return payments.PaymentNotice.of_mismatch(paid.mismatch, paid.balance)
        event = payments.PaymentEvent.SUBSCRIPTION_RENEWED
        if first:
            event = payments.PaymentEvent.SUBSCRIPTION_STARTED
        return payments.PaymentNotice(
            profile_id, event, paid.credits, paid.balance, until=paid.end_date
        )
