"""/subscription: the monthly plan's status, subscribing (a Stars invoice link with a
30-day period, or a Stripe Checkout link), switching renewal off and on again; and the
scheduled job that ends lapsed plans and tells their owners."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LabeledPrice, Update
from telegram.error import TelegramError
from telegram.ext import Application

from handlers.common import (
    Context,
    button,
    callback_data,
    current_profile,
    lang,
    private_only,
    query_of,
    reply,
    services,
    telegram_user,
)
from handlers.i18n import t
from handlers.payments import (
    TelegramPaymentNotifier,
    acknowledge,
    card_price,
    day,
    return_url,
    send_checkout_link,
)
from services.adapters.stripe_billing import StripeUnavailable
from services.credits import PaymentProvider
from services.payments import (
    STARS_CURRENCY,
    InvoicePayload,
    PaymentEvent,
    PaymentNotice,
    ProductKind,
)
from services.subscriptions import STARS_SUBSCRIPTION_PERIOD, Subscription

logger = logging.getLogger(__name__)

EXPIRY_JOB = "expire_subscriptions"
EXPIRY_INTERVAL_SECONDS = 600


@private_only
async def show(update: Update, context: Context) -> None:
    """The plan and its state, with the one button that makes sense next."""
    await acknowledge(update)
    language = lang(update)
    svc = services(context)
    profile = await current_profile(update, context)
    current = await svc.subscriptions.current(profile.id)
    if current is not None:
        subscribed = await svc.subscriptions.plan(current.plan_name)
        await _show_current(update, current, subscribed.credits if subscribed else 0)
        return
    plan = await svc.subscriptions.plan()
    if plan is None or not plan.active:
        await reply(update, t(language, "subscription_unavailable"))
        return
    link = await context.bot.create_invoice_link(
        title=t(language, "invoice_plan_title"),
        description=t(language, "invoice_plan_description", credits=plan.credits),
        payload=InvoicePayload(ProductKind.SUBSCRIPTION, plan.id, profile.id).encode(),
        currency=STARS_CURRENCY,
        prices=[LabeledPrice(t(language, "invoice_plan_title"), plan.price_stars)],
        subscription_period=STARS_SUBSCRIPTION_PERIOD,
    )
    rows = [
        [InlineKeyboardButton(t(language, "btn_subscribe_stars", stars=plan.price_stars), url=link)]
    ]
    if svc.stripe is not None:
        price = card_price(plan.stripe_price_cents, plan.stripe_currency)
        rows.append([button(t(language, "btn_subscribe_card", price=price), "sub:card")])
    text = t(language, "subscription_none", credits=plan.credits, stars=plan.price_stars)
    await reply(update, text, InlineKeyboardMarkup(rows))


async def _show_current(update: Update, current: Subscription, credits: int) -> None:
    language = lang(update)
    note = "subscription_renews" if current.renews else "subscription_renewal_off"
    text = t(
        language,
        "subscription_active",
        credits=credits,
        until=day(current.end_date),
        renewal=t(language, note),
    )
    rows = []
    if current.renews:
        rows.append([button(t(language, "btn_cancel_subscription"), "sub:cancel")])
    elif current.provider == PaymentProvider.TELEGRAM_STARS:
        rows.append([button(t(language, "btn_resume_subscription"), "sub:resume")])
    await reply(update, text, InlineKeyboardMarkup(rows) if rows else None)


async def on_callback(update: Update, context: Context) -> None:
    """sub:open, sub:cancel, sub:resume, sub:card."""
    action = callback_data(update).removeprefix("sub:")
    if action == "cancel":
        await _set_renewal(update, context, renews=False)
    elif action == "resume":
        await _set_renewal(update, context, renews=True)
    elif action == "card":
        await _send_card_link(update, context)
    else:
        await show(update, context)


async def _set_renewal(update: Update, context: Context, *, renews: bool) -> None:
    """Stars: editUserStarSubscription; Stripe: cancel at period end. The paid period
    is kept either way."""
    await query_of(update).answer()
    language = lang(update)
    svc = services(context)
    profile = await current_profile(update, context)
    current = await svc.subscriptions.current(profile.id)
    if current is None or current.renews == renews or current.provider_subscription_id is None:
        await show(update, context)
        return
    try:
        if current.provider == PaymentProvider.TELEGRAM_STARS:
            await context.bot.edit_user_star_subscription(
                telegram_user(update).id, current.provider_subscription_id, is_canceled=not renews
            )
            await svc.subscriptions.update(
                PaymentProvider.TELEGRAM_STARS, current.provider_subscription_id, renews=renews
            )
        elif svc.stripe is not None and not renews:
            await svc.stripe.cancel_subscription(current.provider_subscription_id)
        else:
            await reply(update, t(language, "subscription_change_failed"))
            return
    except (TelegramError, StripeUnavailable):
        logger.exception("could not change renewal of subscription %s", current.id)
        await reply(update, t(language, "subscription_change_failed"))
        return
    key = "subscription_resumed" if renews else "subscription_cancelled"
    await reply(update, t(language, key, until=day(current.end_date)))


async def _send_card_link(update: Update, context: Context) -> None:
    await query_of(update).answer()
    svc = services(context)
    plan = await svc.subscriptions.plan()
    if svc.stripe is None or plan is None:
        await reply(update, t(lang(update), "checkout_unavailable"))
        return
    profile = await current_profile(update, context)
    try:
        url = await svc.stripe.checkout_subscription(
            profile.id, telegram_user(update).id, return_url(context), plan.id
        )
    except StripeUnavailable:
        logger.exception("no Stripe checkout link for plan %s", plan.id)
        await reply(update, t(lang(update), "checkout_unavailable"))
        return
    await send_checkout_link(update, url, t(lang(update), "checkout_plan", credits=plan.credits))


async def expire_lapsed(context: Context) -> None:
    """The scheduled job: ends plans whose paid period ran out, and tells their owners
    (unless another plan of theirs is still running)."""
    svc = services(context)
    notify = TelegramPaymentNotifier(context.bot, svc.accounts, svc.drafts)
    for lapse in await svc.subscriptions.expire_lapsed():
        logger.info("subscription %s lapsed", lapse.subscription_id)
        if lapse.still_subscribed:
            continue
        try:
            await notify(PaymentNotice(lapse.profile_id, PaymentEvent.SUBSCRIPTION_ENDED))
        except Exception:
            logger.exception("could not tell profile %s its plan lapsed", lapse.profile_id)


def schedule_expiry(app: Application) -> None:  # type: ignore[type-arg]
    """Every 10 minutes, in every bot process (the SQL returns each lapse once)."""
    if app.job_queue is None:
        logger.warning("no job queue (python-telegram-bot[job-queue]); plans won't expire")
        return
    app.job_queue.run_repeating(
        expire_lapsed, interval=EXPIRY_INTERVAL_SECONDS, first=60, name=EXPIRY_JOB
    )
