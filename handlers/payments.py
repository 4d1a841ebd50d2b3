"""/buy, Telegram Stars payments, Stripe Checkout links, and the messages about money.

Stars: a pack button sends an XTR invoice whose payload names the pack and the profile;
the pre-checkout query is checked against the database and answered at once; a
successful_payment (a pack, a plan's first payment or a renewal) is credited by one SQL
call keyed by telegram_payment_charge_id, so a redelivered update never credits twice;
a refunded_payment takes the credits back, once. Card links (Stripe) appear only when
Stripe is configured; their webhook credits them (services/adapters/stripe_billing.py).

A payment whose amount or currency differs from the price (sql/011) is recorded; the
user is told what was (not) credited and the admins get the details.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LabeledPrice,
    SuccessfulPayment,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from handlers.common import (
    Context,
    button,
    callback_data,
    chat_of,
    current_profile,
    keyboard,
    lang,
    message_of,
    private_only,
    query_of,
    reply,
    services,
    telegram_user,
)
from handlers.i18n import Html, language_of, t
from services.accounts import AccountService
from services.adapters.stripe_billing import StripeUnavailable, major_units
from services.credits import PaymentProvider
from services.drafts import DraftService
from services.errors import InvalidArgument, ProfileNotFound
from services.payments import (
    STARS_CURRENCY,
    CreditPack,
    InvoicePayload,
    PaymentEvent,
    PaymentMismatch,
    PaymentNotice,
    ProductKind,
)
from services.referrals import referral_link

logger = logging.getLogger(__name__)

STARS = PaymentProvider.TELEGRAM_STARS
NOTICE_KEYS = {
    PaymentEvent.PACK_CREDITED: "pack_credited",
    PaymentEvent.SUBSCRIPTION_STARTED: "subscription_started",
    PaymentEvent.SUBSCRIPTION_RENEWED: "subscription_renewed",
    PaymentEvent.REFUNDED: "refunded",
    PaymentEvent.SUBSCRIPTION_ENDED: "subscription_ended",
}


def day(moment: datetime | None) -> str:
    """A date as users read it in any language: 2025-07-01 (UTC)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d") if moment else "—"


def card_price(minor_units: int, currency: str) -> str:
    """Stripe prices are in minor units; buttons show $4.99 (or 4.99 EUR)."""
    return money(major_units(minor_units, currency), currency)


def money(amount: Decimal, currency: str) -> str:
    """An amount in major units as people read it: 275 ⭐, $4.99, 4.99 EUR."""
    if currency.upper() == STARS_CURRENCY:
        return f"{amount.normalize():f} ⭐"
    return f"${amount:.2f}" if currency.lower() == "usd" else f"{amount:.2f} {currency.upper()}"


def _product(language: str, mismatch: PaymentMismatch) -> Html:
    if mismatch.kind is ProductKind.SUBSCRIPTION:
        return t(language, "mismatch_what_plan")
    return t(language, "mismatch_what_pack", credits=mismatch.credits_due)


def mismatch_text(language: str, mismatch: PaymentMismatch, balance: int) -> Html:
    """Plain words for a payment that did not match the price, and what was credited."""
    return t(
        language,
        f"payment_mismatch_{mismatch.reason.value}",
        paid=money(mismatch.amount, mismatch.currency),
        price=money(mismatch.expected_amount, mismatch.expected_currency),
        what=_product(language, mismatch),
        credits=mismatch.credits_added,
        balance=balance,
    )


def notice_text(language: str, notice: PaymentNotice) -> Html:
    """One wording per event, shared by chat replies and notices from elsewhere."""
    if notice.mismatch is not None:
        return mismatch_text(language, notice.mismatch, notice.balance)
    key = NOTICE_KEYS[notice.event]
    if notice.event is PaymentEvent.REFUNDED and notice.shortfall > 0:
        key = "refunded_shortfall"
    return t(
        language,
        key,
        credits=notice.credits,
        balance=notice.balance,
        shortfall=notice.shortfall,
        until=day(notice.until),
    )


def notice_markup(language: str, notice: PaymentNotice, kept_order: bool) -> InlineKeyboardMarkup:
    """The next step: spend new credits (on the order kept while the user got them, if
    there is one), or get more after losing some (or none)."""
    if notice.event in (PaymentEvent.REFUNDED, PaymentEvent.SUBSCRIPTION_ENDED) or (
        notice.mismatch is not None and notice.mismatch.credits_added == 0
    ):
        return keyboard([button(t(language, "btn_buy"), "buy:open")])
    label = "btn_continue_order" if kept_order else "btn_generate"
    return keyboard([button(t(language, label), "menu:generate")])


