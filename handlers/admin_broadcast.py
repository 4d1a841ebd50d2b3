"""/broadcast and /broadcast_stop (ADMIN_IDS only): compose a message, see it exactly as
users will, pick the audience, confirm; services/broadcasts.py keeps it in PostgreSQL and
bot/broadcaster.py sends it.

The composer's step lives in the draft row, so the admin's next text or photo belongs to
it: `compose` runs in handler group -1 (handlers/__init__.py), before /generate's
`on_text` and the faces' `on_photo` in group 0, and ends the update there when it took
the message. It is a no-op for anyone not composing (non-admins cost no query).
"""

from __future__ import annotations

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ApplicationHandlerStop

from handlers.admin import admin_only
from handlers.errors import tell
from handlers.i18n import CATALOGS, DEFAULT_LANGUAGE, Html, t
from handlers.kit import ChatContext, keyboard, private_only
from services.broadcasts import Broadcast, BroadcastService, Tally, parse_button
from services.errors import UserFacingError

LANGUAGES = sorted(CATALOGS)


def broadcasts(context: ChatContext) -> BroadcastService:
    services = context.services
    return BroadcastService(services.db, services.audit)


# --- what users get, and what the admin sees ----------------------------------------------


def link_button(broadcast: Broadcast) -> InlineKeyboardMarkup | None:
    if broadcast.button_text is None or broadcast.button_url is None:
        return None
    return keyboard([InlineKeyboardButton(broadcast.button_text, url=broadcast.button_url)])


async def send_broadcast(bot: Bot, chat_id: int, broadcast: Broadcast) -> Message:
    """The broadcast message itself: the preview and every user's copy are this call."""
    assert broadcast.text_html is not None
    markup = link_button(broadcast)
    if broadcast.photo_file_id is not None:
        return await bot.send_photo(
            chat_id, broadcast.photo_file_id, caption=broadcast.text_html, reply_markup=markup
        )
    return await bot.send_message(chat_id, broadcast.text_html, reply_markup=markup)


def audience_name(language: str, audience: str) -> Html:
    if audience.startswith("lang:"):
        return t(language, "audience_language", code=audience.removeprefix("lang:"))
    return t(language, f"audience_{audience}")


def progress_text(broadcast: Broadcast, tally: Tally) -> Html:
    """The admin's progress message: counts while it runs, the outcome once it ended."""
    language = broadcast.composer_language
    counts = {
        "id": broadcast.id,
        "total": tally.total,
        "done": tally.done,
        "sent": tally.sent,
        "blocked": tally.blocked,
        "failed": tally.failed,
        "pending": tally.pending,
    }
    if broadcast.status == "running":
        return t(language, "broadcast_progress", **counts)
    text = t(language, f"broadcast_{broadcast.status}_report", **counts)
    if tally.sending:
        text = Html(text + "\n" + t(language, "broadcast_unconfirmed", count=tally.sending))
    return text


# --- composing ----------------------------------------------------------------------------


async def start_composer(context: ChatContext) -> None:
    """A new draft and the first question (also the /admin menu's "adm:broadcast")."""
    draft = await broadcasts(context).new_draft(context.user.id, context.language)
    await context.say("broadcast_ask_text", _cancel_button(context, draft))


@admin_only
@private_only
async def broadcast(update: Update, context: ChatContext) -> None:
    await start_composer(context)


async def compose(update: Update, context: ChatContext) -> None:
    """Group -1: an admin's text or photo while a draft waits for one."""
    if update.effective_user is None or update.effective_user.id not in context.services.admin_ids:
        return
    service = broadcasts(context)
    draft = await service.draft_of(context.user.id)
    if draft is None or draft.step == "audience":
        return
    try:
        await _take(context, service, draft)
    except UserFacingError as refusal:  # told here: the update must stop in this group
        await tell(context, refusal.text_key, **refusal.params)
    raise ApplicationHandlerStop


async def _take(context: ChatContext, service: BroadcastService, draft: Broadcast) -> None:
    message = context.message
    if draft.step == "text":
        if message.photo:
            await service.set_text(draft, message.caption_html or "", message.photo[-1].file_id)
        else:
            await service.set_text(draft, message.text_html or "", None)
        await context.say(
            "broadcast_ask_button",
            keyboard(
                [(context.t("btn_broadcast_skip"), f"bc:skip:{draft.id}")],
                [(context.t("btn_broadcast_cancel"), f"bc:cancel:{draft.id}")],
            ),
        )
        return
    button = parse_button(message.text or "")
    await _preview(context, await service.set_button(draft, button))


