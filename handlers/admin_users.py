"""Admin commands about one user (ADMIN_IDS only): /user <telegram id | @username |
referral code> shows their card with buttons to grant, revoke, ban or unban; /ban <user>
<reason…> and /unban <user>.

A card's buttons carry no free amounts: +10, +50 and -10 ask first, then go through the
same path as /grant and /revoke (handlers/admin.py adjust_credits, the ledger and the
audit) with a standard reason; the question shows the /grant line to copy for another
reason or amount. Ban and unban buttons ask first too. A confirmation is taken once: its
buttons are removed before it acts, so a double tap does not grant twice."""

from __future__ import annotations

import html
from textwrap import shorten

from telegram import InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from handlers.admin import adjust_credits, admin_button, admin_only
from handlers.formatting import day, money
from handlers.i18n import Html
from handlers.kit import ChatContext, keyboard
from services.accounts import Profile
from services.admin_users import AdminUserService, UserCard
from services.bans import BanService

#: The card's grant and revoke buttons.
QUICK_AMOUNTS = (10, 50, -10)
#: A ledger note is cut to this on the card, so ten of them fit in one message.
NOTE_CHARS = 80


def _users(context: ChatContext) -> AdminUserService:
    services = context.services
    return AdminUserService(
        services.db, services.credits, services.referrals, services.subscriptions
    )


def _who(profile: Profile) -> str:
    name = profile.first_name or (f"@{profile.username}" if profile.username else "?")
    return f"{name} ({profile.telegram_id})"


async def _find(context: ChatContext, who: str) -> Profile | None:
    """The user an argument names, or None (and the admin told so)."""
    profile = await _users(context).find(who)
    if profile is None:
        await context.say("admin_no_such_user", who=who)
    return profile


@admin_only
async def user(update: Update, context: ChatContext) -> None:
    args = context.args or []
    if len(args) != 1:
        await context.say("admin_usage_user")
        return
    profile = await _find(context, args[0])
    if profile is not None:
        card = await _users(context).card(profile)
        await context.reply(_card_text(context, card), _card_buttons(context, profile))


def _card_text(context: ChatContext, card: UserCard) -> Html:
    profile, none = card.profile, context.t("admin_card_none")
    if profile.is_banned:
        status = context.t(
            "admin_card_banned", since=day(card.banned_at), reason=card.ban_reason or ""
        )
    else:
        status = context.t("admin_card_not_banned")
    plan = none
    if card.subscription is not None:
        plan = context.t(
            "admin_card_plan", plan=card.subscription.plan_name, end=day(card.subscription.end_date)
        )
    ledger = [
        f"{day(e.created_at)} {e.delta:+d} → {e.balance_after} {e.reason}"
        + (f" · {shorten(e.note, NOTE_CHARS, placeholder='…')}" if e.note else "")
        for e in card.ledger
    ]
    payments = [
        f"{day(p.created_at)} {money(p.amount, p.currency or '')} {p.provider}"
        f" +{p.credits_added}" + (" ↩️" if p.refunded else "")
        for p in card.payments
    ]
    generations = [
        f"{day(g.created_at)} {g.mode} {g.status} {g.credit_cost}" for g in card.generations
    ]
    return context.t(
        "admin_user_card",
        name=profile.first_name or "?",
        telegram_id=str(profile.telegram_id),
        username=f"@{profile.username}" if profile.username else none,
        credits=profile.credits,
        lang=profile.language_code or none,
        joined=day(profile.created_at),
        status=status,
        referrer=_who(card.referrer) if card.referrer else none,
        invited=card.referrals.joined,
        earned=card.referrals.credits_earned,
        code=profile.referral_code,
        plan=plan,
        ledger_rows=len(card.ledger),
        ledger=_lines(ledger) or none,
        payments=_lines(payments) or none,
        generations=_lines(generations) or none,
    )


def _lines(lines: list[str]) -> Html:
    """Data lines (notes are an admin's words) as escaped HTML."""
    return Html("\n".join(html.escape(line) for line in lines))


