"""File storage: one behaviour suite for LocalStorage (files under a directory) and
SupabaseStorage (the real supabase library talking HTTP to a loopback stand-in of Supabase
Storage), plus what only one of them has."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.settings import Settings
from bot.wiring import build_storage, supabase_client
from services.adapters.storage import (
    FACES_BUCKET,
    LOGOS_BUCKET,
    THUMBNAILS_BUCKET,
    LocalStorage,
    Storage,
    StorageError,
)
from services.adapters.supabase_storage import (
    BUCKETS,
    IMAGE_MIME_TYPES,
    MAX_FILE_BYTES,
    SupabaseStorage,
)
from tests.standins.supabase_storage import StandInBucket, SupabaseStorageStandIn

# JWT-shaped like a real service role key; it only has to match the stand-in's.
SERVICE_KEY = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c3RvcmFnZS1zdGFuZC1pbg"
WRONG_KEY = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.bm90LXRoZS1zZXJ2aWNlLWtleQ"
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(2048)

# supabase-py itself passes storage3 the deprecated timeout/verify arguments; not ours to fix.
pytestmark = pytest.mark.filterwarnings(
    "ignore:The '(timeout|verify)' parameter is deprecated:DeprecationWarning"
)


def supabase_settings(url: str, key: str = SERVICE_KEY) -> Settings:
    return Settings(_env_file=None, supabase_url=url, supabase_service_role_key=key)  # type: ignore[call-arg]


@pytest.fixture
def local_storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "files")


@pytest.fixture
async def standin() -> AsyncIterator[SupabaseStorageStandIn]:
    server = SupabaseStorageStandIn(SERVICE_KEY)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def supabase_storage(standin: SupabaseStorageStandIn) -> AsyncIterator[SupabaseStorage]:
    """Built the way the bot builds it: through wiring, which also ensures the buckets."""
    storage = await build_storage(supabase_settings(standin.url))
    assert isinstance(storage, SupabaseStorage)
    yield storage
    await storage.aclose()


@pytest.fixture(params=["local", "supabase"])
def storage(request: pytest.FixtureRequest) -> Storage:
    return request.getfixturevalue(f"{request.param}_storage")


async def fetch(url: str, **headers: str) -> tuple[int, bytes, dict[str, str]]:
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        return response.status, await response.read(), dict(response.headers)


# The shared behaviour


async def test_put_get_delete_round_trip(storage: Storage) -> None:
    url = await storage.put(FACES_BUCKET, "profile-1/face-1.jpg", JPEG, "image/jpeg")

    assert url.split("://")[1] == "faces/profile-1/face-1.jpg"
    assert await storage.get(url) == JPEG
    await storage.delete(url)
    with pytest.raises(StorageError):
        await storage.get(url)
    await storage.delete(url)  # already gone: not an error


async def test_putting_the_same_key_again_replaces_the_file(storage: Storage) -> None:
    first = await storage.put(THUMBNAILS_BUCKET, "p/g.jpg", JPEG, "image/jpeg")
    second = await storage.put(THUMBNAILS_BUCKET, "p/g.jpg", PNG, "image/png")

    assert first == second
    assert await storage.get(second) == PNG


async def test_a_missing_file_is_a_storage_error(storage: Storage) -> None:
    url = await storage.put(FACES_BUCKET, "p/present.jpg", JPEG, "image/jpeg")
    missing = url.replace("present", "absent")

    with pytest.raises(StorageError):
        await storage.get(missing)
    with pytest.raises(StorageError):
        await storage.get("https://example.com/faces/p/present.jpg")


@pytest.mark.parametrize("key", ["../escape.jpg", "p/../../escape.jpg", "/etc/passwd", ""])
async def test_keys_that_leave_the_bucket_are_refused(storage: Storage, key: str) -> None:
    with pytest.raises(StorageError):
        await storage.put(FACES_BUCKET, key, JPEG, "image/jpeg")
    scheme = (await storage.put(FACES_BUCKET, "p/ok.jpg", JPEG, "image/jpeg")).split("://")[0]
    with pytest.raises(StorageError):
        await storage.get(f"{scheme}://{FACES_BUCKET}/{key}")


# LocalStorage


async def test_wiring_builds_local_storage_without_supabase(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)  # type: ignore[call-arg]

    storage = await build_storage(settings)

    assert isinstance(storage, LocalStorage)
    assert storage.root == (tmp_path / "files").resolve()


# SupabaseStorage against the stand-in


async def test_buckets_are_created_private_once(
    supabase_storage: SupabaseStorage, standin: SupabaseStorageStandIn
) -> None:
    for name in BUCKETS:
        bucket = standin.buckets[name]
        assert bucket.public is False
        assert bucket.file_size_limit == MAX_FILE_BYTES
        assert bucket.allowed_mime_types == list(IMAGE_MIME_TYPES)
    creations = [r for r in standin.requests if r == ("POST", "/storage/v1/bucket")]
    assert len(creations) == len(BUCKETS) == 3

    assert await supabase_storage.ensure_buckets() == []
    assert [r for r in standin.requests if r == ("POST", "/storage/v1/bucket")] == creations


async def test_existing_buckets_are_left_alone(standin: SupabaseStorageStandIn) -> None:
    standin.add_bucket(StandInBucket(FACES_BUCKET, public=True, file_size_limit=123))
    storage = SupabaseStorage(await supabase_client(supabase_settings(standin.url)))
    try:
        assert await storage.ensure_buckets() == [THUMBNAILS_BUCKET, LOGOS_BUCKET]
    finally:
        await storage.aclose()

    faces = standin.buckets[FACES_BUCKET]
    assert (faces.public, faces.file_size_limit, faces.allowed_mime_types) == (True, 123, None)


async def test_a_wrong_service_key_is_a_storage_error(standin: SupabaseStorageStandIn) -> None:
    with pytest.raises(StorageError, match="403"):
        await build_storage(supabase_settings(standin.url, WRONG_KEY))
    standin.add_bucket(StandInBucket(FACES_BUCKET))
    storage = SupabaseStorage(await supabase_client(supabase_settings(standin.url, WRONG_KEY)))
    try:
        with pytest.raises(StorageError):
            await storage.put(FACES_BUCKET, "p/face.jpg", JPEG, "image/jpeg")
        with pytest.raises(StorageError):
            await storage.get("supabase://faces/p/face.jpg")
    finally:
        await storage.aclose()
    assert standin.objects == {}


async def test_an_oversized_upload_is_refused(
    supabase_storage: SupabaseStorage, standin: SupabaseStorageStandIn
) -> None:
    with pytest.raises(StorageError, match="413"):
        await supabase_storage.put(
            FACES_BUCKET, "p/huge.jpg", JPEG + bytes(MAX_FILE_BYTES), "image/jpeg"
        )
    assert standin.objects == {}
    at_limit = JPEG + bytes(MAX_FILE_BYTES - len(JPEG))
    url = await supabase_storage.put(FACES_BUCKET, "p/big.jpg", at_limit, "image/jpeg")
    assert len(await supabase_storage.get(url)) == MAX_FILE_BYTES


async def test_other_file_types_are_refused(
    supabase_storage: SupabaseStorage, standin: SupabaseStorageStandIn
) -> None:
    with pytest.raises(StorageError, match="415"):
        await supabase_storage.put(FACES_BUCKET, "p/anim.gif", b"GIF89a", "image/gif")
    assert standin.objects == {}


async def test_private_files_need_the_service_key(
    supabase_storage: SupabaseStorage, standin: SupabaseStorageStandIn
) -> None:
    await supabase_storage.put(FACES_BUCKET, "p/face.jpg", JPEG, "image/jpeg")
    base = f"{standin.url}/storage/v1/object"

    for address in (f"{base}/public/faces/p/face.jpg", f"{base}/faces/p/face.jpg"):
        status, body, _ = await fetch(address)
        assert status == 400
        assert body != JPEG
    status, body, _ = await fetch(f"{base}/faces/p/face.jpg", apikey=WRONG_KEY)
    assert (status, body != JPEG) == (400, True)
