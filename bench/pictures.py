"""A model's picture for the benchmarks: as large and as busy as a real one.

The Replicate stand-in's picture (smooth gradients, flat shapes) decodes and encodes far
faster than what flux-schnell paints, so CPU figures taken on it flatter the bot. This one
is 1344x768 (what flux-schnell returns for 16:9) with detail at every scale, a face-like
shape and film grain, saved as the model saves it (JPEG quality 95): about 360 KB.
Deterministic, so every run and every version of the code gets the same bytes.
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter

MODEL_SIZE = (1344, 768)
_OCTAVES = ((8, 0.5), (32, 0.3), (128, 0.15), (512, 0.12))  # cells across, weight


def _noise(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    return Image.frombytes("L", size, bytes(rng.randrange(256) for _ in range(size[0] * size[1])))


def provider_picture(size: tuple[int, int] = MODEL_SIZE, seed: int = 7) -> bytes:
    """JPEG bytes of a busy, photo-like picture of `size`."""
    rng = random.Random(seed)
    width, height = size
    bands = []
    for _ in range(3):
        band = Image.new("L", size, 128)
        for cells, weight in _OCTAVES:
            grid = (max(2, width * cells // MODEL_SIZE[0]), max(2, height * cells // MODEL_SIZE[0]))
            layer = _noise(rng, grid).resize(size, Image.Resampling.BICUBIC)
            band = Image.blend(band, layer, weight)
        bands.append(band.point(lambda v: max(0, min(255, (v - 128) * 2 + 128))))
    image = Image.merge("RGB", bands)
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.6, height * 0.1, width * 0.9, height * 0.7), fill=(235, 190, 150))
    draw.rectangle((width * 0.65, height * 0.65, width * 0.85, height), fill=(30, 60, 160))
    grain = Image.frombytes("L", size, bytes(rng.randrange(96, 160) for _ in range(width * height)))
    image = Image.composite(image, image.filter(ImageFilter.GaussianBlur(1)), grain)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    return buffer.getvalue()
