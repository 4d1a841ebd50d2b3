"""The last line of defence: log the failure, tell the user plainly, never show a trace.

The user is told in the way their update allows: a button press gets an alert (or, if it
was answered already, a message), a pre-checkout query a refusal Telegram shows in the
payment form, a message a reply. The error handler itself never raises.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, PreCheckoutQuery, Update
from telegram.error import Forbidden, NetworkError, TelegramError

from handlers.buttons import answered
from handlers.common import Context, lang, reply
from handlers.i18n import t

logger = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    try:
        await _report(update, context)
    except Exception:
        logger.warning("the error handler failed", exc_info=True)


async def _report(update: object, context: Context) -> None:
    error = context.error
    if isinstance(error, Forbidden):
        logger.info("user blocked the bot: %s", error)
        return
    if isinstance(error, NetworkError) and not isinstance(update, Update):
        logger.warning("network trouble talking to Telegram: %s", error)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("update %s failed", update_id, exc_info=error)
    if not isinstance(update, Update):
        return
    try:
        await _tell_user(update, context)
    except TelegramError as failure:
        logger.warning("could not tell the user about the failure: %s", failure)


async def _tell_user(update: Update, context: Context) -> None:
    if update.callback_query is not None:
        await _answer_press(update, context, update.callback_query)
    elif update.pre_checkout_query is not None:
        await _refuse_checkout(update, update.pre_checkout_query)
    elif update.effective_chat is not None:
        await reply(update, t(lang(update), "error_generic"))


async def _answer_press(update: Update, context: Context, query: CallbackQuery) -> None:
    """An alert if the press is still unanswered, else a message in its chat."""
    text = t(lang(update), "error_generic")
    if not answered(context, query.id):
        await query.answer(text, show_alert=True)
    elif update.effective_chat is not None:
        await reply(update, text)


async def _refuse_checkout(update: Update, query: PreCheckoutQuery) -> None:
    """Nothing is charged: Telegram shows this line in the payment form."""
    await query.answer(ok=False, error_message=t(lang(update), "precheckout_error"))
