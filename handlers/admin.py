"""Admin commands (ADMIN_IDS only; anyone else gets the unknown-command answer):
/refund <payment id or Telegram charge id>, /grant and /revoke <telegram id> <amount>
<reason...>. Each answers plainly with the new balance; a refund tells the user too."""

from __future__ import annotations

import re
from functools import wraps
from typing import Any

from telegram import Update

from handlers.kit import ChatContext, Handler
from handlers.payment_desk import payment_desk
from handlers.start import unknown_command
from services.errors import InsufficientCredits

# Plain ASCII digits only: int() would also take "1_000", "+5" and other scripts' digits.
_TELEGRAM_ID = re.compile(r"[0-9]{1,15}")
_AMOUNT = re.compile(r"[0-9]{1,7}")
# Our payment UUIDs, Telegram charge ids, Stripe session/invoice/payment-intent ids.
_PAYMENT_REFERENCE = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
MAX_ADJUSTMENT = 1_000_000


def admin_only(handler: Handler) -> Handler:
    @wraps(handler)
    async def guarded(update: Update, context: ChatContext) -> Any:
        user = update.effective_user
        if user is None or user.id not in context.services.admin_ids:
            return await unknown_command(update, context)
        return await handler(update, context)

    return guarded


def admin_button(handler: Handler) -> Handler:
    """`admin_only` for button presses: an admin's button in anyone else's hands (a
    forged press) reads as expired and does nothing."""

    @wraps(handler)
    async def guarded(update: Update, context: ChatContext) -> Any:
        if context.user.id not in context.services.admin_ids:
            await context.alert("stale_button")
            return None
        return await handler(update, context)

    return guarded


@admin_only
async def refund(update: Update, context: ChatContext) -> None:
    """Refunds a Stars payment (services/refunds.py) and answers with what it took back;
    a refusal (no such payment, a card payment, Telegram's no) reaches handlers/errors.py."""
    args = context.args or []
    if len(args) != 1 or not _PAYMENT_REFERENCE.fullmatch(args[0]):
        await context.say("admin_usage_refund")
        return
    report = await payment_desk(context).refunds.refund(args[0], context.user.id)
    payment, result = report.payment, report.refund
    await context.say(
        "admin_refund_already" if result.already else "admin_refund_done",
        payment=str(payment.id),
        amount=f"{payment.amount.normalize():f}",
        currency=payment.currency or "",
        taken=result.taken,
        credits=result.credits_added,
        shortfall=result.shortfall,
        user=str(report.payer_telegram_id),
        balance=result.balance,
    )


def _adjustment(args: list[str]) -> tuple[int, int, str] | None:
    """(telegram id, amount 1..MAX_ADJUSTMENT, reason) from the arguments, or None."""
    if len(args) < 3 or not _TELEGRAM_ID.fullmatch(args[0]) or not _AMOUNT.fullmatch(args[1]):
        return None
    amount, reason = int(args[1]), " ".join(args[2:]).strip()
    if not 1 <= amount <= MAX_ADJUSTMENT or not reason:
        return None
    return int(args[0]), amount, reason


@admin_only
async def grant(update: Update, context: ChatContext) -> None:
    await _adjust(context, sign=1)


@admin_only
async def revoke(update: Update, context: ChatContext) -> None:
    await _adjust(context, sign=-1)


async def _adjust(context: ChatContext, *, sign: int) -> None:
    parsed = _adjustment(context.args or [])
    if parsed is None:
        await context.say("admin_usage_adjust", command="grant" if sign > 0 else "revoke")
        return
    telegram_id, amount, reason = parsed
    await adjust_credits(context, telegram_id, sign * amount, reason)


async def adjust_credits(context: ChatContext, telegram_id: int, delta: int, reason: str) -> None:
    """Grants (delta > 0) or revokes credits and answers with the new balance: /grant,
    /revoke and the /user card's buttons (handlers/admin_users.py) all come here."""
    services = context.services
    profile = await services.accounts.find_by_telegram_id(telegram_id)
    if profile is None:
        await context.say("admin_user_not_found", telegram_id=str(telegram_id))
        return
    try:
        balance = await services.credits.admin_adjust(profile.id, delta, reason, context.user.id)
    except InsufficientCredits as short:
        balance = short.balance if short.balance is not None else profile.credits
        await context.say("admin_revoke_short", balance=balance)
        return
    await context.say("admin_adjusted", delta=f"{delta:+d}", user=str(telegram_id), balance=balance)
