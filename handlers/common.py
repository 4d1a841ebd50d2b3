"""What every handler needs: the services, the user's language and profile, replies."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from handlers.i18n import language_of, t
from handlers.stored_photos import send_stored_photo
from services.accounts import Profile, TelegramUser
from services.container import Services
from services.faces import Face

Context = ContextTypes.DEFAULT_TYPE
Handler = Callable[[Update, Context], Awaitable[Any]]

SERVICES_KEY = "services"

logger = logging.getLogger(__name__)

_user_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()


def services(context: Context) -> Services:
    return context.application.bot_data[SERVICES_KEY]


def lang(update: Update) -> str:
    user = update.effective_user
    return language_of(user.language_code if user else None)


class NotThatKindOfUpdate(Exception):
    """A handler got an update without the part it was registered for (a wiring bug)."""


def query_of(update: Update) -> CallbackQuery:
    if update.callback_query is None:
        raise NotThatKindOfUpdate("no callback query")
    return update.callback_query


def callback_data(update: Update) -> str:
    data = query_of(update).data
    if data is None:
        raise NotThatKindOfUpdate("callback query without data")
    return data


def chat_of(update: Update) -> Chat:
    if update.effective_chat is None:
        raise NotThatKindOfUpdate("no chat")
    return update.effective_chat


def message_of(update: Update) -> Message:
    if update.effective_message is None:
        raise NotThatKindOfUpdate("no message")
    return update.effective_message


def telegram_user(update: Update) -> TelegramUser:
    user = update.effective_user
    if user is None:
        raise NotThatKindOfUpdate("no user")
    return TelegramUser(user.id, user.username, user.first_name, user.language_code)


async def current_profile(update: Update, context: Context) -> Profile:
    """The sender's profile, created on first contact from any entry point."""
    user = telegram_user(update)
    accounts = services(context).accounts
    profile = await accounts.find_by_telegram_id(user.id)
    if profile is None:
        profile = (await accounts.register(user)).profile
    return profile


def user_lock(user_id: int) -> asyncio.Lock:
    """One lock per user: a double tap waits for the first tap to finish."""
    lock = _user_locks.get(user_id)
    if lock is None:
        lock = asyncio.Lock()
        _user_locks[user_id] = lock
    return lock


def is_private(update: Update) -> bool:
    chat = update.effective_chat
    return chat is not None and chat.type == ChatType.PRIVATE


def keyboard(*rows: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(row) for row in rows])


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


async def reply(
    update: Update, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Answers in the chat the update came from (HTML formatting)."""
    chat = update.effective_chat
    if chat is None:
        return None
    return await chat.send_message(
        text,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        disable_web_page_preview=True,
    )


async def remove_buttons(query: CallbackQuery) -> None:
    """Takes the buttons off the pressed message. A double tap's second press finds
    them gone already ("message is not modified"), which is fine."""
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


async def send_face(
    update: Update, context: Context, face: Face, caption: str, markup: InlineKeyboardMarkup
) -> None:
    """A saved face as a photo, by its Telegram file id while that works."""
    faces = services(context).faces
    await send_stored_photo(
        chat_of(update),
        face.telegram_file_id,
        lambda: faces.load(face),
        lambda file_id: faces.remember_telegram_file(face.id, file_id),
        caption=caption,
        reply_markup=markup,
    )


async def download(update: Update, context: Context, file_id: str) -> bytes | None:
    """A file the user sent, or None (and the user asked to send it again) when Telegram
    no longer knows its id: say, a photo offered for saving before the bot moved."""
    try:
        telegram_file = await context.bot.get_file(file_id)
        return bytes(await telegram_file.download_as_bytearray())
    except BadRequest as gone:
        logger.info("file %s can no longer be downloaded: %s", file_id, gone)
        await reply(update, t(lang(update), "file_gone"))
        return None


def private_only(handler: Handler) -> Handler:
    """In a group, answer briefly and point to the private chat: balances, faces and
    generations are nobody else's business."""

    @wraps(handler)
    async def guarded(update: Update, context: Context) -> Any:
        if is_private(update):
            return await handler(update, context)
        link = f"https://t.me/{context.bot.username}?start=from_group"
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(t(lang(update), "btn_open_private"), url=link)]]
        )
        await reply(update, t(lang(update), "group_pointer"), markup)
        return None

    return guarded
