"""File storage: one behaviour suite for LocalStorage (signed links served by the bot's
files route on a real aiohttp server) and SupabaseStorage (the real supabase library
talking HTTP to a loopback stand-in of Supabase Storage), plus what only one of them has.

Both stores and the stand-in read the same fake clock, so expiry is tested by moving the
clock on instead of sleeping."""

from __future__ import annotations

import os
import socket
import stat
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import aiohttp
import pytest
from aiohttp import web

from bot.files_route import local_files_route
from bot.settings import Settings
from bot.wiring import build_storage, supabase_client
from services.adapters.storage import (
    FACES_BUCKET,
    SIGNING_KEY_FILE,
    THUMBNAILS_BUCKET,
    LocalStorage,
    Storage,
    StorageError,
    load_signing_key,
)
from services.adapters.supabase_storage import IMAGE_MIME_TYPES, MAX_FILE_BYTES, SupabaseStorage
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


class FakeClock:
    """Wall-clock time that tests move on by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def supabase_settings(url: str, key: str = SERVICE_KEY) -> Settings:
    return Settings(_env_file=None, supabase_url=url, supabase_service_role_key=key)  # type: ignore[call-arg]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def signing_key(tmp_path: Path) -> bytes:
    return load_signing_key(tmp_path)


@pytest.fixture
async def local_storage(
    tmp_path: Path, signing_key: bytes, clock: FakeClock
) -> AsyncIterator[LocalStorage]:
    """A LocalStorage whose links point at a real server mounting the files route."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    storage = LocalStorage(
        tmp_path / "files",
        signing_key=signing_key,
        public_base_url=f"http://127.0.0.1:{port}",
        clock=clock,
    )
    app = web.Application()
    app.router.add_routes([local_files_route(storage)])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.SockSite(runner, listener).start()
    yield storage
    await runner.cleanup()


@pytest.fixture
async def standin(clock: FakeClock) -> AsyncIterator[SupabaseStorageStandIn]:
    server = SupabaseStorageStandIn(SERVICE_KEY, clock=clock)
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


def with_query(link: str, **changes: str) -> str:
    parts = urlsplit(link)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


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
        await storage.signed_url(missing, 60)
    with pytest.raises(StorageError):
        await storage.get("https://example.com/faces/p/present.jpg")


@pytest.mark.parametrize("key", ["../escape.jpg", "p/../../escape.jpg", "/etc/passwd", ""])
async def test_keys_that_leave_the_bucket_are_refused(storage: Storage, key: str) -> None:
    with pytest.raises(StorageError):
        await storage.put(FACES_BUCKET, key, JPEG, "image/jpeg")
    scheme = (await storage.put(FACES_BUCKET, "p/ok.jpg", JPEG, "image/jpeg")).split("://")[0]
    with pytest.raises(StorageError):
        await storage.get(f"{scheme}://{FACES_BUCKET}/{key}")


async def test_a_signed_url_opens_the_file_until_it_expires(
    storage: Storage, clock: FakeClock
) -> None:
    url = await storage.put(FACES_BUCKET, "p/face.png", PNG, "image/png")

    link = await storage.signed_url(url, 60)

    status, body, headers = await fetch(link)  # no credentials: anyone holding the link
    assert (status, body) == (200, PNG)
    assert headers["Content-Type"] == "image/png"
    clock.advance(61)
    status, body, _ = await fetch(link)
    assert status in (400, 403)  # Supabase answers 400 InvalidJWT, the bot 403
    assert body != PNG


# LocalStorage and the bot's files route


async def test_local_links_are_hmac_signed_private_links(local_storage: LocalStorage) -> None:
    url = await local_storage.put(FACES_BUCKET, "p/face.jpg", JPEG, "image/jpeg")

    link = await local_storage.signed_url(url, 300)

    parts = urlsplit(link)
    assert link.startswith(f"{local_storage.public_base_url}/files/faces/p/face.jpg?")
    query = parse_qs(parts.query)
    assert int(query["expires"][0]) == int(local_storage._clock()) + 300
    assert len(query["signature"][0]) == 64
    status, body, headers = await fetch(link)
    assert (status, body) == (200, JPEG)
    assert headers["Content-Type"] == "image/jpeg"
    assert headers["Cache-Control"] == "private"


async def test_tampered_local_links_are_refused(local_storage: LocalStorage) -> None:
    url = await local_storage.put(FACES_BUCKET, "p/face.jpg", JPEG, "image/jpeg")
    await local_storage.put(FACES_BUCKET, "p/other.jpg", PNG, "image/png")
    link = await local_storage.signed_url(url, 300)
    signature = parse_qs(urlsplit(link).query)["signature"][0]
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    expires = parse_qs(urlsplit(link).query)["expires"][0]

    tampered = [
        with_query(link, signature=flipped),
        with_query(link, expires=str(int(expires) + 3600)),
        with_query(link, expires="soon"),
        link.replace("face.jpg", "other.jpg"),
        link.split("?")[0],
        link.replace("/files/faces/", "/files/thumbnails/"),
    ]
    for candidate in tampered:
        status, body, _ = await fetch(candidate)
        assert status == 403, candidate
        assert body not in (JPEG, PNG)


