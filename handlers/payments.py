"""/buy and every "get credits" button. Credit packs and the subscription (Telegram
Stars, optional Stripe) plug in here; until then it shows the free way to earn credits."""

from __future__ import annotations

from telegram import Update

from handlers.common import Context, current_profile, lang, private_only, reply, services
from handlers.i18n import t
from services.referrals import referral_link


@private_only
async def buy(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer()
    profile = await current_profile(update, context)
    bonus = await services(context).db.fetch_value(
        "SELECT credits FROM credit_rules WHERE rule = 'referral_bonus'"
    )
    link = referral_link(context.bot.username or "", profile.referral_code)
    await reply(
        update, t(lang(update), "buy_options", credits=profile.credits, bonus=bonus or 0, link=link)
    )
