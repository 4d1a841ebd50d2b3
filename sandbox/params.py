"""Decoding Bot API method arguments from every transport Telegram accepts.

Telegram takes arguments from the query string, a JSON body, an urlencoded form or a
multipart form. Form transports carry nested values (reply_markup, media, prices...) as
JSON strings and scalars as text, so :class:`Params` decodes lazily and coerces types
on access; a JSON body already has native types and passes through unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from sandbox.errors import ApiError, bad_request, entity_too_large

#: Largest request body accepted; a bit above the 50 MB document limit so that the
#: Telegram-worded "file is too big" check, not the transport, rejects big uploads.
MAX_REQUEST_BYTES = 52 * 1024 * 1024
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Upload:
    """One file part of a multipart request."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes


class Params:
    """Method arguments with Telegram-style coercion and error wording."""

    def __init__(self, values: Mapping[str, Any], uploads: Mapping[str, Upload] | None = None):
        self._values = dict(values)
        self._uploads = dict(uploads or {})

    def has(self, name: str) -> bool:
        """True if the argument was sent with a non-empty value or as a file part."""
        value = self._values.get(name)
        return (value is not None and value != "") or name in self._uploads

    def raw(self, name: str) -> Any:
        """The argument exactly as received (``None`` when absent)."""
        return self._values.get(name)

    def get_str(self, name: str, *, required: str | None = None) -> str | None:
        """A string argument; *required* is the error detail used when it is missing."""
        value = self._values.get(name)
        if value is None or value == "":
            if required is not None:
                raise bad_request(required)
            return None if value is None else ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        if not isinstance(value, str):
            raise bad_request(f'field "{name}" must be of type String')
        return value

    def get_int(self, name: str, *, required: str | None = None) -> int | None:
        """An integer argument, accepting numeric strings as Telegram does."""
        value = self._values.get(name)
        if value is None or value == "":
            if required is not None:
                raise bad_request(required)
            return None
        if isinstance(value, bool):
            raise bad_request(f'field "{name}" must be of type Integer')
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(f'field "{name}" must be of type Integer') from None

    def get_bool(self, name: str, default: bool = False) -> bool:
        """A boolean argument; form transports send ``true``/``false``/``1``/``0``."""
        value = self._values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise bad_request(f'field "{name}" must be of type Boolean')

    def get_json(self, name: str, *, error: str) -> Any:
        """A nested argument: decoded from a JSON string if it arrived through a form."""
        value = self._values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(error) from None
        return value

    def upload(self, reference: str) -> Upload | None:
        """The file part named *reference* directly or via an ``attach://`` URI."""
        name = reference.removeprefix("attach://")
        return self._uploads.get(name)

    def summary(self) -> dict[str, Any]:
        """Arguments for the call log, with file parts reduced to name and size."""
        described = dict(self._values)
        for name, upload in self._uploads.items():
            described[name] = f"<upload {upload.filename!r}, {len(upload.data)} bytes>"
        return described


async def read_params(request: web.Request) -> Params:
    """Collect a request's arguments from its query string and body."""
    values: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if not request.can_read_body:
        return Params(values, uploads)
    if request.content_length is not None and request.content_length > MAX_REQUEST_BYTES:
        raise entity_too_large()
    content_type = request.content_type
    if content_type.startswith("multipart/"):
        await _read_multipart(request, values, uploads)
    elif content_type == "application/x-www-form-urlencoded":
        values.update((await request.post()).items())
    else:
        # Telegram also treats an untyped body as JSON.
        raw = await request.read()
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise bad_request("JSON object expected")
            values.update(body)
    return Params(values, uploads)


async def _read_multipart(
    request: web.Request, values: dict[str, Any], uploads: dict[str, Upload]
) -> None:
    reader = await request.multipart()
    total = 0
    async for part in reader:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        chunks: list[bytes] = []
        while chunk := await part.read_chunk(_CHUNK):
            total += len(chunk)
            if total > MAX_REQUEST_BYTES:
                raise entity_too_large()
            chunks.append(bytes(chunk))
        data = b"".join(chunks)
        if part.filename is not None:
            content_type = part.headers.get("Content-Type")
            uploads[part.name] = Upload(part.name, part.filename, content_type, data)
        else:
            try:
                values[part.name] = data.decode(part.get_charset("utf-8"))
            except (UnicodeDecodeError, LookupError):
                raise ApiError(400, "Bad Request: invalid UTF-8 in a form field") from None
