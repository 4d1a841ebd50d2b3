"""File storage: uploads, file_ids, photo size ladders and download paths.

Every uploaded or user-sent file gets a fresh ``file_id``/``file_unique_id`` and a
``file_path`` under which ``/file/bot<token>/<file_path>`` serves the bytes. Photos are
stored as Telegram does: a list of ``PhotoSize`` entries, the largest keeping the
original bytes (so tests can compare them) and smaller ones re-encoded as JPEG.
File ids are global here rather than per bot, which only matters for multi-bot setups.
In a persistent world the bytes go to the journal's content-addressed store at once and
a file keeps only their path, so memory stays flat however much is uploaded.
"""

from __future__ import annotations

import io
import mimetypes
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image, UnidentifiedImageError

from sandbox.errors import bad_request

if TYPE_CHECKING:
    from sandbox.persistence import Journal

#: Longest sides Telegram produces for a compressed photo (s, m, x, y, w sizes).
PHOTO_SIDES = (90, 320, 800, 1280, 2560)

_ID_PREFIXES = {
    "photo": "AgACAgIAAxkBAAI",
    "document": "BQACAgIAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI",
}
_FOLDERS = {"photo": "photos", "document": "documents", "sticker": "stickers"}


@dataclass
class StoredFile:
    """One downloadable file (for photos: one size of the photo); ``content`` is the
    bytes, or the path of a persistent world's copy of them."""

    file_id: str
    file_unique_id: str
    kind: str
    content: bytes | Path
    file_size: int
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None

    @property
    def data(self) -> bytes:
        return self.content if isinstance(self.content, bytes) else self.content.read_bytes()

    def file_object(self) -> dict[str, Any]:
        """Telegram's ``File`` object as returned by getFile."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }

    def photo_size(self) -> dict[str, Any]:
        """Telegram's ``PhotoSize`` object."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "width": self.width,
            "height": self.height,
        }

    def document(self) -> dict[str, Any]:
        """Telegram's ``Document`` object."""
        body: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
        }
        if self.file_name:
            body["file_name"] = self.file_name
        if self.mime_type:
            body["mime_type"] = self.mime_type
        return body


class FileStore:
    """All files of the sandbox, addressable by file_id and by download path."""

    def __init__(self, journal: Journal | None = None) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._photo_sets: dict[str, list[StoredFile]] = {}
        self._journal = journal
        self.last_number = 0  # numbers download paths, so they never repeat

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        return self._by_path.get(file_path)

    def photo_sizes(self, file_id: str) -> list[StoredFile] | None:
        """All sizes of the photo that *file_id* (any of its sizes) belongs to."""
        return self._photo_sets.get(file_id)

    def add(
        self,
        kind: str,
        data: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        width: int | None = None,
        height: int | None = None,
    ) -> StoredFile:
        """Store *data* as a new file with fresh identifiers."""
        self.last_number += 1
        extension = _extension(kind, file_name, mime_type)
        stored = StoredFile(
            file_id=_ID_PREFIXES[kind] + secrets.token_urlsafe(48),
            file_unique_id="AQAD" + secrets.token_urlsafe(9),
            kind=kind,
            content=data if self._journal is None else self._journal.store_bytes(data),
            file_size=len(data),
            file_path=f"{_FOLDERS[kind]}/file_{self.last_number}{extension}",
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
        )
        self.restore(stored)
        if self._journal is not None:
            self._journal.file(stored)
        return stored

    def restore(self, stored: StoredFile) -> None:
        """Make *stored* reachable by id and path (a new file, or one replayed)."""
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored

    def restore_photo(self, sizes: list[StoredFile]) -> None:
        """Group stored sizes into one photo, smallest first."""
        for size in sizes:
            self._photo_sets[size.file_id] = sizes

    def photos(self) -> list[list[StoredFile]]:
        """Every photo's sizes, once each."""
        unique = {id(sizes): sizes for sizes in self._photo_sets.values()}
        return list(unique.values())

    def all(self) -> list[StoredFile]:
        return list(self._by_id.values())

    def add_photo(self, data: bytes) -> list[StoredFile]:
        """Store a compressed photo as Telegram's ladder of sizes, smallest first.

        Raises Telegram's ``IMAGE_PROCESS_FAILED`` / ``PHOTO_INVALID_DIMENSIONS`` errors
        for data that is not a usable image.
        """
        try:
            image = Image.open(io.BytesIO(data))
            width, height = image.size
        except (UnidentifiedImageError, OSError, ValueError):
            raise bad_request("IMAGE_PROCESS_FAILED") from None
        if width + height > 10000 or max(width, height) > 20 * min(width, height):
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
        sizes: list[StoredFile] = []
        longest = max(width, height)
        for side in PHOTO_SIDES:
            if side >= longest or side == PHOTO_SIDES[-1]:
                break
            sizes.append(self._add_scaled(data, width, height, side))
        if longest > PHOTO_SIDES[-1]:
            sizes.append(self._add_scaled(data, width, height, PHOTO_SIDES[-1]))
        else:
            sizes.append(self.add("photo", data, width=width, height=height))
        self.restore_photo(sizes)
        if self._journal is not None:
            self._journal.photo(sizes)
        return sizes

    def _add_scaled(self, data: bytes, width: int, height: int, side: int) -> StoredFile:
        scale = side / max(width, height)
        target = (max(1, round(width * scale)), max(1, round(height * scale)))
        image = Image.open(io.BytesIO(data))
        image.draft("RGB", target)  # lets the JPEG decoder downscale cheaply
        resized = image.convert("RGB").resize(target)
        buffer = io.BytesIO()
        resized.save(buffer, format="JPEG", quality=85)
        return self.add("photo", buffer.getvalue(), width=target[0], height=target[1])


def _extension(kind: str, file_name: str | None, mime_type: str | None) -> str:
    if file_name and "." in file_name:
        suffix = "." + file_name.rsplit(".", 1)[1]
        if suffix[1:].isalnum() and len(suffix) <= 10:
            return suffix
    if kind == "photo":
        return ".jpg"
    if kind == "sticker":
        return ".webp"
    guessed = mimetypes.guess_extension(mime_type) if mime_type else None
    return guessed or ""


def guess_mime_type(file_name: str | None, declared: str | None) -> str:
    """The mime type Telegram would report for a document."""
    if declared and declared != "application/octet-stream":
        return declared
    guessed = mimetypes.guess_type(file_name)[0] if file_name else None
    return guessed or declared or "application/octet-stream"
