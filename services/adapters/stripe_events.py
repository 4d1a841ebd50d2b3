"""What Stripe tells the bot (only when STRIPE_* is configured): the webhook that turns
Stripe's events into credits, refunds and plan changes.

Webhooks are verified on the raw body with the real `stripe` library (signature and a
300 s tolerance, which we apply to timestamps ahead of our clock too; the library checks
only the past), deduplicated by event id in the database, and credited through the same
SQL functions as Stars, keyed by Stripe's ids, so a redelivery or a second event about
the same money never credits twice.

Subscription periods are keyed by their invoice id: checkout.session.completed (which
names the first invoice) and invoice.paid for that invoice credit the same period, and
whichever arrives first wins.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import stripe

from services.adapters.db import Database
from services.adapters.stripe_api import StripeConfig, major_units, stripe_client
from services.credits import PaymentProvider
from services.errors import DomainError
from services.payments import (
    AdminNotifier,
    PaymentEvent,
    PaymentMismatch,
    PaymentNotice,
    PaymentNotifier,
    PaymentService,
)
from services.subscriptions import DEFAULT_PLAN, PeriodPaid, SubscriptionService

logger = logging.getLogger(__name__)

STRIPE = PaymentProvider.STRIPE
SIGNATURE_HEADER = "Stripe-Signature"
TOLERANCE_SECONDS = 300
EVENT_LEASE_SECONDS = 60
ENDED_STATUSES = frozenset({"canceled", "incomplete_expired", "unpaid"})


class InvalidStripeEvent(Exception):
    """A webhook whose signature, timestamp or body does not check out."""


@dataclass(frozen=True)
class VerifiedEvent:
    id: str
    type: str
    object: dict[str, Any]


@dataclass(frozen=True)
class Handled:
    """What handling an event did: a line for the event log, the user notices and the
    payments the admins must look at."""

    outcome: str
    notices: tuple[PaymentNotice, ...] = ()
    alerts: tuple[PaymentMismatch, ...] = ()


def _timestamp(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value else None


def _id_of(value: Any) -> str | None:
    """An expandable field: an id string, or the expanded object."""
    if isinstance(value, dict):
        return value.get("id")
    return value if isinstance(value, str) and value else None


def _profile_id(*candidates: Any) -> UUID | None:
    for candidate in candidates:
        try:
            return UUID(str(candidate))
        except ValueError:
            continue
    return None


class StripeEvents:
    def __init__(
        self,
        config: StripeConfig,
        db: Database,
        payments: PaymentService,
        subscriptions: SubscriptionService,
    ) -> None:
        self._config = config
        self._db = db
        self._payments = payments
        self._subscriptions = subscriptions
        self._client = stripe_client(config)

    def verify(self, body: bytes, signature: str | None) -> VerifiedEvent:
        """The event, if the signature over the raw body is ours and its timestamp within
        TOLERANCE_SECONDS of now, either way."""
        try:
            event = self._client.construct_event(
                body, signature, self._config.webhook_secret, tolerance=TOLERANCE_SECONDS
            ).to_dict()
        except (stripe.SignatureVerificationError, ValueError, UnicodeDecodeError) as error:
            raise InvalidStripeEvent(str(error)) from error
        _refuse_future_timestamp(signature or "", time.time())
        data = event.get("data")
        obj = data.get("object") if isinstance(data, dict) else None
        event_id, event_type = event.get("id"), event.get("type")
        if not (
            isinstance(event_id, str) and isinstance(event_type, str) and isinstance(obj, dict)
        ):
            raise InvalidStripeEvent("a signed body that is not a Stripe event")
        return VerifiedEvent(event_id, event_type, obj)

    def webhook_endpoint(
        self, notify: PaymentNotifier, alert: AdminNotifier | None = None
    ) -> StripeWebhookEndpoint:
        return StripeWebhookEndpoint(self, notify, alert)

    async def claim(self, event_id: str, event_type: str) -> str:
        return str(
            await self._db.fetch_value(
                "SELECT claim_stripe_event(%s, %s, %s)",
                [event_id, event_type, EVENT_LEASE_SECONDS],
            )
        )

    async def finish(self, event_id: str, processed: bool, outcome: str) -> None:
        await self._db.execute(
            "SELECT finish_stripe_event(%s, %s, %s)", [event_id, processed, outcome]
        )

    async def handle(self, event_type: str, data: dict[str, Any]) -> Handled:
        """Applies one verified event; unknown types are acknowledged and ignored."""
        handler = {
            "checkout.session.completed": self._session_completed,
            "checkout.session.async_payment_succeeded": self._session_completed,
            "invoice.paid": self._invoice_paid,
            "customer.subscription.updated": self._subscription_updated,
            "customer.subscription.deleted": self._subscription_deleted,
            "charge.refunded": self._charge_refunded,
        }.get(event_type)
        if handler is None:
            return Handled(f"ignored: {event_type} is not handled")
        return await handler(data)

    async def _session_completed(self, session: dict[str, Any]) -> Handled:
        if session.get("payment_status") not in ("paid", "no_payment_required"):
            return Handled("waiting: the session is not paid yet")
        metadata = session.get("metadata") or {}
        profile_id = _profile_id(session.get("client_reference_id"), metadata.get("profile_id"))
        if profile_id is None:
            return Handled("ignored: the session names no profile")
        currency = session.get("currency") or "usd"
        amount = major_units(session.get("amount_total"), currency)
        details = {
            "session_id": session.get("id"),
            "customer": _id_of(session.get("customer")),
        }
        if session.get("mode") == "subscription":
            return await self._first_period(session, profile_id, amount, currency, details)
        payment_intent = _id_of(session.get("payment_intent"))
        if payment_intent:
            details["payment_intent"] = payment_intent
        purchase = await self._payments.purchase_pack(
            profile_id,
            str(metadata.get("pack_id")),
            STRIPE,
            session["id"],
            amount,
            currency,
            details,
        )
        notice = self._payments.purchase_notice(profile_id, purchase)
        if notice is None:
            return Handled(f"duplicate: session {session['id']} was credited before")
        if purchase.mismatch is not None:
            return _mismatch_handled(purchase.mismatch, notice)
        return Handled(f"credited {purchase.credits} for a pack", (notice,))

    async def _first_period(
        self,
        session: dict[str, Any],
        profile_id: UUID,
        amount: Decimal,
        currency: str,
        details: dict[str, Any],
    ) -> Handled:
        """The first period is keyed by the session's invoice, like invoice.paid keys it."""
        invoice_id = _id_of(session.get("invoice"))
        subscription_id = _id_of(session.get("subscription"))
        if invoice_id is None or subscription_id is None:
            return Handled("waiting: invoice.paid will credit the first period")
        plan_id = (session.get("metadata") or {}).get("plan_id") or DEFAULT_PLAN
        details["subscription"] = subscription_id
        paid = await self._subscriptions.record_payment(
            profile_id,
            plan_id,
            STRIPE,
            invoice_id,
            amount,
            currency,
            provider_subscription_id=subscription_id,
            details=details,
        )
        return self._period_handled(profile_id, paid, first=True)

    async def _invoice_paid(self, invoice: dict[str, Any]) -> Handled:
        subscription_id, metadata = _invoice_subscription(invoice)
        if subscription_id is None:
            return Handled("ignored: not a subscription invoice")
        profile_id = _profile_id(metadata.get("profile_id"))
        plan_id = metadata.get("plan_id")
        if profile_id is None or plan_id is None:
            known = await self._db.fetch_one(
                "SELECT profile_id, plan_name FROM subscriptions"
                " WHERE provider = %s AND provider_subscription_id = %s",
                [STRIPE.value, subscription_id],
            )
            if known is None:
                return Handled(f"ignored: subscription {subscription_id} names no profile")
            profile_id, plan_id = known["profile_id"], known["plan_name"]
        currency = invoice.get("currency") or "usd"
        details: dict[str, Any] = {
            "invoice_id": invoice.get("id"),
            "subscription": subscription_id,
            "billing_reason": invoice.get("billing_reason"),
            "customer": _id_of(invoice.get("customer")),
        }
        payment_intent = _invoice_payment_intent(invoice)
        if payment_intent:
            details["payment_intent"] = payment_intent
        paid = await self._subscriptions.record_payment(
            profile_id,
            plan_id,
            STRIPE,
            invoice["id"],
            major_units(invoice.get("amount_paid"), currency),
            currency,
            provider_subscription_id=subscription_id,
            period_end=_invoice_period_end(invoice),
            details=details,
        )
        first = invoice.get("billing_reason") == "subscription_create"
        return self._period_handled(profile_id, paid, first=first)

    def _period_handled(self, profile_id: UUID, paid: PeriodPaid, *, first: bool) -> Handled:
        notice = self._subscriptions.period_notice(profile_id, paid, first=first)
        if notice is None:
            return Handled(f"duplicate: payment {paid.payment_id} was credited before")
        if paid.mismatch is not None:
            return _mismatch_handled(paid.mismatch, notice)
        return Handled(f"credited {paid.credits} for a subscription period", (notice,))

    async def _subscription_updated(self, subscription: dict[str, Any]) -> Handled:
        renews = not subscription.get("cancel_at_period_end") and not subscription.get("cancel_at")
        ended = subscription.get("status") in ENDED_STATUSES
        return await self._subscription_changed(subscription["id"], renews, ended)

    async def _subscription_deleted(self, subscription: dict[str, Any]) -> Handled:
        return await self._subscription_changed(subscription["id"], False, True)

    async def _subscription_changed(
        self, subscription_id: str, renews: bool, ended: bool
    ) -> Handled:
        change = await self._subscriptions.update(
            STRIPE, subscription_id, renews=renews, ended=ended
        )
        if change is None:
            return Handled(f"ignored: unknown subscription {subscription_id}")
        if not change.ended_now:
            return Handled(f"updated subscription {subscription_id}: renews={renews}")
        notice = PaymentNotice(change.profile_id, PaymentEvent.SUBSCRIPTION_ENDED)
        return Handled(f"ended subscription {subscription_id}", (notice,))

    async def _charge_refunded(self, charge: dict[str, Any]) -> Handled:
        if not charge.get("refunded"):
            # A partial refund keeps the credits; an admin decides (/revoke).
            return Handled(f"ignored: charge {charge.get('id')} is only partly refunded")
        payment = None
        payment_intent = _id_of(charge.get("payment_intent"))
        if payment_intent:
            payment = await self._payments.find_by_payment_intent(payment_intent)
        invoice_id = _id_of(charge.get("invoice"))
        if payment is None and invoice_id is None and payment_intent:
            invoice_id = await self._invoice_of_payment_intent(payment_intent)
        if payment is None and invoice_id:
            payment = await self._payments.find_by_provider_id(STRIPE, invoice_id)
        if payment is None:
            return Handled(f"ignored: no payment for charge {charge.get('id')}")
        refund = await self._payments.refund(payment.id, f"stripe charge {charge.get('id')}")
        if refund.already:
            return Handled(f"duplicate: payment {payment.id} was refunded before")
        notice = self._payments.refund_notice(refund)
        return Handled(f"refunded payment {payment.id}: took {refund.taken}", (notice,))

    async def _invoice_of_payment_intent(self, payment_intent: str) -> str | None:
        """Since API 2025-03-31 a charge no longer names its invoice; Stripe's
        invoice_payments list does."""
        found = await self._client.v1.invoice_payments.list_async(
            params={"payment": {"type": "payment_intent", "payment_intent": payment_intent}}
        )
        first = next(iter(found.data), None)
        return _id_of(first.invoice) if first is not None else None


