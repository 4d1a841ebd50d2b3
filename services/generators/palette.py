"""Thumbnail colour schemes: a curated set chosen by the prompt and the variation, or one read
from a reference picture (the successful video whose look the user wants to follow)."""

from __future__ import annotations

import colorsys
import math
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image

from services.generators.imaging import RGB

WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)
YELLOW: RGB = (255, 222, 0)


@dataclass(frozen=True)
class Palette:
    """Colours of one thumbnail; high-contrast pairs because it is seen at 168x94 first."""

    dark: RGB  # the background's deep end
    light: RGB  # the background's bright end and glows
    accent: RGB  # shapes, rings, bars
    highlight: RGB  # the emphasised headline word
    text: RGB = WHITE
    outline: RGB = BLACK


# Schemes that work on YouTube: saturated, one warm and one cool note, a yellow or white pop.
CURATED: tuple[Palette, ...] = (
    Palette(dark=(20, 2, 6), light=(176, 14, 30), accent=(255, 48, 48), highlight=YELLOW),
    Palette(dark=(3, 8, 40), light=(20, 96, 214), accent=(0, 214, 255), highlight=YELLOW),
    Palette(dark=(24, 0, 42), light=(130, 24, 172), accent=(255, 64, 192), highlight=(0, 255, 204)),
    Palette(dark=(0, 28, 12), light=(18, 134, 64), accent=(160, 255, 40), highlight=(255, 236, 60)),
    Palette(dark=(50, 8, 0), light=(232, 98, 0), accent=(255, 204, 0), highlight=(255, 240, 80)),
    Palette(dark=(10, 10, 12), light=(74, 74, 82), accent=YELLOW, highlight=YELLOW),
    Palette(dark=(0, 30, 40), light=(0, 142, 152), accent=(255, 92, 60), highlight=(255, 232, 80)),
)

# Word stems that suggest a scheme (index into CURATED), so "money" tends to come out green.
_HINTS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("money", "cash", "rich", "profit", "dollar", "$", "income", "деньг", "доход"), 3),
    (("fire", "hot", "burn", "lava", "summer", "огон", "жар"), 4),
    (("ice", "cold", "ocean", "water", "winter", "sea", "лед", "мор", "зим"), 1),
    (("horror", "scary", "danger", "blood", "fail", "worst", "страш", "ужас"), 0),
    (("love", "night", "party", "neon", "music", "game", "любов", "игр"), 2),
)


def curated_palette(text: str, seed: int, variation: int) -> Palette:
    """A curated scheme: hinted by the text's words, else by the seed; each variation moves
    to the next scheme, so "regenerate" always changes the colours."""
    base = _hinted_index(text.lower().split())
    index = (seed if base is None else base) + variation
    palette = CURATED[index % len(CURATED)]
    shift = ((seed >> 8) % 17 - 8) / 360  # a few degrees of hue, so equal schemes still differ
    return Palette(
        dark=_rotate(palette.dark, shift),
        light=_rotate(palette.light, shift),
        accent=_rotate(palette.accent, shift),
        highlight=palette.highlight,
    )


def _hinted_index(words: Sequence[str]) -> int | None:
    for stems, index in _HINTS:
        if any(word.startswith(stem) for word in words for stem in stems):
            return index
    return None


def palette_from_image(image: Image.Image, variation: int) -> Palette:
    """A scheme read from a reference thumbnail: its darkest tone for the background, its main
    colour for the glow, its most vivid colours for accent and highlight; the variation
    picks among the vivid ones."""
    colors = _dominant_colors(image)
    dark = min(colors, key=lambda item: luma(item[1]))[1]
    main = max(colors, key=lambda item: item[0])[1]
    vivid = sorted(colors, key=_vividness, reverse=True)
    vivid_rgbs = [rgb for _, rgb in vivid if _hsv(rgb)[1] > 0.25 and _hsv(rgb)[2] > 0.25]
    if not vivid_rgbs:  # a black-and-white reference: keep its tones, add the classic yellow
        return Palette(
            dark=_with_value(dark, 0.12),
            light=_with_value(main, 0.45),
            accent=YELLOW,
            highlight=YELLOW,
        )
    accent = _boost(vivid_rgbs[variation % min(3, len(vivid_rgbs))])
    return Palette(
        dark=_with_value(dark, 0.14),
        light=_with_value(main, 0.55),
        accent=accent,
        highlight=_contrasting(accent, vivid_rgbs),
    )


def _dominant_colors(image: Image.Image) -> list[tuple[int, RGB]]:
    """(pixel count, colour) of the image's eight main colours, from a 64x36 copy."""
    small = image.convert("RGB").resize((64, 36), Image.Resampling.BILINEAR)
    quantized = small.quantize(colors=8, method=Image.Quantize.MEDIANCUT)
    flat = quantized.getpalette() or []
    counts = quantized.getcolors() or []
    return [
        (count, (flat[3 * index], flat[3 * index + 1], flat[3 * index + 2]))
        for count, index in counts
        if isinstance(index, int)  # always, in a palette image: a pixel is an index
    ]


def _contrasting(accent: RGB, candidates: Sequence[RGB]) -> RGB:
    """The first vivid colour at least 60 degrees of hue from the accent, else yellow (or
    white when the accent already is yellow)."""
    accent_hue = _hsv(accent)[0]
    for rgb in candidates:
        distance = abs(_hsv(rgb)[0] - accent_hue)
        if min(distance, 1 - distance) >= 60 / 360:
            return _boost(rgb)
    yellow_distance = abs(accent_hue - 50 / 360)
    return WHITE if yellow_distance < 30 / 360 else YELLOW


def _vividness(item: tuple[int, RGB]) -> float:
    count, rgb = item
    _, saturation, value = _hsv(rgb)
    return saturation * value * math.pow(count, 0.25)


def luma(rgb: RGB) -> float:
    """Perceived brightness, 0-255: decides dark or light ink on a coloured plate."""
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]


def _hsv(rgb: RGB) -> tuple[float, float, float]:
    return colorsys.rgb_to_hsv(*(channel / 255 for channel in rgb))


def _from_hsv(hue: float, saturation: float, value: float) -> RGB:
    red, green, blue = colorsys.hsv_to_rgb(hue % 1.0, saturation, value)
    return (round(red * 255), round(green * 255), round(blue * 255))


def _rotate(rgb: RGB, shift: float) -> RGB:
    hue, saturation, value = _hsv(rgb)
    return _from_hsv(hue + shift, saturation, value)


def _with_value(rgb: RGB, value: float) -> RGB:
    hue, saturation, _ = _hsv(rgb)
    return _from_hsv(hue, saturation, value)


def _boost(rgb: RGB) -> RGB:
    """The same hue made loud enough for a thumbnail accent."""
    hue, saturation, value = _hsv(rgb)
    return _from_hsv(hue, max(saturation, 0.75), max(value, 0.95))