def _card_buttons(context: ChatContext, profile: Profile) -> InlineKeyboardMarkup | None:
    telegram_id = profile.telegram_id
    if telegram_id is None:
        return None
    adjust = [(f"{amount:+d}", f"au:ask:adj:{telegram_id}:{amount:+d}") for amount in QUICK_AMOUNTS]
    if profile.is_banned:
        ban = (context.t("btn_admin_unban"), f"au:ask:unban:{telegram_id}")
    else:
        ban = (context.t("btn_admin_ban"), f"au:ask:ban:{telegram_id}")
    return keyboard(adjust, [ban])


@admin_only
async def ban(update: Update, context: ChatContext) -> None:
    args = context.args or []
    reason = " ".join(args[1:]).strip()
    if len(args) < 2 or not reason:
        await context.say("admin_usage_ban")
        return
    profile = await _find(context, args[0])
    if profile is not None:
        await _ban(context, profile, reason)


@admin_only
async def unban(update: Update, context: ChatContext) -> None:
    args = context.args or []
    if len(args) != 1:
        await context.say("admin_usage_unban")
        return
    profile = await _find(context, args[0])
    if profile is not None:
        await _unban(context, profile)


async def _ban(context: ChatContext, profile: Profile, reason: str) -> None:
    if profile.telegram_id in context.services.admin_ids:
        await context.say("admin_ban_admin")
        return
    result = await BanService(context.services.db).ban(profile.id, reason, context.user.id)
    if result.was_banned:
        await context.say("admin_banned_again", user=_who(profile))
        return
    await context.say(
        "admin_banned",
        user=_who(profile),
        jobs=result.refunded_generations,
        credits=result.refunded_credits,
    )


async def _unban(context: ChatContext, profile: Profile) -> None:
    was_banned = await BanService(context.services.db).unban(profile.id, context.user.id)
    await context.say(
        "admin_unbanned" if was_banned else "admin_was_not_banned", user=_who(profile)
    )


# --- the card's buttons: "au:ask:<action>" asks, "au:do:<action>" acts, "au:no" cancels ---


@admin_button
async def on_button(update: Update, context: ChatContext) -> None:
    step, _, action = context.data.removeprefix("au:").partition(":")
    if step == "no":
        await context.query.answer()
        await context.remove_buttons()
        await context.say("admin_cancelled")
        return
    kind, _, rest = action.partition(":")
    telegram_id, _, amount = rest.partition(":")
    profile = await context.services.accounts.find_by_telegram_id(int(telegram_id))
    if profile is None:
        await context.alert("admin_no_such_user", who=telegram_id)
        return
    if step == "ask":
        await context.query.answer()
        await _ask(context, profile, kind, int(amount) if amount else 0)
        return
    async with context.user_lock():
        if not await _take_confirmation(context):
            return
        reason = context.t("admin_button_reason")
        if kind == "adj":
            await adjust_credits(context, int(telegram_id), int(amount), reason)
        elif kind == "ban":
            await _ban(context, profile, reason)
        else:
            await _unban(context, profile)


async def _ask(context: ChatContext, profile: Profile, kind: str, amount: int) -> None:
    action = f"{kind}:{profile.telegram_id}" + (f":{amount:+d}" if kind == "adj" else "")
    buttons = keyboard(
        [(context.t("btn_admin_confirm"), f"au:do:{action}"), (context.t("btn_cancel"), "au:no")]
    )
    common = {"user": _who(profile), "telegram_id": str(profile.telegram_id)}
    reason = context.t("admin_button_reason")
    if kind == "adj":
        await context.say(
            "admin_confirm_adjust",
            buttons,
            delta=f"{amount:+d}",
            credits=profile.credits,
            reason=reason,
            command="grant" if amount > 0 else "revoke",
            amount=abs(amount),
            **common,
        )
    elif kind == "ban":
        await context.say("admin_confirm_ban", buttons, reason=reason, **common)
    else:
        await context.say("admin_confirm_unban", buttons, **common)


async def _take_confirmation(context: ChatContext) -> bool:
    """Removes the pressed confirmation's buttons; False if a press before this one
    already did (a double tap), which then does nothing."""
    try:
        await context.query.edit_message_reply_markup(None)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise
        await context.query.answer()
        return False
    await context.query.answer()
    return True
