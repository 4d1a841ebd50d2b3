"""The last line of defence: log the failure, tell the user plainly, never show a trace."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError

from handlers.common import Context, lang, reply
from handlers.i18n import t

logger = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    error = context.error
    if isinstance(error, Forbidden):
        logger.info("user blocked the bot: %s", error)
        return
    if isinstance(error, NetworkError) and not isinstance(update, Update):
        logger.warning("network trouble talking to Telegram: %s", error)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("update %s failed", update_id, exc_info=error)
    if isinstance(update, Update) and update.effective_chat is not None:
        query = update.callback_query
        try:
            if query is not None:
                await query.answer()
            await reply(update, t(lang(update), "error_generic"))
        except Exception:
            logger.exception("could not tell the user about the failure")
