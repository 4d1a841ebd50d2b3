"""Thumbnail backgrounds: a gradient or the video's own picture blurred and darkened, then
one bold pattern (sunburst, stripes, halftone dots or glows) and a vignette that pulls the
eye to the middle. Patterns are drawn small and scaled up: soft edges cost nothing."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter

from services.generators.base import THUMBNAIL_SIZE
from services.generators.imaging import cover, paint, paint_sticker_base, smooth_shape, soft_mask
from services.generators.palette import BLACK, Palette

WIDTH, HEIGHT = THUMBNAIL_SIZE
Point = tuple[float, float]
_FIELD = (128, 72)  # gradients are computed at this size, then smoothly enlarged
_SMALL = (WIDTH // 4, HEIGHT // 4)

GRADIENTS = ("radial", "diagonal", "vertical")


def gradient(palette: Palette, kind: str, focus: Point) -> Image.Image:
    """A dark-to-light gradient; `focus` (0-1 on each axis) is where it is brightest."""
    return Image.composite(
        Image.new("RGB", THUMBNAIL_SIZE, palette.dark),
        Image.new("RGB", THUMBNAIL_SIZE, palette.light),
        _gradient_mask(kind, round(focus[0], 3), round(focus[1], 3)),
    )


@lru_cache(maxsize=64)
def _gradient_mask(kind: str, fx: float, fy: float) -> Image.Image:
    """Black at the focus, white far from it; cached (never modify the result): layouts
    have few distinct focus points."""

    def radial(x: float, y: float) -> float:
        return math.hypot((x - fx) * 1.4, y - fy) / 1.2

    def diagonal(x: float, y: float) -> float:
        return (abs(x - fx) + abs(y - fy) * 0.6) / 1.1

    def vertical(x: float, y: float) -> float:
        return abs(y - fy) * 0.8 + abs(x - fx) * 0.3

    shapes = {"radial": radial, "diagonal": diagonal, "vertical": vertical}
    return _field(shapes[kind])


def photo(picture: Image.Image, palette: Palette) -> Image.Image:
    """The video's own thumbnail as a backdrop: blurred, darkened and tinted with the
    palette, so the headline and subject stay readable over it."""
    small = cover(picture, _SMALL).filter(ImageFilter.GaussianBlur(4))
    darker = ImageEnhance.Brightness(
        small.resize(THUMBNAIL_SIZE, Image.Resampling.BILINEAR)
    ).enhance(0.55)
    tint = gradient(palette, "radial", (0.5, 0.5))
    return Image.blend(darker, tint, 0.3)


def _field(distance: Callable[[float, float], float]) -> Image.Image:
    """An "L" mask from a function of (x, y) in 0-1 to 0-1, enlarged to the thumbnail."""
    width, height = _FIELD
    values = [
        round(255 * min(1.0, max(0.0, distance(x / (width - 1), y / (height - 1)))))
        for y in range(height)
        for x in range(width)
    ]
    mask = Image.new("L", _FIELD)
    mask.putdata(values)
    return mask.resize(THUMBNAIL_SIZE, Image.Resampling.BICUBIC)


def pattern(
    canvas: Image.Image, kind: str, palette: Palette, focus: Point, rng: random.Random
) -> None:
    """Paints one of PATTERNS over the background, centred on `focus` where it has a centre."""
    chosen = _PATTERNS[kind]
    mask = Image.new("L", _SMALL, 0)
    chosen.draw(ImageDraw.Draw(mask), (focus[0] * _SMALL[0], focus[1] * _SMALL[1]), rng)
    if chosen.glow:
        mask = mask.filter(ImageFilter.GaussianBlur(18))
    color = palette.light if chosen.glow else palette.accent
    paint(canvas, color, mask.resize(THUMBNAIL_SIZE, Image.Resampling.BICUBIC), chosen.opacity)


def _rays(draw: ImageDraw.ImageDraw, center: Point, rng: random.Random) -> None:
    count = rng.choice((14, 18, 22))
    turn = rng.random() * math.tau
    reach = _SMALL[0] * 1.5
    for ray in range(count):
        start = turn + ray * math.tau / count
        end = start + math.tau / count / 2
        draw.polygon([center, _around(center, start, reach), _around(center, end, reach)], fill=255)


def _stripes(draw: ImageDraw.ImageDraw, center: Point, rng: random.Random) -> None:
    step = rng.choice((26, 34, 42))
    slant = _SMALL[1] * rng.choice((-0.6, 0.6))
    for x in range(-_SMALL[0], 2 * _SMALL[0], step):
        draw.polygon(
            [(x, 0), (x + step / 2, 0), (x + step / 2 + slant, _SMALL[1]), (x + slant, _SMALL[1])],
            fill=255,
        )


def _dots(draw: ImageDraw.ImageDraw, center: Point, rng: random.Random) -> None:
    """Halftone dots that grow towards the focus, a comic-book look."""
    step = rng.choice((9, 11, 13))
    farthest = math.hypot(*_SMALL)
    for y in range(0, _SMALL[1] + step, step):
        for x in range(0, _SMALL[0] + step, step):
            shift = step / 2 if (y // step) % 2 else 0
            near = 1 - math.hypot(x + shift - center[0], y - center[1]) / farthest
            radius = step * 0.5 * near**1.5
            if radius > 0.6:
                draw.ellipse(
                    (x + shift - radius, y - radius, x + shift + radius, y + radius), fill=255
                )


def _glows(draw: ImageDraw.ImageDraw, center: Point, rng: random.Random) -> None:
    """A bright halo behind the focus and a few soft orbs elsewhere."""
    _disc(draw, center, _SMALL[1] * 0.55)
    for _ in range(rng.randint(2, 4)):
        spot = (rng.uniform(0, _SMALL[0]), rng.uniform(0, _SMALL[1]))
        _disc(draw, spot, rng.uniform(0.1, 0.25) * _SMALL[1])


def _disc(draw: ImageDraw.ImageDraw, center: Point, radius: float) -> None:
    draw.ellipse(
        (center[0] - radius, center[1] - radius, center[0] + radius, center[1] + radius), fill=255
    )


@dataclass(frozen=True)
class _Pattern:
    draw: Callable[[ImageDraw.ImageDraw, Point, random.Random], None]
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


def vignette(canvas: Image.Image) -> None:
    """Darkens the edges and corners, as almost every popular thumbnail does."""
    paint(canvas, BLACK, _vignette_mask())


@lru_cache(maxsize=1)
def _vignette_mask() -> Image.Image:
    def falloff(x: float, y: float) -> float:
        return min(1.0, max(0.0, math.hypot(x - 0.5, (y - 0.5) * 0.9) * 1.9 - 0.55)) * 0.55

    return _field(falloff)


def band(canvas: Image.Image, palette: Palette, middle: float, rng: random.Random) -> None:
    """A slanted accent banner across the picture, behind the headline's middle."""
    half = rng.uniform(70, 95)
    slant = rng.choice((-1, 1)) * rng.uniform(30, 60)
    corners = [
        (-10, middle - half - slant),
        (WIDTH + 10, middle - half + slant),
        (WIDTH + 10, middle + half + slant),
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