def _mismatch_handled(mismatch: PaymentMismatch, notice: PaymentNotice) -> Handled:
    """A payment that did not match its price: the user and the admins are told."""
    return Handled(
        f"{mismatch.reason.value}: paid {mismatch.amount} {mismatch.currency}, price"
        f" {mismatch.expected_amount} {mismatch.expected_currency};"
        f" credited {mismatch.credits_added}",
        (notice,),
        (mismatch,),
    )


def _refuse_future_timestamp(signature: str, now: float) -> None:
    """The stripe library refuses only timestamps older than the tolerance; one from the
    future is as suspect (a replay prepared in advance, or a badly wrong clock)."""
    stamps = [
        value for key, _, value in (p.partition("=") for p in signature.split(",")) if key == "t"
    ]
    try:
        timestamp = int(stamps[0])
    except (IndexError, ValueError) as error:  # construct_event has refused these already
        raise InvalidStripeEvent("no timestamp in the signature header") from error
    if timestamp > now + TOLERANCE_SECONDS:
        raise InvalidStripeEvent(
            f"timestamp {timestamp} is {timestamp - now:.0f} s in the future"
            f" (tolerance {TOLERANCE_SECONDS} s)"
        )


def _invoice_subscription(invoice: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """(subscription id, its metadata) from an invoice, in new (parent.subscription_details)
    and old (subscription, subscription_details) API shapes."""
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    old_details = invoice.get("subscription_details") or {}
    subscription = _id_of(details.get("subscription")) or _id_of(invoice.get("subscription"))
    metadata = details.get("metadata") or old_details.get("metadata") or {}
    return subscription, metadata


def _invoice_period_end(invoice: dict[str, Any]) -> datetime | None:
    """The end of the period this invoice paid for (its subscription line's period)."""
    for line in (invoice.get("lines") or {}).get("data") or []:
        end = (line.get("period") or {}).get("end")
        if end:
            return _timestamp(end)
    return None


def _invoice_payment_intent(invoice: dict[str, Any]) -> str | None:
    if invoice.get("payment_intent"):
        return _id_of(invoice["payment_intent"])
    for item in (invoice.get("payments") or {}).get("data") or []:
        found = _id_of((item.get("payment") or {}).get("payment_intent"))
        if found:
            return found
    return None


class StripeWebhookEndpoint:
    """POST /stripe/webhook: (raw body, headers) -> HTTP status.

    400: not from Stripe (bad, stale or future-dated signature, not JSON) - nothing is touched.
    200: handled now, or before (a redelivery). 409: another delivery of the same event is
    being handled; Stripe retries later. 500: handling failed; the claim is given back so
    Stripe's retry handles it.
    """

    def __init__(
        self, events: StripeEvents, notify: PaymentNotifier, alert: AdminNotifier | None = None
    ) -> None:
        self._events = events
        self._notify = notify
        self._alert = alert

    async def __call__(self, body: bytes, headers: Mapping[str, str]) -> int:
        try:
            event = self._events.verify(body, headers.get(SIGNATURE_HEADER))
        except InvalidStripeEvent as error:
            logger.warning("refused a Stripe webhook: %s", error)
            return 400
        state = await self._events.claim(event.id, event.type)
        if state != "claimed":
            return 200 if state == "processed" else 409
        try:
            handled = await self._events.handle(event.type, event.object)
        except DomainError as refusal:
            # The database refused (unknown pack, someone else's subscription): retrying
            # cannot help; keep the reason on the event for an admin.
            logger.error("Stripe event %s refused: %s", event.id, refusal)
            handled = Handled(f"refused: {refusal}")
        except Exception:
            logger.exception("Stripe event %s failed; Stripe will retry it", event.id)
            await self._events.finish(event.id, False, "failed; waiting for a retry")
            return 500
        await self._events.finish(event.id, True, handled.outcome)
        logger.info("Stripe event %s (%s): %s", event.id, event.type, handled.outcome)
        for notice in handled.notices:
            try:
                await self._notify(notice)
            except Exception:
                logger.exception("could not tell profile %s about %s", notice.profile_id, event.id)
        await self._tell_admins(handled.alerts)
        return 200

    async def _tell_admins(self, alerts: tuple[PaymentMismatch, ...]) -> None:
        if self._alert is None:
            return
        for mismatch in alerts:
            try:
                await self._alert(mismatch)
            except Exception:
                logger.exception("could not tell the admins about payment %s", mismatch.payment_id)
