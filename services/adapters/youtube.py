"""YouTube links: finding a video id in what a user pasted, and reading the video's title
(oEmbed, no API key) and current thumbnail (i.ytimg.com).

Every failure is a UserFacingError whose `key` names the message the chat shows.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
from PIL import Image, UnidentifiedImageError

from services.errors import UserFacingError
from services.generators.base import VideoReference

VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")
WATCH_URL = "https://www.youtube.com/watch?v={video_id}"
MAX_THUMBNAIL_BYTES = 5 * 1024 * 1024
MAX_OEMBED_BYTES = 256 * 1024
THUMBNAIL_NAMES = ("maxresdefault.jpg", "hqdefault.jpg")
# YouTube answers a missing maxresdefault with a 120x90 grey placeholder, not a 404.
PLACEHOLDER_SIZE = (120, 90)

_YOUTUBE_HOSTS = frozenset(
    {"youtube.com", "m.youtube.com", "music.youtube.com", "youtube-nocookie.com"}
)
_SHORT_HOST = "youtu.be"
_ID_PATHS = frozenset({"shorts", "embed", "live", "v", "e"})  # /<kind>/<id>
_NOT_IDS = frozenset({"videoseries"})  # /embed/videoseries?list=... is a playlist
# Punctuation around a pasted link: "(https://youtu.be/...)." or «youtu.be/...».
_AROUND = re.compile(r"^\W+|[^\w/=&%#-]+$")

SessionFactory = Callable[[], aiohttp.ClientSession]


class YouTubeError(UserFacingError):
    """Base of the errors below; `key` says what to tell the user."""

    key = "youtube_unreachable"


class NotAYouTubeLink(YouTubeError):
    key = "not_youtube_link"


class VideoUnavailable(YouTubeError):
    """Private ("video_private") or deleted / never existed ("video_not_found")."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message, key=key)


class YouTubeUnreachable(YouTubeError):
    """Timeouts, refused connections, 5xx and 429: worth trying again later."""

    key = "youtube_unreachable"


def parse_video_id(text: str) -> str | None:
    """The id of the first YouTube video link in `text`, else None. Accepts watch, youtu.be,
    shorts, embed, live and /v/ links on youtube.com, m., music., www. and
    youtube-nocookie.com, with or without a scheme, anywhere in a message."""
    for candidate in _link_candidates(text):
        video_id = _video_id_of(candidate)
        if video_id is not None:
            return video_id
    return None


def _link_candidates(text: str) -> list[str]:
    """Whitespace-separated pieces of `text` that may be links, stripped of the punctuation
    around them ("(https://youtu.be/...)." ), starting at a scheme if one is glued on."""
    candidates = []
    for piece in text.split():
        scheme = re.search(r"https?://", piece, re.IGNORECASE)
        piece = piece[scheme.start() :] if scheme else piece
        piece = _AROUND.sub("", piece)
        if piece:
            candidates.append(piece)
    return candidates


def _video_id_of(candidate: str) -> str | None:
    has_scheme = re.match(r"[a-z][a-z0-9+.-]*://", candidate, re.IGNORECASE)
    if has_scheme and not re.match(r"https?://", candidate, re.IGNORECASE):
        return None
    try:
        parts = urlsplit(candidate if has_scheme else f"https://{candidate}")
        host = (parts.hostname or "").rstrip(".").removeprefix("www.")
    except ValueError:  # e.g. a malformed port or IPv6 literal
        return None
    segments = [segment for segment in parts.path.split("/") if segment]
    if host == _SHORT_HOST:
        found = segments[0] if segments else None
    elif host not in _YOUTUBE_HOSTS:
        return None
    elif segments == ["watch"]:
        found = next(iter(parse_qs(parts.query).get("v", [])), None)
    elif len(segments) >= 2 and segments[0] in _ID_PATHS:
        found = segments[1]
    else:
        return None
    if found is None or found in _NOT_IDS or not VIDEO_ID.fullmatch(found):
        return None
    return found


