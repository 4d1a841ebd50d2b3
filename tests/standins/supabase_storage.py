"""A loopback stand-in for the Supabase Storage REST API (storage-api), for tests.

It answers exactly what storage3 2.34.1 sends for the bot's operations, at the same paths
under `/storage/v1`: get and create a bucket, upload (multipart, `x-upsert`), authenticated
download and remove, plus the public object path so a test can see a private bucket refuse
it. Like Supabase it checks the service role key in the `apikey` and `Authorization`
headers, keeps buckets' privacy, size limit and mime types, and answers errors the way
storage-api's error handler does: HTTP 400 with a JSON body whose `statusCode` carries the
real status ("404", "409", "413", ...), which storage3 turns into StorageApiError.
Objects live in memory.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import BodyPartReader, web

from tests.standins.loopback import LoopbackServer

PREFIX = "/storage/v1"
DEFAULT_UPLOAD_TYPE = "text/plain;charset=UTF-8"


@dataclass
class StandInBucket:
    id: str
    public: bool = False
    file_size_limit: int | None = None
    allowed_mime_types: list[str] | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_json(self) -> dict[str, Any]:
        stamp = self.created_at.isoformat().replace("+00:00", "Z")
        return {
            "id": self.id,
            "name": self.id,
            "owner": "",
            "public": self.public,
            "type": "STANDARD",
            "file_size_limit": self.file_size_limit,
            "allowed_mime_types": self.allowed_mime_types,
            "created_at": stamp,
            "updated_at": stamp,
        }


@dataclass
class StandInObject:
    data: bytes
    content_type: str
    cache_control: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def _error(status_code: str, error: str, message: str, code: str | None = None) -> web.Response:
    """storage-api's error shape: HTTP 400 (500 for server faults), the real code inside."""
    body = {"statusCode": status_code, "error": error, "message": message}
    if code is not None:
        body["code"] = code
    return web.json_response(body, status=500 if status_code == "500" else 400)


def _bad_request(message: str) -> web.Response:
    """What fastify's schema validation answers."""
    return _error("400", "Bad Request", message)


def _access_denied() -> web.Response:
    return _error("403", "Unauthorized", "invalid signature", "AccessDenied")


def _no_bucket() -> web.Response:
    return _error("404", "Bucket not found", "Bucket not found", "NoSuchBucket")


