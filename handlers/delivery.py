"""Telegram side of a running generation: the chat action while it works, the status
message edited as it moves, and the thumbnail (or the apology and refund) at the end.

The worker (services/jobs.py) calls this from whichever process ran the job, possibly
after a restart, so it works from what the job row remembers: the chat, the status
message and the user's language.
"""

from __future__ import annotations

import contextlib
import logging
import time
from uuid import UUID

from telegram import Bot
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden

from handlers.common import button, keyboard
from handlers.i18n import language_of, mode_name, t
from services.catalog import CatalogService
from services.generation import GenerationService, Job, Outcome

logger = logging.getLogger(__name__)

PROGRESS_EDIT_EVERY = 1.5  # seconds between status edits, to stay under flood limits


class TelegramReporter:
    def __init__(self, bot: Bot, generations: GenerationService, catalog: CatalogService) -> None:
        self._bot = bot
        self._generations = generations
        self._catalog = catalog
        self._last_edit: dict[UUID, tuple[float, int]] = {}

    async def heartbeat(self, job: Job) -> None:
        if job.chat_id is not None:
            await self._bot.send_chat_action(job.chat_id, ChatAction.UPLOAD_PHOTO)

    async def progress(self, job: Job, fraction: float, stage: str) -> None:
        percent = max(0, min(99, int(fraction * 100)))
        now = time.monotonic()
        last_time, last_percent = self._last_edit.get(job.generation_id, (0.0, -1))
        if percent == last_percent or now - last_time < PROGRESS_EDIT_EVERY:
            return
        self._last_edit[job.generation_id] = (now, percent)
        await self._edit_status(job, t(_language(job), "status_running", percent=percent))

    async def deliver(self, job: Job, outcome: Outcome) -> None:
        self._last_edit.pop(job.generation_id, None)
        if job.chat_id is None:
            return
        try:
            if outcome.image is not None:
                await self._send_thumbnail(job, job.chat_id, outcome.image)
            else:
                await self._apologise(job, job.chat_id, outcome)
        except Forbidden:
            logger.info("user of generation %s blocked the bot", job.generation_id)

    async def _send_thumbnail(self, job: Job, chat_id: int, image: bytes) -> None:
        """It is paid for and stored: if Telegram refuses the upload itself, the user is
        pointed to /history; other errors (network, flood) propagate, and the delivery
        is retried later."""
        language = _language(job)
        cost = await self._catalog.cost_of(job.mode)
        generation = job.generation_id
        try:
            sent = await self._bot.send_photo(
                chat_id,
                image,
                caption=t(language, "delivered", mode=mode_name(language, job.mode)),
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(
                    [button(t(language, "btn_regenerate", cost=cost), f"gen:again:{generation}")],
                    [
                        button(t(language, "btn_full_quality"), f"gen:file:{generation}"),
                        button(t(language, "btn_start_over"), "gen:new"),
                    ],
                ),
            )
        except BadRequest:
            logger.warning("Telegram refused the thumbnail of %s", generation, exc_info=True)
            await self._edit_status(job, t(language, "delivery_failed"))
            return
        if sent.photo:
            await self._generations.remember_telegram_file(generation, sent.photo[-1].file_id)
        await self._edit_status(job, t(language, "status_done"))

    async def _apologise(self, job: Job, chat_id: int, outcome: Outcome) -> None:
        language = _language(job)
        await self._edit_status(job, t(language, "status_failed"))
        reason = t(language, f"reason_{outcome.failure_key}") if outcome.failure_key else ""
        await self._bot.send_message(
            chat_id,
            t(
                language,
                "generation_failed",
                reason=reason,
                refunded=outcome.refunded,
                credits=outcome.balance or 0,
            ),
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard([button(t(language, "btn_start_over"), "gen:new")]),
        )

    async def _edit_status(self, job: Job, text: str) -> None:
        if job.chat_id is None or job.status_message_id is None:
            return
        with contextlib.suppress(BadRequest):  # deleted by the user, or unchanged
            await self._bot.edit_message_text(
                text, job.chat_id, job.status_message_id, parse_mode=ParseMode.HTML
            )


def _language(job: Job) -> str:
    return language_of(job.language_code)
