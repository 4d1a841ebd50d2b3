"""What Telegram's Stars payment updates do to the ledger.

A successful_payment credits a pack or a plan period by one SQL call keyed by its
telegram_payment_charge_id, so a redelivered update never credits twice; a
refunded_payment takes the credits back, once. A payment that names nothing this bot
sells is credited to no one, and a payment that did not match its price is credited as
sql/011 decides; the admins hear of both (AdminNotifier, given by bot/).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from services import payments
from services.credits import PaymentProvider
from services.errors import InvalidArgument, ProfileNotFound
from services.subscriptions import SubscriptionService

logger = logging.getLogger(__name__)

STARS = PaymentProvider.TELEGRAM_STARS


@dataclass(frozen=True)
class StarsPayment:
    """A successful_payment as Telegram reports it."""

    telegram_id: int  # the payer
    charge_id: str  # telegram_payment_charge_id: what /refund and refundStarPayment take
    provider_charge_id: str
    payload: str
    amount: int
    currency: str
    first_recurring: bool  # the first payment of a Stars subscription
    period_end: datetime | None  # a subscription payment's paid-up date


class PaymentUnmatched(Exception):
    """The payment names nothing to credit; the admins have been told, the payer is not."""


class StarsPaymentService:
    def __init__(
        self,
        payment_service: payments.PaymentService,
        subscriptions: SubscriptionService,
        alert: payments.AdminNotifier,
    ) -> None:
        self._payments = payment_service
        self._subscriptions = subscriptions
        self._alert = alert

    async def record(self, paid: StarsPayment) -> payments.PaymentNotice | None:
        """Credits the pack or the plan period the invoice names, once per charge id; the
        payer's notice, or None for a redelivery. Raises PaymentUnmatched when there is
        nothing to credit: a payload this bot did not write, or a product or profile gone
        since the invoice."""
        payload = payments.InvoicePayload.parse(paid.payload)
        if payload is None:
            await self._report_unmatched(paid)
            raise PaymentUnmatched(paid.charge_id)
        try:
            if payload.kind is payments.ProductKind.SUBSCRIPTION:
                notice = await self._record_period(payload, paid)
            else:
                notice = await self._record_pack(payload, paid)
        except (InvalidArgument, ProfileNotFound):
            # A product withdrawn from the catalogue, or a profile gone, since the invoice.
            await self._report_unmatched(paid)
            raise PaymentUnmatched(paid.charge_id) from None
        if notice is not None and notice.mismatch is not None:
            await self._alert(notice.mismatch)
        return notice

    async def refunded(self, charge_id: str) -> payments.PaymentNotice | None:
        """Telegram refunded a Stars payment: its credits back, once. The payer's notice,
        or None when nothing moved (refunded before, or a charge we never recorded)."""
        payment = await self._payments.find_by_provider_id(STARS, charge_id)
        if payment is None:
            logger.warning("refund of unknown Stars charge %s", charge_id)
            return None
        refund = await self._payments.refund(payment.id, "telegram refunded_payment")
        return None if refund.already else self._payments.refund_notice(refund)

    async def _record_pack(
        self, payload: payments.InvoicePayload, paid: StarsPayment
    ) -> payments.PaymentNotice | None:
        purchase = await self._payments.purchase_pack(
            payload.profile_id,
            payload.product_id,
            STARS,
            paid.charge_id,
            paid.amount,
            paid.currency,
            _details(paid),
        )
        return self._payments.purchase_notice(payload.profile_id, purchase)

    async def _record_period(
        self, payload: payments.InvoicePayload, paid: StarsPayment
    ) -> payments.PaymentNotice | None:
        """A plan's first payment starts a subscription named by its charge id; a renewal
        extends the profile's Stars subscription to the plan."""
        period = await self._subscriptions.record_payment(
            payload.profile_id,
            payload.product_id,
            STARS,
            paid.charge_id,
            paid.amount,
            paid.currency,
            provider_subscription_id=paid.charge_id if paid.first_recurring else None,
            period_end=paid.period_end,
            details=_details(paid),
        )
        return self._subscriptions.period_notice(
            payload.profile_id, period, first=paid.first_recurring
        )

    async def _report_unmatched(self, paid: StarsPayment) -> None:
        """Logs the payment and tells the admins (they can refund the charge)."""
        logger.warning(
            "successful payment %s of user %s (%s %s) with a foreign payload %r; nothing credited",
            paid.charge_id,
            paid.telegram_id,
            paid.amount,
            paid.currency,
            paid.payload,
        )
        await self._alert.unmatched(
            payments.UnmatchedPayment(
                paid.telegram_id, paid.charge_id, Decimal(paid.amount), paid.currency, paid.payload
            )
        )


def _details(paid: StarsPayment) -> dict[str, object]:
    """What the payments row keeps besides the amount (for support and audits)."""
    return {
        "telegram_user_id": paid.telegram_id,
        "provider_payment_charge_id": paid.provider_charge_id,
        "invoice_payload": paid.payload,
    }
