"""What the user has: /balance, /profile, /referral and /history (paged)."""

from __future__ import annotations

from uuid import UUID

from telegram import Update

from handlers.formatting import day
from handlers.i18n import Html, mode_name
from handlers.kit import ChatContext, keyboard, private_only
from handlers.results import result_caption, result_keyboard
from handlers.stored_photos import send_stored_photo
from services.referrals import referral_link

HISTORY_PAGE_SIZE = 5
STATUS_ICONS = {"succeeded": "✅", "failed": "↩️", "queued": "⏳", "running": "🎨"}


@private_only
async def balance(update: Update, context: ChatContext) -> None:
    profile = await context.profile()
    prices = Html(
        "\n".join(
            context.t("price_line", cost=kind.cost_credits)
            + mode_name(context.language, kind.type_key, kind.display_name)
            for kind in await context.services.catalog.generation_types()
        )
    )
    await context.say(
        "balance",
        keyboard(
            [(context.t("btn_generate"), "menu:generate")],
            [(context.t("btn_buy"), "buy:open"), (context.t("btn_referral"), "menu:referral")],
        ),
        credits=profile.credits,
        prices=prices,
    )


@private_only
async def profile(update: Update, context: ChatContext) -> None:
    me = await context.profile()
    services = context.services
    referrer = None
    if me.referred_by_profile_id is not None:
        inviter = await services.accounts.get(me.referred_by_profile_id)
        referrer = inviter.first_name or inviter.username
    _, made = await services.generations.history(me.id, 0, 1)
    plan = await services.subscriptions.current(me.id)
    await context.say(
        "profile",
        name=me.first_name or me.username or "",
        credits=me.credits,
        code=me.referral_code,
        referrer=referrer or context.t("nobody"),
        plan=context.t("plan_active", until=day(plan.end_date)) if plan else context.t("plan_none"),
        made=made,
    )


async def referral(update: Update, context: ChatContext) -> None:
    """Works in groups too: referral links are meant to be shared in chats."""
    me = await context.profile()
    referrals = context.services.referrals
    stats = await referrals.stats(me.id)
    await context.say(
        "referral",
        link=referral_link(context.bot.username or "", stats.code),
        bonus=await referrals.bonus(),
        joined=stats.joined,
        earned=stats.credits_earned,
    )


@private_only
async def history(update: Update, context: ChatContext) -> None:
    await _send_history_page(context, 0, edit=False)


async def on_history_callback(update: Update, context: ChatContext) -> None:
    _, action, value = context.data.split(":", 2)
    if action == "page":
        await context.query.answer()
        await _send_history_page(context, max(int(value), 0), edit=True)
    elif action == "show":
        await _show_thumbnail(context, UUID(value))


async def _send_history_page(context: ChatContext, page: int, edit: bool) -> None:
    """A page of /history; `edit` turns the pressed page in place (a page button)."""
    me = await context.profile()
    offset = page * HISTORY_PAGE_SIZE
    items, total = await context.services.generations.history(me.id, offset, HISTORY_PAGE_SIZE)
    if total == 0:
        await context.say("history_empty", keyboard([(context.t("btn_generate"), "menu:generate")]))
        return
    lines = [context.t("history_header", first=offset + 1, last=offset + len(items), total=total)]
    show_buttons: list[tuple[str, str]] = []
    for number, item in enumerate(items, start=offset + 1):
        lines.append(
            context.t(
                "history_line",
                n=number,
                icon=STATUS_ICONS.get(item.status, "•"),
                mode=mode_name(context.language, item.mode),
                date=item.created_at.strftime("%d %b %H:%M"),
                prompt=(item.asked or "")[:40],
            )
        )
        if item.status == "succeeded":
            show_buttons.append((f"🖼 {number}", f"hist:show:{item.id}"))
    navigation = []
    if page > 0:
        navigation.append(("◀️", f"hist:page:{page - 1}"))
    if offset + len(items) < total:
        navigation.append(("▶️", f"hist:page:{page + 1}"))
    markup = keyboard(*(row for row in (show_buttons, navigation) if row))
    text = "\n".join(lines)
    if edit:  # a press on a message the bot can edit (handlers/buttons.py checked)
        await context.query.edit_message_text(text, reply_markup=markup)
    else:
        await context.reply(text, markup)


async def _show_thumbnail(context: ChatContext, generation_id: UUID) -> None:
    """A thumbnail from /history (or the "ready" message) again, with what it was made
    from and the same buttons as when it was delivered."""
    me = await context.profile()
    generations = context.services.generations
    result = await generations.result(me.id, generation_id)
    if result is None:
        await context.alert("stale_button")
        return
    await context.query.answer()
    cost = await context.services.catalog.cost_of(result.mode)
    shown = await send_stored_photo(
        context,
        result.telegram_file_id,
        lambda: generations.load_result(result),
        lambda file_id: generations.remember_telegram_file(result.id, file_id),
        caption=result_caption(context.language, result.mode, result.input, result.created_at),
        reply_markup=result_keyboard(context.language, result.id, cost),
    )
    await generations.remember_result_message(result.id, shown.chat_id, shown.message_id)
