"""Bot API method handlers; importing this package fills :data:`METHODS`."""

from sandbox.methods import bot_info, chats, media, messages, payments, polling
from sandbox.methods.registry import METHODS, Call, Described

__all__ = [
    "METHODS",
    "Call",
    "Described",
    "bot_info",
    "chats",
    "media",
    "messages",
    "payments",
    "polling",
]
