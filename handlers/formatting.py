"""Dates, prices and payment notices as users read them, in any language; the one
wording of each notice, whether it answers in the payer's chat (handlers/stars.py) or
reaches them from elsewhere (bot/notifiers.py: Stripe, an admin's refund, a lapse)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from telegram import InlineKeyboardMarkup

from handlers.i18n import Html, t
from handlers.kit import keyboard
from services import payments
from services.adapters.stripe_api import major_units
from services.drafts import DraftService

_NOTICE_KEYS = {
    payments.PaymentEvent.PACK_CREDITED: "pack_credited",
    payments.PaymentEvent.SUBSCRIPTION_STARTED: "subscription_started",
    payments.PaymentEvent.SUBSCRIPTION_RENEWED: "subscription_renewed",
    payments.PaymentEvent.REFUNDED: "refunded",
    payments.PaymentEvent.SUBSCRIPTION_ENDED: "subscription_ended",
}
# Notices after which the next step is getting credits rather than spending them.
_LOSSES = (payments.PaymentEvent.REFUNDED, payments.PaymentEvent.SUBSCRIPTION_ENDED)


def day(moment: datetime | None) -> str:
    """A date as users read it in any language: 2025-07-01 (UTC)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d") if moment else "—"


def money(amount: Decimal, currency: str) -> str:
    """An amount in major units as people read it: 275 ⭐, $4.99, 4.99 EUR."""
    if currency.upper() == payments.STARS_CURRENCY:
        return f"{amount.normalize():f} ⭐"
    return f"${amount:.2f}" if currency.lower() == "usd" else f"{amount:.2f} {currency.upper()}"


def card_price(minor_units: int, currency: str) -> str:
    """Stripe prices are in minor units; buttons show $4.99 (or 4.99 EUR)."""
    return money(major_units(minor_units, currency), currency)


async def payment_notice(
    language: str, notice: payments.PaymentNotice, drafts: DraftService
) -> tuple[Html, InlineKeyboardMarkup]:
    """A notice's text and its next step: spend the new credits (on the order kept while
    the user got them, if there is one), or get more after losing some (or none)."""
    lost = notice.event in _LOSSES or (
        notice.mismatch is not None and notice.mismatch.credits_added == 0
    )
    if lost:
        markup = keyboard([(t(language, "btn_buy"), "buy:open")])
    else:
        kept_order = await drafts.kept_order(notice.profile_id) is not None
        label = "btn_continue_order" if kept_order else "btn_generate"
        markup = keyboard([(t(language, label), "menu:generate")])
    return _notice_text(language, notice), markup


def _notice_text(language: str, notice: payments.PaymentNotice) -> Html:
    if notice.mismatch is not None:
        return _mismatch_text(language, notice.mismatch, notice.balance)
    key = _NOTICE_KEYS[notice.event]
    if notice.event is payments.PaymentEvent.REFUNDED and notice.shortfall > 0:
        key = "refunded_shortfall"
    return t(
        language,
        key,
        credits=notice.credits,
        balance=notice.balance,
        shortfall=notice.shortfall,
        until=day(notice.until),
    )


def _mismatch_text(language: str, mismatch: payments.PaymentMismatch, balance: int) -> Html:
    """Plain words for a payment that did not match the price, and what was credited."""
    if mismatch.kind is payments.ProductKind.SUBSCRIPTION:
        what = t(language, "mismatch_what_plan")
    else:
        what = t(language, "mismatch_what_pack", credits=mismatch.credits_due)
    return t(
        language,
        f"payment_mismatch_{mismatch.reason.value}",
        paid=money(mismatch.amount, mismatch.currency),
        price=money(mismatch.expected_amount, mismatch.expected_currency),
        what=what,
        credits=mismatch.credits_added,
        balance=balance,
    )
