"""Telegram side of a running generation: the chat action while it works, the status
message edited as it moves, and the thumbnail (or the apology and refund) at the end.

The worker (services/jobs.py) calls this from whichever process ran the job, possibly
after a restart, so it works from what the job row remembers: the chat, the status
message and the user's language.

Sends are not idempotent and edits are, so Telegram's errors are sorted by what they say
about a send: a flood limit or a refused connection means it did not happen (send again
later); a timeout, a 5xx or a connection lost mid-request means it may have happened,
and then the result is never sent again: the status message is edited to say it is
ready, with a button that shows it (see the README, "Delivery").
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar
from uuid import UUID

import httpx
from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from handlers.i18n import CATALOGS, DEFAULT_LANGUAGE, Html, language_of, t
from handlers.kit import keyboard
from handlers.results import result_caption, result_keyboard
from services.catalog import CatalogService
from services.generation import GenerationInput, GenerationService, Job, Outcome
from services.generators.cpu import run_cpu_bound
from services.generators.preview import youtube_preview
from services.jobs import DeliveryNotPerformed, DeliveryUncertain

logger = logging.getLogger(__name__)

T = TypeVar("T")

PROGRESS_EDIT_EVERY = 1.5  # seconds between status edits, to stay under flood limits

# Errors raised before the request left this machine: Telegram never saw it.
_NOT_SENT_CAUSES = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def _certainly_not_performed(error: TelegramError) -> bool:
    if isinstance(error, RetryAfter):
        return True
    cause = error.__cause__
    return isinstance(cause, _NOT_SENT_CAUSES)


async def _classified(call: Awaitable[T]) -> T:
    """Runs one Telegram call, turning its failure into what it means for a delivery."""
    try:
        return await call
    except (BadRequest, Forbidden):
        raise
    except (RetryAfter, NetworkError) as error:
        if _certainly_not_performed(error):
            raise DeliveryNotPerformed(repr(error)) from error
        raise DeliveryUncertain(repr(error)) from error


class _ProgressEdits:
    """One status edit in flight per job at most, in the background: the renderer never
    waits for Telegram, a flood limit only skips edits, and a late edit can never land
    after the final word (it is cancelled first)."""

    def __init__(self) -> None:
        self._last: dict[UUID, tuple[float, int]] = {}
        self._paused_until: dict[UUID, float] = {}
        self._in_flight: dict[UUID, asyncio.Task[None]] = {}

    def offer(
        self, generation_id: UUID, percent: int, edit: Callable[[], Awaitable[object]]
    ) -> None:
        now = time.monotonic()
        last_time, last_percent = self._last.get(generation_id, (0.0, -1))
        if (
            percent == last_percent
            or now - last_time < PROGRESS_EDIT_EVERY
            or now < self._paused_until.get(generation_id, 0.0)
            or generation_id in self._in_flight
        ):
            return
        self._last[generation_id] = (now, percent)
        task = asyncio.create_task(self._run(generation_id, edit))
        self._in_flight[generation_id] = task
        task.add_done_callback(lambda _: self._in_flight.pop(generation_id, None))

    async def _run(self, generation_id: UUID, edit: Callable[[], Awaitable[object]]) -> None:
        try:
            await edit()
        except RetryAfter as flood:
            wait = flood.retry_after
            seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
            self._paused_until[generation_id] = time.monotonic() + seconds
        except TelegramError as error:
            logger.debug("progress edit of %s skipped: %s", generation_id, error)

    async def stop(self, generation_id: UUID) -> None:
        """No more progress for this job: cancel an edit still on its way."""
        self._last.pop(generation_id, None)
        self._paused_until.pop(generation_id, None)
        task = self._in_flight.pop(generation_id, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


class TelegramReporter:
    def __init__(self, bot: Bot, generations: GenerationService, catalog: CatalogService) -> None:
        self._bot = bot
        self._generations = generations
        self._catalog = catalog
        self._progress = _ProgressEdits()
        # Results just sent as a photo: their YouTube preview follows when they settle.
        self._preview_due: set[UUID] = set()

    async def heartbeat(self, job: Job) -> None:
        if job.chat_id is not None:
            await self._bot.send_chat_action(job.chat_id, ChatAction.UPLOAD_PHOTO)

    async def progress(self, job: Job, fraction: float, stage: str) -> None:
        if job.chat_id is None or job.status_message_id is None:
            return
        percent = max(0, min(99, int(fraction * 100)))
        text = t(_language(job), "status_running", percent=percent)
        self._progress.offer(job.generation_id, percent, lambda: self._edit(job, text))

    async def deliver(self, job: Job, outcome: Outcome) -> str:
        await self._progress.stop(job.generation_id)
        if job.chat_id is None:
            return "unreachable"
        try:
            if outcome.image is not None:
                return await self._send_thumbnail(job, job.chat_id, outcome.image)
            await _classified(self._send_apology(job, job.chat_id, outcome))
        except Forbidden:
            logger.info("user of generation %s blocked the bot", job.generation_id)
            return "unreachable"
        return "sent"

    async def resume(self, job: Job, outcome: Outcome) -> str:
        """The final word on the status message, safe to repeat: "ready, tap to see it"
        (or the apology); a new message only when there is no status message to edit."""
        await self._progress.stop(job.generation_id)
        if job.chat_id is None:
            return "unreachable"
        language = _language(job)
        if outcome.succeeded:
            text = t(language, "status_ready")
            markup = keyboard(
                [(t(language, "btn_show_thumbnail"), f"hist:show:{job.generation_id}")]
            )
        else:
            text, markup = self._apology(job, outcome)
        try:
            if job.status_message_id is None or not await self._replace_status(job, text, markup):
                await _classified(
                    self._bot.send_message(
                        job.chat_id, text, reply_markup=markup
                    )
                )
        except Forbidden:
            return "unreachable"
        return "resumed"

    async def settle(self, job: Job, outcome: Outcome) -> None:
        key = "status_done" if outcome.succeeded else "status_failed"
        with contextlib.suppress(TelegramError):
            await self._edit(job, t(_language(job), key))
        if job.generation_id in self._preview_due and job.chat_id and outcome.image:
            self._preview_due.discard(job.generation_id)
            request = GenerationInput.from_json(job.input)
            await self.send_preview(
                job.chat_id, _language(job), job.profile_id, request, [outcome.image]
            )

    async def send_preview(
        self,
        chat_id: int,
        language: str,
        profile_id: UUID,
        request: GenerationInput,
        images: Sequence[bytes],
    ) -> None:
        """The delivered thumbnail(s) as YouTube lays them out (services/generators/
        preview.py), with a warning when the headline is too small to read. Sent after
        the delivery is recorded and only as decoration: a failure costs the preview,
        never the result's delivery state or a second copy of it."""
        try:
            preview = await run_cpu_bound(
                youtube_preview,
                list(images),
                request.video_title or request.prompt or "",
                await self._generations.owner_name(profile_id),
                str(t(language, "preview_views")),
                str(t(language, "preview_age")),
            )
            caption = t(language, "preview_caption")
            if not preview.readable:
                width, height = preview.read_at
                warning = t(language, "preview_unreadable", width=width, height=height)
                caption = Html(f"{caption}\n{warning}")
            await self._bot.send_photo(chat_id, preview.jpeg, caption=caption)
        except Exception as error:
            logger.warning("no YouTube preview for chat %s: %r", chat_id, error)

    async def _send_thumbnail(self, job: Job, chat_id: int, image: bytes) -> str:
        """It is paid for and stored: if Telegram refuses the upload itself, the user is
        pointed to /history and it counts as delivered ("refused")."""
        language = _language(job)
        cost = await self._catalog.cost_of(job.mode)
        generation = job.generation_id
        request = GenerationInput.from_json(job.input)
        try:
            sent = await _classified(
                self._bot.send_photo(
                    chat_id,
                    image,
                    caption=result_caption(language, job.mode, request),
                    reply_markup=result_keyboard(language, generation, cost),
                )
            )
        except BadRequest:
            logger.warning("Telegram refused the thumbnail of %s", generation, exc_info=True)
            with contextlib.suppress(TelegramError):
                await self._edit(job, t(language, "delivery_failed"))
            return "refused"
        with contextlib.suppress(Exception):  # a re-upload saved, replies understood
            await self._generations.remember_result_message(generation, chat_id, sent.message_id)
            if sent.photo:
                await self._generations.remember_telegram_file(generation, sent.photo[-1].file_id)
        self._preview_due.add(generation)  # sent by `settle`, once the delivery is recorded
        return "sent"

    async def _send_apology(self, job: Job, chat_id: int, outcome: Outcome) -> None:
        with contextlib.suppress(TelegramError):
            await self._edit(job, t(_language(job), "status_failed"))
        text, markup = self._apology(job, outcome)
        await self._bot.send_message(chat_id, text, reply_markup=markup)

    def _apology(self, job: Job, outcome: Outcome) -> tuple[Html, InlineKeyboardMarkup]:
        language = _language(job)
        text = t(
            language,
            "generation_failed",
            reason=_reason(language, outcome.failure_key),
            refunded=outcome.refunded,
            credits=outcome.balance or 0,
        )
        return text, keyboard([(t(language, "btn_start_over"), "gen:new")])

    async def _replace_status(self, job: Job, text: str, markup: InlineKeyboardMarkup) -> bool:
        """Edits the status message; False if it is gone (deleted by the user)."""
        try:
            await _classified(self._edit(job, text, markup))
        except BadRequest as error:
            return "not modified" in error.message.lower()  # an earlier resume got there
        return True

    async def _edit(self, job: Job, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
        if job.chat_id is None or job.status_message_id is None:
            return
        try:
            await self._bot.edit_message_text(
                text,
                job.chat_id,
                job.status_message_id,
                reply_markup=markup,
            )
        except BadRequest as error:
            if markup is None:  # deleted by the user, or unchanged: nothing to tidy
                logger.debug("status of %s not edited: %s", job.generation_id, error)
                return
            raise


def _reason(language: str, failure_key: str | None) -> Html:
    """The failure in plain words; a key without a text reads as the generic reason, so
    an apology can always be delivered."""
    key = f"reason_{failure_key or 'generation_failed'}"
    if key not in CATALOGS[DEFAULT_LANGUAGE]:
        logger.warning("no text for failure key %r", failure_key)
        key = "reason_generation_failed"
    return t(language, key)


def _language(job: Job) -> str:
    return language_of(job.language_code)
