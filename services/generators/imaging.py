"""Small Pillow helpers shared by the local renderer's parts."""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFilter, ImageOps

RGB = tuple[int, int, int]
Box = tuple[int, int, int, int]  # left, top, right, bottom

# Refuse absurd canvases before decoding them (a "decompression bomb").
MAX_INPUT_PIXELS = 40_000_000
# Cut-outs and card shapes are drawn this many times larger, then shrunk, for smooth edges.
SUPERSAMPLE = 3


def decode_image(data: bytes, max_side: int) -> Image.Image | None:
    """An upright RGB picture at most max_side wide or tall, or None if `data` isn't one.

    JPEGs are decoded at a reduced scale (`draft`), so a 12-megapixel phone photo costs a
    few milliseconds instead of a hundred."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.width * opened.height > MAX_INPUT_PIXELS:
                return None
            opened.draft("RGB", (max_side, max_side))
            opened.load()
            # In place: an upright picture (nearly every model's) is not copied.
            ImageOps.exif_transpose(opened, in_place=True)
            image: Image.Image = opened
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError):
        return None
    image = _flatten(image)
    image.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
    return image


def _flatten(image: Image.Image) -> Image.Image:
    """RGB without transparency: a cut-out PNG sits on mid grey rather than on black. An
    RGB picture is returned as it is (a copy of a megapixel costs a millisecond)."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        base = Image.new("RGBA", rgba.size, (128, 128, 128, 255))
        return Image.alpha_composite(base, rgba).convert("RGB")
    return image if image.mode == "RGB" else image.convert("RGB")


def cover(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Scales and crops `image` to fill `size` exactly, like CSS `object-fit: cover`."""
    return ImageOps.fit(image, size, Image.Resampling.BILINEAR)


def paint_sticker_base(
    canvas: Image.Image,
    outline: Image.Image,
    at: tuple[int, int],
    plate: tuple[RGB, tuple[int, int]] | None = None,
    ring_color: RGB = (255, 255, 255),
) -> None:
    """A soft drop shadow, optionally a coloured plate (colour, offset), and an outline in
    `ring_color` (white unless a brand says otherwise): what makes a shape look cut out and stuck
    on. The shape's own fill goes on top."""
    paint(canvas, (0, 0, 0), soft_mask(outline, 28), 0.6, at=(at[0] + 10, at[1] + 16))
    if plate is not None:
        color, (dx, dy) = plate
        paint(canvas, color, outline, at=(at[0] + dx, at[1] + dy))
    paint(canvas, ring_color, outline, at=at)


def soft_mask(mask: Image.Image, radius: float) -> Image.Image:
    """A blurred copy of an "L" mask; blurred at quarter size because a full-size Gaussian
    blur of a 1280x720 layer alone would cost more than the rest of the render."""
    factor = 4
    small = mask.reduce(factor).filter(ImageFilter.GaussianBlur(radius / factor))
    return small.resize(mask.size, Image.Resampling.BILINEAR)


def smooth_shape(
    size: tuple[int, int], draw: Callable[[ImageDraw.ImageDraw, int], None]
) -> Image.Image:
    """An antialiased "L" mask: `draw(canvas, scale)` paints white at SUPERSAMPLE scale."""
    big = Image.new("L", (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE), 0)
    draw(ImageDraw.Draw(big), SUPERSAMPLE)
    return big.resize(size, Image.Resampling.BOX)


def paint(
    canvas: Image.Image,
    color: RGB,
    mask: Image.Image,
    opacity: float = 1.0,
    at: tuple[int, int] = (0, 0),
) -> None:
    """Blends a flat colour into `canvas` wherever `mask` (placed at `at`) is white, at
    `opacity` (0-1)."""
    if opacity < 1.0:
        mask = mask.point(lambda value: round(value * opacity))
    canvas.paste(color, at, mask)
