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

The variants of one order share one status message ("2 of 4 ready") and arrive as one
album (sendMediaGroup; a lone survivor as a photo), then one message with a row of
buttons per variant and a line for each variant that could not be made (refunded).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar
from uuid import UUID

import httpx
from telegram import Bot, InlineKeyboardMarkup, InputMediaPhoto, Message
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from handlers.i18n import CATALOGS, DEFAULT_LANGUAGE, Html, language_of, mode_name, t
from handlers.kit import keyboard
from handlers.results import (
    asked_for,
    result_caption,
    result_keyboard,
    variants_keyboard,
    variants_shown_keyboard,
)
from services.catalog import CatalogService
from services.generation import GenerationInput, GenerationService, Job, Outcome
from services.generators.cpu import run_cpu_bound
from services.generators.preview import youtube_preview
from services.jobs import DeliveryNotPerformed, DeliveryUncertain
from services.variants import Batch, BatchOutcome

logger = logging.getLogger(__name__)

T = TypeVar("T")

PROGRESS_EDIT_EVERY = 1.5  # seconds between status edits, to stay under flood limits
ACTION_EVERY = 4.0  # seconds between chat actions of one batch (its members all beat)
REMEMBERED = 4096  # finished status messages remembered, so no late edit reopens one

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
    """One status edit in flight per job (or batch) at most, in the background: the
    renderer never waits for Telegram, a flood limit only skips edits, and a late edit
    can never land after the final word (it is cancelled first, and none starts after)."""

    def __init__(self) -> None:
        self._last: dict[UUID, tuple[float, object]] = {}
        self._paused_until: dict[UUID, float] = {}
        self._in_flight: dict[UUID, asyncio.Task[None]] = {}
        self._stopped: OrderedDict[UUID, None] = OrderedDict()

    def offer(
        self, generation_id: UUID, shown: object, edit: Callable[[], Awaitable[object]]
    ) -> None:
        """`shown`: what the edit shows (a percentage, say); the same again is skipped."""
        now = time.monotonic()
        last_time, last_shown = self._last.get(generation_id, (0.0, None))
        if (
            shown == last_shown
            or now - last_time < PROGRESS_EDIT_EVERY
            or now < self._paused_until.get(generation_id, 0.0)
            or generation_id in self._in_flight
            or generation_id in self._stopped
        ):
            return
        self._last[generation_id] = (now, shown)
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
        self._stopped[generation_id] = None
        while len(self._stopped) > REMEMBERED:
            self._stopped.popitem(last=False)
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
        self._batches = _BatchProgress()
        # Batches whose buttons went on the status message: settling must not erase them.
        self._buttons_on_status: set[UUID] = set()
        # Results just sent as a photo: their YouTube preview follows when they settle.
        self._preview_due: set[UUID] = set()

    async def heartbeat(self, job: Job) -> None:
        if job.chat_id is not None and self._batches.action_due(job):
            await self._bot.send_chat_action(job.chat_id, ChatAction.UPLOAD_PHOTO)

    async def progress(self, job: Job, fraction: float, stage: str) -> None:
        if job.chat_id is None or job.status_message_id is None:
            return
        if job.batch_id is not None:
            self._show_batch(job, job.batch_id, self._batches.advance(job, fraction))
            return
        percent = max(0, min(99, int(fraction * 100)))
        text = t(_language(job), "status_running", percent=percent)
        self._progress.offer(job.generation_id, percent, lambda: self._edit(job, text))

    async def member_finished(self, job: Job, batch: Batch) -> None:
        if job.chat_id is not None and job.status_message_id is not None:
            self._show_batch(job, batch.id, self._batches.finished(job, batch))

    def _show_batch(self, job: Job, batch_id: UUID, shown: tuple[int, int, int]) -> None:
        """The batch's status: how far its variants got together, how many are ready."""
        percent, ready, size = shown
        text = t(_language(job), "status_variants_running", percent=percent, ready=ready, n=size)
        self._progress.offer(batch_id, shown, lambda: self._edit(job, text))

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
                await _classified(self._bot.send_message(job.chat_id, text, reply_markup=markup))
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

    async def deliver_batch(self, batch: Batch, outcome: BatchOutcome) -> str:
        """The variants made, as one album, then their buttons; if none was made, the
        apology with everything refunded. Raises DeliveryNotPerformed/Uncertain only
        about the album (or apology): once the album is confirmed it counts as sent."""
        await self._progress.stop(batch.id)
        self._batches.forget(batch.id)
        if batch.chat_id is None:
            return "unreachable"
        language = language_of(batch.language_code)
        try:
            if not outcome.succeeded:
                with contextlib.suppress(TelegramError):
                    await self._edit_status(batch, t(language, "status_failed"))
                text, markup = self._batch_apology(batch, outcome)
                await _classified(self._bot.send_message(batch.chat_id, text, reply_markup=markup))
                return "sent"
            shown = await _classified(self._send_album(batch, batch.chat_id, outcome))
        except Forbidden:
            logger.info("user of batch %s blocked the bot", batch.id)
            return "unreachable"
        except BadRequest:
            logger.warning("Telegram refused the album of batch %s", batch.id, exc_info=True)
            with contextlib.suppress(TelegramError):
                await self._replace(batch, *self._batch_ready(batch, outcome))
            self._buttons_on_status.add(batch.id)
            return "refused"
        await self._remember_album(batch.chat_id, outcome, shown)
        await self._send_variant_buttons(batch, batch.chat_id, outcome)
        self._preview_due.add(batch.id)  # sent by `settle_batch`, once this is recorded
        return "sent"

    async def resume_batch(self, batch: Batch, outcome: BatchOutcome) -> str:
        """The batch's final word on its status message, safe to repeat: "your variants
        are ready" with a button per variant that shows it (or the apology)."""
        await self._progress.stop(batch.id)
        self._batches.forget(batch.id)
        if batch.chat_id is None:
            return "unreachable"
        if outcome.succeeded:
            text, markup = self._batch_ready(batch, outcome)
        else:
            text, markup = self._batch_apology(batch, outcome)
        try:
            if batch.status_message_id is None or not await self._replace(batch, text, markup):
                await _classified(self._bot.send_message(batch.chat_id, text, reply_markup=markup))
        except Forbidden:
            return "unreachable"
        return "resumed"

    async def settle_batch(self, batch: Batch, outcome: BatchOutcome) -> None:
        """Tidies the status message (unless it carries the buttons), then the album's
        variants side by side as YouTube shows them."""
        language = language_of(batch.language_code)
        if batch.id in self._buttons_on_status:
            self._buttons_on_status.discard(batch.id)
        else:
            key = "status_done" if outcome.succeeded else "status_failed"
            with contextlib.suppress(TelegramError):
                await self._edit_status(batch, t(language, key))
        if batch.id in self._preview_due and batch.chat_id is not None:
            self._preview_due.discard(batch.id)
            images = [member.image for _, member in outcome.succeeded if member.image]
            request = GenerationInput.from_json(batch.input)
            await self.send_preview(batch.chat_id, language, batch.profile_id, request, images)

    async def _send_album(
        self, batch: Batch, chat_id: int, outcome: BatchOutcome
    ) -> Sequence[Message]:
        """One photo per variant made, each captioned with its number (the first also
        with what was asked), so the buttons' numbers point at them."""
        language = language_of(batch.language_code)
        request = GenerationInput.from_json(batch.input)
        made = outcome.succeeded
        heading = t(
            language,
            "variants_delivered",
            n=len(made),
            mode=mode_name(language, batch.mode),
            asked=asked_for(request),
        )
        captions = [t(language, "variant_caption", n=n) for n, _ in made]
        captions[0] = Html(f"{heading}\n\n{captions[0]}")
        images = [member.image or b"" for _, member in made]
        if len(made) == 1:
            return [await self._bot.send_photo(chat_id, images[0], caption=captions[0])]
        media = [
            InputMediaPhoto(image, caption=caption)
            for image, caption in zip(images, captions, strict=True)
        ]
        return await self._bot.send_media_group(chat_id, media)

    async def _remember_album(
        self, chat_id: int, outcome: BatchOutcome, shown: Sequence[Message]
    ) -> None:
        """Each photo's message (a reply to it is about that variant) and file id."""
        for (_, member), message in zip(outcome.succeeded, shown, strict=False):
            generation = member.generation_id
            with contextlib.suppress(Exception):
                await self._generations.remember_result_message(
                    generation, chat_id, message.message_id
                )
                if message.photo:
                    await self._generations.remember_telegram_file(
                        generation, message.photo[-1].file_id
                    )

    async def _send_variant_buttons(
        self, batch: Batch, chat_id: int, outcome: BatchOutcome
    ) -> None:
        """The buttons message under the album. The album is in the chat whatever
        happens here, so a failure is never a reason to send it again: the buttons go
        on the status message instead (an edit, safe to repeat)."""
        language = language_of(batch.language_code)
        cost = await self._catalog.cost_of(batch.mode)
        lines = [t(language, "variants_buttons", n=len(outcome.succeeded), cost=cost)]
        lines += self._failure_lines(batch, outcome)
        text = Html("\n\n".join(lines))
        markup = variants_keyboard(
            language, [(n, m.generation_id) for n, m in outcome.succeeded], cost
        )
        try:
            await _classified(self._bot.send_message(chat_id, text, reply_markup=markup))
        except (TelegramError, DeliveryNotPerformed, DeliveryUncertain) as error:
            logger.warning("buttons of batch %s go on its status message: %r", batch.id, error)
            with contextlib.suppress(TelegramError, DeliveryNotPerformed, DeliveryUncertain):
                await self._replace(batch, text, markup)
                self._buttons_on_status.add(batch.id)

    def _batch_ready(
        self, batch: Batch, outcome: BatchOutcome
    ) -> tuple[Html, InlineKeyboardMarkup]:
        language = language_of(batch.language_code)
        text = Html(
            "\n\n".join(
                [t(language, "status_variants_ready"), *self._failure_lines(batch, outcome)]
            )
        )
        shown = [(n, m.generation_id) for n, m in outcome.succeeded]
        return text, variants_shown_keyboard(language, shown)

    def _failure_lines(self, batch: Batch, outcome: BatchOutcome) -> list[Html]:
        """A line per variant that could not be made (it was refunded), and the balance."""
        language = language_of(batch.language_code)
        failed = outcome.failed
        if not failed:
            return []
        lines = [
            t(
                language,
                "variant_failed",
                n=n,
                reason=_reason(language, member.failure_key),
                refunded=member.refunded,
            )
            for n, member in failed
        ]
        return [*lines, t(language, "variants_balance", credits=outcome.balance)]

    def _batch_apology(
        self, batch: Batch, outcome: BatchOutcome
    ) -> tuple[Html, InlineKeyboardMarkup]:
        """No variant could be made: the usual apology, with everything refunded."""
        language = language_of(batch.language_code)
        first = outcome.members[0]
        text = t(
            language,
            "generation_failed",
            reason=_reason(language, first.failure_key),
            refunded=outcome.refunded,
            credits=outcome.balance,
        )
        return text, keyboard([(t(language, "btn_start_over"), "gen:new")])

    async def _replace(self, batch: Batch, text: str, markup: InlineKeyboardMarkup) -> bool:
        """The batch's status message, edited; False if it is gone."""
        if batch.chat_id is None or batch.status_message_id is None:
            return False
        try:
            await _classified(
                self._bot.edit_message_text(
                    text, batch.chat_id, batch.status_message_id, reply_markup=markup
                )
            )
        except BadRequest as error:
            return "not modified" in error.message.lower()
        return True

    async def _edit_status(self, batch: Batch, text: str) -> None:
        if batch.chat_id is None or batch.status_message_id is None:
            return
        with contextlib.suppress(BadRequest):  # deleted by the user, or unchanged
            await self._bot.edit_message_text(text, batch.chat_id, batch.status_message_id)

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


