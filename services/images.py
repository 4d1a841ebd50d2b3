"""Checking and normalising images that users upload (face photos).

An upload is decoded once here: anything that is not a real JPEG, PNG or WebP photo of a
usable size is refused with a reason the chat can explain. What is kept is a re-encoded
JPEG: turned upright, stripped of EXIF (no GPS positions in our storage), bounded in size.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field

from PIL import Image, ImageOps, UnidentifiedImageError

from services.errors import InputRejected

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MIN_SIDE = 256
MAX_STORED_SIDE = 1536
ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
ALLOWED_MIME_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
# Refuse absurd canvases before decoding them (a "decompression bomb").
MAX_PIXELS = 40_000_000


class ImageRejected(InputRejected):
    """The upload is not a usable photo."""


@dataclass(frozen=True)
class NormalizedImage:
    data: bytes = field(repr=False)
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def check_upload_size(size: int | None) -> None:
    """Refuse before downloading when Telegram already told us the size."""
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ImageRejected("image_too_big", limit_mb=MAX_UPLOAD_BYTES // (1024 * 1024))


def normalize_face_photo(data: bytes) -> NormalizedImage:
    check_upload_size(len(data))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format
            width, height = probe.size
            if image_format not in ALLOWED_FORMATS:
                raise ImageRejected("image_wrong_type")
            if width * height > MAX_PIXELS:
                raise ImageRejected("image_too_big", limit_mb=MAX_UPLOAD_BYTES // (1024 * 1024))
            probe.load()
            image = ImageOps.exif_transpose(probe).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as error:
        raise ImageRejected("image_unreadable") from error
    if min(image.size) < MIN_SIDE:
        raise ImageRejected("image_too_small", min_side=MIN_SIDE)
    image.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE))
    output = io.BytesIO()
    image.save(output, "JPEG", quality=90, optimize=True)
    return NormalizedImage(output.getvalue(), image.width, image.height)