class TelegramPaymentNotifier:
    """Tells a user about money that moved outside their chat (a Stripe payment, an
    admin's refund, a lapsed plan), in their language."""

    def __init__(self, bot: Bot, accounts: AccountService, drafts: DraftService) -> None:
        self._bot = bot
        self._accounts = accounts
        self._drafts = drafts

    async def __call__(self, notice: PaymentNotice) -> None:
        profile = await self._accounts.get(notice.profile_id)
        if profile.telegram_id is None:
            return
        language = language_of(profile.language_code)
        kept_order = await self._drafts.kept_order(profile.id) is not None
        try:
            await self._bot.send_message(
                profile.telegram_id,
                notice_text(language, notice),
                parse_mode=ParseMode.HTML,
                reply_markup=notice_markup(language, notice, kept_order),
            )
        except Forbidden:
            logger.info("profile %s blocked the bot; payment notice not sent", profile.id)


class TelegramAdminNotifier:
    """Tells every admin (ADMIN_IDS) about a payment that did not match its price, with
    what they need to act on it (the user, the payment id for /refund)."""

    def __init__(self, bot: Bot, accounts: AccountService, admin_ids: frozenset[int]) -> None:
        self._bot = bot
        self._accounts = accounts
        self._admin_ids = admin_ids

    async def __call__(self, mismatch: PaymentMismatch) -> None:
        payer = await self._accounts.get(mismatch.profile_id)
        await self.tell(
            "admin_payment_mismatch",
            reason=mismatch.reason.value,
            user=payer.telegram_id or mismatch.profile_id,
            paid=money(mismatch.amount, mismatch.currency),
            price=money(mismatch.expected_amount, mismatch.expected_currency),
            product=mismatch.product_id,
            credits=mismatch.credits_added,
            due=mismatch.credits_due,
            payment=str(mismatch.payment_id),
            provider=mismatch.provider.value,
            charge=mismatch.provider_payment_id,
        )

    async def tell(self, key: str, **params: object) -> None:
        """One catalog text to every admin, each in their own language."""
        for admin_id in sorted(self._admin_ids):
            admin = await self._accounts.find_by_telegram_id(admin_id)
            text = t(language_of(admin.language_code if admin else None), key, **params)
            try:
                await self._bot.send_message(admin_id, text, parse_mode=ParseMode.HTML)
            except (Forbidden, BadRequest) as error:  # blocked, or never started the bot
                logger.warning("admin %s not told %s: %s", admin_id, key, error)


# --- /buy ---------------------------------------------------------------------------


def _pack_line(language: str, pack: CreditPack) -> Html:
    """The bonus is shown separately, so the larger packs' advantage is visible."""
    if pack.bonus_credits:
        return t(
            language,
            "pack_line_bonus",
            credits=pack.credits,
            bonus=pack.bonus_credits,
            stars=pack.price_stars,
        )
    return t(language, "pack_line", credits=pack.credits, stars=pack.price_stars)


async def acknowledge(update: Update) -> None:
    """Stops a pressed button's spinner (commands have none)."""
    if update.callback_query is not None:
        await update.callback_query.answer()


@private_only
async def buy(update: Update, context: Context) -> None:
    """The packs (Stars, and cards when Stripe is on), the plan, and the free way."""
    await acknowledge(update)
    language = lang(update)
    svc = services(context)
    profile = await current_profile(update, context)
    packs = await svc.payments.packs()
    plan = await svc.subscriptions.plan()
    with_plan = plan is not None and plan.active
    offers = [t(language, "buy_packs_header"), *(_pack_line(language, pack) for pack in packs)]
    if plan is not None and with_plan:
        offers.append(t(language, "buy_plan_line", credits=plan.credits, stars=plan.price_stars))
    bonus = await svc.referrals.bonus()
    text = t(
        language,
        "buy_options",
        credits=profile.credits,
        offers=Html("\n".join(offers)),
        bonus=bonus,
        link=referral_link(context.bot.username or "", profile.referral_code),
    )
    await reply(update, text, _buy_buttons(language, packs, svc.stripe is not None, with_plan))


