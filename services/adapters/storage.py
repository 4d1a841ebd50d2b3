"""File storage for faces and thumbnails.

Files are addressed by a storage URL (`local://bucket/key`, `supabase://bucket/key`), which
is what the database keeps. The local store writes under DATA_DIR and hands out links signed
with a key kept there (served by bot/files_route.py); supabase_storage.py beside it keeps
the files in Supabase Storage behind the same protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, urlencode

FACES_BUCKET = "faces"
THUMBNAILS_BUCKET = "thumbnails"
SIGNING_KEY_FILE = "storage.key"
_SIGNING_KEY_BYTES = 32
_LOCAL_SCHEME = "local://"

Clock = Callable[[], float]


class StorageError(Exception):
    """A file is missing or the URL is not ours."""


class Storage(Protocol):
    async def put(self, bucket: str, key: str, data: bytes, content_type: str) -> str:
        """Stores the bytes and returns the storage URL to keep in the database."""
        ...

    async def get(self, url: str) -> bytes: ...

    async def delete(self, url: str) -> None: ...

    async def signed_url(self, url: str, expires_in: int) -> str:
        """A link that opens the file without credentials for `expires_in` seconds, for a
        person or a provider such as Replicate that must fetch a private file."""
        ...


class LocalStorage:
    """Files under a directory, one folder per bucket; keys may contain '/'.

    Signed links point at the bot's own web server (bot/files_route.py), which serves a file
    only for an untampered, unexpired HMAC of its bucket, key and expiry time.
    """

    def __init__(
        self,
        root: Path,
        *,
        signing_key: bytes,
        public_base_url: str,
        clock: Clock = time.time,
    ) -> None:
        if len(signing_key) < _SIGNING_KEY_BYTES:
            raise ValueError(f"the signing key needs at least {_SIGNING_KEY_BYTES} bytes")
        self.root = root.resolve()
        self.public_base_url = public_base_url.rstrip("/")
        self._signing_key = signing_key
        self._clock = clock

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

    async def read(self, bucket: str, key: str) -> bytes:
        """The bytes behind a signed link (the files route knows bucket and key, not URLs)."""
        return await self.get(f"{_LOCAL_SCHEME}{bucket}/{key}")

    async def delete(self, url: str) -> None:
        path = self._path_of_url(url)
        await asyncio.to_thread(path.unlink, True)

    async def signed_url(self, url: str, expires_in: int) -> str:
        if expires_in < 1:
            raise StorageError("a signed link must live at least one second")
        path = self._path_of_url(url)
        if not await asyncio.to_thread(path.is_file):
            raise StorageError(f"missing file {url}")
        bucket, _, key = url.removeprefix(_LOCAL_SCHEME).partition("/")
        expires = int(self._clock()) + expires_in
        query = urlencode({"expires": expires, "signature": self._signature(bucket, key, expires)})
        return f"{self.public_base_url}/files/{quote(bucket, safe='')}/{quote(key)}?{query}"

    def verify(self, bucket: str, key: str, expires: int, signature: str) -> bool:
        """True only for a link this storage signed that has not expired yet. The signature
        is compared in constant time so it cannot be guessed byte by byte."""
        expected = self._signature(bucket, key, expires).encode()
        authentic = hmac.compare_digest(expected, signature.encode("utf-8", "replace"))
        return authentic and self._clock() < expires

    def _signature(self, bucket: str, key: str, expires: int) -> str:
        # JSON keeps the three fields apart whatever characters a key holds.
        message = json.dumps([expires, bucket, key]).encode()
        return hmac.new(self._signing_key, message, hashlib.sha256).hexdigest()


def content_type_of(data: bytes) -> str:
    """The Content-Type to serve a stored file with, from the bytes' own signature: the
    stores keep only images, and anything else is sent as opaque bytes, never as markup."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


def load_signing_key(data_dir: Path) -> bytes:
    """The key that signs local file links, made once and kept in DATA_DIR/storage.key
    (mode 0600) so links stay valid across restarts and other users cannot read it."""
    path = data_dir / SIGNING_KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.partial")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(secrets.token_bytes(_SIGNING_KEY_BYTES))
                handle.flush()
                os.fsync(handle.fileno())
            # A hard link never replaces an existing file: if two processes start at once,
            # the first key wins and both use it; a crash never leaves half a key behind.
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    key = path.read_bytes()
    if len(key) < _SIGNING_KEY_BYTES:
        raise StorageError(f"{path} is shorter than {_SIGNING_KEY_BYTES} bytes; delete it")
    return key


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary name then rename, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_bytes(data)
    temporary.replace(path)
