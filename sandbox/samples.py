"""Sample media, so tests and the console need no fixture files of their own: generated
gradients (pictures without a face) and a real face photo kept in `media/`."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

FACE_PATH = Path(__file__).with_name("media") / "face.jpg"
# Head and shoulders of the one face in face.jpg, (left, top, right, bottom).
_HEAD = (105, 0, 345, 300)
_GROUP_HEIGHT = 700
_GROUP_GAP = 120


def sample_image(width: int = 1280, height: int = 720, fmt: str = "JPEG", label: str = "") -> bytes:
    """A gradient image of the given size and format (JPEG, PNG, WEBP, ...)."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    if label:
        ImageDraw.Draw(image).text((10, 10), label, fill=(255, 0, 0))
    return _encoded(image, fmt)


def sample_sticker() -> bytes:
    """A 512x512 WEBP, the size of a regular static sticker."""
    return sample_image(512, 512, "WEBP")


def sample_face(size: int = 512, seed: int = 0, fmt: str = "JPEG") -> bytes:
    """A real photo of one front-facing face (see media/README.md), size x size. A non-zero
    `seed` colours a small corner mark, so each seed is a different photo of the same face."""
    image = _face().resize((size, size), Image.Resampling.LANCZOS)
    if seed:
        mark = max(4, size // 16)
        colour = ((90 + seed * 37) % 256, (140 + seed * 71) % 256, (200 + seed * 13) % 256)
        ImageDraw.Draw(image).rectangle((0, 0, mark, mark), fill=colour)
    return _encoded(image, fmt)


def sample_faces(count: int = 3) -> bytes:
    """A group photo (JPEG): `count` people side by side on a plain backdrop, each smaller
    than the one before, so the first from the left has the largest face."""
    head = _face().crop(_HEAD)
    tiles = []
    for index in range(count):
        height = round(_GROUP_HEIGHT * 0.9 * 0.8**index)
        tiles.append(head.resize((round(head.width * height / head.height), height)))
    width = sum(tile.width for tile in tiles) + _GROUP_GAP * (count + 1)
    group = Image.new("RGB", (width, _GROUP_HEIGHT), (205, 205, 212))
    left = _GROUP_GAP
    for tile in tiles:
        group.paste(tile, (left, _GROUP_HEIGHT - tile.height))
        left += tile.width + _GROUP_GAP
    return _encoded(group, "JPEG")


def _face() -> Image.Image:
    with Image.open(FACE_PATH) as photo:
        return photo.convert("RGB")


def _encoded(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()
