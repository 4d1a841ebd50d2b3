"""The generator interface. The chat and the job runner only know this; the local
renderer (offline, no token) and Replicate (issue 4) implement it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol
from uuid import UUID

from services.errors import UserFacingError
from services.formats import DEFAULT_FORMAT, ThumbnailFormat

THUMBNAIL_SIZE = DEFAULT_FORMAT.size

# Called with a fraction done (0.0-1.0) and a short stage name, e.g. (0.4, "rendering").
ProgressCallback = Callable[[float, str], Awaitable[None]]


@dataclass(frozen=True)
class VideoReference:
    """A YouTube video the user pointed at: its title and current thumbnail (if read)."""

    url: str
    video_id: str
    title: str | None = None
    thumbnail: bytes | None = None


@dataclass(frozen=True)
class BrandStyle:
    """A creator's saved channel style (/style), as a generator applies it."""

    colors: tuple[str, ...] = ()  # up to 3 "#rrggbb": the key colour first
    font: str | None = None  # a key of the bundled headline fonts
    position: str | None = None  # the headline: left | right | top | bottom | center
    logo: bytes | None = field(default=None, repr=False)  # PNG or JPEG, kept small
    logo_corner: str = "bottom-right"  # top-left | top-right | bottom-left | bottom-right


@dataclass(frozen=True)
class GenerationRequest:
    """Everything a generator needs; which fields are set depends on the mode.

    - text_to_thumbnail: prompt
    - youtube_thumbnail: video (or prompt = a title the user typed)
    - your_face: prompt + face
    - face_youtube: video (or prompt) + face
    - top_youtube_style: prompt + style (the successful video whose look to follow)
    - top_youtube_style_face: prompt + style + face
    """

    generation_id: UUID
    mode: str
    prompt: str | None = None
    video: VideoReference | None = None
    style: VideoReference | None = None
    face: bytes | None = None
    variation: int = 0  # bumps on "regenerate" (and per variant) so the result differs
    format: ThumbnailFormat = DEFAULT_FORMAT
    brand: BrandStyle | None = None  # "my style" chosen for this order
    headline: str | None = None  # exact headline text (fitted and drawn by code, never re-picked)
    face_scale: float = 1.0  # the face subject's size, 0.6-1.6 (an edit's "bigger face")


class GenerationFailed(UserFacingError):
    """The generator could not make an image; `key` says why, in plain words (told as
    "reason_<key>" in the apology, and kept as generations.failure_key)."""

    key = "generation_failed"
    catalog_prefix = "reason_"

    def __init__(self, reason: str, key: str = "generation_failed") -> None:
        super().__init__(reason, key=key)

    def __reduce__(self) -> tuple[type[GenerationFailed], tuple[str, str]]:
        """Keeps the key when the error crosses from a worker process (see cpu.py)."""
        return GenerationFailed, (str(self), self.key)


class Generator(Protocol):
    async def generate(self, request: GenerationRequest, progress: ProgressCallback) -> bytes:
        """Returns JPEG bytes of exactly `request.format` (its size, within its byte
        limit), or raises GenerationFailed."""
        ...
