"""/buy: the credit packs for Telegram Stars (an invoice in the chat) and, when Stripe is
configured, for cards (a Stripe Checkout link, credited by its webhook); the plan and
the free way (referrals) next to them."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, LabeledPrice, Update

from handlers.checkout import return_url, send_card_link
from handlers.formatting import card_price
from handlers.i18n import Html
from handlers.kit import ChatContext, keyboard, private_only
from services import payments
from services.referrals import referral_link


@private_only
async def buy(update: Update, context: ChatContext) -> None:
    """The packs (Stars, and cards when Stripe is on), the plan, and the free way."""
    services = context.services
    profile = await context.profile()
    packs = await services.payments.packs()
    plan = await services.subscriptions.plan()
    with_plan = plan is not None and plan.active
    offers = [context.t("buy_packs_header"), *(_pack_line(context, pack) for pack in packs)]
    if plan is not None and with_plan:
        offers.append(context.t("buy_plan_line", credits=plan.credits, stars=plan.price_stars))
    await context.say(
        "buy_options",
        _buy_buttons(context, packs, services.stripe is not None, with_plan),
        credits=profile.credits,
        offers=Html("\n".join(offers)),
        bonus=await services.referrals.bonus(),
        link=referral_link(context.bot.username or "", profile.referral_code),
    )


def _pack_line(context: ChatContext, pack: payments.CreditPack) -> Html:
    """The bonus is shown separately, so the larger packs' advantage is visible."""
    if pack.bonus_credits:
        return context.t(
            "pack_line_bonus",
            credits=pack.credits,
            bonus=pack.bonus_credits,
            stars=pack.price_stars,
        )
    return context.t("pack_line", credits=pack.credits, stars=pack.price_stars)


def _buy_buttons(
    context: ChatContext, packs: list[payments.CreditPack], with_cards: bool, with_plan: bool
) -> InlineKeyboardMarkup:
    """A Stars button per pack, then (Stripe on) a card button per pack, then the plan."""
    rows = [
        [
            (
                context.t("btn_pack_stars", credits=pack.total_credits, stars=pack.price_stars),
                f"buy:pack:{pack.id}",
            )
        ]
        for pack in packs
    ]
    if with_cards:
        for pack in packs:
            price = card_price(pack.stripe_price_cents, pack.stripe_currency)
            text = context.t("btn_pack_card", credits=pack.total_credits, price=price)
            rows.append([(text, f"buy:card:{pack.id}")])
    if with_plan:
        rows.append([(context.t("btn_plan"), "sub:open")])
    return keyboard(*rows)


async def on_buy_callback(update: Update, context: ChatContext) -> None:
    """buy:open (every "get credits" button), buy:pack:<id> (Stars), buy:card:<id>."""
    action, _, pack_id = context.data.removeprefix("buy:").partition(":")
    if action == "pack":
        await _send_invoice(context, pack_id)
    elif action == "card":
        await _send_card_link(context, pack_id)
    else:
        await context.query.answer()
        await buy(update, context)


async def _send_invoice(context: ChatContext, pack_id: str) -> None:
    """A pack withdrawn since its button was shown gets an alert (OfferGone)."""
    pack = await context.services.payments.pack_on_sale(pack_id)
    await context.query.answer()
    profile = await context.profile()
    await context.chat.send_invoice(
        title=context.t("invoice_pack_title", credits=pack.total_credits),
        description=context.t(
            "invoice_pack_description",
            credits=pack.total_credits,
            base=pack.credits,
            bonus=pack.bonus_credits,
        ),
        payload=payments.InvoicePayload(payments.ProductKind.PACK, pack.id, profile.id).encode(),
        currency=payments.STARS_CURRENCY,
        prices=[LabeledPrice(context.t("invoice_price_label"), pack.price_stars)],
    )


async def _send_card_link(context: ChatContext, pack_id: str) -> None:
    stripe = context.services.stripe
    if stripe is None:
        await context.alert("offer_gone")
        return
    pack = await context.services.payments.pack_on_sale(pack_id)
    await context.query.answer()
    profile = await context.profile()
    checkout = stripe.checkout_pack(profile.id, context.user.id, pack.id, return_url(context))
    await send_card_link(context, checkout, context.t("checkout_pack", credits=pack.total_credits))