async def test_a_signed_link_to_a_deleted_file_is_404(local_storage: LocalStorage) -> None:
    url = await local_storage.put(FACES_BUCKET, "p/face.jpg", JPEG, "image/jpeg")
    link = await local_storage.signed_url(url, 300)
    await local_storage.delete(url)

    status, _, _ = await fetch(link)

    assert status == 404


async def test_verify_rejects_other_keys_and_expired_links(
    local_storage: LocalStorage, clock: FakeClock, tmp_path: Path
) -> None:
    url = await local_storage.put(FACES_BUCKET, "p/face.jpg", JPEG, "image/jpeg")
    query = parse_qs(urlsplit(await local_storage.signed_url(url, 10)).query)
    expires, signature = int(query["expires"][0]), query["signature"][0]
    stranger = LocalStorage(
        tmp_path / "files",
        signing_key=os.urandom(32),
        public_base_url="http://127.0.0.1:1",
        clock=clock,
    )

    assert local_storage.verify(FACES_BUCKET, "p/face.jpg", expires, signature)
    assert not local_storage.verify(FACES_BUCKET, "p/face.jpg", expires, "é" + signature[1:])
    assert not stranger.verify(FACES_BUCKET, "p/face.jpg", expires, signature)
    clock.advance(10)
    assert not local_storage.verify(FACES_BUCKET, "p/face.jpg", expires, signature)


def test_the_signing_key_is_made_once_and_readable_by_the_owner_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"

    first = load_signing_key(data_dir)
    again = load_signing_key(data_dir)

    assert first == again
    assert len(first) == 32
    assert stat.S_IMODE((data_dir / SIGNING_KEY_FILE).stat().st_mode) == 0o600
    assert [path.name for path in data_dir.iterdir()] == [SIGNING_KEY_FILE]


async def test_wiring_builds_local_storage_without_supabase(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, port=9090)  # type: ignore[call-arg]
    public = Settings(_env_file=None, data_dir=tmp_path, public_url="https://bot.example/")  # type: ignore[call-arg]

    storage = await build_storage(settings)
    behind_proxy = await build_storage(public)

    assert isinstance(storage, LocalStorage)
    assert storage.public_base_url == "http://127.0.0.1:9090"
    assert storage.root == (tmp_path / "files").resolve()
    assert (tmp_path / SIGNING_KEY_FILE).exists()
    assert isinstance(behind_proxy, LocalStorage)
    assert behind_proxy.public_base_url == "https://bot.example"


# SupabaseStorage against the stand-in


async def test_buckets_are_created_private_once(
    supabase_storage: SupabaseStorage, standin: SupabaseStorageStandIn
) -> None:
    for name in (FACES_BUCKET, THUMBNAILS_BUCKET):
        bucket = standin.buckets[name]
        assert bucket.public is False
        assert bucket.file_size_limit == MAX_FILE_BYTES
        assert bucket.allowed_mime_types == list(IMAGE_MIME_TYPES)
    creations = [r for r in standin.requests if r == ("POST", "/storage/v1/bucket")]
    assert len(creations) == 2

    assert await supabase_storage.ensure_buckets() == []
    assert [r for r in standin.requests if r == ("POST", "/storage/v1/bucket")] == creations


async def test_existing_buckets_are_left_alone(standin: SupabaseStorageStandIn) -> None:
    standin.add_bucket(StandInBucket(FACES_BUCKET, public=True, file_size_limit=123))
    storage = SupabaseStorage(await supabase_client(supabase_settings(standin.url)))
    try:
        assert await storage.ensure_buckets() == [THUMBNAILS_BUCKET]
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
        with pytest.raises(StorageError):
            await storage.signed_url("supabase://faces/p/face.jpg", 60)
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


async def test_private_files_need_the_key_or_a_signed_token(
    supabase_storage: SupabaseStorage, standin: SupabaseStorageStandIn
) -> None:
    url = await supabase_storage.put(FACES_BUCKET, "p/face.jpg", JPEG, "image/jpeg")
    other = await supabase_storage.put(FACES_BUCKET, "p/other.jpg", PNG, "image/png")
    base = f"{standin.url}/storage/v1/object"

    for address in (f"{base}/public/faces/p/face.jpg", f"{base}/faces/p/face.jpg"):
        status, body, _ = await fetch(address)
        assert status == 400
        assert body != JPEG
    status, body, _ = await fetch(f"{base}/faces/p/face.jpg", apikey=WRONG_KEY)
    assert (status, body != JPEG) == (400, True)
    link = await supabase_storage.signed_url(url, 60)
    status, body, _ = await fetch(link.replace("face.jpg", "other.jpg"))
    assert status == 400
    assert body != PNG
    assert other.endswith("other.jpg")
