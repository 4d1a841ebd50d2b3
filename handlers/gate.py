"""Which updates the bot serves, checked before any handler runs (group -2).

The bot asks Telegram only for `SERVED_UPDATES` (allowed_updates), but a Bot API server
may send others (an older self-hosted one, a webhook set up by hand), and a message may
come without a sender (channel posts forwarded into a group, a broken update). Those are
ignored quietly here instead of failing in a handler; a private chat still gets an answer.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from handlers.kit import ChatContext
from handlers.start import stray_message

logger = logging.getLogger(__name__)

#: The update types handlers/__init__.py registers handlers for.
SERVED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.PRE_CHECKOUT_QUERY]


async def admit(update: Update, context: ChatContext) -> None:
    """Lets through what the handlers can serve; stops everything else."""
    served = any(getattr(update, kind) is not None for kind in SERVED_UPDATES)
    if not served:
        logger.debug("update %s ignored: not a kind the bot serves", update.update_id)
        raise ApplicationHandlerStop
    message = update.message
    if message is not None and message.from_user is None:
        logger.debug("update %s ignored: a message without a sender", update.update_id)
        await stray_message(update, context)  # answers in private chats only
        raise ApplicationHandlerStop
