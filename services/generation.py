"""Generations from charge to outcome: charge once, render, store, complete — or refund.

The chat calls `start`, which charges the mode's cost (once per request key) and queues
the job as a `generations` row. A worker (services/jobs.py) claims it and calls `execute`,
which renders, stores and completes it, or refunds it at most once through
`fail_generation`; the worker then delivers the outcome (`outcome_of`) to the chat.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from psycopg.types.json import Jsonb

from services.adapters.db import TRANSIENT_ERRORS, Database, persistently
from services.adapters.storage import THUMBNAILS_BUCKET, Storage
from services.adapters.youtube import parse_video_id
from services.credits import Charge, CreditService
from services.errors import InvalidGenerationState, UserFacingError
from services.faces import FaceService
from services.formats import format_of
from services.generators.base import (
    BrandStyle,
    GenerationFailed,
    GenerationRequest,
    Generator,
    ProgressCallback,
    VideoReference,
)
from services.generators.edits import EDIT_TYPE, EditRequest

logger = logging.getLogger(__name__)


class Doorbell:
    """Rings this process's workers when a job is queued, so they need not wait for their
    next poll (workers in other processes find it by polling)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def ring(self) -> None:
        self._event.set()

    async def wait(self, seconds: float) -> None:
        """Returns when rung, or after `seconds` at the latest. `asyncio.wait` never turns
        a cancellation into a timeout, so a worker being stopped stops here."""
        rung = asyncio.ensure_future(self._event.wait())
        try:
            await asyncio.wait({rung}, timeout=seconds)
        finally:
            rung.cancel()
        self._event.clear()


class VideoLookup(Protocol):
    async def fetch(self, text_or_url: str) -> VideoReference: ...


@dataclass(frozen=True)
class GenerationInput:
    """What the user asked for; stored as generations.input so it can be re-run."""

    mode: str
    prompt: str | None = None
    video_url: str | None = None
    style_url: str | None = None
    face_image_id: str | None = None
    variation: int = 0
    # Read (or typed) when the order was made, so the job never depends on YouTube
    # answering again: the video's title, and stored copies of the pictures it uses.
    video_title: str | None = None
    video_image_url: str | None = None
    style_image_url: str | None = None
    # The picture's shape (services/formats.py; None is 16:9) and the creator's saved
    # style as it was when ordered (services/brand_kits.py), so a re-run looks the same.
    format: str | None = None
    brand: dict[str, Any] | None = None
    # An edit by instruction (services/edits.py): the generation it edits, every
    # instruction of the chain (oldest first), and the phrases of the newest one that the
    # generator was not asked to apply (the local renderer did not understand them). The
    # fields above stay the root order's, so the chain can be re-run from it.
    parent_id: str | None = None
    instructions: tuple[str, ...] | None = None
    edit_skipped: tuple[str, ...] | None = None

    @property
    def type_key(self) -> str:
        """The generation type charged: an edit's own, else the mode's."""
        return EDIT_TYPE if self.parent_id is not None else self.mode

    def to_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GenerationInput:
        """The stored request; keys it does not know (from a newer version) are ignored."""
        known: dict[str, Any] = {key: data[key] for key in cls.__dataclass_fields__ if key in data}
        for key in ("instructions", "edit_skipped"):
            if known.get(key) is not None:
                known[key] = tuple(known[key])  # a JSON list
        return cls(**known)


@dataclass(frozen=True)
class Outcome:
    generation_id: UUID
    succeeded: bool
    image: bytes | None = field(default=None, repr=False)
    failure_key: str | None = None
    refunded: int = 0
    balance: int | None = None


@dataclass(frozen=True)
class Job:
    """A claimed generation and where to report it."""

    generation_id: UUID
    profile_id: UUID
    mode: str
    input: dict[str, Any]
    chat_id: int | None
    status_message_id: int | None
    language_code: str | None
    attempts: int
    # A variant of a multi-variant order (sql/019): delivered with its batch, not alone.
    batch_id: UUID | None = None
    variant_index: int | None = None
    batch_size: int | None = None


@dataclass(frozen=True)
class BatchCharge:
    """The variants of one order, charged together (sql/019)."""

    batch_id: UUID
    generation_ids: tuple[UUID, ...]  # in variant order
    cost: int  # per variant
    balance: int
    created: bool  # False: the request key matched an earlier order; nothing was taken


