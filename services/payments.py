"""Credit packs, the payments they become, and refunds.

Buying and refunding are one SQL function call each (sql/008), so a provider's payment
is credited at most once and a refund takes back at most what is left. This module also
owns the Telegram Stars invoice payload and the pre-checkout decision, the notices that
tell a user about their money (a purchase, a refund), and the protocols through which
services reach Telegram (StarsApi, PaymentNotifier, AdminNotifier; bot/ implements them).

The database compares every payment with its product's price (sql/011): a payment in
another currency or below the price is recorded but credits nothing, one above it
credits the product; each such mismatch comes back as a PaymentMismatch, which callers
hand to the user and to the admins (AdminNotifier).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

from psycopg.types.json import Jsonb

from services.adapters.db import Database, Row
from services.credits import PaymentProvider
from services.errors import UserFacingError

logger = logging.getLogger(__name__)

STARS_CURRENCY = "XTR"
MAX_PAYLOAD_BYTES = 128  # Telegram's limit on an invoice payload
_PRODUCT_ID = re.compile(r"[a-z][a-z0-9_]{0,31}")


class ProductKind(StrEnum):
    PACK = "pack"
    SUBSCRIPTION = "sub"


@dataclass(frozen=True)
class InvoicePayload:
    """What a Stars invoice sells and to whom, in the payload Telegram hands back."""

    kind: ProductKind
    product_id: str
    profile_id: UUID

    def encode(self) -> str:
        text = f"{self.kind.value}:{self.product_id}:{self.profile_id.hex}"
        assert len(text.encode()) <= MAX_PAYLOAD_BYTES
        return text

    @classmethod
    def parse(cls, text: str | None) -> InvoicePayload | None:
        """None for anything this bot did not write."""
        parts = (text or "").split(":")
        if len(parts) != 3 or not _PRODUCT_ID.fullmatch(parts[1]):
            return None
        try:
            return cls(ProductKind(parts[0]), parts[1], UUID(hex=parts[2]))
        except ValueError:
            return None


@dataclass(frozen=True)
class CreditPack:
    id: str
    credits: int
    bonus_credits: int
    price_stars: int
    stripe_price_cents: int
    stripe_currency: str
    active: bool

    @property
    def total_credits(self) -> int:
        return self.credits + self.bonus_credits


class OfferGone(UserFacingError):
    """A pack's button outlived the pack (withdrawn from sale since it was shown)."""

    key = "offer_gone"


class CheckoutRefused(UserFacingError):
    """A pre-checkout query answered "no"; Telegram shows the key's text in the payment
    form, and nothing is charged."""


class PriceMismatch(StrEnum):
    """How a payment differed from its product's price (payments.details -> 'mismatch')."""

    CURRENCY = "currency"  # credits nothing
    UNDERPAID = "underpaid"  # credits nothing
    OVERPAID = "overpaid"  # credits the product


@dataclass(frozen=True)
class PaymentMismatch:
    """A payment that did not match its product's price, as the database recorded it."""

    payment_id: UUID
    profile_id: UUID
    provider: PaymentProvider
    provider_payment_id: str
    kind: ProductKind
    product_id: str
    reason: PriceMismatch
    amount: Decimal
    currency: str
    expected_amount: Decimal
    expected_currency: str
    credits_added: int
    credits_due: int  # what the product gives when paid in full

    def log(self) -> None:
        """One WARNING line an operator can grep for, whoever recorded the payment."""
        logger.warning(
            "payment %s (%s %s) of profile %s for %s %s: %s; paid %s %s, price %s %s;"
            " credited %s of %s",
            self.payment_id,
            self.provider.value,
            self.provider_payment_id,
            self.profile_id,
            self.kind.value,
            self.product_id,
            self.reason.value,
            self.amount,
            self.currency,
            self.expected_amount,
            self.expected_currency,
            self.credits_added,
            self.credits_due,
        )


def mismatch_of(
    row: Row,
    profile_id: UUID,
    provider: PaymentProvider,
    provider_payment_id: str,
    kind: ProductKind,
    product_id: str,
    amount: Decimal,
    currency: str,
) -> PaymentMismatch | None:
    """The mismatch a purchase_pack / record_subscription_payment row reports, if any;
    logged when this call recorded the payment (a redelivery stays quiet)."""
    if row["mismatch"] is None:
        return None
    mismatch = PaymentMismatch(
        row["payment_id"],
        profile_id,
        provider,
        provider_payment_id,
        kind,
        product_id,
        PriceMismatch(row["mismatch"]),
        amount,
        currency,
        row["expected_amount"],
        row["expected_currency"],
        row["credits_added"],
        row["credits_due"],
    )
    if row["credited"]:
        mismatch.log()
    return mismatch


@dataclass(frozen=True)
class UnmatchedPayment:
    """A Stars payment whose invoice names nothing this bot sells (a payload it did not
    write, a withdrawn product, a profile gone): nothing is credited, and an admin may
    give the money back with /refund of its charge id."""

    telegram_id: int
    charge_id: str
    amount: Decimal
    currency: str
    payload: str


