"""What an order points at, read once when the order is made: a YouTube video's title
and thumbnail, a style reference (a video's thumbnail, or a screenshot the user sent).

Pictures are copied into storage, so the job renders from exactly what the user saw
confirmed, whether or not YouTube answers again later. A video that cannot be read is
never rendered from its id: the chat asks for its title instead, before any charge."""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass
from uuid import UUID

from services.adapters.storage import THUMBNAILS_BUCKET, Storage
from services.adapters.youtube import VideoUnavailable, YouTubeError, parse_video_id
from services.generation import VideoLookup
from services.generators.cpu import run_cpu_bound
from services.images import ImageRejected, normalize_picture


@dataclass(frozen=True)
class ReadVideo:
    """A video link as read: its title and a stored copy of its thumbnail, each None
    when YouTube did not give it (unreachable, or no such thing)."""

    url: str
    title: str | None
    image_url: str | None


class ReferenceService:
    def __init__(self, videos: VideoLookup, storage: Storage) -> None:
        self._videos = videos
        self._storage = storage

    async def read_video(self, profile_id: UUID, text: str) -> ReadVideo | None:
        """The YouTube video `text` links to, read now; None if it has no such link.
        Raises VideoUnavailable (private, deleted) for a video nobody can use."""
        video_id = parse_video_id(text)
        if video_id is None:
            return None
        url = f"https://www.youtube.com/watch?v={video_id}"
        try:
            video = await self._videos.fetch(url)
        except VideoUnavailable:
            raise
        except YouTubeError:
            return ReadVideo(url, None, None)
        image_url = None
        if video.thumbnail is not None:
            with contextlib.suppress(ImageRejected):  # YouTube sent something odd: no picture
                image_url = await self.keep_picture(profile_id, video.thumbnail)
        return ReadVideo(url, video.title, image_url)

    async def keep_picture(self, profile_id: UUID, data: bytes) -> str:
        """Checks and re-encodes a picture (off the event loop) and stores it; raises
        ImageRejected for anything that is not a usable picture."""
        picture = await run_cpu_bound(normalize_picture, data)
        digest = hashlib.sha256(picture).hexdigest()[:32]
        key = f"{profile_id}/references/{digest}.jpg"
        return await self._storage.put(THUMBNAILS_BUCKET, key, picture, "image/jpeg")

    async def load(self, url: str) -> bytes:
        return await self._storage.get(url)
