"""What happened in one chat between one bot and its users.

Messages get ids from a per-(bot, chat) counter, as in a private chat. Bot-side changes
(sent, edited, deleted) are appended to an event list that the act-as-user API reads
with its own cursor, so ``wait_for_message`` can see messages in order, edits included.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from sandbox.waiting import Notifier


@dataclass
class StoredMessage:
    """A message and its history; ``data`` is the current Telegram ``Message`` object."""

    message_id: int
    chat_id: int
    from_bot: bool
    data: dict[str, Any]
    reply_markup: dict[str, Any] | None = None
    source_text: str | None = None
    parse_mode: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def snapshot(self) -> dict[str, Any]:
        return copy.deepcopy(self.data)


@dataclass(frozen=True)
class MessageEvent:
    """A bot-side change: ``kind`` is "sent", "edited" or "deleted"."""

    kind: str
    message: StoredMessage
    data: dict[str, Any]
    reply_markup: dict[str, Any] | None


@dataclass(frozen=True)
class ChatActionRecord:
    """One sendChatAction call."""

    action: str
    date: int


class ChatLog:
    """Messages, bot events and chat actions of one (bot, chat) pair."""

    def __init__(self, bot_id: int, chat_id: int) -> None:
        self.bot_id = bot_id
        self.chat_id = chat_id
        self.messages: dict[int, StoredMessage] = {}
        self.events: list[MessageEvent] = []
        self.forgotten_events = 0  # dropped by forget_events(); positions still count them
        self.actions: list[ChatActionRecord] = []
        self.changed = Notifier()
        self._last_id = 0

    @property
    def event_count(self) -> int:
        """Bot-side events so far, forgotten ones included: the next event's position."""
        return self.forgotten_events + len(self.events)

    def event_at(self, position: int) -> MessageEvent | None:
        """The event at an absolute position, or None if it was forgotten or not yet
        recorded."""
        index = position - self.forgotten_events
        return self.events[index] if 0 <= index < len(self.events) else None

    def forget_events(self) -> None:
        """Drops the event history (messages stay), so long runs stay bounded; readers
        resume at the next event."""
        self.forgotten_events += len(self.events)
        self.events.clear()

    def next_message_id(self) -> int:
        self._last_id += 1
        return self._last_id

    def get(self, message_id: int | None) -> StoredMessage | None:
        """A message that still exists."""
        message = self.messages.get(message_id) if message_id is not None else None
        return None if message is None or message.deleted else message

    def add(self, message: StoredMessage) -> None:
        self.messages[message.message_id] = message
        if message.from_bot:
            self.record("sent", message)

    def record(self, kind: str, message: StoredMessage) -> None:
        """Append a bot-side event and wake waiters."""
        markup = copy.deepcopy(message.reply_markup)
        self.events.append(MessageEvent(kind, message, message.snapshot(), markup))
        self.changed.notify()

    def bot_messages(self, include_deleted: bool = False) -> list[StoredMessage]:
        return [
            m for m in self.messages.values() if m.from_bot and (include_deleted or not m.deleted)
        ]
