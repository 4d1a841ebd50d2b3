"""Telegram Stars bookkeeping: invoices, charges, refunds and subscriptions.

The bot creates invoices (sendInvoice / createInvoiceLink); a user paying one produces
a charge with a unique ``telegram_payment_charge_id``. Refunds and subscription edits
made through the API are validated against those charges and recorded for tests.
A persistent world journals each of them as it happens.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.errors import bad_request

if TYPE_CHECKING:
    from sandbox.persistence import Journal

#: The only subscription period Telegram accepts (30 days).
SUBSCRIPTION_PERIOD = 2592000


@dataclass(frozen=True)
class Invoice:
    """What the bot asked the user to pay."""

    title: str
    description: str
    payload: str
    currency: str
    prices: list[dict[str, Any]]
    subscription_period: int | None = None
    start_parameter: str | None = None

    @property
    def total_amount(self) -> int:
        return sum(int(price["amount"]) for price in self.prices)

    def invoice_object(self) -> dict[str, Any]:
        """Telegram's ``Invoice`` object shown in the invoice message."""
        return {
            "title": self.title,
            "description": self.description,
            "start_parameter": self.start_parameter or "",
            "currency": self.currency,
            "total_amount": self.total_amount,
        }


@dataclass
class Charge:
    """One successful payment (a subscription renewal is a new charge)."""

    charge_id: str
    provider_charge_id: str
    bot_id: int
    user_id: int
    invoice: Invoice
    date: int
    expiration_date: int | None = None
    is_first_recurring: bool = False
    previous_charge_id: str | None = None
    refunded: bool = False
    subscription_canceled: bool = False

    def successful_payment(self) -> dict[str, Any]:
        """Telegram's ``SuccessfulPayment`` object."""
        body: dict[str, Any] = {
            "currency": self.invoice.currency,
            "total_amount": self.invoice.total_amount,
            "invoice_payload": self.invoice.payload,
            "telegram_payment_charge_id": self.charge_id,
            "provider_payment_charge_id": self.provider_charge_id,
        }
        if self.expiration_date is not None:
            body["subscription_expiration_date"] = self.expiration_date
            body["is_recurring"] = True
            if self.is_first_recurring:
                body["is_first_recurring"] = True
        return body

    def refunded_payment(self) -> dict[str, Any]:
        """Telegram's ``RefundedPayment`` object."""
        return {
            "currency": self.invoice.currency,
            "total_amount": self.invoice.total_amount,
            "invoice_payload": self.invoice.payload,
            "telegram_payment_charge_id": self.charge_id,
            "provider_payment_charge_id": self.provider_charge_id,
        }


@dataclass(frozen=True)
class ApiRecord:
    """A refundStarPayment or editUserStarSubscription call, for assertions."""

    bot_id: int
    user_id: int
    charge_id: str
    date: int
    details: dict[str, Any] = field(default_factory=dict)


class PaymentLedger:
    """Invoice links, charges, refunds and subscription edits."""

    def __init__(self, journal: Journal | None = None) -> None:
        self.invoice_links: dict[str, Invoice] = {}
        self.charges: dict[str, Charge] = {}
        self.refunds: list[ApiRecord] = []
        self.subscription_edits: list[ApiRecord] = []
        self._journal = journal

    def create_link(self, invoice: Invoice) -> str:
        link = "https://t.me/$" + secrets.token_urlsafe(16)
        self.invoice_links[link] = invoice
        if self._journal is not None:
            self._journal.invoice_link(link, invoice)
        return link

    def charge(
        self,
        bot_id: int,
        user_id: int,
        invoice: Invoice,
        now: int,
        previous: Charge | None = None,
    ) -> Charge:
        """Record a payment; subscriptions expire one period after the previous expiry."""
        expiration = None
        if invoice.subscription_period:
            start = max(now, previous.expiration_date or now) if previous else now
            expiration = start + invoice.subscription_period
        charge = Charge(
            charge_id="stx" + secrets.token_urlsafe(36),
            provider_charge_id=f"{user_id}_{len(self.charges) + 1}",
            bot_id=bot_id,
            user_id=user_id,
            invoice=invoice,
            date=now,
            expiration_date=expiration,
            is_first_recurring=invoice.subscription_period is not None and previous is None,
            previous_charge_id=previous.charge_id if previous else None,
        )
        self.charges[charge.charge_id] = charge
        self.changed(charge)
        return charge

    def changed(self, charge: Charge) -> None:
        """Journal a charge created or changed (refunded, subscription edited)."""
        if self._journal is not None:
            self._journal.charge(charge)

    def find(self, bot_id: int, user_id: int, charge_id: str | None) -> Charge:
        charge = self.charges.get(charge_id or "")
        if charge is None or charge.bot_id != bot_id or charge.user_id != user_id:
            raise bad_request("CHARGE_ID_INVALID")
        return charge

    def refund(self, bot_id: int, user_id: int, charge_id: str | None, now: int) -> Charge:
        """refundStarPayment: each charge can be refunded once."""
        charge = self.find(bot_id, user_id, charge_id)
        if charge.refunded:
            raise bad_request("CHARGE_ALREADY_REFUNDED")
        charge.refunded = True
        self.changed(charge)
        self.keep("refund", ApiRecord(bot_id, user_id, charge.charge_id, now))
        return charge

    def edit_subscription(
        self, bot_id: int, user_id: int, charge_id: str | None, is_canceled: bool, now: int
    ) -> Charge:
        """editUserStarSubscription: cancel or re-enable renewals."""
        charge = self.find(bot_id, user_id, charge_id)
        if charge.expiration_date is None:
            raise bad_request("SUBSCRIPTION_ID_INVALID")
        for linked in self.subscription_chain(charge):
            linked.subscription_canceled = is_canceled
            self.changed(linked)
        record = ApiRecord(bot_id, user_id, charge.charge_id, now, {"is_canceled": is_canceled})
        self.keep("subscription_edit", record)
        return charge

    def keep(self, kind: str, record: ApiRecord) -> None:
        """Add a "refund" or "subscription_edit" record (a new one, or one replayed)."""
        {"refund": self.refunds, "subscription_edit": self.subscription_edits}[kind].append(record)
        if self._journal is not None:
            self._journal.api_record(kind, record)

    def subscription_chain(self, charge: Charge) -> list[Charge]:
        """All charges of the subscription *charge* belongs to, oldest first."""
        first = charge
        while first.previous_charge_id:
            first = self.charges[first.previous_charge_id]
        chain = [first]
        while True:
            following = next(
                (c for c in self.charges.values() if c.previous_charge_id == chain[-1].charge_id),
                None,
            )
            if following is None:
                return chain
            chain.append(following)

    def latest_in_subscription(self, charge: Charge) -> Charge:
        return self.subscription_chain(charge)[-1]
