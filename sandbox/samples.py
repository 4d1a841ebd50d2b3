"""Generated sample media, so tests and the console need no fixture files."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw


def sample_image(width: int = 1280, height: int = 720, fmt: str = "JPEG", label: str = "") -> bytes:
    """A gradient image of the given size and format (JPEG, PNG, WEBP, ...)."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    if label:
        ImageDraw.Draw(image).text((10, 10), label, fill=(255, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def sample_sticker() -> bytes:
    """A 512x512 WEBP, the size of a regular static sticker."""
    return sample_image(512, 512, "WEBP")
