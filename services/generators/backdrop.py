"""Thumbnail backgrounds: a gradient or the video's own picture blurred and darkened, then
one bold pattern (sunburst, stripes, halftone dots or glows) and a vignette that pulls the
eye to the middle. Patterns are drawn small and scaled up: soft edges cost nothing.

Everything takes the canvas's size (16:9, 9:16 or 1:1); the masks that depend only on the
size are made once per size and kept."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from services.generators.imaging import cover, paint, paint_sticker_base, smooth_shape, soft_mask
from services.generators.palette import BLACK, Palette

Point = tuple[float, float]
Size = tuple[int, int]
_FIELD_SIDE = 128  # gradients are computed this large (the longer side), then enlarged
_WIDE = 16 / 9  # the shape the gradients' proportions were tuned on

GRADIENTS = ("radial", "diagonal", "vertical")
SPOT = "spot"  # a brand's background: its light colour in a spot, its dark one elsewhere


def gradient(palette: Palette, kind: str, focus: Point, size: Size) -> Image.Image:
    """A dark-to-light gradient of `size`; `focus` (0-1 on each axis) is where it is
    brightest."""
    return Image.composite(
        Image.new("RGB", size, palette.dark),
        Image.new("RGB", size, palette.light),
        _gradient_mask(kind, round(focus[0], 3), round(focus[1], 3), size),
    )


@lru_cache(maxsize=64)
def _gradient_mask(kind: str, fx: float, fy: float, size: Size) -> Image.Image:
    """Black at the focus, white far from it; cached (never modify the result): layouts
    have few distinct focus points. Horizontal distances count by the frame's shape, so a
    glow is as round in a Shorts cover as in a 16:9 thumbnail."""
    wide = size[0] / size[1] / _WIDE

    def radial(x: float, y: float) -> float:
        return math.hypot((x - fx) * 1.4 * wide, y - fy) / 1.2

    def spot(x: float, y: float) -> float:  # the light colour itself, then soon the dark
        return max(0.0, math.hypot((x - fx) * 1.4 * wide, y - fy) - 0.2) / 0.45

    def diagonal(x: float, y: float) -> float:
        return (abs(x - fx) * wide + abs(y - fy) * 0.6) / 1.1

    def vertical(x: float, y: float) -> float:
        return abs(y - fy) * 0.8 + abs(x - fx) * 0.3 * wide

    shapes = {"radial": radial, "diagonal": diagonal, "vertical": vertical, SPOT: spot}
    return _field(shapes[kind], size)


def photo(picture: Image.Image, palette: Palette, size: Size) -> Image.Image:
    """The video's own thumbnail as a backdrop of `size`: blurred, darkened and tinted with
    the palette, so the headline and subject stay readable over it."""
    small = cover(picture, _small(size)).filter(ImageFilter.GaussianBlur(4))
    darker = ImageEnhance.Brightness(small.resize(size, Image.Resampling.BILINEAR)).enhance(0.55)
    tint = gradient(palette, "radial", (0.5, 0.5), size)
    return Image.blend(darker, tint, 0.3)


def _small(size: Size) -> Size:
    """Where patterns and the photo's blur are drawn: a quarter of the size."""
    return (size[0] // 4, size[1] // 4)


def _field(distance: Callable[[float, float], float], size: Size) -> Image.Image:
    """An "L" mask from a function of (x, y) in 0-1 to 0-1, enlarged to `size`."""
    scale = _FIELD_SIDE / max(size)
    width, height = max(2, round(size[0] * scale)), max(2, round(size[1] * scale))
    values = [
        round(255 * min(1.0, max(0.0, distance(x / (width - 1), y / (height - 1)))))
        for y in range(height)
        for x in range(width)
    ]
    mask = Image.new("L", (width, height))
    mask.putdata(values)
    return mask.resize(size, Image.Resampling.BICUBIC)


def pattern(
    canvas: Image.Image, kind: str, palette: Palette, focus: Point, rng: random.Random
) -> None:
    """Paints one of PATTERNS over the background, centred on `focus` where it has a centre."""
    chosen = _PATTERNS[kind]
    small = _small(canvas.size)
    mask = Image.new("L", small, 0)
    chosen.draw(ImageDraw.Draw(mask), small, (focus[0] * small[0], focus[1] * small[1]), rng)
    if chosen.glow:
        mask = mask.filter(ImageFilter.GaussianBlur(18))
    color = palette.light if chosen.glow else palette.accent
    paint(canvas, color, mask.resize(canvas.size, Image.Resampling.BICUBIC), chosen.opacity)


def _rays(draw: ImageDraw.ImageDraw, size: Size, center: Point, rng: random.Random) -> None:
    count = rng.choice((14, 18, 22))
    turn = rng.random() * math.tau
    reach = max(size) * 1.5
    for ray in range(count):
        start = turn + ray * math.tau / count
        end = start + math.tau / count / 2
        draw.polygon([center, _around(center, start, reach), _around(center, end, reach)], fill=255)


def _stripes(draw: ImageDraw.ImageDraw, size: Size, center: Point, rng: random.Random) -> None:
    width, height = size
    step = rng.choice((26, 34, 42))
    slant = min(width, height) * rng.choice((-0.6, 0.6))
    for x in range(-width - round(abs(slant)), 2 * width, step):
        draw.polygon(
            [(x, 0), (x + step / 2, 0), (x + step / 2 + slant, height), (x + slant, height)],
            fill=255,
        )


def _dots(draw: ImageDraw.ImageDraw, size: Size, center: Point, rng: random.Random) -> None:
    """Halftone dots that grow towards the focus, a comic-book look."""
    width, height = size
    step = rng.choice((9, 11, 13))
    farthest = math.hypot(width, height)
    for y in range(0, height + step, step):
        for x in range(0, width + step, step):
            shift = step / 2 if (y // step) % 2 else 0
            near = 1 - math.hypot(x + shift - center[0], y - center[1]) / farthest
            radius = step * 0.5 * near**1.5
            if radius > 0.6:
                draw.ellipse(
                    (x + shift - radius, y - radius, x + shift + radius, y + radius), fill=255
                )


def _glows(draw: ImageDraw.ImageDraw, size: Size, center: Point, rng: random.Random) -> None:
    """A bright halo behind the focus and a few soft orbs elsewhere."""
    width, height = size
    side = min(width, height)
    _disc(draw, center, side * 0.55)
    for _ in range(rng.randint(2, 4)):
        spot = (rng.uniform(0, width), rng.uniform(0, height))
        _disc(draw, spot, rng.uniform(0.1, 0.25) * side)


def _disc(draw: ImageDraw.ImageDraw, center: Point, radius: float) -> None:
    draw.ellipse(
        (center[0] - radius, center[1] - radius, center[0] + radius, center[1] + radius), fill=255
    )


@dataclass(frozen=True)
class _Pattern:
    draw: Callable[[ImageDraw.ImageDraw, Size, Point, random.Random], None]
    opacity: float
    glow: bool = False  # blurred, in the palette's light colour instead of the accent


_PATTERNS = {
    "rays": _Pattern(_rays, 0.2),
    "stripes": _Pattern(_stripes, 0.14),
    "dots": _Pattern(_dots, 0.22),
    "glow": _Pattern(_glows, 0.55, glow=True),
}
PATTERNS = tuple(_PATTERNS)


def _around(center: Point, angle: float, reach: float) -> Point:
    return (center[0] + math.cos(angle) * reach, center[1] + math.sin(angle) * reach)


def vignette(canvas: Image.Image, strength: float = 1.0) -> None:
    """Darkens the edges and corners, as almost every popular thumbnail does; a brand's
    background gets a lighter touch (`strength` below 1) so its colour stays its own."""
    paint(canvas, BLACK, _vignette_mask(canvas.size), strength)


@lru_cache(maxsize=8)
def _vignette_mask(size: Size) -> Image.Image:
    def falloff(x: float, y: float) -> float:
        return min(1.0, max(0.0, math.hypot(x - 0.5, (y - 0.5) * 0.9) * 1.9 - 0.55)) * 0.55

    return _field(falloff, size)


def band(canvas: Image.Image, palette: Palette, middle: float, rng: random.Random) -> None:
    """A slanted accent banner across the picture, behind the headline's middle; as thick
    in a Shorts cover or a square as in a 16:9 thumbnail of the same width."""
    width = canvas.width
    unit = min(canvas.size) / 720
    half = rng.uniform(70, 95) * unit
    slant = rng.choice((-1, 1)) * rng.uniform(30, 60) * width / 1280
    corners = [
        (-10, middle - half - slant),
        (width + 10, middle - half + slant),
        (width + 10, middle + half + slant),
        (-10, middle + half - slant),
    ]
    shape, at = _polygon_mask(corners)
    paint(canvas, BLACK, soft_mask(shape, 30), 0.5, at=(at[0], at[1] + 14))
    paint(canvas, palette.accent, shape, 0.92, at=at)


def arrow(canvas: Image.Image, palette: Palette, tail: Point, tip: Point) -> None:
    """The thick outlined arrow thumbnails point at things with."""
    length = math.dist(tail, tip)
    cos, sin = (tip[0] - tail[0]) / length, (tip[1] - tail[1]) / length
    shaft, head, head_length = length * 0.13, length * 0.34, length * 0.42
    neck = length - head_length
    local = [
        (0, -shaft),
        (neck, -shaft),
        (neck, -head),
        (length, 0),
        (neck, head),
        (neck, shaft),
        (0, shaft),
    ]
    points = [(tail[0] + x * cos - y * sin, tail[1] + x * sin + y * cos) for x, y in local]
    outline, outline_at = _polygon_mask(points, grow=12)
    paint_sticker_base(canvas, outline, outline_at)
    inside, inside_at = _polygon_mask(points)
    paint(canvas, palette.accent, inside, at=inside_at)


def _polygon_mask(points: Sequence[Point], grow: int = 0) -> tuple[Image.Image, tuple[int, int]]:
    """A smooth mask of a polygon grown by `grow` pixels all round, with room for a soft
    shadow, and where its top left corner goes on the canvas."""
    room = grow + 48
    left, top = (
        math.floor(min(x for x, _ in points)) - room,
        math.floor(min(y for _, y in points)) - room,
    )
    right, bottom = (
        math.ceil(max(x for x, _ in points)) + room,
        math.ceil(max(y for _, y in points)) + room,
    )

    def draw(mask: ImageDraw.ImageDraw, scale: int) -> None:
        scaled = [((x - left) * scale, (y - top) * scale) for x, y in points]
        mask.polygon(scaled, fill=255)
        if grow:
            mask.line([*scaled, scaled[0]], fill=255, width=2 * grow * scale, joint="curve")

    return smooth_shape((right - left, bottom - top), draw), (left, top)