class AdminNotifier(Protocol):
    """Given by bot/ to whatever records payments: tells the admins (ADMIN_IDS) about a
    payment that needs a person (services never import telegram)."""

    async def __call__(self, mismatch: PaymentMismatch) -> None: ...

    async def unmatched(self, payment: UnmatchedPayment) -> None: ...


class StarsRefund(StrEnum):
    """What Telegram did with a refund request."""

    REFUNDED = "refunded"
    ALREADY_REFUNDED = "already_refunded"  # earlier (say, just before a crash)


class StarsRefused(Exception):
    """A Stars call that did not happen (Telegram refused it); the message says why."""


class StarsApi(Protocol):
    """Telegram's Stars calls (refundStarPayment, editUserStarSubscription), given by bot/
    to the services that move Stars (services never import telegram)."""

    async def refund(self, telegram_id: int, charge_id: str) -> StarsRefund:
        """Raises StarsRefused when Telegram will not refund the charge."""
        ...

    async def set_renewal(self, telegram_id: int, charge_id: str, renews: bool) -> None:
        """Switches renewal of the subscription its first charge id names; raises
        StarsRefused when that did not happen."""
        ...


@dataclass(frozen=True)
class Purchase:
    payment_id: UUID
    credited: bool  # False: this payment was credited before; nothing moved
    balance: int
    credits: int
    mismatch: PaymentMismatch | None = None  # the price check's finding, if any


@dataclass(frozen=True)
class Payment:
    id: UUID
    profile_id: UUID
    provider: PaymentProvider
    provider_payment_id: str
    amount: Decimal
    currency: str | None
    kind: str
    credits_added: int
    subscription_id: UUID | None
    refunded_at: datetime | None
    details: dict[str, Any]

    @classmethod
    def from_row(cls, row: Row) -> Payment:
        fields = {name: row[name] for name in cls.__dataclass_fields__}
        fields["provider"] = PaymentProvider(row["provider"])
        return cls(**fields)


@dataclass(frozen=True)
class PaymentRefund:
    payment_id: UUID
    profile_id: UUID
    credits_added: int
    taken: int
    shortfall: int  # credits already spent, which could not be taken back
    balance: int
    already: bool  # True: refunded before; nothing moved this time


class PaymentEvent(StrEnum):
    PACK_CREDITED = "pack_credited"
    SUBSCRIPTION_STARTED = "subscription_started"
    SUBSCRIPTION_RENEWED = "subscription_renewed"
    REFUNDED = "refunded"
    SUBSCRIPTION_ENDED = "subscription_ended"
    MISMATCH = "mismatch"  # paid another amount or currency than the price


@dataclass(frozen=True)
class PaymentNotice:
    """Something the user should hear about their money."""

    profile_id: UUID
    event: PaymentEvent
    credits: int = 0
    balance: int = 0
    shortfall: int = 0
    until: datetime | None = None
    mismatch: PaymentMismatch | None = None

    @classmethod
    def of_mismatch(cls, mismatch: PaymentMismatch, balance: int) -> PaymentNotice:
        """What the user hears instead of the usual confirmation."""
        return cls(
            mismatch.profile_id,
            PaymentEvent.MISMATCH,
            mismatch.credits_added,
            balance,
            mismatch=mismatch,
        )


class PaymentNotifier(Protocol):
    """Given by bot/ to services that must reach a chat (they never import telegram)."""

    async def __call__(self, notice: PaymentNotice) -> None: ...


_PACK_COLUMNS = ", ".join(CreditPack.__dataclass_fields__)
_PAYMENT_COLUMNS = ", ".join(Payment.__dataclass_fields__)