class _BatchProgress:
    """How far each running batch got, as this process saw it: each member's fraction
    (a finished one counts whole), the variants ready, and the last chat action."""

    def __init__(self) -> None:
        self._fractions: dict[UUID, dict[UUID, float]] = {}
        self._ready: dict[UUID, int] = {}
        self._sizes: dict[UUID, int] = {}
        self._last_action: dict[UUID, float] = {}

    def action_due(self, job: Job) -> bool:
        """One chat action every few seconds for a batch, however many members beat."""
        if job.batch_id is None:
            return True
        now = time.monotonic()
        if now - self._last_action.get(job.batch_id, 0.0) < ACTION_EVERY:
            return False
        self._last_action[job.batch_id] = now
        return True

    def advance(self, job: Job, fraction: float) -> tuple[int, int, int]:
        assert job.batch_id is not None
        self._fractions.setdefault(job.batch_id, {})[job.generation_id] = fraction
        if job.batch_size is not None:
            self._sizes[job.batch_id] = job.batch_size
        return self._shown(job.batch_id)

    def finished(self, job: Job, batch: Batch) -> tuple[int, int, int]:
        self._fractions.setdefault(batch.id, {})[job.generation_id] = 1.0
        self._ready[batch.id] = max(self._ready.get(batch.id, 0), batch.finished)
        self._sizes[batch.id] = batch.size
        return self._shown(batch.id)

    def _shown(self, batch_id: UUID) -> tuple[int, int, int]:
        """(percent of the whole batch, variants ready, variants)."""
        fractions = self._fractions.get(batch_id, {})
        size = max(self._sizes.get(batch_id, 0), len(fractions), 1)
        percent = max(0, min(99, int(sum(fractions.values()) / size * 100)))
        return percent, self._ready.get(batch_id, 0), size

    def forget(self, batch_id: UUID) -> None:
        for table in (self._fractions, self._ready, self._sizes, self._last_action):
            table.pop(batch_id, None)


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
