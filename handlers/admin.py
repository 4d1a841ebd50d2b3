"""Admin commands (ADMIN_IDS only; anyone else gets the unknown-command answer):
/refund <payment id or Telegram charge id>, /grant and /revoke <telegram id> <amount>
<reason...>. Each answers plainly with the new balance; a refund tells the user too."""

from __future__ import annotations

import contextlib
import logging
import re
from functools import wraps
from typing import Any
from uuid import UUID

from telegram import Update
from telegram.error import BadRequest

from handlers.common import Context, Handler, lang, reply, services, telegram_user
from handlers.i18n import t
from handlers.payments import TelegramPaymentNotifier
from handlers.start import unknown_command
from services.credits import PaymentProvider
from services.errors import InsufficientCredits

logger = logging.getLogger(__name__)

# Plain ASCII digits only: int() would also take "1_000", "+5" and other scripts' digits.
_TELEGRAM_ID = re.compile(r"[0-9]{1,15}")
_AMOUNT = re.compile(r"[0-9]{1,7}")
# Our payment UUIDs, Telegram charge ids, Stripe session/invoice/payment-intent ids.
_PAYMENT_REFERENCE = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
MAX_ADJUSTMENT = 1_000_000


def admin_only(handler: Handler) -> Handler:
    @wraps(handler)
    async def guarded(update: Update, context: Context) -> Any:
        user = update.effective_user
        if user is None or user.id not in services(context).admin_ids:
            return await unknown_command(update, context)
        return await handler(update, context)

    return guarded


@admin_only
async def refund(update: Update, context: Context) -> None:
    """Stars: refundStarPayment, then take back what is left of the credits."""
    language = lang(update)
    args = context.args or []
    if len(args) != 1 or not _PAYMENT_REFERENCE.fullmatch(args[0]):
        await reply(update, t(language, "admin_usage_refund"))
        return
    svc = services(context)
    payment = await svc.payments.find(args[0])
    if payment is None:
        await reply(update, t(language, "admin_payment_not_found", reference=args[0]))
        return
    if payment.provider is PaymentProvider.STRIPE:
        await reply(update, t(language, "admin_refund_stripe"))
        return
    profile = await svc.accounts.get(payment.profile_id)
    if payment.refunded_at is None and profile.telegram_id is not None:
        try:
            await context.bot.refund_star_payment(profile.telegram_id, payment.provider_payment_id)
        except BadRequest as error:
            # Refunded at Telegram already (e.g. we crashed right after): take the credits.
            if "CHARGE_ALREADY_REFUNDED" not in error.message:
                await reply(update, t(language, "admin_refund_failed", error=error.message))
                return
    result = await svc.payments.refund(payment.id, f"admin {telegram_user(update).id}")
    if payment.subscription_id is not None and profile.telegram_id is not None:
        await _stop_renewal(context, payment.subscription_id, profile.telegram_id)
    key = "admin_refund_already" if result.already else "admin_refund_done"
    await reply(
        update,
        t(
            language,
            key,
            payment=str(payment.id),
            amount=f"{payment.amount.normalize():f}",
            currency=payment.currency or "",
            taken=result.taken,
            credits=result.credits_added,
            shortfall=result.shortfall,
            user=str(profile.telegram_id),
            balance=result.balance,
        ),
    )
    if not result.already:
        notify = TelegramPaymentNotifier(context.bot, svc.accounts, svc.drafts)
        await notify(svc.payments.refund_notice(result))


async def _stop_renewal(context: Context, subscription_id: UUID, telegram_id: int) -> None:
    """A refunded plan payment ends the plan; Telegram must not charge the next period."""
    subscription = await services(context).subscriptions.get(subscription_id)
    if subscription is None or subscription.provider_subscription_id is None:
        return
    with contextlib.suppress(BadRequest):
        await context.bot.edit_user_star_subscription(
            telegram_id, subscription.provider_subscription_id, is_canceled=True
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
async def grant(update: Update, context: Context) -> None:
    await _adjust(update, context, sign=1)


@admin_only
async def revoke(update: Update, context: Context) -> None:
    await _adjust(update, context, sign=-1)


async def _adjust(update: Update, context: Context, *, sign: int) -> None:
    language = lang(update)
    args = context.args or []
    command = "grant" if sign > 0 else "revoke"
    parsed = _adjustment(args)
    if parsed is None:
        await reply(update, t(language, "admin_usage_adjust", command=command))
        return
    telegram_id, amount, reason = parsed
    svc = services(context)
    profile = await svc.accounts.find_by_telegram_id(telegram_id)
    if profile is None:
        await reply(update, t(language, "admin_user_not_found", telegram_id=str(telegram_id)))
        return
    try:
        balance = await svc.credits.admin_adjust(
            profile.id, sign * amount, reason, telegram_user(update).id
        )
    except InsufficientCredits as short:
        balance = short.balance if short.balance is not None else profile.credits
        await reply(update, t(language, "admin_revoke_short", balance=balance))
        return
    await reply(
        update,
        t(
            language,
            "admin_adjusted",
            delta=f"{sign * amount:+d}",
            user=str(telegram_id),
            balance=balance,
        ),
    )