def _no_object() -> web.Response:
    return _error("404", "not_found", "Object not found", "NoSuchKey")


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _mime_allowed(content_type: str, allowed: list[str]) -> bool:
    media = _media_type(content_type)
    wildcard = media.split("/", 1)[0] + "/*"
    return any(_media_type(entry) in (media, wildcard, "*/*") for entry in allowed)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class SupabaseStorageStandIn(LoopbackServer):
    def __init__(self, service_key: str) -> None:
        super().__init__()
        self.service_key = service_key
        self.buckets: dict[str, StandInBucket] = {}
        self.objects: dict[tuple[str, str], StandInObject] = {}
        self.requests: list[tuple[str, str]] = []

    def add_bucket(self, bucket: StandInBucket) -> None:
        """Seeds a bucket, as if an operator had made it in the dashboard."""
        self.buckets[bucket.id] = bucket

    def add_routes(self, app: web.Application) -> None:
        app.middlewares.append(self._record)
        # Order matters: the public/authenticated paths shadow `/object/{bucket}/...`.
        app.router.add_get(f"{PREFIX}/bucket/{{id}}", self._get_bucket)
        app.router.add_post(f"{PREFIX}/bucket", self._create_bucket)
        app.router.add_get(f"{PREFIX}/object/public/{{bucket}}/{{path:.+}}", self._get_public)
        app.router.add_get(f"{PREFIX}/object/authenticated/{{bucket}}/{{path:.+}}", self._download)
        app.router.add_post(f"{PREFIX}/object/{{bucket}}/{{path:.+}}", self._upload)
        app.router.add_get(f"{PREFIX}/object/{{bucket}}/{{path:.+}}", self._download)
        app.router.add_delete(f"{PREFIX}/object/{{bucket}}", self._remove)

    @web.middleware
    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.requests.append((request.method, request.path))
        return await handler(request)

    def _authorized(self, request: web.Request) -> bool:
        return (
            request.headers.get("apikey") == self.service_key
            and request.headers.get("Authorization") == f"Bearer {self.service_key}"
        )

    # Buckets

    async def _get_bucket(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _access_denied()
        bucket = self.buckets.get(request.match_info["id"])
        if bucket is None:
            return _no_bucket()
        return web.json_response(bucket.to_json())

    async def _create_bucket(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _access_denied()
        body = await request.json()
        name = body.get("name")
        if not isinstance(name, str) or not name:
            return _bad_request("body must have required property 'name'")
        bucket_id = body.get("id") or name
        if bucket_id in self.buckets:
            return _error("409", "Duplicate", "The resource already exists", "BucketAlreadyExists")
        limit = body.get("file_size_limit")
        if limit is not None and (not isinstance(limit, int) or limit < 0):
            return _error(
                "400",
                "InvalidRequest",
                "Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B",
                "InvalidRequest",
            )
        mime_types = body.get("allowed_mime_types")
        if mime_types is not None and not (
            isinstance(mime_types, list) and all(isinstance(m, str) for m in mime_types)
        ):
            return _bad_request("body/allowed_mime_types must be array")
        self.buckets[bucket_id] = StandInBucket(
            id=bucket_id,
            public=bool(body.get("public", False)),
            file_size_limit=limit,
            allowed_mime_types=[m for m in mime_types if m] if mime_types else mime_types,
        )
        return web.json_response({"name": name})

    # Objects

    async def _upload(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _access_denied()
        bucket_id, path = request.match_info["bucket"], request.match_info["path"]
        bucket = self.buckets.get(bucket_id)
        if bucket is None:
            return _no_bucket()
        data, content_type, cache_control = None, DEFAULT_UPLOAD_TYPE, "3600"
        refusal: web.Response | None = None
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                return _bad_request("nested multipart bodies are not supported")
            if part.name == "cacheControl":
                cache_control = await part.text()
            elif part.name == "file":
                content_type = part.headers.get("Content-Type", DEFAULT_UPLOAD_TYPE)
                data, refusal = await self._read_file(part, bucket, content_type)
            else:
                await part.release()
        if refusal is not None:
            return refusal
        if data is None:
            return _error("400", "InvalidRequest", "No content provided", "InvalidRequest")
        upsert = request.headers.get("x-upsert") == "true"
        if (bucket_id, path) in self.objects and not upsert:
            return _error("409", "Duplicate", "The resource already exists", "KeyAlreadyExists")
        stored = StandInObject(data, content_type, cache_control)
        self.objects[(bucket_id, path)] = stored
        return web.json_response({"Id": stored.id, "Key": f"{bucket_id}/{path}"})

    @staticmethod
    async def _read_file(
        part: BodyPartReader, bucket: StandInBucket, content_type: str
    ) -> tuple[bytes | None, web.Response | None]:
        """The file part's bytes, or the bucket's refusal; the part is always read to its
        end so the client, still sending, gets the answer rather than a reset."""
        if bucket.allowed_mime_types and not _mime_allowed(content_type, bucket.allowed_mime_types):
            await part.release()
            message = f"mime type {content_type} is not supported"
            return None, _error("415", "invalid_mime_type", message, "InvalidMimeType")
        received = bytearray()
        too_large = False
        while chunk := await part.read_chunk():
            too_large = too_large or (
                bucket.file_size_limit is not None
                and len(received) + len(chunk) > bucket.file_size_limit
            )
            if not too_large:
                received += chunk
        if too_large:
            message = "The object exceeded the maximum allowed size"
            return None, _error("413", "Payload too large", message, "EntityTooLarge")
        return bytes(received), None

    async def _download(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _access_denied()
        return self._object_response(request.match_info["bucket"], request.match_info["path"])

    async def _get_public(self, request: web.Request) -> web.Response:
        bucket = self.buckets.get(request.match_info["bucket"])
        if bucket is None or not bucket.public:
            return _no_bucket()
        return self._object_response(bucket.id, request.match_info["path"])

    async def _remove(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return _access_denied()
        bucket_id = request.match_info["bucket"]
        body = await request.json()
        prefixes = body.get("prefixes") if isinstance(body, dict) else None
        if not isinstance(prefixes, list) or not prefixes:
            return _bad_request("body/prefixes must NOT have fewer than 1 items")
        removed = []
        for name in prefixes:
            stored = self.objects.pop((bucket_id, name), None)
            if stored is not None:
                removed.append(self._object_json(bucket_id, name, stored))
        return web.json_response(removed)

    def _object_response(self, bucket_id: str, path: str) -> web.Response:
        if bucket_id not in self.buckets:
            return _no_bucket()
        stored = self.objects.get((bucket_id, path))
        if stored is None:
            return _no_object()
        return web.Response(
            body=stored.data,
            headers={
                "Content-Type": stored.content_type,
                "Cache-Control": f"max-age={stored.cache_control}",
                "ETag": f'"{hashlib.md5(stored.data).hexdigest()}"',
            },
        )

    @staticmethod
    def _object_json(bucket_id: str, name: str, stored: StandInObject) -> dict[str, Any]:
        stamp = stored.created_at.isoformat().replace("+00:00", "Z")
        return {
            "bucket_id": bucket_id,
            "name": name,
            "id": stored.id,
            "owner": "",
            "created_at": stamp,
            "updated_at": stamp,
            "last_accessed_at": stamp,
            "metadata": {
                "size": len(stored.data),
                "mimetype": stored.content_type,
                "cacheControl": f"max-age={stored.cache_control}",
            },
        }
