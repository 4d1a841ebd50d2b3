"""The one place an error becomes words for the user, and the last line of defence.

A `UserFacingError` that reaches here (services raise them; handlers catch one only to
answer with more than words) is told as its catalog text. Anything else is a bug: it is
logged as an ERROR and the user gets the plain "something went wrong", never a trace.
Either way the user is told the way their update allows: a button press gets an alert
(or, if it was answered already, a message), a pre-checkout query a refusal Telegram shows
in the payment form, a message a reply. The error handler itself never raises.
"""

from __future__ import annotations

import logging

from telegram import PreCheckoutQuery, Update
from telegram.error import Forbidden, NetworkError, TelegramError

from handlers.buttons import answered
from handlers.context import ChatContext
from services.errors import UserFacingError

logger = logging.getLogger(__name__)


async def on_error(update: object, context: ChatContext) -> None:
    try:
        await _report(update, context)
    except Exception:
        logger.warning("the error handler failed", exc_info=True)


async def _report(update: object, context: ChatContext) -> None:
    error = context.error
    if isinstance(error, Forbidden):
        logger.info("user blocked the bot: %s", error)
        return
    if isinstance(error, NetworkError) and not isinstance(update, Update):
        logger.warning("network trouble talking to Telegram: %s", error)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, UserFacingError):
        logger.log(error.log_level, "update %s refused: %s (%s)", update_id, error.text_key, error)
        key, params = error.text_key, error.params
    else:
        logger.error("update %s failed", update_id, exc_info=error)
        key, params = "error_generic", {}
    if not isinstance(update, Update):
        return
    try:
        await tell(context, key, **params)
    except TelegramError as failure:
        logger.warning("could not tell the user about the failure: %s", failure)


async def tell(context: ChatContext, key: str, **params: object) -> None:
    """A catalog text, told the way the update allows."""
    update = context.received
    text = context.t(key, **params)
    if update.callback_query is not None:
        if not answered(context, update.callback_query.id):
            await update.callback_query.answer(text, show_alert=True)
        elif update.effective_chat is not None:
            await context.reply(text)
    elif update.pre_checkout_query is not None:
        await _refuse_checkout(context, update.pre_checkout_query, key, text)
    elif update.effective_chat is not None:
        await context.reply(text)


async def _refuse_checkout(
    context: ChatContext, query: PreCheckoutQuery, key: str, text: str
) -> None:
    """Nothing is charged: Telegram shows this line in the payment form. The payer waits
    on it (for 10 s at most), so a failed answer is tried once more, plainly."""
    generic = context.t("precheckout_error")
    try:
        await query.answer(ok=False, error_message=generic if key == "error_generic" else text)
    except TelegramError as failure:
        logger.warning("pre-checkout refusal not delivered (%s); trying once more", failure)
        await query.answer(ok=False, error_message=generic)
