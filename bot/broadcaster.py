"""The Telegram side of broadcasts: each user's copy, and the admin's progress message.

Telegram's answers are sorted by what they say about a send, as for a thumbnail's
delivery (bot/delivery.py): a 429 or a refused connection means it did not happen (the
recipient goes back to pending and, after a 429, the whole broadcast pauses for
`retry_after`); a timeout or a 5xx means it may have happened, and it is never repeated.
A 403 means the user blocked the bot. Sends go through the application's bot, so
python-telegram-bot's AIORateLimiter (30 a second) also sees them; the worker's own pace
(services/broadcasts.py, BroadcastOptions.rate) stays below it so replies to users
always find room.
"""

from __future__ import annotations

import datetime as dt

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.delivery import _certainly_not_performed
from handlers.admin_broadcast import progress_text, send_broadcast
from handlers.context import TelegramApp
from services.broadcasts import (
    Broadcast,
    BroadcastOptions,
    BroadcastService,
    BroadcastWorker,
    SendOutcome,
    SendReport,
    Tally,
)
from services.container import Services


class TelegramBroadcastChannel:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send(self, broadcast: Broadcast, telegram_id: int) -> SendReport:
        try:
            await send_broadcast(self._bot, telegram_id, broadcast)
        except Forbidden as error:
            return SendReport(SendOutcome.BLOCKED, error.message)
        except BadRequest as error:
            return SendReport(SendOutcome.FAILED, error.message)
        except RetryAfter as flood:
            wait = flood.retry_after
            seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
            return SendReport(SendOutcome.NOT_SENT, flood.message, seconds)
        except NetworkError as error:
            if _certainly_not_performed(error):
                return SendReport(SendOutcome.NOT_SENT, error.message)
            return SendReport(SendOutcome.UNCERTAIN, error.message)
        except TelegramError as error:  # another refusal of this one message
            return SendReport(SendOutcome.FAILED, error.message)
        return SendReport(SendOutcome.SENT)

    async def show(self, broadcast: Broadcast, tally: Tally) -> None:
        if broadcast.progress_chat_id is None or broadcast.progress_message_id is None:
            return
        try:
            await self._bot.edit_message_text(
                progress_text(broadcast, tally),
                broadcast.progress_chat_id,
                broadcast.progress_message_id,
            )
        except BadRequest as error:
            if "not modified" not in error.message.lower():
                raise


def build_broadcaster(
    application: TelegramApp, services: Services, options: BroadcastOptions | None = None
) -> BroadcastWorker:
    service = BroadcastService(services.db, services.audit)
    return BroadcastWorker(
        service, TelegramBroadcastChannel(application.bot), options or BroadcastOptions()
    )
