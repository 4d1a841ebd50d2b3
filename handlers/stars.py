"""Telegram Stars payment updates: the pre-checkout query, successful_payment and
refunded_payment. What each does to the ledger is decided in services/stars.py; here it
is read from the update and the payer is answered in their chat."""

from __future__ import annotations

from decimal import Decimal

from telegram import Update

from handlers.formatting import money, payment_notice
from handlers.kit import ChatContext
from handlers.payment_desk import payment_desk
from services.payments import PaymentNotice
from services.stars import PaymentUnmatched, StarsPayment


async def on_pre_checkout(update: Update, context: ChatContext) -> None:
    """Telegram waits at most 10 s for this answer: check, answer, nothing else. A refusal
    (CheckoutRefused) is answered by handlers/errors.py, in the payment form."""
    query = update.pre_checkout_query
    if query is None:
        return
    await context.services.payments.check_stars_checkout(
        query.invoice_payload, query.from_user.id, query.currency, query.total_amount
    )
    await query.answer(ok=True)


async def on_successful_payment(update: Update, context: ChatContext) -> None:
    """Credits a pack or a plan period once per charge id; a redelivery stays silent."""
    paid = context.message.successful_payment
    if paid is None:
        return
    payment = StarsPayment(
        telegram_id=context.user.id,
        charge_id=paid.telegram_payment_charge_id,
        provider_charge_id=paid.provider_payment_charge_id,
        payload=paid.invoice_payload,
        amount=paid.total_amount,
        currency=paid.currency,
        first_recurring=bool(paid.is_first_recurring),
        period_end=paid.subscription_expiration_date,
    )
    try:
        notice = await payment_desk(context).stars.record(payment)
    except PaymentUnmatched:
        await context.say(
            "payment_unmatched", paid=money(Decimal(paid.total_amount), paid.currency)
        )
        return
    if notice is not None:
        await _tell_payer(context, notice)


async def on_refunded_payment(update: Update, context: ChatContext) -> None:
    """Telegram refunded a Stars payment: its credits back, once."""
    refunded = context.message.refunded_payment
    if refunded is None:
        return
    notice = await payment_desk(context).stars.refunded(refunded.telegram_payment_charge_id)
    if notice is not None:
        await _tell_payer(context, notice)


async def _tell_payer(context: ChatContext, notice: PaymentNotice) -> None:
    """A payment's notice in the payer's chat, with the next step."""
    text, markup = await payment_notice(context.language, notice, context.services.drafts)
    await context.reply(text, markup)
