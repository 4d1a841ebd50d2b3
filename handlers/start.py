"""First contact and the basics: /start (with referral links), /help, /terms,
/paysupport, the main menu, and a helpful answer to anything the bot doesn't know."""

from __future__ import annotations

import logging
from uuid import UUID

from telegram import InlineKeyboardMarkup, Update
from telegram.error import Forbidden

from handlers.common import (
    Context,
    button,
    is_private,
    keyboard,
    lang,
    private_only,
    reply,
    services,
    telegram_user,
)
from handlers.i18n import language_of, t
from services.referrals import ReferralOutcome, ReferralStatus, code_from_start_payload

logger = logging.getLogger(__name__)

REFERRAL_NOTICES = {
    ReferralStatus.APPLIED: "referral_applied_new",
    ReferralStatus.NOT_NEW_USER: "referral_not_new",
    ReferralStatus.UNKNOWN_CODE: "referral_unknown",
    ReferralStatus.SELF_REFERRAL: "referral_self",
}


def main_menu(language: str) -> InlineKeyboardMarkup:
    return keyboard(
        [button(t(language, "btn_generate"), "menu:generate")],
        [
            button(t(language, "btn_faces"), "menu:faces"),
            button(t(language, "btn_balance"), "menu:balance"),
        ],
        [
            button(t(language, "btn_referral"), "menu:referral"),
            button(t(language, "btn_help"), "menu:help"),
        ],
    )


@private_only
async def start(update: Update, context: Context) -> None:
    """Creates the account on first contact and applies a referral link's code."""
    payload = context.args[0] if context.args else None
    registration = await services(context).accounts.register(
        telegram_user(update), code_from_start_payload(payload)
    )
    language = lang(update)
    profile = registration.profile
    costs = [kind.cost_credits for kind in await services(context).catalog.generation_types()]
    greeting = "welcome_new" if registration.created else "welcome_back"
    await reply(
        update,
        t(
            language,
            greeting,
            name=profile.first_name or profile.username or "",
            credits=profile.credits,
            min_cost=min(costs, default=0),
            max_cost=max(costs, default=0),
        ),
        main_menu(language),
    )
    if registration.referral is not None:
        await _explain_referral(update, context, registration.referral)


async def _explain_referral(update: Update, context: Context, outcome: ReferralOutcome) -> None:
    notice = REFERRAL_NOTICES.get(outcome.status)
    if notice is not None:
        await reply(update, t(lang(update), notice))
    referrer_id, referrer_chat = outcome.referrer_id, outcome.referrer_telegram_id
    if outcome.status is ReferralStatus.APPLIED and referrer_id and referrer_chat:
        await _thank_referrer(update, context, referrer_id, referrer_chat, outcome.referrer_credits)


async def _thank_referrer(
    update: Update, context: Context, referrer_id: UUID, chat_id: int, credits: int | None
) -> None:
    """Tells the referrer they earned credits; a referrer who blocked the bot is skipped."""
    referrer = await services(context).accounts.get(referrer_id)
    stats = await services(context).referrals.stats(referrer_id)
    newcomer = telegram_user(update)
    text = t(
        language_of(referrer.language_code),
        "referral_rewarded",
        name=newcomer.first_name or newcomer.username or "",
        credits=credits,
        joined=stats.joined,
    )
    try:
        await context.bot.send_message(chat_id, text, parse_mode="HTML")
    except Forbidden:
        logger.info("referrer %s has blocked the bot; not notified", referrer_id)


async def show_help(update: Update, context: Context) -> None:
    key = "help" if is_private(update) else "help_group"
    await reply(update, t(lang(update), key, bot=context.bot.username or ""))


async def terms(update: Update, context: Context) -> None:
    await reply(update, t(lang(update), "terms"))


async def paysupport(update: Update, context: Context) -> None:
    await reply(update, t(lang(update), "paysupport"))


# Telegram's commands are at most 32 characters, plus "@botname".
MAX_ECHOED_COMMAND = 64


async def unknown_command(update: Update, context: Context) -> None:
    if not is_private(update):
        return  # commands meant for other bots in a group are not ours to answer
    message = update.effective_message
    words = (message.text or "").split() if message else []
    command = words[0][:MAX_ECHOED_COMMAND] if words else ""
    await reply(update, t(lang(update), "unknown_command", command=command))


async def stray_message(update: Update, context: Context) -> None:
    """Anything the bot can't use (voice, video, location...) gets a pointer, not silence."""
    if not is_private(update):
        return
    language = lang(update)
    await reply(
        update,
        t(language, "stray_message"),
        keyboard([button(t(language, "btn_generate"), "menu:generate")]),
    )
