"""Bots, users and chats of the sandbox world, serialised the way Telegram does."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.updates import UpdateQueue

if TYPE_CHECKING:
    from sandbox.webhook import WebhookDeliverer


@dataclass
class BotAccount:
    """A bot token and everything the bot configured through the API."""

    id: int
    token: str
    username: str
    first_name: str
    privacy_mode: bool = True
    updates: UpdateQueue = field(default_factory=UpdateQueue)
    webhook: WebhookDeliverer | None = None
    commands: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    profile_texts: dict[tuple[str, str], str] = field(default_factory=dict)
    menu_buttons: dict[int | None, dict[str, Any]] = field(default_factory=dict)

    def user_object(self) -> dict[str, Any]:
        """The ``User`` object used as ``from`` in the bot's messages."""
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def me(self) -> dict[str, Any]:
        """getMe's result, which adds the bot capability flags."""
        return {
            **self.user_object(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }


@dataclass
class UserAccount:
    """A human Telegram account that tests act as."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_premium: bool = False
    started_bots: set[int] = field(default_factory=set)
    blocked_bots: set[int] = field(default_factory=set)

    def user_object(self) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                body[key] = value
        if self.is_premium:
            body["is_premium"] = True
        return body


@dataclass
class ChatInfo:
    """A chat: private chats mirror their user, groups have a title."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    @classmethod
    def private(cls, user: UserAccount) -> ChatInfo:
        return cls(
            id=user.id,
            type="private",
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
        )

    def chat_object(self) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value is not None:
                body[key] = value
        return body
