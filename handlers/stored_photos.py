"""Showing an image the bot keeps (a saved face, a finished thumbnail) again.

A Telegram file id saves an upload, but it can stop working: a changed or migrated bot
token, a file Telegram no longer has, or a face saved from a document (whose id Telegram
refuses as a photo). Then the stored bytes are sent instead and the new photo's file id
is recorded, so the next showing is quick again."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, Message
from telegram.error import BadRequest

from handlers.kit import ChatContext
from services.faces import Face

logger = logging.getLogger(__name__)


async def send_stored_photo(
    context: ChatContext,
    file_id: str | None,
    load: Callable[[], Awaitable[bytes]],
    remember: Callable[[str], Awaitable[None]],
    *,
    caption: str | None = None,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Message:
    """Sends to the update's chat by `file_id` if it still works, else the bytes `load`
    returns, and passes the new file id to `remember`. A refused file id (a 400) sent
    nothing, so trying the bytes after it cannot make a duplicate."""
    chat = context.chat
    if file_id:
        try:
            return await chat.send_photo(file_id, caption=caption, reply_markup=reply_markup)
        except BadRequest as refused:
            logger.info("stored file id no longer works (%s); sending the stored image", refused)
    sent = await chat.send_photo(await load(), caption=caption, reply_markup=reply_markup)
    if sent.photo:
        await remember(sent.photo[-1].file_id)
    return sent


async def send_face(
    context: ChatContext, face: Face, caption: str, markup: InlineKeyboardMarkup
) -> Message:
    """A saved face as a photo, by its Telegram file id while that works."""
    faces = context.services.faces
    return await send_stored_photo(
        context,
        face.telegram_file_id,
        lambda: faces.load(face),
        lambda file_id: faces.remember_telegram_file(face.id, file_id),
        caption=caption,
        reply_markup=markup,
    )