@dataclass(frozen=True)
class GenerationSummary:
    id: UUID
    mode: str
    status: str
    credit_cost: int
    asked: str | None  # the description, the video's title or its link
    created_at: datetime
    output_telegram_file_id: str | None
    number: int  # the user's n-th generation, oldest first: a name that never shifts
    favourite: bool
    parent_number: int | None  # an edit's: the number of the generation it edited


@dataclass(frozen=True)
class StoredResult:
    """A finished thumbnail in storage and what it was made from."""

    id: UUID
    mode: str
    created_at: datetime
    input: GenerationInput
    image_url: str
    telegram_file_id: str | None
    favourite: bool = False
    # A variant's order (sql/019): (number, id) of each variant made, this one included.
    variants: tuple[tuple[int, UUID], ...] = ()


class GenerationService:
    def __init__(
        self,
        db: Database,
        credits: CreditService,
        faces: FaceService,
        storage: Storage,
        generator: Generator,
        videos: VideoLookup,
        doorbell: Doorbell,
    ) -> None:
        self._doorbell = doorbell
        self._db = db
        self._credits = credits
        self._faces = faces
        self._storage = storage
        self._generator = generator
        self._videos = videos

    async def start(
        self,
        profile_id: UUID,
        request: GenerationInput,
        request_key: str,
        chat_id: int,
        shown_cost: int | None = None,
    ) -> Charge:
        """Charges the mode's cost and queues the generation (once per request key);
        PriceChanged if the cost is no longer the `shown_cost` the user agreed to."""
        charge = await self._credits.charge_generation(
            profile_id, request.type_key, request.to_json(), request_key, shown_cost
        )
        if charge.created:
            await self._db.execute(
                "UPDATE generations SET telegram_chat_id = %s WHERE id = %s",
                [chat_id, charge.generation_id],
            )
        return charge

    async def start_batch(
        self,
        profile_id: UUID,
        request: GenerationInput,
        request_key: str,
        chat_id: int,
        count: int,
        shown_cost: int | None = None,
    ) -> BatchCharge:
        """Charges `count` variants of the request in one transaction, or none of them
        (InsufficientCredits names the total); variant i is the request with variation
        + i, so each looks different. Once per request key, like `start`."""
        inputs = [replace(request, variation=request.variation + i).to_json() for i in range(count)]
        rows = await self._db.fetch_all(
            "SELECT * FROM charge_generation_batch(%s, %s, %s, %s, %s, %s)",
            [profile_id, request.mode, Jsonb(inputs), request_key, shown_cost, chat_id],
        )
        return BatchCharge(
            batch_id=rows[0]["batch_id"],
            generation_ids=tuple(row["generation_id"] for row in rows),
            cost=rows[0]["credit_cost"],
            balance=rows[-1]["balance"],
            created=rows[0]["created"],
        )

    async def attach_batch_status_message(self, batch_id: UUID, message_id: int) -> None:
        """The one status message of a batch, shared by its members; wakes the workers."""
        await self._db.execute(
            "WITH batch AS (UPDATE generation_batches SET status_message_id = %s WHERE id = %s)"
            " UPDATE generations SET status_message_id = %s WHERE batch_id = %s",
            [message_id, batch_id, message_id, batch_id],
        )
        self._doorbell.ring()

    async def requested(self, profile_id: UUID, request_key: str) -> bool:
        """Whether this request (say, an order's confirm button) was already charged."""
        return bool(
            await self._db.fetch_value(
                "SELECT EXISTS (SELECT 1 FROM generations"
                " WHERE profile_id = %s AND request_key = %s)",
                [profile_id, request_key],
            )
        )

    async def attach_status_message(self, generation_id: UUID, message_id: int) -> None:
        """Records the message that shows the job's progress, and wakes the workers: a
        queued job is claimed once it has one (or after a grace period without)."""
        await self._db.execute(
            "UPDATE generations SET status_message_id = %s WHERE id = %s",
            [message_id, generation_id],
        )
        self._doorbell.ring()

    async def execute(self, job: Job, progress: ProgressCallback) -> bool:
        """Renders, stores and completes a claimed job, or refunds it (at most once) when
        the image cannot be made. Returns True when the job is finished and its outcome
        can be delivered (read it back with `outcome_of`).

        The database blinking is no reason to refund: before the image exists the error
        propagates (the lease brings the job back); once it exists, storing and
        completing are retried until the database answers, so a good thumbnail is
        never refunded because of an outage."""
        try:
            request = await persistently(
                lambda: self._build_request(job.generation_id, job.profile_id, job.input)
            )
            image = await self._generator.generate(request, progress)
        except GenerationFailed as failure:
            logger.info("generation %s failed: %s", job.generation_id, failure)
            return await self._refund(job.generation_id, failure.key, str(failure))
        except InvalidGenerationState:
            logger.info("generation %s was finished by another worker", job.generation_id)
            return False
        except TRANSIENT_ERRORS:
            raise
        except Exception as error:
            logger.exception("generation %s crashed", job.generation_id)
            return await self._refund(job.generation_id, "generation_failed", repr(error))
        return await self._complete(job, image)

    async def _complete(self, job: Job, image: bytes) -> bool:
        path = f"{job.profile_id}/{job.generation_id}.jpg"
        url = await persistently(
            lambda: self._storage.put(THUMBNAILS_BUCKET, path, image, "image/jpeg")
        )
        try:
            await persistently(lambda: self._credits.complete_generation(job.generation_id, url))
        except InvalidGenerationState:
            # Failed meanwhile (interrupted too often and reaped): its refund stands.
            logger.info("generation %s was failed before it completed", job.generation_id)
            return False
        return True

    async def _refund(self, generation_id: UUID, key: str, reason: str) -> bool:
        """Fails and refunds the generation; False if another worker completed it."""
        try:
            await persistently(lambda: self._credits.fail_generation(generation_id, reason))
        except InvalidGenerationState:
            return False  # another worker completed it meanwhile; nothing to refund
        await persistently(
            lambda: self._db.execute(
                "UPDATE generations SET failure_key = %s WHERE id = %s", [key, generation_id]
            )
        )
        return True

    async def outcome_of(self, generation_id: UUID) -> Outcome:
        """What the user should be told about a finished generation."""
        row = await self._db.fetch_one(
            """
            SELECT g.status, g.output_image_url, g.failure_key, g.credit_cost,
                   g.refunded_at IS NOT NULL AS refunded, p.credits
              FROM generations g JOIN profiles p ON p.id = g.profile_id
             WHERE g.id = %s
            """,
            [generation_id],
        )
        if row is None or row["status"] not in ("succeeded", "failed"):
            raise InvalidGenerationState(f"generation {generation_id} is not finished")
        if row["status"] == "succeeded":
            image = await self._storage.get(row["output_image_url"])
            return Outcome(generation_id, succeeded=True, image=image)
        return Outcome(
            generation_id,
            succeeded=False,
            failure_key=row["failure_key"] or "generation_failed",
            refunded=row["credit_cost"] if row["refunded"] else 0,
            balance=row["credits"],
        )

    async def _build_request(
        self, generation_id: UUID, profile_id: UUID, stored: dict[str, Any]
    ) -> GenerationRequest:
        wanted = GenerationInput.from_json(stored)
        if wanted.parent_id is not None:
            return await self._edit_request(generation_id, profile_id, wanted)
        face = None
        if wanted.face_image_id:
            saved = await self._faces.get(profile_id, UUID(wanted.face_image_id))
            if saved is None:
                raise GenerationFailed("the face photo was deleted", "face_missing")
            face = await self._faces.load(saved)
        return GenerationRequest(
            generation_id=generation_id,
            mode=wanted.mode,
            prompt=wanted.prompt,
            video=await self._video(wanted),
            style=await self._style(wanted),
            face=face,
            variation=wanted.variation,
            format=format_of(wanted.format),
            brand=await self._brand(wanted.brand),
        )

    async def _edit_request(
        self, generation_id: UUID, profile_id: UUID, wanted: GenerationInput
    ) -> EditRequest:
        """An edit: the root order's request, the chain's instructions, and the picture
        being edited (an editing model starts from it)."""
        root = replace(wanted, parent_id=None, instructions=None, edit_skipped=None)
        request = await self._build_request(generation_id, profile_id, root.to_json())
        url = await self._db.fetch_value(
            "SELECT output_image_url FROM generations"
            " WHERE id = %s AND profile_id = %s AND status = 'succeeded'",
            [UUID(str(wanted.parent_id)), profile_id],
        )
        if not isinstance(url, str):
            raise GenerationFailed("the thumbnail being edited is gone")
        picture = await self._storage.get(url)
        return EditRequest.of(request, wanted.instructions or (), picture)

    async def _brand(self, saved: dict[str, Any] | None) -> BrandStyle | None:
        """The style snapshot an order carries, with its logo read from storage."""
        if not saved:
            return None
        return BrandStyle(
            colors=tuple(saved.get("colors") or ()),
            font=saved.get("font"),
            position=saved.get("position"),
            logo=await self._stored(saved.get("logo_url")),
            logo_corner=saved.get("logo_corner") or "bottom-right",
        )

    async def _video(self, wanted: GenerationInput) -> VideoReference | None:
        """The video as read when the order was made. An order from before that was
        recorded is read now; if YouTube cannot say what the video is, the job fails
        (and is refunded) rather than draw a headline from its id."""
        if wanted.video_url is None:
            return None
        video_id = parse_video_id(wanted.video_url) or ""
        if wanted.video_title is not None or wanted.video_image_url is not None:
            thumbnail = await self._stored(wanted.video_image_url)
            return VideoReference(wanted.video_url, video_id, wanted.video_title, thumbnail)
        video = await self._read(wanted.video_url)
        if video.title is None and wanted.prompt is None:
            raise GenerationFailed("the video's title could not be read", "youtube_unreachable")
        return video

    async def _style(self, wanted: GenerationInput) -> VideoReference | None:
        """The style reference: its stored picture, or (an older order) the video's
        thumbnail read now; never silently nothing."""
        if wanted.style_image_url is not None:
            picture = await self._stored(wanted.style_image_url)
            return VideoReference(wanted.style_url or "", "", thumbnail=picture)
        if wanted.style_url is None:
            return None
        style = await self._read(wanted.style_url)
        if style.thumbnail is None:
            raise GenerationFailed("the style thumbnail was not readable", "style_unreadable")
        return style

    async def _stored(self, url: str | None) -> bytes | None:
        return await self._storage.get(url) if url is not None else None

    async def _read(self, url: str) -> VideoReference:
        try:
            return await self._videos.fetch(url)
        except UserFacingError as error:
            raise GenerationFailed(str(error), error.key) from error

    async def input_of(self, profile_id: UUID, generation_id: UUID) -> GenerationInput | None:
        """The request behind one of the user's generations, for "regenerate"."""
        stored = await self._db.fetch_value(
            "SELECT input FROM generations WHERE id = %s AND profile_id = %s",
            [generation_id, profile_id],
        )
        return GenerationInput.from_json(stored) if stored is not None else None

    async def history(
        self, profile_id: UUID, offset: int, limit: int, *, favourites_only: bool = False
    ) -> tuple[list[GenerationSummary], int]:
        """A page of the user's generations (or only their favourites), newest first, and
        how many there are. Each is numbered in the order it was made, and an edit names
        the number of the one it edited; numbers are counted for the page's rows only."""
        rows = await self._db.fetch_all(
            """
            SELECT page.id, page.mode, page.status, page.credit_cost, page.asked,
                   page.created_at, page.output_telegram_file_id, page.favourite, page.total,
                   (SELECT count(*) FROM generations o
                     WHERE o.profile_id = page.profile_id
                       AND (o.created_at, o.id) <= (page.created_at, page.id)) AS number,
                   (SELECT count(*) FROM generations o
                     WHERE o.profile_id = page.profile_id
                       AND (o.created_at, o.id) <= (parent.created_at, parent.id))
                     AS parent_number
              FROM (
                SELECT id, profile_id, generation_type AS mode, status, credit_cost,
                       COALESCE(input->>'prompt', input->>'video_title', input->>'video_url')
                         AS asked,
                       created_at, output_telegram_file_id, favourite,
                       input->>'parent_id' AS parent_id, count(*) OVER () AS total
                  FROM generations
                 WHERE profile_id = %s AND (favourite OR NOT %s)
                 ORDER BY created_at DESC, id DESC OFFSET %s LIMIT %s
              ) page
              LEFT JOIN generations parent
                ON parent.id::text = page.parent_id AND parent.profile_id = page.profile_id
             ORDER BY page.created_at DESC, page.id DESC
            """,
            [profile_id, favourites_only, offset, limit],
        )
        total = int(rows[0]["total"]) if rows else await self._count(profile_id, favourites_only)
        summaries = []
        for row in rows:
            row.pop("total")
            if row["parent_number"] == 0:  # not an edit (or its parent is gone)
                row["parent_number"] = None
            summaries.append(GenerationSummary(**row))
        return summaries, total

    async def _count(self, profile_id: UUID, favourites_only: bool = False) -> int:
        return int(
            await self._db.fetch_value(
                "SELECT count(*) FROM generations WHERE profile_id = %s AND (favourite OR NOT %s)",
                [profile_id, favourites_only],
            )
        )

    async def set_favourite(
        self, profile_id: UUID, generation_id: UUID, favourite: bool | None = None
    ) -> bool | None:
        """Stars (True) or unstars (False) one of the user's succeeded generations, or
        flips it (None); the star it has now, or None if it is not theirs or has no
        picture. Setting rather than flipping makes a double tap harmless."""
        value = await self._db.fetch_value(
            "UPDATE generations SET favourite = COALESCE(%s, NOT favourite)"
            " WHERE id = %s AND profile_id = %s AND status = 'succeeded' RETURNING favourite",
            [favourite, generation_id, profile_id],
        )
        return value if isinstance(value, bool) else None

    async def owner_name(self, profile_id: UUID) -> str:
        """What the creator is called in the chat: the channel name of their preview."""
        value = await self._db.fetch_value(
            "SELECT COALESCE(first_name, username, '') FROM profiles WHERE id = %s", [profile_id]
        )
        return value if isinstance(value, str) else ""

    async def result(self, profile_id: UUID, generation_id: UUID) -> StoredResult | None:
        """One of the user's succeeded generations, to show or send again."""
        row = await self._db.fetch_one(
            "SELECT id, generation_type AS mode, created_at, input, output_image_url,"
            "       output_telegram_file_id, favourite FROM generations"
            " WHERE id = %s AND profile_id = %s AND status = 'succeeded'",
            [generation_id, profile_id],
        )
        if row is None:
            return None
        variants = await self._db.fetch_all(
            "SELECT o.variant_index + 1 AS number, o.id FROM generations g"
            " JOIN generations o ON o.batch_id = g.batch_id"
            " WHERE g.id = %s AND o.status = 'succeeded' ORDER BY o.variant_index",
            [generation_id],
        )
        return StoredResult(
            id=row["id"],
            mode=row["mode"],
            created_at=row["created_at"],
            input=GenerationInput.from_json(row["input"]),
            image_url=row["output_image_url"],
            telegram_file_id=row["output_telegram_file_id"],
            favourite=row["favourite"],
            variants=tuple((variant["number"], variant["id"]) for variant in variants),
        )

    async def load_result(self, result: StoredResult) -> bytes:
        return await self._storage.get(result.image_url)

    async def remember_result_message(
        self, generation_id: UUID, chat_id: int, message_id: int
    ) -> None:
        """A chat message that shows the thumbnail: a reply to it is about this one."""
        await self._db.execute(
            "INSERT INTO result_messages (chat_id, message_id, generation_id)"
            " VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            [chat_id, message_id, generation_id],
        )

    async def shown_in(self, profile_id: UUID, chat_id: int, message_id: int) -> UUID | None:
        """The user's succeeded generation that a chat message shows, if it shows one."""
        value = await self._db.fetch_value(
            "SELECT g.id FROM result_messages m JOIN generations g ON g.id = m.generation_id"
            " WHERE m.chat_id = %s AND m.message_id = %s AND g.profile_id = %s"
            " AND g.status = 'succeeded'",
            [chat_id, message_id, profile_id],
        )
        return value if isinstance(value, UUID) else None

    async def remember_telegram_file(self, generation_id: UUID, file_id: str) -> None:
        """Telegram's id of the delivered photo, to show it again without an upload."""
        await self._db.execute(
            "UPDATE generations SET output_telegram_file_id = %s WHERE id = %s",
            [file_id, generation_id],
        )
