"""What the user has: /balance, /profile, /referral and /history (paged)."""

from __future__ import annotations

from collections.abc import Awaitable
from uuid import UUID

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from handlers.formatting import day
from handlers.i18n import Html, mode_name
from handlers.kit import ChatContext, keyboard, private_only
from handlers.results import favourite_button, result_caption, result_keyboard
from handlers.stored_photos import send_stored_photo
from services.generation import GenerationSummary, StoredResult
from services.referrals import referral_link

HISTORY_PAGE_SIZE = 5
STATUS_ICONS = {"succeeded": "✅", "failed": "↩️", "queued": "⏳", "running": "🎨"}


@private_only
async def balance(update: Update, context: ChatContext) -> None:
    # The most frequent command costs no round trip of its own: the gate read the profile
    # and the price list's version for this update (sql/027).
    profile = await context.profile_on_arrival()
    kinds = await context.generation_types()
    prices = Html(
        "\n".join(
            context.t("price_line", cost=kind.cost_credits)
            + mode_name(context.language, kind.type_key, kind.display_name)
            for kind in kinds
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
    await _send_history_page(context, 0, favourites=False, edit=False)


async def on_history_callback(update: Update, context: ChatContext) -> None:
    """hist:page:<n>[:fav] (a page, of favourites only with "fav"), hist:show:<id>,
    hist:fav:<id>[:<1|0>] (star or unstar; without the state, flip it)."""
    _, action, value, *rest = context.data.split(":")
    if action == "page":
        await context.query.answer()
        await _send_history_page(context, max(int(value), 0), favourites=bool(rest), edit=True)
    elif action == "show":
        await _show_thumbnail(context, UUID(value))
    elif action == "fav":
        await _star(context, UUID(value), rest[0] == "1" if rest else None)


async def _send_history_page(
    context: ChatContext, page: int, *, favourites: bool, edit: bool
) -> None:
    """A page of /history (or of the favourites); `edit` turns the pressed page in place
    (a page button)."""
    me = await context.profile()
    offset = page * HISTORY_PAGE_SIZE
    generations = context.services.generations
    items, total = await generations.history(
        me.id, offset, HISTORY_PAGE_SIZE, favourites_only=favourites
    )
    if total == 0 and not favourites:
        await context.say("history_empty", keyboard([(context.t("btn_generate"), "menu:generate")]))
        return
    if not items and total > 0:  # a page past the end (things were deleted): the last one
        await _send_history_page(
            context, (total - 1) // HISTORY_PAGE_SIZE, favourites=favourites, edit=edit
        )
        return
    suffix = ":fav" if favourites else ""
    if total == 0:
        text = context.t("history_no_favourites")
    else:
        header = "history_header_favourites" if favourites else "history_header"
        lines = [context.t(header, first=offset + 1, last=offset + len(items), total=total)]
        lines += [_history_line(context, item) for item in items]
        text = Html("\n".join(lines))
    show_buttons = [
        (f"🖼 {item.number}", f"hist:show:{item.id}") for item in items if item.status == "succeeded"
    ]
    navigation = []
    if page > 0:
        navigation.append(("◀️", f"hist:page:{page - 1}{suffix}"))
    if offset + len(items) < total:
        navigation.append(("▶️", f"hist:page:{page + 1}{suffix}"))
    switch = (
        (context.t("btn_history_all"), "hist:page:0")
        if favourites
        else (context.t("btn_history_favourites"), "hist:page:0:fav")
    )
    markup = keyboard(*(row for row in (show_buttons, navigation, [switch]) if row))
    if edit:  # a press on a message the bot can edit (handlers/buttons.py checked)
        await _unless_unchanged(context.query.edit_message_text(text, reply_markup=markup))
    else:
        await context.reply(text, markup)


def _history_line(context: ChatContext, item: GenerationSummary) -> Html:
    """A generation in the list: its number, how it went, ⭐ if starred, and which one
    it edited."""
    line = context.t(
        "history_line",
        n=item.number,
        icon=STATUS_ICONS.get(item.status, "•"),
        mode=mode_name(context.language, item.mode),
        date=item.created_at.strftime("%d %b %H:%M"),
        prompt=(item.asked or "")[:40],
    )
    if item.favourite:
        line = Html(f"{line} ⭐")
    if item.parent_number is not None:
        line = Html(f"{line}\n      {context.t('history_edit_of', n=item.parent_number)}")
    return line


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
        reply_markup=_with_variants(
            context,
            result_keyboard(context.language, result.id, cost, favourite=result.favourite),
            result,
        ),
    )
    await generations.remember_result_message(result.id, shown.chat_id, shown.message_id)


def _with_variants(
    context: ChatContext, markup: InlineKeyboardMarkup, result: StoredResult
) -> InlineKeyboardMarkup:
    """A variant's buttons, and a row that shows each of its order's other variants."""
    others = [
        InlineKeyboardButton(
            f"🖼 {context.t('variant_caption', n=number)}",
            callback_data=f"hist:show:{generation_id}",
        )
        for number, generation_id in result.variants
        if generation_id != result.id
    ]
    if not others:
        return markup
    return InlineKeyboardMarkup([*markup.inline_keyboard, others])


async def _star(context: ChatContext, generation_id: UUID, wanted: bool | None) -> None:
    """⭐ under a thumbnail: stars or unstars it (the owner's, if it has a picture) and
    turns that button in place; the other buttons of the message stay as they are."""
    me = await context.profile()
    starred = await context.services.generations.set_favourite(me.id, generation_id, wanted)
    if starred is None:
        await context.alert("stale_button")
        return
    query = context.query
    await query.answer(context.t("favourite_added" if starred else "favourite_removed"))
    message = query.message
    markup = message.reply_markup if isinstance(message, Message) else None
    if markup is None:
        return
    star = f"hist:fav:{generation_id}"
    turned = favourite_button(context.language, generation_id, starred)
    rows = [
        [turned if _data_of(button).startswith(star) else button for button in row]
        for row in markup.inline_keyboard
    ]
    await _unless_unchanged(query.edit_message_reply_markup(InlineKeyboardMarkup(rows)))


def _data_of(button: InlineKeyboardButton) -> str:
    return button.callback_data if isinstance(button.callback_data, str) else ""


async def _unless_unchanged(edit: Awaitable[object]) -> None:
    """An edit of the pressed message; a double tap's second edit changes nothing
    ("message is not modified"), which is fine."""
    try:
        await edit
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise
