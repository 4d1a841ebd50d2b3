"""Read-only views that tests assert on: bot messages, callback answers, payments."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from sandbox.chatlog import MessageEvent, StoredMessage
from sandbox.payments import Charge


class SentMessage:
    """A bot message as the user saw it at one moment (sent or edited).

    Attribute access reads the snapshot taken at that moment; :attr:`current`,
    :attr:`deleted` and :attr:`edits` reflect the live message.
    """

    def __init__(
        self,
        record: StoredMessage,
        data: dict[str, Any],
        kind: str,
        markup: dict[str, Any] | None,
    ) -> None:
        self.record = record
        self.data = data
        self.kind = kind
        self._markup = markup

    @classmethod
    def from_event(cls, event: MessageEvent) -> SentMessage:
        return cls(event.message, event.data, event.kind, event.reply_markup)

    @classmethod
    def latest(cls, record: StoredMessage) -> SentMessage:
        kind = "edited" if record.history else "sent"
        return cls(record, record.snapshot(), kind, copy.deepcopy(record.reply_markup))

    def __repr__(self) -> str:
        body = (
            self.text
            or self.caption
            or next((k for k in ("photo", "document", "invoice", "sticker") if k in self.data), "?")
        )
        return f"<SentMessage #{self.message_id} {self.kind} {body!r}>"

    @property
    def message_id(self) -> int:
        return self.record.message_id

    @property
    def chat_id(self) -> int:
        return self.record.chat_id

    @property
    def is_edit(self) -> bool:
        return self.kind == "edited"

    @property
    def text(self) -> str | None:
        """Plain text after entity parsing, as Telegram returns it."""
        return self.data.get("text")

    @property
    def caption(self) -> str | None:
        return self.data.get("caption")

    @property
    def entities(self) -> list[dict[str, Any]]:
        return self.data.get("entities") or self.data.get("caption_entities") or []

    @property
    def source_text(self) -> str | None:
        """Text or caption exactly as the bot sent it, before parse_mode was applied."""
        return self.record.source_text

    @property
    def parse_mode(self) -> str | None:
        return self.record.parse_mode

    @property
    def photo(self) -> list[dict[str, Any]] | None:
        return self.data.get("photo")

    @property
    def document(self) -> dict[str, Any] | None:
        return self.data.get("document")

    @property
    def invoice(self) -> dict[str, Any] | None:
        return self.data.get("invoice")

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        """Any markup the bot attached, including reply keyboards Telegram hides."""
        return self._markup

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """All keyboard buttons, row by row, as dicts."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [b if isinstance(b, dict) else {"text": b} for row in rows for b in row]

    @property
    def button_texts(self) -> list[str]:
        return [button["text"] for button in self.buttons]

    @property
    def current(self) -> SentMessage:
        """The message as it is now (after later edits)."""
        return SentMessage.latest(self.record)

    @property
    def deleted(self) -> bool:
        return self.record.deleted

    @property
    def edits(self) -> list[dict[str, Any]]:
        """Earlier versions of the message, oldest first."""
        return list(self.record.history)

    @property
    def largest_photo(self) -> dict[str, Any] | None:
        return self.photo[-1] if self.photo else None

    @property
    def file_id(self) -> str | None:
        """file_id of the document, sticker or largest photo size."""
        return file_id_of(self.data)


def file_id_of(message: dict[str, Any]) -> str | None:
    """file_id of a Message dict's document, sticker or largest photo size."""
    for key in ("document", "sticker"):
        if key in message:
            file_id: str = message[key]["file_id"]
            return file_id
    photo = message.get("photo")
    return photo[-1]["file_id"] if photo else None


@dataclass(frozen=True)
class CallbackAnswer:
    """The bot's answerCallbackQuery for one button press."""

    query_id: str
    data: str | None
    message_id: int | None
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int


@dataclass(frozen=True)
class PaymentResult:
    """Outcome of :meth:`SandboxUser.pay` and subscription renewals."""

    ok: bool
    error_message: str | None = None
    charge: Charge | None = None
    message: dict[str, Any] | None = None
    pre_checkout_query_id: str | None = None

    @property
    def charge_id(self) -> str | None:
        return self.charge.charge_id if self.charge else None

    @property
    def successful_payment(self) -> dict[str, Any] | None:
        return self.message.get("successful_payment") if self.message else None
