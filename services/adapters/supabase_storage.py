"""Faces, thumbnails and logos in Supabase Storage, behind the same protocol as the local
store.

Every bucket is private: only the service role (the bot) reads them. Storage URLs are
`supabase://bucket/key`. Keys are stable (a face is `profile/face.jpg`, a thumbnail
`profile/generation.jpg`), and the database dedupes faces by sha256, so a face is uploaded
once; uploads upsert so a retried put is harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from pydantic import ValidationError
from storage3.exceptions import StorageApiError
from storage3.types import CreateOrUpdateBucketOptions
from storage3.utils import StorageException
from supabase import AsyncClient

from services.adapters.storage import FACES_BUCKET, LOGOS_BUCKET, THUMBNAILS_BUCKET, StorageError

logger = logging.getLogger(__name__)

SUPABASE_SCHEME = "supabase://"
BUCKETS = (FACES_BUCKET, THUMBNAILS_BUCKET, LOGOS_BUCKET)
MAX_FILE_BYTES = 10 * 1024 * 1024
IMAGE_MIME_TYPES = ("image/jpeg", "image/png", "image/webp")


class SupabaseStorage:
    """The Storage protocol over the real supabase client (its storage3 API)."""

    def __init__(
        self,
        client: AsyncClient,
        *,
        file_size_limit: int = MAX_FILE_BYTES,
        allowed_mime_types: tuple[str, ...] = IMAGE_MIME_TYPES,
    ) -> None:
        self._client = client
        self._file_size_limit = file_size_limit
        self._allowed_mime_types = allowed_mime_types

    async def ensure_buckets(self) -> list[str]:
        """Creates the private buckets that are missing; returns the ones it created.

        Existing buckets are left as they are (an operator may have tuned them); a public
        one is only reported, since making it private could break someone's links.
        """
        created: list[str] = []
        options: CreateOrUpdateBucketOptions = {
            "public": False,
            "file_size_limit": self._file_size_limit,
            "allowed_mime_types": list(self._allowed_mime_types),
        }
        for bucket in BUCKETS:
            with _storage_errors(f"bucket {bucket}"):
                try:
                    existing = await self._client.storage.get_bucket(bucket)
                except StorageApiError as error:
                    if str(error.status) != "404":
                        raise
                else:
                    if existing.public:
                        logger.warning("Supabase bucket %r is public; files may leak", bucket)
                    continue
                try:
                    await self._client.storage.create_bucket(bucket, options=options)
                except StorageApiError as error:
                    if str(error.status) != "409":  # another process made it meanwhile
                        raise
                    continue
                created.append(bucket)
                logger.info("created private Supabase bucket %r", bucket)
        return created

    async def put(self, bucket: str, key: str, data: bytes, content_type: str) -> str:
        _check_key(bucket, key)
        with _storage_errors(f"upload {bucket}/{key}"):
            await self._client.storage.from_(bucket).upload(
                key, data, file_options={"content-type": content_type, "upsert": "true"}
            )
        return f"{SUPABASE_SCHEME}{bucket}/{key}"

    async def get(self, url: str) -> bytes:
        bucket, key = _parse(url)
        with _storage_errors(f"download {url}"):
            return await self._client.storage.from_(bucket).download(key)

    async def delete(self, url: str) -> None:
        """Removing a file that is already gone is not an error (Supabase answers [])."""
        bucket, key = _parse(url)
        with _storage_errors(f"remove {url}"):
            await self._client.storage.from_(bucket).remove([key])

    async def aclose(self) -> None:
        """Closes the HTTP connections the storage client keeps open."""
        await self._client.storage.session.aclose()


def _parse(url: str) -> tuple[str, str]:
    if not url.startswith(SUPABASE_SCHEME):
        raise StorageError("not a Supabase storage URL")
    bucket, _, key = url.removeprefix(SUPABASE_SCHEME).partition("/")
    _check_key(bucket, key)
    return bucket, key


def _check_key(bucket: str, key: str) -> None:
    """Refuses what Supabase would read as another path: empty, absolute or dot segments,
    and percent escapes (storage3 unquotes keys, so `%2e%2e` would become `..`)."""
    parts = key.split("/")
    if not bucket or "/" in bucket or "%" in key or any(p in ("", ".", "..") for p in parts):
        raise StorageError(f"invalid storage key {bucket!r}/{key!r}")


@contextmanager
def _storage_errors(action: str) -> Iterator[None]:
    """Whatever storage3 or the network raises becomes a StorageError, which callers
    (faces, generations) already handle; the cause stays attached for the logs."""
    try:
        yield
    except StorageApiError as error:
        raise StorageError(f"{action}: {error.status} {error.code}: {error.message}") from error
    except (StorageException, httpx.HTTPError, ValidationError) as error:
        raise StorageError(f"{action}: {error!r}") from error
