"""Saved face photos (user_images): at most MAX_FACES per user, each stored once."""

from __future__ import annotations

import functools
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.adapters.db import Database
from services.adapters.storage import FACES_BUCKET, Storage
from services.errors import UserFacingError
from services.generators.cpu import run_cpu_bound
from services.images import NormalizedImage, normalize_face_photo

MAX_FACES = 5

logger = logging.getLogger(__name__)


class FaceLimitReached(UserFacingError):
    """The user already keeps MAX_FACES faces."""

    key = "face_limit"

    def __init__(self) -> None:
        super().__init__(f"already {MAX_FACES} faces", max=MAX_FACES)


@dataclass(frozen=True)
class Face:
    id: UUID
    image_url: str
    telegram_file_id: str | None
    width: int | None
    height: int | None
    created_at: datetime


@dataclass(frozen=True)
class SavedFace:
    face: Face
    already_saved: bool
    faces_in_photo: int | None = None  # more than one: the largest face was kept


_COLUMNS = "id, image_url, telegram_file_id, width, height, created_at"


class FaceService:
    def __init__(self, db: Database, storage: Storage) -> None:
        self._db = db
        self._storage = storage

    async def list(self, profile_id: UUID) -> list[Face]:
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM user_images WHERE profile_id = %s ORDER BY created_at, id",
            [profile_id],
        )
        return [Face(**row) for row in rows]

    async def get(self, profile_id: UUID, face_id: UUID) -> Face | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM user_images WHERE profile_id = %s AND id = %s",
            [profile_id, face_id],
        )
        return Face(**row) if row else None

    async def has_room(self, profile_id: UUID) -> bool:
        count = await self._db.fetch_value(
            "SELECT count(*) FROM user_images WHERE profile_id = %s", [profile_id]
        )
        return int(count) < MAX_FACES

    async def save_upload(
        self, profile_id: UUID, data: bytes, telegram_file_id: str | None
    ) -> SavedFace:
        """Checks and re-encodes an uploaded photo, then saves it like `save`. Decoding a
        large upload (a 6300x6300 PNG) takes over a second of CPU, so it runs in the
        process pool: on the event loop it would freeze every chat meanwhile. Raises
        ImageRejected for anything that is not a usable photo, one without a face included."""
        image = await run_cpu_bound(normalize_face_photo, data)
        if image.faces is None:
            _warn_faces_unchecked()
        return await self.save(profile_id, image, telegram_file_id)

    async def save(
        self, profile_id: UUID, image: NormalizedImage, telegram_file_id: str | None
    ) -> SavedFace:
        """Stores the photo and its row; the same photo twice returns the first one."""
        face_id = uuid.uuid4()
        async with self._db.transaction() as conn:
            # Serialise this user's saves so two at once cannot pass the limit together.
            await conn.execute("SELECT 1 FROM profiles WHERE id = %s FOR UPDATE", [profile_id])
            cursor = await conn.execute(
                f"SELECT {_COLUMNS} FROM user_images WHERE profile_id = %s AND sha256 = %s",
                [profile_id, image.sha256],
            )
            existing = await cursor.fetchone()
            if existing is not None:
                return SavedFace(Face(**existing), already_saved=True, faces_in_photo=image.faces)
            cursor = await conn.execute(
                "SELECT count(*) AS n FROM user_images WHERE profile_id = %s", [profile_id]
            )
            counted = await cursor.fetchone()
            if counted is not None and counted["n"] >= MAX_FACES:
                raise FaceLimitReached
            key = f"{profile_id}/{face_id}.jpg"
            url = await self._storage.put(FACES_BUCKET, key, image.data, "image/jpeg")
            cursor = await conn.execute(
                f"""
                INSERT INTO user_images (id, profile_id, image_url, storage_key, telegram_file_id,
                                         sha256, width, height, size_bytes)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
                RETURNING {_COLUMNS}
                """,
                [
                    face_id,
                    profile_id,
                    url,
                    key,
                    telegram_file_id,
                    image.sha256,
                    image.width,
                    image.height,
                    len(image.data),
                ],
            )
            row = await cursor.fetchone()
        assert row is not None
        return SavedFace(Face(**row), already_saved=False, faces_in_photo=image.faces)

    async def load(self, face: Face) -> bytes:
        return await self._storage.get(face.image_url)

    async def remember_telegram_file(self, face_id: UUID, file_id: str) -> None:
        """Telegram's id of the face as a photo, to show it again without an upload."""
        await self._db.execute(
            "UPDATE user_images SET telegram_file_id = %s WHERE id = %s", [file_id, face_id]
        )

    async def delete(self, profile_id: UUID, face_id: UUID) -> bool:
        """Deletes the user's own face; False if it was not theirs or already gone."""
        row = await self._db.fetch_one(
            "DELETE FROM user_images WHERE profile_id = %s AND id = %s RETURNING image_url",
            [profile_id, face_id],
        )
        if row is None:
            return False
        await self._storage.delete(row["image_url"])
        return True

    async def remember_upload(self, profile_id: UUID, telegram_file_id: str) -> int:
        """Parks a photo sent outside a flow until the user says whether to keep it."""
        return int(
            await self._db.fetch_value(
                "INSERT INTO pending_uploads (profile_id, telegram_file_id) VALUES (%s, %s) "
                "RETURNING id",
                [profile_id, telegram_file_id],
            )
        )

    async def take_upload(self, profile_id: UUID, upload_id: int) -> str | None:
        """The parked photo's Telegram file id, once; None for a stale or foreign button."""
        file_id: str | None = await self._db.fetch_value(
            "DELETE FROM pending_uploads WHERE profile_id = %s AND id = %s "
            "RETURNING telegram_file_id",
            [profile_id, upload_id],
        )
        return file_id


@functools.cache
def _warn_faces_unchecked() -> None:
    """Said once: without OpenCV photos are kept unchecked rather than all refused."""
    logger.warning("OpenCV's face detector is unavailable: face photos are saved unchecked")