def _buy_buttons(
    language: str, packs: list[CreditPack], with_cards: bool, with_plan: bool
) -> InlineKeyboardMarkup:
    """A Stars button per pack, then (Stripe on) a card button per pack, then the plan."""
    rows = [
        [
            button(
                t(language, "btn_pack_stars", credits=pack.total_credits, stars=pack.price_stars),
                f"buy:pack:{pack.id}",
            )
        ]
        for pack in packs
    ]
    if with_cards:
        for pack in packs:
            price = card_price(pack.stripe_price_cents, pack.stripe_currency)
            text = t(language, "btn_pack_card", credits=pack.total_credits, price=price)
            rows.append([button(text, f"buy:card:{pack.id}")])
    if with_plan:
        rows.append([button(t(language, "btn_plan"), "sub:open")])
    return keyboard(*rows)


async def on_buy_callback(update: Update, context: Context) -> None:
    """buy:open (every "get credits" button), buy:pack:<id> (Stars), buy:card:<id>."""
    action, _, pack_id = callback_data(update).removeprefix("buy:").partition(":")
    if action == "pack":
        await _send_invoice(update, context, pack_id)
    elif action == "card":
        await _send_card_link(update, context, pack_id)
    else:
        await buy(update, context)


async def _pack_on_sale(update: Update, context: Context, pack_id: str) -> CreditPack | None:
    pack = await services(context).payments.pack(pack_id)
    if pack is None or not pack.active:
        await query_of(update).answer(t(lang(update), "offer_gone"), show_alert=True)
        return None
    await query_of(update).answer()
    return pack


async def _send_invoice(update: Update, context: Context, pack_id: str) -> None:
    pack = await _pack_on_sale(update, context, pack_id)
    if pack is None:
        return
    language = lang(update)
    profile = await current_profile(update, context)
    await chat_of(update).send_invoice(
        title=t(language, "invoice_pack_title", credits=pack.total_credits),
        description=t(
            language,
            "invoice_pack_description",
            credits=pack.total_credits,
            base=pack.credits,
            bonus=pack.bonus_credits,
        ),
        payload=InvoicePayload(ProductKind.PACK, pack.id, profile.id).encode(),
        currency=STARS_CURRENCY,
        prices=[LabeledPrice(t(language, "invoice_price_label"), pack.price_stars)],
    )


async def _send_card_link(update: Update, context: Context, pack_id: str) -> None:
    stripe = services(context).stripe
    if stripe is None:
        await query_of(update).answer(t(lang(update), "offer_gone"), show_alert=True)
        return
    pack = await _pack_on_sale(update, context, pack_id)
    if pack is None:
        return
    profile = await current_profile(update, context)
    user = telegram_user(update)
    try:
        url = await stripe.checkout_pack(profile.id, user.id, pack.id, return_url(context))
    except StripeUnavailable:
        logger.exception("no Stripe checkout link for pack %s", pack.id)
        await reply(update, t(lang(update), "checkout_unavailable"))
        return
    what = t(lang(update), "checkout_pack", credits=pack.total_credits)
    await send_checkout_link(update, url, what)


def return_url(context: Context) -> str:
    """Where Stripe Checkout sends the user back: this bot's chat."""
    return f"https://t.me/{context.bot.username}"


async def send_checkout_link(update: Update, url: str, what: str) -> None:
    language = lang(update)
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(language, "btn_open_checkout"), url=url)]]
    )
    await reply(update, t(language, "checkout_link", what=what), markup)


# --- Stars payment updates ----------------------------------------------------------


async def on_pre_checkout(update: Update, context: Context) -> None:
    """Telegram waits at most 10 s for this answer: check, answer, nothing else. A refusal
    (CheckoutRefused) is answered by handlers/errors.py, in the payment form."""
    query = update.pre_checkout_query
    if query is None:
        return
    await services(context).payments.check_stars_checkout(
        query.invoice_payload, query.from_user.id, query.currency, query.total_amount
    )
    await query.answer(ok=True)


