"""The shapes a thumbnail can be made in, each within its platform's file limit.

16:9 is a video's thumbnail (YouTube takes at most 2 MB), 9:16 a Shorts cover (the same
upload limit), 1:1 a community post's picture (YouTube takes larger images there, but a
Telegram photo is at most 10 MB, and the chat is where it is delivered).
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class ThumbnailFormat:
    key: str  # as orders store it and buttons show it
    size: tuple[int, int]  # width, height in pixels
    max_bytes: int  # the JPEG is never larger
    aspect_ratio: str  # as image models take it

    @property
    def width(self) -> int:
        return self.size[0]

    @property
    def height(self) -> int:
        return self.size[1]


FORMATS: dict[str, ThumbnailFormat] = {
    f.key: f
    for f in (
        ThumbnailFormat("16:9", (1280, 720), 2 * MB, "16:9"),
        ThumbnailFormat("9:16", (1080, 1920), 2 * MB, "9:16"),
        ThumbnailFormat("1:1", (1080, 1080), 10 * MB, "1:1"),
    )
}
DEFAULT_FORMAT = FORMATS["16:9"]


def format_of(key: str | None) -> ThumbnailFormat:
    """The format an order names; an older order (no format) or an unknown key is 16:9."""
    return FORMATS.get(key or "", DEFAULT_FORMAT)
