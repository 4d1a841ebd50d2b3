"""Stripe Checkout links (only when Stripe is configured), for a pack from /buy and for
the plan from /subscription; Stripe's webhook credits what they sell."""

from __future__ import annotations

from collections.abc import Awaitable

from telegram import InlineKeyboardButton

from handlers.kit import ChatContext, keyboard


def return_url(context: ChatContext) -> str:
    """Where Stripe Checkout sends the user back: this bot's chat."""
    return f"https://t.me/{context.bot.username}"


async def send_card_link(context: ChatContext, checkout: Awaitable[str], what: str) -> None:
    """The Checkout link `checkout` makes, as a button. When Stripe refuses or cannot be
    reached, StripeUnavailable tells the user to pay with Stars or try later."""
    url = await checkout
    button = InlineKeyboardButton(context.t("btn_open_checkout"), url=url)
    await context.say("checkout_link", keyboard([button]), what=what)