async def on_successful_payment(update: Update, context: Context) -> None:
    """Credits a pack or a plan period once per charge id; a redelivery stays silent."""
    paid = message_of(update).successful_payment
    if paid is None:
        return
    payload = InvoicePayload.parse(paid.invoice_payload)
    if payload is None:
        await _unmatched_payment(update, context, paid)
        return
    details = {
        "telegram_user_id": telegram_user(update).id,
        "provider_payment_charge_id": paid.provider_payment_charge_id,
        "invoice_payload": paid.invoice_payload,
    }
    try:
        if payload.kind is ProductKind.SUBSCRIPTION:
            notice = await _record_period(context, payload, paid, details)
        else:
            notice = await _record_pack(context, payload, paid, details)
    except (InvalidArgument, ProfileNotFound):
        # A product withdrawn from the catalogue or a profile gone since the invoice.
        await _unmatched_payment(update, context, paid)
        return
    if notice is None:
        return
    await _tell_payer(update, context, notice)
    if notice.mismatch is not None:
        svc = services(context)
        await TelegramAdminNotifier(context.bot, svc.accounts, svc.admin_ids)(notice.mismatch)


async def _unmatched_payment(update: Update, context: Context, paid: SuccessfulPayment) -> None:
    """A payment whose payload this bot did not write names nothing to credit: the user
    and the admins are told (the admins can refund the charge), and nothing is credited."""
    user = telegram_user(update)
    amount = money(Decimal(paid.total_amount), paid.currency)
    logger.warning(
        "successful payment %s of user %s (%s) with a foreign payload %r; nothing credited",
        paid.telegram_payment_charge_id,
        user.id,
        amount,
        paid.invoice_payload,
    )
    await reply(update, t(lang(update), "payment_unmatched", paid=amount))
    svc = services(context)
    notifier = TelegramAdminNotifier(context.bot, svc.accounts, svc.admin_ids)
    await notifier.tell(
        "admin_payment_unmatched",
        user=user.id,
        paid=amount,
        payload=paid.invoice_payload[:64],
        charge=paid.telegram_payment_charge_id,
    )


def _paid(
    payload: InvoicePayload, paid: SuccessfulPayment
) -> tuple[UUID, str, PaymentProvider, str, int, str]:
    """(profile, product, provider, payment id, amount, currency) as the services take them."""
    return (
        payload.profile_id,
        payload.product_id,
        STARS,
        paid.telegram_payment_charge_id,
        paid.total_amount,
        paid.currency,
    )


async def _record_pack(
    context: Context, payload: InvoicePayload, paid: SuccessfulPayment, details: dict[str, Any]
) -> PaymentNotice | None:
    purchase = await services(context).payments.purchase_pack(*_paid(payload, paid), details)
    if not purchase.credited:
        return None
    if purchase.mismatch is not None:
        return PaymentNotice.of_mismatch(purchase.mismatch, purchase.balance)
    return PaymentNotice(
        payload.profile_id, PaymentEvent.PACK_CREDITED, purchase.credits, purchase.balance
    )


async def _record_period(
    context: Context, payload: InvoicePayload, paid: SuccessfulPayment, details: dict[str, Any]
) -> PaymentNotice | None:
    """A plan's first payment starts a subscription named by its charge id; a renewal
    extends the profile's Stars subscription to the plan."""
    first = bool(paid.is_first_recurring)
    period = await services(context).subscriptions.record_payment(
        *_paid(payload, paid),
        provider_subscription_id=paid.telegram_payment_charge_id if first else None,
        period_end=paid.subscription_expiration_date,
        details=details,
    )
    if not period.credited:
        return None
    if period.mismatch is not None:
        return PaymentNotice.of_mismatch(period.mismatch, period.balance)
    event = PaymentEvent.SUBSCRIPTION_STARTED if first else PaymentEvent.SUBSCRIPTION_RENEWED
    return PaymentNotice(
        payload.profile_id, event, period.credits, period.balance, until=period.end_date
    )


async def on_refunded_payment(update: Update, context: Context) -> None:
    """Telegram refunded a Stars payment: take its credits back, once."""
    refunded = message_of(update).refunded_payment
    if refunded is None:
        return
    svc = services(context)
    payment = await svc.payments.find_by_provider_id(STARS, refunded.telegram_payment_charge_id)
    if payment is None:
        logger.warning("refund of unknown Stars charge %s", refunded.telegram_payment_charge_id)
        return
    refund = await svc.payments.refund(payment.id, "telegram refunded_payment")
    if refund.already:
        return
    await _tell_payer(update, context, services(context).payments.refund_notice(refund))


async def _tell_payer(update: Update, context: Context, notice: PaymentNotice) -> None:
    """A payment's notice in the payer's chat, with the next step."""
    language = lang(update)
    kept = await services(context).drafts.kept_order(notice.profile_id)
    markup = notice_markup(language, notice, kept_order=kept is not None)
    await reply(update, notice_text(language, notice), markup)
