"""What the user has: /balance, /profile, /referral and /history (paged)."""

from __future__ import annotations

from uuid import UUID

from telegram import InlineKeyboardButton, Update
from telegram.constants import ParseMode

from handlers.common import (
    Context,
    button,
    callback_data,
    chat_of,
    current_profile,
    keyboard,
    lang,
    private_only,
    query_of,
    reply,
    services,
)
from handlers.i18n import Html, mode_name, t
from handlers.payments import day
from handlers.results import result_caption, result_keyboard
from handlers.stored_photos import send_stored_photo
from services.referrals import referral_link

HISTORY_PAGE_SIZE = 5
STATUS_ICONS = {"succeeded": "✅", "failed": "↩️", "queued": "⏳", "running": "🎨"}


@private_only
async def balance(update: Update, context: Context) -> None:
    language = lang(update)
    profile = await current_profile(update, context)
    prices = Html(
        "\n".join(
            t(language, "price_line", cost=kind.cost_credits)
            + mode_name(language, kind.type_key, kind.display_name)
            for kind in await services(context).catalog.generation_types()
        )
    )
    await reply(
        update,
        t(language, "balance", credits=profile.credits, prices=prices),
        keyboard(
            [button(t(language, "btn_generate"), "menu:generate")],
            [
                button(t(language, "btn_buy"), "buy:open"),
                button(t(language, "btn_referral"), "menu:referral"),
            ],
        ),
    )


@private_only
async def profile(update: Update, context: Context) -> None:
    language = lang(update)
    me = await current_profile(update, context)
    svc = services(context)
    referrer = None
    if me.referred_by_profile_id is not None:
        inviter = await svc.accounts.get(me.referred_by_profile_id)
        referrer = inviter.first_name or inviter.username
    _, made = await svc.generations.history(me.id, 0, 1)
    plan = await svc.subscriptions.current(me.id)
    await reply(
        update,
        t(
            language,
            "profile",
            name=me.first_name or me.username or "",
            credits=me.credits,
            code=me.referral_code,
            referrer=referrer or t(language, "nobody"),
            plan=t(language, "plan_active", until=day(plan.end_date))
            if plan
            else t(language, "plan_none"),
            made=made,
        ),
    )


async def referral(update: Update, context: Context) -> None:
    """Works in groups too: referral links are meant to be shared in chats."""
    language = lang(update)
    me = await current_profile(update, context)
    stats = await services(context).referrals.stats(me.id)
    bonus = await services(context).referrals.bonus()
    link = referral_link(context.bot.username or "", stats.code)
    await reply(
        update,
        t(
            language,
            "referral",
            link=link,
            bonus=bonus,
            joined=stats.joined,
            earned=stats.credits_earned,
        ),
    )


@private_only
async def history(update: Update, context: Context) -> None:
    await _send_history_page(update, context, 0, edit=False)


async def on_history_callback(update: Update, context: Context) -> None:
    query, data = query_of(update), callback_data(update)
    _, action, value = data.split(":", 2)
    if action == "page":
        await query.answer()
        await _send_history_page(update, context, max(int(value), 0), edit=True)
    elif action == "show":
        await _show_thumbnail(update, context, UUID(value))


async def _send_history_page(update: Update, context: Context, page: int, edit: bool) -> None:
    language = lang(update)
    me = await current_profile(update, context)
    offset = page * HISTORY_PAGE_SIZE
    items, total = await services(context).generations.history(me.id, offset, HISTORY_PAGE_SIZE)
    if total == 0:
        await reply(
            update,
            t(language, "history_empty"),
            keyboard([button(t(language, "btn_generate"), "menu:generate")]),
        )
        return
    lines = [t(language, "history_header", first=offset + 1, last=offset + len(items), total=total)]
    show_buttons: list[InlineKeyboardButton] = []
    for number, item in enumerate(items, start=offset + 1):
        lines.append(
            t(
                language,
                "history_line",
                n=number,
                icon=STATUS_ICONS.get(item.status, "•"),
                mode=mode_name(language, item.mode),
                date=item.created_at.strftime("%d %b %H:%M"),
                prompt=(item.asked or "")[:40],
            )
        )
        if item.status == "succeeded":
            show_buttons.append(button(f"🖼 {number}", f"hist:show:{item.id}"))
    navigation = []
    if page > 0:
        navigation.append(button("◀️", f"hist:page:{page - 1}"))
    if offset + len(items) < total:
        navigation.append(button("▶️", f"hist:page:{page + 1}"))
    markup = keyboard(*(row for row in (show_buttons, navigation) if row))
    text = "\n".join(lines)
    query = update.callback_query
    if edit and query is not None and query.message is not None:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    else:
        await reply(update, text, markup)


async def _show_thumbnail(update: Update, context: Context, generation_id: UUID) -> None:
    """A thumbnail from /history (or the "ready" message) again, with what it was made
    from and the same buttons as when it was delivered."""
    query = query_of(update)
    language = lang(update)
    me = await current_profile(update, context)
    generations = services(context).generations
    result = await generations.result(me.id, generation_id)
    if result is None:
        await query.answer(t(language, "stale_button"), show_alert=True)
        return
    await query.answer()
    cost = await services(context).catalog.cost_of(result.mode)
    await send_stored_photo(
        chat_of(update),
        result.telegram_file_id,
        lambda: generations.load_result(result),
        lambda file_id: generations.remember_telegram_file(result.id, file_id),
        caption=result_caption(language, result.mode, result.input, result.created_at),
        reply_markup=result_keyboard(language, result.id, cost),
    )
