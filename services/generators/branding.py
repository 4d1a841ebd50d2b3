"""A creator's channel style (/style) as the renderers apply it: its colours as the palette,
its logo in a corner, and its colours in words for an image model's prompt.

Every generator shares these, so a brand kit looks the same whether the local renderer or
Replicate paints the picture. `prepare_logo` is also what a logo upload goes through before
it is stored: a small PNG that keeps its transparency.
"""

from __future__ import annotations

import colorsys
import functools
import io
import re
from collections.abc import Sequence

from PIL import Image, ImageOps

from services.errors import InputRejected
from services.generators.base import BrandStyle
from services.generators.imaging import MAX_INPUT_PIXELS, RGB, Box
from services.generators.palette import Palette, luma

LOGO_SIDE = 512  # a stored logo is at most this wide or tall: it is drawn far smaller
LOGO_SHARE = 0.16  # a drawn logo is at most this share of the thumbnail's width (and height)
LOGO_MARGIN = 0.03  # its distance from the corner, as a share of the width
CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")
_HEX = re.compile(r"#?([0-9a-fA-F]{6})")
_DARK_KEY = 70  # a key colour darker than this can't colour a word on a dark background
_DARK_END = 0.16  # the value (HSV) of a background made from a single colour
_LIGHT_END = 0.6
# Hue names for the prompt, by the hue they start at (degrees).
_HUES = (
    (0, "red"),
    (15, "orange"),
    (45, "yellow"),
    (70, "lime green"),
    (95, "green"),
    (160, "teal"),
    (185, "cyan"),
    (200, "blue"),
    (250, "purple"),
    (290, "magenta"),
    (330, "pink"),
    (350, "red"),
)


def parse_color(text: str) -> RGB | None:
    """An "#rrggbb" (or "rrggbb") colour, or None if `text` is not one."""
    match = _HEX.fullmatch(text.strip())
    if match is None:
        return None
    value = int(match[1], 16)
    return (value >> 16, (value >> 8) & 0xFF, value & 0xFF)


def brand_colors(brand: BrandStyle | None) -> list[RGB]:
    """The brand's readable colours, key colour first (at most three)."""
    if brand is None:
        return []
    parsed = (parse_color(text) for text in brand.colors[:3])
    return [rgb for rgb in parsed if rgb is not None]


def brand_palette(brand: BrandStyle | None) -> Palette | None:
    """The brand's colours as a thumbnail palette, None without colours: the key colour
    for shapes and the emphasised word, the others for the background's dark and bright
    ends (darker one behind, lighter one in the glow). A missing end is made from a colour
    the brand has, in the same hue, so the picture stays in the channel's colours."""
    colors = brand_colors(brand)
    if not colors:
        return None
    key, others = colors[0], sorted(colors[1:], key=luma)
    if len(others) == 2:
        dark, light = others
    elif others and luma(others[0]) < 110:
        dark, light = others[0], _blend(others[0], key, 0.55)
    elif others:
        dark, light = _with_value(others[0], _DARK_END), others[0]
    else:
        dark, light = _with_value(key, _DARK_END), _with_value(key, _LIGHT_END)
    return Palette(dark=dark, light=light, accent=key, highlight=key)


def boxed_key_word(palette: Palette) -> bool:
    """Whether the emphasised word needs a plate: a key colour too dark to read as letters
    over a dark background is shown as a plate with light letters instead."""
    return luma(palette.highlight) < _DARK_KEY


def color_words(brand: BrandStyle | None) -> str | None:
    """The brand's colours in words for an image model, key colour first ("red (#e53935)
    and navy blue (#0d1b4c)"), or None without colours."""
    names = [f"{color_name(rgb)} ({_hex(rgb)})" for rgb in brand_colors(brand)]
    if not names:
        return None
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def color_name(rgb: RGB) -> str:
    """A plain English name for a colour: its hue, made "dark" or "light" by its value."""
    hue, saturation, value = colorsys.rgb_to_hsv(*(channel / 255 for channel in rgb))
    if value < 0.12:
        return "black"
    if saturation < 0.15:
        return "white" if value > 0.9 else "light grey" if value > 0.6 else "grey"
    name = next(name for start, name in reversed(_HUES) if hue * 360 >= start)
    if value < 0.45:
        return "navy blue" if name == "blue" else f"dark {name}"
    if saturation < 0.45 and value > 0.8:
        return f"light {name}"
    return name


