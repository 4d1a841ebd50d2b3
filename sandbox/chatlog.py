"""What happened in one chat between one bot and its users.

Messages get ids from a per-(bot, chat) counter, as in a private chat. Bot-side changes
(sent, edited, deleted) are appended to an event list that the act-as-user API reads
with its own cursor, so ``wait_for_message`` can see messages in order, edits included.
A persistent world journals every message as it is stored, edited or deleted; the
events themselves are not kept across restarts.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.waiting import Notifier

if TYPE_CHECKING:
    from sandbox.persistence import Journal


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

    def __init__(self, bot_id: int, chat_id: int, journal: Journal | None = None) -> None:
        self.bot_id = bot_id
        self.chat_id = chat_id
        self.messages: dict[int, StoredMessage] = {}
        self.events: list[MessageEvent] = []
        self.forgotten_events = 0  # dropped by forget_events(); positions still count them
        self.actions: list[ChatActionRecord] = []
        self.changed = Notifier()
        self._journal = journal
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
        """Store a new message, whose id came from :meth:`next_message_id`."""
        self.messages[message.message_id] = message
        if message.from_bot:
            self.record("sent", message)
        elif self._journal is not None:
            self._journal.message(self.bot_id, message)

    def restore(self, message: StoredMessage) -> None:
        """Put a replayed message in place with its own id."""
        self.messages[message.message_id] = message
        self._last_id = max(self._last_id, message.message_id)

    def record(self, kind: str, message: StoredMessage) -> None:
        """Append a bot-side event (the message was sent, edited or deleted) and wake
        waiters."""
        markup = copy.deepcopy(message.reply_markup)
        self.events.append(MessageEvent(kind, message, message.snapshot(), markup))
        if self._journal is not None:
            self._journal.message(self.bot_id, message)  # flushed before the waiters run
        self.changed.notify()

    def delete(self, message: StoredMessage) -> None:
        """Mark a message deleted; the bot's own deletions are events too."""
        message.deleted = True
        if message.from_bot:
            self.record("deleted", message)
        elif self._journal is not None:
            self._journal.message(self.bot_id, message)

    def bot_messages(self, include_deleted: bool = False) -> list[StoredMessage]:
        return [
            m for m in self.messages.values() if m.from_bot and (include_deleted or not m.deleted)
        ]
