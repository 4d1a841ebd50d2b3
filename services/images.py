"""Checking and normalising images that users upload (face photos).

An upload is decoded once here: anything that is not a real JPEG, PNG or WebP photo of a
usable size, or in which OpenCV finds no face, is refused with a reason the chat can explain.
What is kept is a re-encoded JPEG: turned upright, stripped of EXIF (no GPS positions in our
storage), bounded in size, and cut down to the largest face when there are several, so every
generator given the saved photo uses that face.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field

from PIL import Image, ImageOps, UnidentifiedImageError

from services.errors import InputRejected
from services.generators.imaging import Box
from services.generators.portrait import find_faces, portrait_crop

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MIN_SIDE = 256
MIN_PICTURE_SIDE = 90  # YouTube's smallest thumbnail is 120x90
MAX_STORED_SIDE = 1536
ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
ALLOWED_MIME_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
# Refuse absurd canvases before decoding them (a "decompression bomb").
MAX_PIXELS = 40_000_000
# A face kept from a group photo is cut out square, this many face heights tall (more when
# that would be under MIN_SIDE): hair, chin and shoulders, and little of the neighbours.
GROUP_CROP_FACE_HEIGHTS = 3.0


class ImageRejected(InputRejected):
    """The upload is not a usable photo."""


@dataclass(frozen=True)
class NormalizedImage:
    data: bytes = field(repr=False)
    width: int
    height: int
    faces: int | None = None  # faces found in the upload; None when there was no detector

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def check_upload_size(size: int | None) -> None:
    """Refuse before downloading when Telegram already told us the size."""
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ImageRejected("image_too_big", limit_mb=MAX_UPLOAD_BYTES // (1024 * 1024))


def normalize_face_photo(data: bytes) -> NormalizedImage:
    """The upload as the JPEG to keep; ImageRejected if it is not a usable face photo."""
    image = _decode_upload(data)
    if min(image.size) < MIN_SIDE:
        raise ImageRejected("image_too_small", min_side=MIN_SIDE)
    faces = find_faces(image)
    if faces == []:
        raise ImageRejected("face_not_found")
    if faces is not None and len(faces) > 1:
        image = _crop_to_face(image, faces[0])
    image.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE))
    found = None if faces is None else len(faces)
    return NormalizedImage(_jpeg(image), image.width, image.height, found)


def _crop_to_face(image: Image.Image, face: Box) -> Image.Image:
    """A square head-and-shoulders crop around `face`, at least MIN_SIDE on each side (the
    photo itself is at least that)."""
    heights = max(GROUP_CROP_FACE_HEIGHTS, MIN_SIDE / (face[3] - face[1]))
    return portrait_crop(image, face, aspect=1.0, face_heights=heights)


def normalize_picture(data: bytes) -> bytes:
    """A picture to follow (a screenshot of a thumbnail, or a video's thumbnail) as the
    JPEG to keep; ImageRejected if it is not a usable picture. No face needed."""
    image = _decode_upload(data)
    if min(image.size) < MIN_PICTURE_SIDE:
        raise ImageRejected("image_too_small", min_side=MIN_PICTURE_SIDE)
    image.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE))
    return _jpeg(image)


def _jpeg(image: Image.Image) -> bytes:
    """What is kept: a plain JPEG, with no EXIF (no GPS positions in our storage)."""
    output = io.BytesIO()
    image.save(output, "JPEG", quality=90, optimize=True)
    return output.getvalue()


def _decode_upload(data: bytes) -> Image.Image:
    """The upload decoded upright and RGB, refusing what is too big, of another format
    or not an image at all (before decoding a "decompression bomb")."""
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
    return image