class YouTubeClient:
    """Reads a video's title and thumbnail. Base URLs are injectable so tests can point
    them at a loopback stand-in."""

    def __init__(
        self,
        session: aiohttp.ClientSession | SessionFactory | None = None,
        *,
        oembed_url: str = "https://www.youtube.com/oembed",
        thumbnail_url_template: str = "https://i.ytimg.com/vi/{video_id}/{name}",
        timeout: float = 5.0,
        max_thumbnail_bytes: int = MAX_THUMBNAIL_BYTES,
    ) -> None:
        """`session` may be a shared session (left open), a factory of sessions (each
        closed after use), or None for a session per fetch. A thumbnail larger than
        `max_thumbnail_bytes` counts as missing."""
        self._session = session
        self._max_thumbnail_bytes = max_thumbnail_bytes
        self._oembed_url = oembed_url
        self._thumbnail_url_template = thumbnail_url_template
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def fetch(self, text_or_url: str) -> VideoReference:
        """The video a message links to, with its title and thumbnail (None if it has none)."""
        video_id = parse_video_id(text_or_url)
        if video_id is None:
            raise NotAYouTubeLink("no YouTube video link in the text")
        url = WATCH_URL.format(video_id=video_id)
        async with self._open_session() as session:
            title = await self._read_title(session, url)
            thumbnail = await self._read_thumbnail(session, video_id)
        return VideoReference(url=url, video_id=video_id, title=title, thumbnail=thumbnail)

    @asynccontextmanager
    async def _open_session(self) -> AsyncIterator[aiohttp.ClientSession]:
        if isinstance(self._session, aiohttp.ClientSession):
            yield self._session
            return
        factory = self._session or aiohttp.ClientSession
        async with factory() as session:
            yield session

    async def _read_title(self, session: aiohttp.ClientSession, url: str) -> str | None:
        """The title from oEmbed, which also tells private (401/403) from gone (400/404)."""
        status, body = await self._get(
            session, self._oembed_url, MAX_OEMBED_BYTES, {"url": url, "format": "json"}
        )
        if status in (401, 403):
            raise VideoUnavailable(f"oEmbed answered {status} for {url}", "video_private")
        if status in (400, 404, 410):
            raise VideoUnavailable(f"oEmbed answered {status} for {url}", "video_not_found")
        if status != 200 or body is None:
            raise YouTubeUnreachable(f"oEmbed answered {status} for {url}")
        return _title_of(body)

    async def _read_thumbnail(self, session: aiohttp.ClientSession, video_id: str) -> bytes | None:
        """The largest real thumbnail: maxres if the video has one, else hq."""
        for name in THUMBNAIL_NAMES:
            url = self._thumbnail_url_template.format(video_id=video_id, name=name)
            status, body = await self._get(session, url, self._max_thumbnail_bytes)
            if status >= 500 or status == 429:
                raise YouTubeUnreachable(f"{url} answered {status}")
            if status == 200 and body is not None and _is_real_picture(body):
                return body
        return None

    async def _get(
        self,
        session: aiohttp.ClientSession,
        url: str,
        limit: int,
        params: dict[str, str] | None = None,
    ) -> tuple[int, bytes | None]:
        """(status, body) of a GET; the body is None if it is over `limit` bytes. Network
        failures and timeouts become YouTubeUnreachable."""
        try:
            async with session.get(url, params=params, timeout=self._timeout) as response:
                body = await _read_limited(response, limit) if response.status == 200 else None
                return response.status, body
        except (aiohttp.ClientError, TimeoutError) as error:
            raise YouTubeUnreachable(f"GET {url} failed: {error!r}") from error


async def _read_limited(response: aiohttp.ClientResponse, limit: int) -> bytes | None:
    """The body, or None as soon as it is known to exceed `limit` bytes."""
    if response.content_length is not None and response.content_length > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _title_of(body: bytes) -> str | None:
    """The title in an oEmbed answer; garbled JSON means something between us and YouTube
    is not YouTube, so it counts as unreachable."""
    try:
        document: Any = json.loads(body)
    except ValueError as error:
        raise YouTubeUnreachable("oEmbed answered something that is not JSON") from error
    title = document.get("title") if isinstance(document, dict) else None
    return (title.strip() or None) if isinstance(title, str) else None


def _is_real_picture(data: bytes) -> bool:
    """Whether `data` is an image bigger than YouTube's 120x90 "no thumbnail" placeholder."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError):
        return False
    return width > PLACEHOLDER_SIZE[0] or height > PLACEHOLDER_SIZE[1]
