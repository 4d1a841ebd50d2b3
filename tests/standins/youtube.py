"""A loopback stand-in for the two YouTube endpoints the bot reads, for tests.

It answers like YouTube does: `GET /oembed?url=...&format=json` gives the title, 401 for a
private video and 404 for a deleted or unknown one; `GET /vi/<id>/<name>` gives a
thumbnail or 404, and a video without a maxres thumbnail gets YouTube's 120x90 grey
placeholder with a 200. `/slow/oembed` hangs (until `stop()`) to test timeouts, and
`/broken/oembed` answers 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

from aiohttp import web
from PIL import Image

from tests.standins.loopback import LoopbackServer


def jpeg(width: int, height: int, color: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """A plain JPEG of the given size, to serve as a thumbnail."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG")
    return buffer.getvalue()


PLACEHOLDER = jpeg(120, 90, (204, 204, 204))


@dataclass
class StandInVideo:
    """What the stand-in knows of one video id."""

    title: str = "A video"
    oembed_status: int = 200
    thumbnails: dict[str, bytes] = field(default_factory=dict)  # file name -> bytes


class YouTubeStandIn(LoopbackServer):
    def __init__(self, videos: dict[str, StandInVideo], slow_seconds: float = 10.0) -> None:
        super().__init__()
        self.videos = videos
        self.slow_seconds = slow_seconds
        self.requests: list[str] = []  # paths with query, in order
        self._release = asyncio.Event()

    @property
    def oembed_url(self) -> str:
        return f"{self.url}/oembed"

    @property
    def thumbnail_url_template(self) -> str:
        return f"{self.url}/vi/{{video_id}}/{{name}}"

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/oembed", self._oembed)
        app.router.add_get("/slow/oembed", self._slow)
        app.router.add_get("/broken/oembed", self._broken)
        app.router.add_get("/vi/{video_id}/{name}", self._thumbnail)

    async def stop(self) -> None:
        self._release.set()  # let hanging /slow requests finish so cleanup doesn't wait
        await super().stop()

    async def _oembed(self, request: web.Request) -> web.Response:
        self.requests.append(request.path_qs)
        if request.query.get("format") != "json":
            return web.Response(status=501, text="Not Implemented")
        watch = urlsplit(request.query.get("url", ""))
        video_id = (parse_qs(watch.query).get("v") or [""])[0]
        video = self.videos.get(video_id)
        if video is None:
            return web.Response(status=404, text="Not Found")
        if video.oembed_status != 200:
            status = video.oembed_status
            return web.Response(status=status, text=HTTPStatus(status).phrase)
        return web.json_response(
            {
                "title": video.title,
                "author_name": "Stand-in channel",
                "type": "video",
                "provider_name": "YouTube",
                "thumbnail_url": f"{self.url}/vi/{video_id}/hqdefault.jpg",
                "thumbnail_width": 480,
                "thumbnail_height": 360,
            }
        )

    async def _thumbnail(self, request: web.Request) -> web.Response:
        self.requests.append(request.path_qs)
        video = self.videos.get(request.match_info["video_id"])
        name = request.match_info["name"]
        if video is None:
            return web.Response(status=404, text="Not Found")
        data = video.thumbnails.get(name)
        if data is None and name == "maxresdefault.jpg":
            data = PLACEHOLDER  # what YouTube really does for a missing maxres
        if data is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=data, content_type="image/jpeg")

    async def _slow(self, request: web.Request) -> web.Response:
        self.requests.append(request.path_qs)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._release.wait(), self.slow_seconds)
        return web.json_response({"title": "too late"})

    async def _broken(self, request: web.Request) -> web.Response:
        self.requests.append(request.path_qs)
        return web.Response(status=503, text="Service Unavailable")
