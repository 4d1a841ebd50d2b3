"""The in-memory Telegram world: bots, users, chats, messages, files and payments.

Everything lives on one asyncio loop and every mutation is synchronous, so there are no
locks: a handler reads its arguments (the only await), then changes state in one go.
Given a data directory the world is persistent: it is replayed from its journal at
start and journals every change (see persistence.py); without one nothing touches disk.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path
from typing import Any

from sandbox.accounts import BotAccount, ChatInfo, UserAccount
from sandbox.chatlog import ChatLog, StoredMessage
from sandbox.errors import bad_request, forbidden, unauthorized
from sandbox.files import FileStore
from sandbox.flood import FloodControl, FloodLimits
from sandbox.payments import PaymentLedger
from sandbox.persistence import Journal
from sandbox.queries import QueryBook
from sandbox.updates import UpdateQueue

TOKEN_PATTERN = re.compile(r"^(\d{1,20}):[A-Za-z0-9_-]{1,100}$")


class World:
    """All sandbox state plus the rules about who may message whom."""

    def __init__(
        self,
        *,
        flood_limits: FloodLimits | None = None,
        auto_register_bots: bool = False,
        data_dir: Path | None = None,
    ) -> None:
        self.auto_register_bots = auto_register_bots
        self.journal = Journal(data_dir, self) if data_dir is not None else None
        self.bots: dict[str, BotAccount] = {}
        self.users: dict[int, UserAccount] = {}
        self.groups: dict[int, ChatInfo] = {}
        self.logs: dict[tuple[int, int], ChatLog] = {}
        self.files = FileStore(self.journal)
        self.flood = FloodControl(flood_limits)
        self.queries = QueryBook()
        self.payments = PaymentLedger(self.journal)
        self.time_offset = 0
        self.next_bot_id = 7_000_000_001
        self.next_user_id = 100_000_001
        self.next_group_id = 1_000_000_001
        if self.journal is not None:
            self.journal.load()

    def now(self) -> int:
        """Unix time as seen by the sandbox (shifted by :attr:`time_offset`)."""
        return int(time.time()) + self.time_offset

    # --- persistence ----------------------------------------------------------------

    def commit(self, bot: BotAccount | None = None) -> None:
        """Write the journal now (the end of an API call, before its answer leaves),
        with *bot*'s settings, which methods change in place."""
        if self.journal is None:
            return
        if bot is not None:
            self.journal.bot(bot)
        self.journal.flush()

    def close(self) -> None:
        """Finish the journal and release the data directory."""
        if self.journal is not None:
            self.journal.close()

    # --- accounts -------------------------------------------------------------------

    def register_bot(
        self,
        *,
        token: str | None = None,
        username: str | None = None,
        first_name: str | None = None,
        privacy_mode: bool = True,
    ) -> BotAccount:
        """Create a bot; a given *token* must look like ``<digits>:<secret>``.

        A persistent world already knowing a bot of that username returns it (with the
        given name and privacy mode), so the bot keeps its token across restarts.
        """
        known = self._persisted_bot(username, token)
        if known is not None:
            known.first_name = first_name or known.first_name
            known.privacy_mode = privacy_mode
            self._bot_changed(known)
            return known
        if token is None:
            bot_id = self.next_bot_id
            self.next_bot_id += 1
            token = f"{bot_id}:AA{secrets.token_urlsafe(24)}"
        else:
            match = TOKEN_PATTERN.match(token)
            if match is None:
                raise ValueError(f"malformed bot token {token!r}")
            bot_id = int(match.group(1))
        if token in self.bots:
            raise ValueError("a bot with this token is already registered")
        username = username or f"sandbox_{bot_id}_bot"
        bot = BotAccount(
            id=bot_id,
            token=token,
            username=username,
            first_name=first_name or username.removesuffix("_bot").replace("_", " ").title(),
            privacy_mode=privacy_mode,
            updates=UpdateQueue(journal=self.journal, owner=token),
        )
        self.bots[token] = bot
        self._bot_changed(bot)
        return bot

    def _persisted_bot(self, username: str | None, token: str | None) -> BotAccount | None:
        """The bot a persistent world has under *username*, if *token* allows it."""
        if self.journal is None or username is None:
            return None
        known = next((b for b in self.bots.values() if b.username == username), None)
        if known is not None and token not in (None, known.token):
            raise ValueError(f"@{username} is already the username of another bot token")
        return known

    def _bot_changed(self, bot: BotAccount) -> None:
        if self.journal is not None:
            self.journal.bot(bot)

    def authenticate(self, token: str) -> BotAccount:
        """The bot owning *token*, auto-registered if enabled; 401 otherwise."""
        bot = self.bots.get(token)
        if bot is not None:
            return bot
        if self.auto_register_bots and TOKEN_PATTERN.match(token):
            return self.register_bot(token=token)
        raise unauthorized()

    def add_user(self, user_id: int | None = None, **profile: Any) -> UserAccount:
        """Create a user, or update the profile of an existing one."""
        if user_id is None:
            user_id = self.next_user_id
            self.next_user_id += 1
        user = self.users.get(user_id)
        if user is None:
            user = self.users[user_id] = UserAccount(id=user_id, **profile)
        else:
            for key, value in profile.items():
                setattr(user, key, value)
        if self.journal is not None:
            self.journal.user(user)
        return user

    def add_group(
        self,
        chat_id: int | None = None,
        title: str = "Sandbox group",
        *,
        chat_type: str | None = None,
        username: str | None = None,
    ) -> ChatInfo:
        """Create a group; ids starting with -100 are supergroups, like Telegram's."""
        if chat_id is None:
            chat_id = -(1_000_000_000_000 + self.next_group_id)
            self.next_group_id += 1
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        if chat_type is None:
            chat_type = "supergroup" if str(chat_id).startswith("-100") else "group"
        chat = ChatInfo(id=chat_id, type=chat_type, title=title, username=username)
        self.groups[chat_id] = chat
        if self.journal is not None:
            self.journal.group(chat)
        return chat

    def forget_history(self) -> None:
        """Forgets what only looking back needs (bot-side events already recorded,
        answered queries), so a long fuzz or benchmark run keeps flat memory. Messages,
        files and open queries stay."""
        for log in self.logs.values():
            log.forget_events()
        self.queries.forget_answered()

    # --- chats ----------------------------------------------------------------------

    def chat(self, chat_id: int) -> ChatInfo | None:
        if chat_id in self.groups:
            return self.groups[chat_id]
        user = self.users.get(chat_id)
        return ChatInfo.private(user) if user is not None else None

    def resolve_chat(self, raw: Any) -> ChatInfo:
        """A chat_id argument (number, numeric string or @username) to a chat."""
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        chat: ChatInfo | None = None
        text = str(raw).strip()
        if text.startswith("@"):
            chat = next((c for c in self.groups.values() if c.username == text[1:]), None)
        else:
            try:
                chat = self.chat(int(text))
            except ValueError:
                chat = None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def check_can_message(self, bot: BotAccount, chat: ChatInfo) -> None:
        """403s for private chats the bot may not write to."""
        if chat.type != "private":
            return
        user = self.users[chat.id]
        if bot.id in user.blocked_bots:
            raise forbidden("bot was blocked by the user")
        if bot.id not in user.started_bots:
            raise forbidden("bot can't initiate conversation with a user")

    def log(self, bot_id: int, chat_id: int) -> ChatLog:
        key = (bot_id, chat_id)
        log = self.logs.get(key)
        if log is None:
            log = self.logs[key] = ChatLog(bot_id, chat_id, self.journal)
        return log

    # --- messages and updates -------------------------------------------------------

    def new_message(
        self,
        bot: BotAccount,
        chat: ChatInfo,
        sender: dict[str, Any],
        content: dict[str, Any],
        **fields: Any,
    ) -> StoredMessage:
        """Store a message with the next id of its chat; *fields* go to StoredMessage."""
        log = self.log(bot.id, chat.id)
        data = {
            "message_id": log.next_message_id(),
            "from": sender,
            "chat": chat.chat_object(),
            "date": self.now(),
            **content,
        }
        message = StoredMessage(
            message_id=data["message_id"],
            chat_id=chat.id,
            from_bot=sender.get("id") == bot.id,
            data=data,
            **fields,
        )
        log.add(message)
        if self.journal is not None:
            self._user_acted(sender, content)
        return message

    def push_update(
        self, bot: BotAccount, update_type: str, payload: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Queue an update for getUpdates or the webhook (None if filtered out)."""
        if self.journal is not None:
            self._user_acted(payload.get("from"))
        return bot.updates.push(update_type, payload)

    def _user_acted(self, actor: Any, content: dict[str, Any] | None = None) -> None:
        """Journal what the user side changes in place just before it sends a message or
        an update: the sender's started and blocked bots, and the charge it marks
        refunded before posting a ``refunded_payment``."""
        assert self.journal is not None
        actor_id = actor.get("id") if isinstance(actor, dict) else None
        user = self.users.get(actor_id) if isinstance(actor_id, int) else None
        if user is not None:
            self.journal.user(user)
        refunded = (content or {}).get("refunded_payment") or {}
        charge = self.payments.charges.get(refunded.get("telegram_payment_charge_id", ""))
        if charge is not None:
            self.payments.changed(charge)
