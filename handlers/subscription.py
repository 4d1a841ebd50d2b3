"""/subscription: the monthly plan's status, subscribing (a Stars invoice link with a
30-day period, or a Stripe Checkout link), and switching renewal off and on again
(services/renewals.py). The job that ends lapsed plans is bot/payments.py's."""

from __future__ import annotations

from telegram import InlineKeyboardButton, LabeledPrice, Update

from handlers.checkout import return_url, send_card_link
from handlers.formatting import card_price, day
from handlers.kit import ChatContext, keyboard, private_only
from handlers.payment_desk import payment_desk
from services.credits import PaymentProvider
from services.payments import STARS_CURRENCY, InvoicePayload, ProductKind
from services.subscriptions import STARS_SUBSCRIPTION_PERIOD, Subscription


@private_only
async def show(update: Update, context: ChatContext) -> None:
    """The plan and its state, with the one button that makes sense next."""
    subscriptions = context.services.subscriptions
    profile = await context.profile()
    current = await subscriptions.current(profile.id)
    if current is not None:
        subscribed = await subscriptions.plan(current.plan_name)
        await _show_current(context, current, subscribed.credits if subscribed else 0)
        return
    plan = await subscriptions.plan()
    if plan is None or not plan.active:
        await context.say("subscription_unavailable")
        return
    link = await context.bot.create_invoice_link(
        title=context.t("invoice_plan_title"),
        description=context.t("invoice_plan_description", credits=plan.credits),
        payload=InvoicePayload(ProductKind.SUBSCRIPTION, plan.id, profile.id).encode(),
        currency=STARS_CURRENCY,
        prices=[LabeledPrice(context.t("invoice_plan_title"), plan.price_stars)],
        subscription_period=STARS_SUBSCRIPTION_PERIOD,
    )
    by_stars = InlineKeyboardButton(
        context.t("btn_subscribe_stars", stars=plan.price_stars), url=link
    )
    by_card = []
    if context.services.stripe is not None:
        price = card_price(plan.stripe_price_cents, plan.stripe_currency)
        by_card.append([(context.t("btn_subscribe_card", price=price), "sub:card")])
    await context.say(
        "subscription_none",
        keyboard([by_stars], *by_card),
        credits=plan.credits,
        stars=plan.price_stars,
    )


async def _show_current(context: ChatContext, current: Subscription, credits: int) -> None:
    """Renewal can be switched off, and a Stars plan's back on."""
    note = "subscription_renews" if current.renews else "subscription_renewal_off"
    button = None
    if current.renews:
        button = (context.t("btn_cancel_subscription"), "sub:cancel")
    elif current.provider == PaymentProvider.TELEGRAM_STARS:
        button = (context.t("btn_resume_subscription"), "sub:resume")
    await context.say(
        "subscription_active",
        keyboard([button]) if button else None,
        credits=credits,
        until=day(current.end_date),
        renewal=context.t(note),
    )


async def on_callback(update: Update, context: ChatContext) -> None:
    """sub:open, sub:cancel, sub:resume, sub:card."""
    await context.query.answer()
    action = context.data.removeprefix("sub:")
    if action == "cancel":
        await _switch_renewal(update, context, renews=False)
    elif action == "resume":
        await _switch_renewal(update, context, renews=True)
    elif action == "card":
        await _send_card_link(context)
    else:
        await show(update, context)


async def _switch_renewal(update: Update, context: ChatContext, *, renews: bool) -> None:
    """Stars: editUserStarSubscription; Stripe: cancel at period end (or not). The paid
    period stays; with nothing to switch, the plan's state is shown instead."""
    profile = await context.profile()
    renewals = payment_desk(context).renewals
    change = await renewals.switch(profile.id, context.user.id, renews=renews)
    if change is None:
        await show(update, context)
        return
    key = "subscription_resumed" if renews else "subscription_cancelled"
    await context.say(key, until=day(change.end_date))


async def _send_card_link(context: ChatContext) -> None:
    stripe = context.services.stripe
    plan = await context.services.subscriptions.plan()
    if stripe is None or plan is None:
        await context.say("checkout_unavailable")
        return
    profile = await context.profile()
    checkout = stripe.checkout_subscription(
        profile.id, context.user.id, return_url(context), plan.id
    )
    await send_card_link(context, checkout, context.t("checkout_plan", credits=plan.credits))