async def _preview(context: ChatContext, draft: Broadcast) -> None:
    """The message exactly as users get it, then the audiences with their counts."""
    await send_broadcast(context.bot, context.chat.id, draft)
    counts = await broadcasts(context).audience_counts(LANGUAGES, DEFAULT_LANGUAGE)
    rows: list[list[tuple[str, str]]] = [
        [(context.t("btn_audience_all", count=counts.everyone), f"bc:aud:{draft.id}:all")],
        [(context.t("btn_audience_active", count=counts.active), f"bc:aud:{draft.id}:active")],
        [(context.t("btn_audience_paying", count=counts.paying), f"bc:aud:{draft.id}:paying")],
        [
            (
                context.t("btn_audience_language", code=code, count=count),
                f"bc:aud:{draft.id}:lang:{code}",
            )
            for code, count in counts.languages.items()
        ],
        [(context.t("btn_broadcast_cancel"), f"bc:cancel:{draft.id}")],
    ]
    await context.say("broadcast_pick_audience", keyboard(*rows))


def _cancel_button(context: ChatContext, draft: Broadcast) -> InlineKeyboardMarkup:
    return keyboard([(context.t("btn_broadcast_cancel"), f"bc:cancel:{draft.id}")])


@admin_only
async def on_callback(update: Update, context: ChatContext) -> None:
    """bc:skip|cancel|resume:<id>, bc:aud|go:<id>:<audience>."""
    _, action, rest = context.data.split(":", 2)
    broadcast_id, _, audience = rest.partition(":")
    service = broadcasts(context)
    admin = context.user.id
    if action == "resume":
        await _resume(context, service, int(broadcast_id))
        return
    draft = await service.get(int(broadcast_id))
    if draft is None or draft.status != "draft" or draft.composer_telegram_id != admin:
        await context.alert("broadcast_gone")
        return
    if action == "cancel":
        await service.discard(draft.id, admin)
        await context.remove_buttons()
        await context.say("broadcast_cancelled")
    elif action == "skip":
        await context.remove_buttons()
        await _preview(context, await service.set_button(draft, None))
    elif action == "aud":
        await _confirm(context, draft, audience)
    else:
        await _go(context, service, draft, audience)


async def _confirm(context: ChatContext, draft: Broadcast, audience: str) -> None:
    counts = await broadcasts(context).audience_counts(LANGUAGES, DEFAULT_LANGUAGE)
    count = {"all": counts.everyone, "active": counts.active, "paying": counts.paying}.get(
        audience, counts.languages.get(audience.removeprefix("lang:"), 0)
    )
    text = context.t(
        "broadcast_confirm",
        id=draft.id,
        count=count,
        audience=audience_name(context.language, audience),
    )
    await context.query.edit_message_text(
        text,
        reply_markup=keyboard(
            [(context.t("btn_broadcast_send"), f"bc:go:{draft.id}:{audience}")],
            [(context.t("btn_broadcast_cancel"), f"bc:cancel:{draft.id}")],
        ),
    )


async def _go(
    context: ChatContext, service: BroadcastService, draft: Broadcast, audience: str
) -> None:
    """Confirmed: the confirmation message becomes the progress message."""
    message = context.message
    total = await service.start(
        draft.id,
        context.user.id,
        audience,
        LANGUAGES,
        DEFAULT_LANGUAGE,
        (message.chat.id, message.message_id),
    )
    if total is None:
        await context.alert("broadcast_gone")
        return
    started = await service.get(draft.id)
    assert started is not None
    await context.query.edit_message_text(progress_text(started, Tally(total=total, pending=total)))


@admin_only
async def stop(update: Update, context: ChatContext) -> None:
    service = broadcasts(context)
    stopped = await service.stop(context.user.id)
    if not stopped:
        await context.say("broadcast_none_running")
    for broadcast in stopped:
        tally = await service.tally(broadcast.id)
        await context.say(
            "broadcast_stopped",
            keyboard([(context.t("btn_broadcast_resume"), f"bc:resume:{broadcast.id}")]),
            id=broadcast.id,
            sent=tally.sent,
            pending=tally.pending,
        )


async def _resume(context: ChatContext, service: BroadcastService, broadcast_id: int) -> None:
    if not await service.resume(broadcast_id, context.user.id):
        await context.alert("broadcast_gone")
        return
    await context.remove_buttons()
    await context.say("broadcast_resumed", id=broadcast_id)
