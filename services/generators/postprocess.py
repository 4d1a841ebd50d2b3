"""Turning any picture into the thumbnail we deliver: exactly the order's format (1280x720,
1080x1920 or 1080x1080), the headline drawn by code (AI models misspell words), the brand's
logo in its corner, a JPEG within the format's byte limit.

Kept apart from the generators so every generator finishes its picture the same way. All of
it is CPU-bound Pillow work: call it in a worker thread.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable
from typing import Literal

from PIL import Image, ImageOps

from services.formats import DEFAULT_FORMAT, ThumbnailFormat
from services.generators.base import BrandStyle, GenerationFailed
from services.generators.branding import (
    boxed_key_word,
    brand_colors,
    clear_of,
    logo_area,
    paste_logo,
)
from services.generators.imaging import Box, decode_image
from services.generators.lettering import choose_headline
from services.generators.palette import BLACK, WHITE, YELLOW, Palette
from services.generators.render_text import PreparedHeadline, TextStyle, draw_headline

Size = tuple[int, int]
MAX_JPEG_BYTES = DEFAULT_FORMAT.max_bytes
MAX_SOURCE_SIDE = 4096  # a model's picture is decoded at most this large
_QUALITIES = (92, 86, 80, 72, 64, 56, 48, 40)  # tried in turn until the JPEG fits
_MARGIN = 56 / 720  # of the shorter side: 56 px in a 1280x720 thumbnail
_TEXT_SHARE = 0.5  # a side headline takes half the width; the subject keeps the rest
_HEADLINE_CHARS = 20  # fewer letters in a part of the frame, so each stays large at 168x94
_SCRIM_OPACITY = 0.55
_SCRIM_FADE = 0.08  # the darkening fades out this share of the frame past the headline
_CUT_ONLY_FROM = 0.94  # cover scales from this to 1 (a picture up to ~6% larger) are cut

Side = Literal["left", "right", "top", "bottom", "center"]
SIDES: dict[str, Side] = {
    "left": "left",
    "right": "right",
    "top": "top",
    "bottom": "bottom",
    "center": "center",
}
_ALIGN: dict[Side, str] = {"left": "left", "right": "right"}  # the others are centred

# White words, one yellow key word, black outlines: readable on any picture.
OVERLAY_PALETTE = Palette(dark=BLACK, light=WHITE, accent=YELLOW, highlight=YELLOW)


def text_side(
    variation: int, fmt: ThumbnailFormat = DEFAULT_FORMAT, brand: BrandStyle | None = None
) -> Side:
    """Where the headline goes; the prompt asks the model to keep that part clear. A brand's
    position is kept; otherwise a Shorts cover has it in the upper third (the subject
    below), and "regenerate" (each variation) swaps sides in a 16:9 frame and top for
    bottom in a square, so the new thumbnail looks different."""
    chosen = SIDES.get(brand.position or "") if brand else None
    if chosen is not None:
        return chosen
    if fmt.height > fmt.width:
        return "top"
    if fmt.height == fmt.width:
        return "top" if variation % 2 == 0 else "bottom"
    return "left" if variation % 2 == 0 else "right"


def overlay_headline_text(
    sources: Iterable[str | None],
    variation: int = 0,
    *,
    exact: str | None = None,
    font: str | None = None,
) -> PreparedHeadline:
    """The words drawn over a model's picture: `exact` as written, else the strongest few
    words of the first source a font can draw (a prompt, a video title, ...; another
    wording for another variation), else a generic call to watch; in the brand `font`."""
    return choose_headline(sources, variation, max_chars=_HEADLINE_CHARS, exact=exact, font=font)


def finish_thumbnail(
    data: bytes,
    headline: PreparedHeadline | None,
    side: Side = "left",
    variation: int = 0,
    *,
    fmt: ThumbnailFormat = DEFAULT_FORMAT,
    brand: BrandStyle | None = None,
) -> bytes:
    """The delivered JPEG: `data` cover-cropped to the format's size, with `headline` drawn
    on `side` when given (in the brand's key colour) and the brand's logo in its corner,
    within the format's byte limit. GenerationFailed("provider_failed") if `data` is not a
    picture."""
    image = decode_image(data, MAX_SOURCE_SIDE)
    if image is None:
        raise GenerationFailed("the model's output is not a readable image", "provider_failed")
    canvas = fit_thumbnail(image, fmt.size)
    if headline is not None:
        palette = overlay_palette(brand)
        boxed = variation // 2 % 2 == 1 or boxed_key_word(palette)
        logo = logo_area(canvas.size, brand)
        draw_overlay(canvas, headline, side, boxed=boxed, palette=palette, avoid=logo)
    if brand is not None:
        paste_logo(canvas, brand.logo, brand.logo_corner)
    return encode_jpeg(canvas, fmt.max_bytes)


def overlay_palette(brand: BrandStyle | None) -> Palette:
    """White words with the key word in the brand's key colour (yellow without a brand)."""
    colors = brand_colors(brand)
    if not colors:
        return OVERLAY_PALETTE
    return Palette(dark=BLACK, light=WHITE, accent=colors[0], highlight=colors[0])


def fit_thumbnail(image: Image.Image, size: Size = DEFAULT_FORMAT.size) -> Image.Image:
    """Scaled and centre-cropped to fill `size` exactly (like CSS `object-fit: cover`).

    A picture only a few percent larger than `size` (a model's 1344x768 for 1280x720) is
    cut to it, not resampled: its pixels stay exactly as the model painted them (sharper
    than any filter) and the frame loses about 3% at each edge, where nothing that
    matters is; resampling it would cost about 40% of a result's CPU. Otherwise bicubic:
    as sharp as Lanczos at the near-1 scales models deliver, at half the cost."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    scale = max(size[0] / rgb.width, size[1] / rgb.height)
    if _CUT_ONLY_FROM <= scale <= 1:
        left, top = (rgb.width - size[0]) // 2, (rgb.height - size[1]) // 2
        return rgb.crop((left, top, left + size[0], top + size[1]))
    return ImageOps.fit(rgb, size, Image.Resampling.BICUBIC)


def text_box(side: Side, size: Size = DEFAULT_FORMAT.size) -> Box:
    """The headline's box on `side` of a frame of `size`: half the width at the left or
    right (in a Shorts cover, the upper part of that half), a band across the top, bottom
    or middle otherwise. A Shorts cover keeps it inside the centre-safe area, clear of the
    player's buttons and caption at the bottom and its top bar."""
    width, height = size
    margin = round(min(size) * _MARGIN)
    if height > width:  # 9:16: the upper third, above the caption the player overlays
        left, right = round(width * 0.08), round(width * 0.92)
        bands = {"top": (0.1, 0.34), "center": (0.36, 0.64), "bottom": (0.6, 0.82)}
        top, bottom = bands.get(side, bands["top"])
        box = (left, round(height * top), right, round(height * bottom))
        if side == "left":
            return (left, box[1], round(width * 0.7), box[3])
        if side == "right":
            return (round(width * 0.3), box[1], right, box[3])
        return box
    share = 0.42 if width > height else 0.4
    if side == "left":
        return (margin, margin, margin + round(width * _TEXT_SHARE), height - margin)
    if side == "right":
        return (
            width - margin - round(width * _TEXT_SHARE),
            margin,
            width - margin,
            height - margin,
        )
    if side == "top":
        return (margin, margin, width - margin, round(height * share))
    if side == "bottom":
        return (margin, round(height * (1 - share)), width - margin, height - margin)
    return (margin, round(height * 0.3), width - margin, round(height * 0.7))


def draw_overlay(
    canvas: Image.Image,
    headline: PreparedHeadline,
    side: Side,
    *,
    boxed: bool = False,
    palette: Palette = OVERLAY_PALETTE,
    avoid: Box | None = None,
) -> None:
    """A soft dark scrim behind `side`, then the headline over it, auto-fitted, outlined and
    shadowed by the local renderer's text drawing, clear of the logo's box `avoid`."""
    box = clear_of(text_box(side, canvas.size), avoid, round(min(canvas.size) * 0.02))
    scrim, at = _scrim(side, canvas.size)
    canvas.paste(BLACK, at, scrim)
    style = TextStyle(align=_ALIGN.get(side, "center"), boxed_emphasis=boxed)
    draw_headline(canvas, headline, box, palette, style)


@functools.cache
def _scrim(side: Side, size: Size) -> tuple[Image.Image, Box]:
    """An "L" mask, darkest at the frame's edge behind the headline (or along the middle of
    a centred one) and fading to nothing a little past the headline's box, at the scrim's
    opacity, and the box of the frame it covers: the part where it is not zero, so the
    paste skips the rest of the frame. The same for every thumbnail of a size, so it is
    made once per process."""
    width, height = size
    box = text_box(side, size)
    horizontal = side in ("left", "right") and width > height
    length = width if horizontal else height
    if horizontal:
        anchor, reach = (0.0, float(box[2])) if side == "left" else (width, width - box[0])
    elif side == "bottom":
        anchor, reach = height, height - box[1]
    elif side == "center":
        anchor, reach = (box[1] + box[3]) / 2, (box[3] - box[1]) * 0.8
    else:  # the top, where a Shorts cover's side headline is too
        anchor, reach = 0.0, float(box[3])
    reach += _SCRIM_FADE * length
    ramp = [
        round(255 * _SCRIM_OPACITY * max(0.0, 1 - abs(at - anchor) / reach) ** 1.5)
        for at in range(length)
    ]
    line = Image.new("L", (length, 1) if horizontal else (1, length))
    line.putdata(ramp)
    mask = line.resize(size, Image.Resampling.NEAREST)
    box = mask.getbbox() or (0, 0, 1, 1)
    return mask.crop(box), box


def encode_jpeg(image: Image.Image, max_bytes: int = MAX_JPEG_BYTES) -> bytes:
    """JPEG bytes within `max_bytes`: the best quality that fits, full colour resolution
    while the quality is high (crisp red text)."""
    for quality in _QUALITIES:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality, subsampling=0 if quality >= 80 else 2)
        if buffer.tell() <= max_bytes:
            return buffer.getvalue()
    raise GenerationFailed(f"the thumbnail does not fit in a JPEG of {max_bytes} bytes")
