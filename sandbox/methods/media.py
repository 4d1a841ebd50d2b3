"""sendPhoto, sendDocument, sendMediaGroup and getFile.

A file argument may be a multipart upload (directly or via ``attach://name``), a
file_id seen before, or an HTTP URL that the sandbox downloads like Telegram would.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlparse

import aiohttp

from sandbox.errors import bad_request
from sandbox.files import StoredFile, guess_mime_type
from sandbox.methods.common import (
    check_flood,
    format_text,
    formatted_param,
    replied_message,
    reply_markup,
    send,
    target_chat,
    with_text,
)
from sandbox.methods.registry import Call, method
from sandbox.params import Upload
from sandbox.validation import (
    MAX_DOCUMENT_BYTES,
    MAX_DOWNLOAD_BYTES,
    check_caption,
    check_upload_size,
)

_FETCH_TIMEOUT = aiohttp.ClientTimeout(total=10)


async def media_content(call: Call, kind: str, reference: Any, field: str) -> dict[str, Any]:
    """The message body part for a photo/document argument (``{"photo": [...]}``)."""
    upload = call.params.upload(reference if isinstance(reference, str) else field)
    if (
        upload is None
        and isinstance(reference, str)
        and reference.startswith(("http://", "https://"))
    ):
        upload = await _fetch(call, reference, field)
    if upload is not None:
        check_upload_size(kind, len(upload.data))
        if kind == "photo":
            sizes = call.world.files.add_photo(upload.data)
            return {"photo": [size.photo_size() for size in sizes]}
        stored = call.world.files.add(
            "document",
            upload.data,
            file_name=upload.filename,
            mime_type=guess_mime_type(upload.filename, upload.content_type),
        )
        return {"document": stored.document()}
    if not isinstance(reference, str) or not reference:
        raise bad_request(f"there is no {field} in the request")
    return _reuse(call, kind, reference)


def _reuse(call: Call, kind: str, file_id: str) -> dict[str, Any]:
    stored = call.world.files.get(file_id)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    if stored.kind != kind:
        raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
    if kind == "photo":
        sizes = call.world.files.photo_sizes(file_id) or [stored]
        return {"photo": [size.photo_size() for size in sizes]}
    return {"document": stored.document()}


async def _fetch(call: Call, url: str, field: str) -> Upload:
    """Download a file given by URL, as Telegram does for URL arguments."""
    try:
        async with call.http.get(url, timeout=_FETCH_TIMEOUT) as response:
            if response.status != 200:
                raise bad_request("wrong file identifier/HTTP URL specified")
            data = await response.content.read(MAX_DOCUMENT_BYTES + 1)
            content_type = response.headers.get("Content-Type")
    except (aiohttp.ClientError, TimeoutError):
        raise bad_request("failed to get HTTP URL content") from None
    name = urlparse(url).path.rsplit("/", 1)[-1] or "file"
    return Upload(field, name, content_type, data)


async def _send_single_media(call: Call, kind: str) -> dict[str, Any]:
    chat = target_chat(call)
    caption, entities = formatted_param(call, "caption", "parse_mode", "caption_entities")
    check_caption(caption or "")
    markup = reply_markup(call)
    reply_to = replied_message(call, chat)
    content = await media_content(call, kind, call.params.raw(kind), kind)
    with_text(content, "caption", caption, entities)
    if call.params.get_bool("has_spoiler"):
        content["has_media_spoiler"] = True
    if call.params.get_bool("show_caption_above_media"):
        content["show_caption_above_media"] = True
    check_flood(call, chat)
    source = call.params.get_str("caption")
    message = send(call, chat, content, markup=markup, reply_to=reply_to, source_text=source)
    return message.snapshot()


@method("sendPhoto")
async def send_photo(call: Call) -> dict[str, Any]:
    return await _send_single_media(call, "photo")


@method("sendDocument")
async def send_document(call: Call) -> dict[str, Any]:
    return await _send_single_media(call, "document")


@method("sendMediaGroup")
async def send_media_group(call: Call) -> list[dict[str, Any]]:
    chat = target_chat(call)
    items = call.params.get_json("media", error="can't parse media JSON object")
    if not isinstance(items, list) or not 2 <= len(items) <= 10:
        raise bad_request("wrong number of media in the group: must be 2-10 items")
    kinds = {item.get("type") for item in items if isinstance(item, dict)}
    if len(kinds) != 1 or not kinds <= {"photo", "document"}:
        raise bad_request("MEDIA_GROUP_INVALID: use 2-10 photos or 2-10 documents")
    reply_to = replied_message(call, chat)
    contents = []
    for item in items:
        raw_caption = item.get("caption")
        caption: str | None = None
        entities: list[dict[str, Any]] = []
        if raw_caption:
            caption, entities = format_text(
                raw_caption, item.get("parse_mode"), item.get("caption_entities")
            )
            check_caption(caption)
        content = await media_content(call, item["type"], item.get("media"), "media")
        with_text(content, "caption", caption, entities)
        contents.append(content)
    check_flood(call, chat, len(contents))
    group_id = str(secrets.randbits(60))
    return [
        send(call, chat, {**content, "media_group_id": group_id}, reply_to=reply_to).snapshot()
        for content in contents
    ]


@method("getFile")
async def get_file(call: Call) -> dict[str, Any]:
    file_id = call.params.get_str("file_id", required="invalid file_id")
    stored: StoredFile | None = call.world.files.get(file_id or "")
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.file_size > MAX_DOWNLOAD_BYTES:
        raise bad_request("file is too big")
    return stored.file_object()