class PaymentService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def packs(self) -> list[CreditPack]:
        """The packs on sale, in catalogue order."""
        rows = await self._db.fetch_all(
            f"SELECT {_PACK_COLUMNS} FROM credit_packs WHERE active ORDER BY sort, credits"
        )
        return [CreditPack(**row) for row in rows]

    async def pack(self, pack_id: str) -> CreditPack | None:
        """A pack by id, on sale or not (a paid invoice of a withdrawn pack still counts)."""
        row = await self._db.fetch_one(
            f"SELECT {_PACK_COLUMNS} FROM credit_packs WHERE id = %s", [pack_id]
        )
        return CreditPack(**row) if row else None

    async def pack_on_sale(self, pack_id: str) -> CreditPack:
        """A pack a button may still sell; OfferGone if it was withdrawn since."""
        pack = await self.pack(pack_id)
        if pack is None or not pack.active:
            raise OfferGone(f"credit pack {pack_id} is not on sale")
        return pack

    async def check_stars_checkout(
        self, payload: str, telegram_id: int, currency: str, total_amount: int
    ) -> None:
        """The pre-checkout decision: returns to accept, raises CheckoutRefused to refuse.
        Telegram waits at most 10 s for it, so it is a couple of indexed reads and
        nothing else."""
        parsed = InvoicePayload.parse(payload)
        if parsed is None:
            raise CheckoutRefused("unreadable payload", key="precheckout_unknown_product")
        table = "credit_packs" if parsed.kind is ProductKind.PACK else "subscription_plans"
        row = await self._db.fetch_one(
            f"""
            SELECT p.telegram_id, p.is_banned,
                   (SELECT x.price_stars FROM {table} x WHERE x.id = %s AND x.active) AS price,
                   EXISTS (SELECT 1 FROM subscriptions s
                            WHERE s.profile_id = p.id AND s.plan_name = %s AND s.is_active)
                   AS subscribed
              FROM profiles p WHERE p.id = %s
            """,
            [parsed.product_id, parsed.product_id, parsed.profile_id],
        )
        if row is None or row["telegram_id"] != telegram_id:
            raise CheckoutRefused("another account's invoice", key="precheckout_wrong_account")
        if row["is_banned"]:
            raise CheckoutRefused("banned", key="precheckout_banned")
        if row["price"] is None:
            raise CheckoutRefused("product not on sale", key="precheckout_unknown_product")
        if currency != STARS_CURRENCY or total_amount != row["price"]:
            raise CheckoutRefused("price changed", key="precheckout_price_changed")
        if parsed.kind is ProductKind.SUBSCRIPTION and row["subscribed"]:
            raise CheckoutRefused("already subscribed", key="precheckout_already_subscribed")

    async def purchase_pack(
        self,
        profile_id: UUID,
        pack_id: str,
        provider: PaymentProvider,
        provider_payment_id: str,
        amount: Decimal | int,
        currency: str,
        details: dict[str, Any] | None = None,
    ) -> Purchase:
        """Credits the pack's credits and bonus, at most once per provider payment id, if
        the amount and currency pay the pack's price (sql/011 decides; see PriceMismatch)."""
        row = await self._db.fetch_one(
            "SELECT * FROM purchase_pack(%s, %s, %s, %s, %s, %s, %s)",
            [
                profile_id,
                pack_id,
                provider.value,
                provider_payment_id,
                Decimal(amount),
                currency,
                Jsonb(details or {}),
            ],
        )
        assert row is not None
        mismatch = mismatch_of(
            row,
            profile_id,
            provider,
            provider_payment_id,
            ProductKind.PACK,
            pack_id,
            Decimal(amount),
            currency,
        )
        return Purchase(
            row["payment_id"], row["credited"], row["balance"], row["credits_added"], mismatch
        )

    async def find(self, reference: str) -> Payment | None:
        """A payment by our id, a provider's payment id (a Telegram charge id, a Stripe
        session or invoice id) or a Stripe payment intent: what an admin may paste."""
        reference = reference.strip()
        try:
            by_id: UUID | None = UUID(reference)
        except ValueError:
            by_id = None
        row = await self._db.fetch_one(
            f"""
            SELECT {_PAYMENT_COLUMNS} FROM payments
             WHERE id = %s OR provider_payment_id = %s OR details ->> 'payment_intent' = %s
             ORDER BY created_at LIMIT 1
            """,
            [by_id, reference, reference],
        )
        return Payment.from_row(row) if row else None

    async def find_by_provider_id(
        self, provider: PaymentProvider, provider_payment_id: str
    ) -> Payment | None:
        row = await self._db.fetch_one(
            f"SELECT {_PAYMENT_COLUMNS} FROM payments"
            " WHERE provider = %s AND provider_payment_id = %s",
            [provider.value, provider_payment_id],
        )
        return Payment.from_row(row) if row else None

    async def find_by_payment_intent(self, payment_intent: str) -> Payment | None:
        row = await self._db.fetch_one(
            f"SELECT {_PAYMENT_COLUMNS} FROM payments"
            " WHERE details ? 'payment_intent' AND details ->> 'payment_intent' = %s"
            " AND provider = %s",
            [payment_intent, PaymentProvider.STRIPE.value],
        )
        return Payment.from_row(row) if row else None

    async def refund(self, payment_id: UUID, note: str | None = None) -> PaymentRefund:
        """Takes the payment's credits back, once, never below a zero balance."""
        row = await self._db.fetch_one("SELECT * FROM refund_payment(%s, %s)", [payment_id, note])
        assert row is not None
        return PaymentRefund(**row)

    @staticmethod
    def purchase_notice(profile_id: UUID, purchase: Purchase) -> PaymentNotice | None:
        """What the buyer hears: the credits, or what the price check found; None when
        this payment was credited before (a redelivery says nothing)."""
        if not purchase.credited:
            return None
        if purchase.mismatch is not None:
            return PaymentNotice.of_mismatch(purchase.mismatch, purchase.balance)
        return PaymentNotice(
            profile_id, PaymentEvent.PACK_CREDITED, purchase.credits, purchase.balance
        )

    @staticmethod
    def refund_notice(refund: PaymentRefund) -> PaymentNotice:
        return PaymentNotice(
            refund.profile_id,
            PaymentEvent.REFUNDED,
            credits=refund.taken,
            balance=refund.balance,
            shortfall=refund.shortfall,
        )
