"""An admin's refund of a Stars payment (/refund), decided in one place.

Telegram gives the Stars back first, then the database takes the credits back: a refund
Telegram refused moves nothing, and one it performed is recorded even when that happened
before a crash (Telegram then answers "already refunded", and the record follows). The
database refunds a payment once, whoever asks how often. A refunded plan payment ends the
plan, and Telegram is told not to charge its next period. The payer hears what was taken
back, once. Each refund an admin asks for leaves its row in admin_audit, with the payer's
balance before and after. Card payments are refunded in the Stripe dashboard, whose charge.refunded
event does the rest (services/adapters/stripe_events.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from uuid import UUID

from services import payments
from services.accounts import AccountService
from services.audit import AuditService
from services.credits import PaymentProvider
from services.errors import UserFacingError
from services.subscriptions import SubscriptionService

logger = logging.getLogger(__name__)


class RefundRefused(UserFacingError):
    """Nothing was refunded; the key says why (an unknown payment, a card payment,
    Telegram's refusal)."""


@dataclass(frozen=True)
class RefundReport:
    """What an admin's refund did, for the answer to the admin."""

    payment: payments.Payment
    payer_telegram_id: int | None
    refund: payments.PaymentRefund


class RefundService:
    def __init__(
        self,
        payment_service: payments.PaymentService,
        subscriptions: SubscriptionService,
        accounts: AccountService,
        stars: payments.StarsApi,
        notify: payments.PaymentNotifier,
        audit: AuditService,
    ) -> None:
        self._payments = payment_service
        self._subscriptions = subscriptions
        self._accounts = accounts
        self._stars = stars
        self._notify = notify
        self._audit = audit

    async def refund(self, reference: str, admin_telegram_id: int) -> RefundReport:
        """Refunds the payment `reference` names (our id or Telegram's charge id) for the
        admin `admin_telegram_id`; RefundRefused when there is none, it was paid by card,
        or Telegram refuses (then nothing changed and nothing is recorded)."""
        payment = await self._payments.find(reference)
        if payment is None:
            raise RefundRefused(key="admin_payment_not_found", reference=reference)
        if payment.provider is PaymentProvider.STRIPE:
            raise RefundRefused(f"card payment {payment.id}", key="admin_refund_stripe")
        payer = await self._accounts.get(payment.profile_id)
        if payment.refunded_at is None and payer.telegram_id is not None:
            try:
                done = await self._stars.refund(payer.telegram_id, payment.provider_payment_id)
            except payments.StarsRefused as refusal:
                raise RefundRefused(key="admin_refund_failed", error=str(refusal)) from refusal
            if done is payments.StarsRefund.ALREADY_REFUNDED:
                logger.info("Telegram had refunded payment %s already; recording it", payment.id)
        refund = await self._payments.refund(payment.id, f"admin {admin_telegram_id}")
        await self._record(admin_telegram_id, reference, payer.telegram_id, refund)
        if payment.subscription_id is not None and payer.telegram_id is not None:
            await self._stop_renewal(payment.subscription_id, payer.telegram_id)
        if not refund.already:
            await self._tell_payer(refund)
        return RefundReport(payment, payer.telegram_id, refund)

    async def _record(
        self,
        admin_telegram_id: int,
        reference: str,
        payer_telegram_id: int | None,
        refund: payments.PaymentRefund,
    ) -> None:
        """The audit row, written once the database took the credits back (the refund's
        own SQL function commits first). A repeated /refund is recorded too, as the
        request it was, with nothing changed between before and after."""
        refunded = {"credits": refund.balance, "refunded": True}
        if refund.already:
            before, after = refunded, refunded
        else:
            before = {"credits": refund.balance + refund.taken, "refunded": False}
            after = refunded | {"taken": refund.taken, "shortfall": refund.shortfall}
        await self._audit.record(
            admin_telegram_id,
            "refund",
            {
                "reference": reference,
                "payment_id": str(refund.payment_id),
                "telegram_id": payer_telegram_id,
            },
            before,
            after,
        )

    async def _stop_renewal(self, subscription_id: UUID, telegram_id: int) -> None:
        """The refund ended the plan in the database; Telegram must not charge its next
        period either. A refusal (say, Telegram ended it already) is only logged: the
        money and the credits are settled."""
        subscription = await self._subscriptions.get(subscription_id)
        if subscription is None or subscription.provider_subscription_id is None:
            return
        try:
            await self._stars.set_renewal(
                telegram_id, subscription.provider_subscription_id, renews=False
            )
        except payments.StarsRefused as refusal:
            logger.warning("renewal of refunded plan %s not stopped: %s", subscription_id, refusal)

    async def _tell_payer(self, refund: payments.PaymentRefund) -> None:
        """The refund stands whether or not the payer can be told."""
        try:
            await self._notify(self._payments.refund_notice(refund))
        except Exception:
            logger.exception("could not tell profile %s about its refund", refund.profile_id)
