"""Which updates the bot serves, checked before any handler runs (group -2).

The bot asks Telegram only for `SERVED_UPDATES` (allowed_updates), but a Bot API server
may send others (an older self-hosted one, a webhook set up by hand), and a message may
come without a sender (channel posts forwarded into a group, a broken update). Those are
ignored quietly here instead of failing in a handler; a private chat still gets an answer.

Every update from a user first reads their profile, in one round trip
(AccountService.arrive); handlers may use that read (`context.arrival`). Their contact is
noted in the background when due (a user who writes is active and reachable again).

A banned user (services/bans.py) gets one line for anything they send and nothing else:
a message in a private chat is answered with it, a button press with it as an alert.
Payments are not stopped here: the pre-checkout check refuses a banned payer itself (with
its own line in the payment form), and a payment Telegram has already taken
(successful_payment, refunded_payment) must still be recorded. /paysupport, which the line
points to, still answers.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from handlers.errors import tell
from handlers.kit import ChatContext
from handlers.start import stray_message
from services.adapters.db import TRANSIENT_ERRORS

logger = logging.getLogger(__name__)

#: The update types handlers/__init__.py registers handlers for.
SERVED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.PRE_CHECKOUT_QUERY]
#: What a banned user may still send: the command the "banned" line points to.
OPEN_TO_BANNED = ("/paysupport",)


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
    user = update.effective_user
    if user is not None:
        context.arrival = await context.services.accounts.arrive(user.id)
        if context.arrival.contact_due:
            context.application.create_task(_note_contact(context, user.id), update=update)
    if _banned(update, context):
        logger.info("update %s ignored: the sender is banned", update.update_id)
        if context.is_private or update.callback_query is not None:
            await tell(context, "banned")
        raise ApplicationHandlerStop


async def _note_contact(context: ChatContext, telegram_id: int) -> None:
    """In the background: whoever writes is active and reachable again."""
    try:
        await context.services.accounts.note_contact(telegram_id)
    except TRANSIENT_ERRORS as error:
        logger.warning("contact of a user not noted: %s", error)


def _banned(update: Update, context: ChatContext) -> bool:
    """Whether the update is a banned user's own doing that the bot would act on."""
    profile = context.arrival.profile if context.arrival is not None else None
    if profile is None or not profile.is_banned:
        return False
    if profile.telegram_id in context.services.admin_ids or update.pre_checkout_query:
        return False
    message = update.message
    if message is not None:
        if message.successful_payment or message.refunded_payment:
            return False
        words = (message.text or "").split(maxsplit=1)
        if words and words[0].split("@")[0] in OPEN_TO_BANNED:
            return False
    return True
