"""File storage for faces, thumbnails and brand kit logos.

Files are addressed by a storage URL (`local://bucket/key`, `supabase://bucket/key`), which
is what the database keeps. Only the bot reads them: users get images through Telegram (by
file id, or these bytes when a file id stops working), so nothing is served by link. The
local store writes under DATA_DIR; supabase_storage.py beside it keeps the files in
Supabase Storage behind the same protocol.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Protocol

FACES_BUCKET = "faces"
THUMBNAILS_BUCKET = "thumbnails"
LOGOS_BUCKET = "logos"  # brand kit logos (services/brand_kits.py), PNGs
_LOCAL_SCHEME = "local://"


class StorageError(Exception):
    """A file is missing or the URL is not ours."""


class Storage(Protocol):
    async def put(self, bucket: str, key: str, data: bytes, content_type: str) -> str:
        """Stores the bytes and returns the storage URL to keep in the database."""
        ...

    async def get(self, url: str) -> bytes: ...

    async def delete(self, url: str) -> None: ...


class LocalStorage:
    """Files under a directory, one folder per bucket; keys may contain '/'."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, bucket: str, key: str) -> Path:
        if bucket in ("", ".", "..") or "/" in bucket or "\\" in bucket or "\0" in key:
            raise StorageError(f"invalid storage location {bucket!r}/{key!r}")
        path = (self.root / bucket / key).resolve()
        if not path.is_relative_to(self.root / bucket) or not key or path == self.root / bucket:
            raise StorageError(f"invalid storage key {bucket}/{key}")
        return path

    def _path_of_url(self, url: str) -> Path:
        if not url.startswith(_LOCAL_SCHEME):
            raise StorageError("not a local storage URL")
        bucket, _, key = url.removeprefix(_LOCAL_SCHEME).partition("/")
        return self._path(bucket, key)

    async def put(self, bucket: str, key: str, data: bytes, content_type: str) -> str:
        path = self._path(bucket, key)
        await asyncio.to_thread(_write_atomically, path, data)
        return f"{_LOCAL_SCHEME}{bucket}/{key}"

    async def get(self, url: str) -> bytes:
        path = self._path_of_url(url)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as error:
            raise StorageError(f"missing file {url}") from error

    async def delete(self, url: str) -> None:
        path = self._path_of_url(url)
        await asyncio.to_thread(path.unlink, True)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary name then rename, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_bytes(data)
    temporary.replace(path)
