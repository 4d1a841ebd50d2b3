"""Turning any picture into the thumbnail we deliver: exactly 1280x720, the headline drawn by
code (AI models misspell words), a JPEG of at most 2 MB.

Kept apart from the generators so every generator finishes its picture the same way. All of
it is CPU-bound Pillow work: call it in a worker thread.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable
from typing import Literal

from PIL import Image, ImageOps

from services.generators.base import THUMBNAIL_SIZE, GenerationFailed
from services.generators.headline import FALLBACK, Headline, pick_headline
from services.generators.imaging import Box, decode_image
from services.generators.palette import BLACK, WHITE, YELLOW, Palette
from services.generators.render_text import (
    PreparedHeadline,
    TextStyle,
    draw_headline,
    prepare_headline,
)

WIDTH, HEIGHT = THUMBNAIL_SIZE
MAX_JPEG_BYTES = 2 * 1024 * 1024
MAX_SOURCE_SIDE = 4096  # a model's picture is decoded at most this large
_QUALITIES = (92, 86, 80, 72, 64, 56, 48, 40)  # tried in turn until the JPEG fits
_MARGIN = 56
_TEXT_WIDTH = 640  # the headline takes a bit over half the frame; the subject keeps the rest
_HEADLINE_CHARS = 20  # fewer letters in a half-frame box, so each stays large at 168x94
_SCRIM_REACH = 0.62  # the darkening behind the headline fades out at this share of the width
_SCRIM_OPACITY = 0.55

Side = Literal["left", "right"]

# White words, one yellow key word, black outlines: readable on any picture.
OVERLAY_PALETTE = Palette(dark=BLACK, light=WHITE, accent=YELLOW, highlight=YELLOW)


def text_side(variation: int) -> Side:
    """Where the headline goes; the prompt asks the model to keep that side clear, and each
    "regenerate" swaps sides so the new thumbnail looks different."""
    return "left" if variation % 2 == 0 else "right"


def overlay_headline_text(sources: Iterable[str | None]) -> PreparedHeadline:
    """The strongest few words of the first source a font can draw (a prompt, a video title,
    ...), else a generic call to watch."""
    for source in sources:
        prepared = prepare_headline(pick_headline(source, _HEADLINE_CHARS))
        if prepared is not None:
            return prepared
    fallback = prepare_headline(Headline(FALLBACK, len(FALLBACK) - 1))
    assert fallback is not None  # plain ASCII: every font draws it
    return fallback


def finish_thumbnail(
    data: bytes, headline: PreparedHeadline | None, side: Side = "left", variation: int = 0
) -> bytes:
    """The delivered JPEG: `data` cover-cropped to 1280x720, with `headline` drawn on `side`
    when given. GenerationFailed("provider_failed") if `data` is not a picture."""
    image = decode_image(data, MAX_SOURCE_SIDE)
    if image is None:
        raise GenerationFailed("the model's output is not a readable image", "provider_failed")
    canvas = fit_thumbnail(image)
    if headline is not None:
        draw_overlay(canvas, headline, side, boxed=variation // 2 % 2 == 1)
    return encode_jpeg(canvas)


def fit_thumbnail(image: Image.Image) -> Image.Image:
    """Scaled and centre-cropped to fill 1280x720 exactly (like CSS `object-fit: cover`).
    Bicubic: as sharp as Lanczos at the near-1 scales models deliver, at half the cost."""
    return ImageOps.fit(image.convert("RGB"), THUMBNAIL_SIZE, Image.Resampling.BICUBIC)


def text_box(side: Side) -> Box:
    """The headline's box: a bit over half the frame, on `side`."""
    if side == "left":
        return (_MARGIN, _MARGIN, _MARGIN + _TEXT_WIDTH, HEIGHT - _MARGIN)
    return (WIDTH - _MARGIN - _TEXT_WIDTH, _MARGIN, WIDTH - _MARGIN, HEIGHT - _MARGIN)


def draw_overlay(
    canvas: Image.Image, headline: PreparedHeadline, side: Side, *, boxed: bool = False
) -> None:
    """A soft dark scrim on `side`, then the headline over it, auto-fitted, outlined and
    shadowed by the local renderer's text drawing."""
    canvas.paste(BLACK, (0, 0), _scrim(side))
    style = TextStyle(align=side, boxed_emphasis=boxed)
    draw_headline(canvas, headline, text_box(side), OVERLAY_PALETTE, style)


@functools.cache
def _scrim(side: Side) -> Image.Image:
    """An "L" mask, darkest at the `side` edge and fading to nothing across the frame, at
    the scrim's opacity; the same for every thumbnail, so it is made once per process."""
    reach = WIDTH * _SCRIM_REACH
    ramp = [round(255 * _SCRIM_OPACITY * max(0.0, 1 - x / reach) ** 1.5) for x in range(WIDTH)]
    if side == "right":
        ramp.reverse()
    row = Image.new("L", (WIDTH, 1))
    row.putdata(ramp)
    return row.resize(THUMBNAIL_SIZE, Image.Resampling.NEAREST)


def encode_jpeg(image: Image.Image, max_bytes: int = MAX_JPEG_BYTES) -> bytes:
    """JPEG bytes within `max_bytes`: the best quality that fits, full colour resolution
    while the quality is high (crisp red text)."""
    for quality in _QUALITIES:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality, subsampling=0 if quality >= 80 else 2)
        if buffer.tell() <= max_bytes:
            return buffer.getvalue()
    raise GenerationFailed(f"the thumbnail does not fit in a JPEG of {max_bytes} bytes")