def _hex(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _blend(a: RGB, b: RGB, share: float) -> RGB:
    """`a` moved `share` of the way to `b`."""
    return (
        round(a[0] + (b[0] - a[0]) * share),
        round(a[1] + (b[1] - a[1]) * share),
        round(a[2] + (b[2] - a[2]) * share),
    )


def _with_value(rgb: RGB, value: float) -> RGB:
    hue, saturation, _ = colorsys.rgb_to_hsv(*(channel / 255 for channel in rgb))
    red, green, blue = colorsys.hsv_to_rgb(hue, saturation, value)
    return (round(red * 255), round(green * 255), round(blue * 255))


def prepare_logo(data: bytes) -> bytes:
    """A logo upload as stored: upright, at most LOGO_SIDE px, a PNG that keeps its
    transparency. InputRejected("logo_unreadable") if `data` is not a picture."""
    logo = load_logo(data)
    if logo is None:
        raise InputRejected("logo_unreadable")
    buffer = io.BytesIO()
    logo.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def load_logo(data: bytes | None) -> Image.Image | None:
    """The logo as RGBA at most LOGO_SIDE px, or None if `data` isn't a picture."""
    if not data:
        return None
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.width * opened.height > MAX_INPUT_PIXELS:
                return None
            opened.draft("RGB", (LOGO_SIDE, LOGO_SIDE))
            logo = ImageOps.exif_transpose(opened).convert("RGBA")
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError):
        return None
    logo.thumbnail((LOGO_SIDE, LOGO_SIDE), Image.Resampling.LANCZOS)
    return logo


def paste_logo(canvas: Image.Image, data: bytes | None, corner: str) -> None:
    """Draws the logo in `corner` (bottom-right for an unknown one), scaled to fit a square
    of LOGO_SHARE of the width, a margin away from the edges; its transparency is kept. An
    unreadable logo is left out: it was checked when it was saved."""
    logo = _stored_logo(data) if data else None
    if logo is None:
        return
    size = _drawn_size(canvas.size, logo.size)
    drawn = logo.resize(size, Image.Resampling.LANCZOS)
    canvas.paste(drawn, logo_box(canvas.size, size, corner)[:2], drawn)


def logo_area(canvas: Sequence[int], brand: BrandStyle | None) -> Box | None:
    """Where the brand's logo will be drawn on a canvas of size `canvas`; None without a
    (readable) logo. The headline keeps clear of it."""
    logo = _stored_logo(brand.logo) if brand and brand.logo else None
    if brand is None or logo is None:
        return None
    return logo_box(canvas, _drawn_size(canvas, logo.size), brand.logo_corner)


def clear_of(text: Box, logo: Box | None, gap: int) -> Box:
    """The headline's box moved off the logo: its top or bottom edge past the logo when
    that leaves most of its height, else its side edge."""
    if logo is None or not _overlap(text, logo):
        return text
    left, top, right, bottom = text
    if logo[1] <= top:  # a logo at the top: start below it
        moved = (left, logo[3] + gap, right, bottom)
    else:
        moved = (left, top, right, logo[1] - gap)
    if moved[3] - moved[1] >= (bottom - top) * 0.6:
        return moved
    if logo[0] <= left:
        return (logo[2] + gap, top, right, bottom)
    return (left, top, logo[0] - gap, bottom)


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@functools.lru_cache(maxsize=8)
def _stored_logo(data: bytes) -> Image.Image | None:
    """A brand's logo decoded once per process (never modify the result): every variant of
    an order, and every order of the creator, draws the same one."""
    return load_logo(data)


def _drawn_size(canvas: Sequence[int], logo: Sequence[int]) -> tuple[int, int]:
    side = round(canvas[0] * LOGO_SHARE)
    scale = min(side / logo[0], side / logo[1])
    return (max(1, round(logo[0] * scale)), max(1, round(logo[1] * scale)))


def logo_box(canvas: Sequence[int], logo: Sequence[int], corner: str) -> Box:
    """Where a logo of size `logo` goes on a canvas of size `canvas` in `corner`."""
    margin = round(canvas[0] * LOGO_MARGIN)
    top, _, side = (corner if corner in CORNERS else "bottom-right").partition("-")
    x = margin if side == "left" else canvas[0] - margin - logo[0]
    y = margin if top == "top" else canvas[1] - margin - logo[1]
    return (x, y, x + logo[0], y + logo[1])
