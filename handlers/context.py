"""The context every handler gets (python-telegram-bot's `ContextTypes`): the services,
the update it serves, its user's language and profile, and replies in their chat.

So a handler reads `context.services`, `context.t("key")`, `await context.profile()` and
`await context.reply(...)` instead of importing a dozen helpers. The parse mode (HTML)
and link previews (off) are the application's `Defaults` (bot/telegram_app.py), so no
call passes them.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram import CallbackQuery, Chat, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackContext, ExtBot

from handlers.i18n import Html, language_of, t
from services.accounts import Arrival, Profile, TelegramUser
from services.catalog import GenerationType
from services.container import Services

SERVICES_KEY = "services"

logger = logging.getLogger(__name__)

_user_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
#: Blocks under a user lock that run at once in this process; each holds one database
#: connection throughout, so this stays well below the pool's size (bot/runtime.py).


class NotThatKindOfUpdate(Exception):
    """A handler got an update without the part it was registered for (a wiring bug)."""


class ChatContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """A CallbackContext that knows its update (for handlers and the error handler)."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id, user_id)
        self._update: Update | None = None
        #: What the gate read for this update (handlers/gate.py); None before it ran.
        self.arrival: Arrival | None = None

    @classmethod
    def from_update(
        cls, update: object, application: Application[Any, Any, Any, Any, Any, Any]
    ) -> ChatContext:
        context = super().from_update(update, application)
        if isinstance(update, Update):
            context._update = update
        return context

    # --- what the update is -----------------------------------------------------------

    @property
    def received(self) -> Update:
        """The update this context serves (CallbackContext's own `update` is a method)."""
        if self._update is None:
            raise NotThatKindOfUpdate("no update (a job's context)")
        return self._update

    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data[SERVICES_KEY]
        return services

    @property
    def language(self) -> str:
        user = self._update.effective_user if self._update is not None else None
        return language_of(user.language_code if user else None)

    def t(self, key: str, **params: object) -> Html:
        """A catalog text in the user's language."""
        return t(self.language, key, **params)

    @property
    def chat(self) -> Chat:
        chat = self.received.effective_chat
        if chat is None:
            raise NotThatKindOfUpdate("no chat")
        return chat

    @property
    def is_private(self) -> bool:
        chat = self._update.effective_chat if self._update is not None else None
        return chat is not None and chat.type == Chat.PRIVATE

    @property
    def message(self) -> Message:
        message = self.received.effective_message
        if message is None:
            raise NotThatKindOfUpdate("no message")
        return message

    @property
    def query(self) -> CallbackQuery:
        query = self.received.callback_query
        if query is None:
            raise NotThatKindOfUpdate("no callback query")
        return query

    @property
    def data(self) -> str:
        """The pressed button's data (its shape is checked by handlers/buttons.py)."""
        data = self.query.data
        if data is None:
            raise NotThatKindOfUpdate("callback query without data")
        return data

    @property
    def user(self) -> TelegramUser:
        user = self.received.effective_user
        if user is None:
            raise NotThatKindOfUpdate("no user")
        return TelegramUser(user.id, user.username, user.first_name, user.language_code)

    async def profile(self) -> Profile:
        """The sender's profile (read now), created on first contact from any entry point."""
        user = self.user
        accounts = self.services.accounts
        profile = await accounts.find_by_telegram_id(user.id)
        if profile is None:
            profile = (await accounts.register(user)).profile
        return profile

    async def profile_on_arrival(self) -> Profile:
        """The sender's profile as this update found it: the gate's read, so no further
        round trip. For handlers that show it before changing anything; a handler that
        shows a balance after moving credits reads `profile()`."""
        if self.arrival is not None and self.arrival.profile is not None:
            return self.arrival.profile
        return await self.profile()

    async def generation_types(self) -> list[GenerationType]:
        """The modes on offer, from this process's copy while it is the version the gate
        read for this update (services/catalog.py)."""
        version = self.arrival.catalog_version if self.arrival is not None else None
        return await self.services.catalog.generation_types(as_of=version)

    # --- answering --------------------------------------------------------------------

    async def reply(self, text: str, markup: InlineKeyboardMarkup | None = None) -> Message:
        """A message in the chat the update came from."""
        return await self.chat.send_message(text, reply_markup=markup)

    async def say(
        self, key: str, markup: InlineKeyboardMarkup | None = None, /, **params: object
    ) -> Message:
        """`reply` with a catalog text."""
        return await self.reply(self.t(key, **params), markup)

    async def alert(self, key: str, **params: object) -> None:
        """Answers the pressed button with a pop-up the user must close."""
        await self.query.answer(self.t(key, **params), show_alert=True)

    async def remove_buttons(self) -> None:
        """Takes the buttons off the pressed message. A double tap's second press finds
        them gone already ("message is not modified"), which is fine."""
        try:
            await self.query.edit_message_reply_markup(None)
        except BadRequest as error:
            if "not modified" not in error.message.lower():
                raise

    async def download(self, file_id: str) -> bytes | None:
        """A file the user sent, or None (and the user asked to send it again) when
        Telegram no longer knows its id: say, a photo offered before the bot moved."""
        try:
            telegram_file = await self.bot.get_file(file_id)
            return bytes(await telegram_file.download_as_bytearray())
        except BadRequest as gone:
            logger.info("file %s can no longer be downloaded: %s", file_id, gone)
            await self.say("file_gone")
            return None

    @asynccontextmanager
    async def user_lock(self) -> AsyncIterator[None]:
        """One user at a time across every bot process: a double tap waits for the first
        tap to finish, whichever processes the two landed on (services/user_locks.py).
        Taps in this process queue on an asyncio lock first, so only one of them polls."""
        user_id = self.user.id
        local = _user_locks.get(user_id)
        if local is None:
            local = _user_locks[user_id] = asyncio.Lock()
        async with local, self.services.user_locks.holding(user_id):
            yield


#: The application as this bot builds it (bot/telegram_app.py): handlers and jobs get a
#: ChatContext.
TelegramApp = Application[Any, ChatContext, Any, Any, Any, Any]
