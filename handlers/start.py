"""First contact and the basics: /start (with referral links), /help, /terms,
/paysupport, the main menu, and a helpful answer to anything the bot doesn't know."""

from __future__ import annotations

import logging
from uuid import UUID

from telegram import InlineKeyboardMarkup, Update
from telegram.error import Forbidden

from handlers.i18n import language_of, t
from handlers.kit import ChatContext, keyboard, private_only
from services.referrals import ReferralOutcome, ReferralStatus, code_from_start_payload

logger = logging.getLogger(__name__)

REFERRAL_NOTICES = {
    ReferralStatus.APPLIED: "referral_applied_new",
    ReferralStatus.NOT_NEW_USER: "referral_not_new",
    ReferralStatus.UNKNOWN_CODE: "referral_unknown",
    ReferralStatus.SELF_REFERRAL: "referral_self",
}


def main_menu(context: ChatContext) -> InlineKeyboardMarkup:
    return keyboard(
        [(context.t("btn_generate"), "menu:generate")],
        [(context.t("btn_faces"), "menu:faces"), (context.t("btn_balance"), "menu:balance")],
        [(context.t("btn_referral"), "menu:referral"), (context.t("btn_help"), "menu:help")],
    )


@private_only
async def start(update: Update, context: ChatContext) -> None:
    """Creates the account on first contact and applies a referral link's code."""
    payload = context.args[0] if context.args else None
    registration = await context.services.accounts.register(
        context.user, code_from_start_payload(payload)
    )
    profile = registration.profile
    costs = [kind.cost_credits for kind in await context.generation_types()]
    greeting = "welcome_new" if registration.created else "welcome_back"
    await context.say(
        greeting,
        main_menu(context),
        name=profile.first_name or profile.username or "",
        credits=profile.credits,
        min_cost=min(costs, default=0),
        max_cost=max(costs, default=0),
    )
    if registration.referral is not None:
        await _explain_referral(context, registration.referral)


async def _explain_referral(context: ChatContext, outcome: ReferralOutcome) -> None:
    notice = REFERRAL_NOTICES.get(outcome.status)
    if notice is not None:
        await context.say(notice)
    referrer_id, referrer_chat = outcome.referrer_id, outcome.referrer_telegram_id
    if outcome.status is ReferralStatus.APPLIED and referrer_id and referrer_chat:
        await _thank_referrer(context, referrer_id, referrer_chat, outcome.referrer_credits)


async def _thank_referrer(
    context: ChatContext, referrer_id: UUID, chat_id: int, credits: int | None
) -> None:
    """Tells the referrer (in their language) they earned credits; a referrer who
    blocked the bot is skipped."""
    referrer = await context.services.accounts.get(referrer_id)
    stats = await context.services.referrals.stats(referrer_id)
    newcomer = context.user
    text = t(
        language_of(referrer.language_code),
        "referral_rewarded",
        name=newcomer.first_name or newcomer.username or "",
        credits=credits,
        joined=stats.joined,
    )
    try:
        await context.bot.send_message(chat_id, text)
    except Forbidden:
        logger.info("referrer %s has blocked the bot; not notified", referrer_id)


async def show_help(update: Update, context: ChatContext) -> None:
    key = "help" if context.is_private else "help_group"
    await context.say(key, bot=context.bot.username or "")


async def terms(update: Update, context: ChatContext) -> None:
    await context.say("terms")


async def paysupport(update: Update, context: ChatContext) -> None:
    await context.say("paysupport")


# Telegram's commands are at most 32 characters, plus "@botname".
MAX_ECHOED_COMMAND = 64


async def unknown_command(update: Update, context: ChatContext) -> None:
    if not context.is_private:
        return  # commands meant for other bots in a group are not ours to answer
    words = (context.message.text or "").split()
    command = words[0][:MAX_ECHOED_COMMAND] if words else ""
    await context.say("unknown_command", command=command)


async def stray_message(update: Update, context: ChatContext) -> None:
    """Anything the bot can't use (voice, video, location...) gets a pointer, not silence."""
    if not context.is_private:
        return
    await context.say("stray_message", keyboard([(context.t("btn_generate"), "menu:generate")]))
