"""What a handler module imports: the context type, keyboards, and the private-chat guard.

from handlers.kit import ChatContext, keyboard, private_only
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from functools import wraps
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers.context import ChatContext

Handler = Callable[[Update, ChatContext], Coroutine[Any, Any, Any]]
#: A button as (text, callback data), or a ready InlineKeyboardButton (e.g. a link).
Button = tuple[str, str] | InlineKeyboardButton

__all__ = ["Button", "ChatContext", "Handler", "keyboard", "private_only"]


def keyboard(*rows: Iterable[Button]) -> InlineKeyboardMarkup:
    """Inline buttons, a row per argument: `keyboard([("Buy", "buy:open")], [...])`."""
    return InlineKeyboardMarkup([[_button(item) for item in row] for row in rows])


def _button(item: Button) -> InlineKeyboardButton:
    if isinstance(item, InlineKeyboardButton):
        return item
    text, data = item
    return InlineKeyboardButton(text, callback_data=data)


def private_only(handler: Handler) -> Handler:
    """In a group, answer briefly and point to the private chat: balances, faces and
    generations are nobody else's business."""

    @wraps(handler)
    async def guarded(update: Update, context: ChatContext) -> Any:
        if context.is_private:
            return await handler(update, context)
        link = f"https://t.me/{context.bot.username}?start=from_group"
        button = InlineKeyboardButton(context.t("btn_open_private"), url=link)
        await context.say("group_pointer", keyboard([button]))
        return None

    return guarded
