"""The picture a thumbnail is about: the user's face, cropped around the face that OpenCV's
bundled Haar cascade finds (or the upper middle of the photo when OpenCV is missing or
finds none), or the video's own frame; cut out as a circle or a rounded card with a white
outline and an accent-coloured plate offset to one side, like a sticker."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw

from services.generators.base import GenerationFailed
from services.generators.imaging import (
    RGB,
    Box,
    cover,
    decode_image,
    paint_sticker_base,
    smooth_shape,
)
from services.generators.palette import WHITE, Palette

if TYPE_CHECKING:
    from cv2 import CascadeClassifier

MAX_FACE_SIDE = 1024  # the cut-out is at most ~650 px; decoding more is wasted time
_DETECT_SIDE = 480  # Haar detection on a smaller copy: ~15 ms instead of ~150 ms
_FACE_HEIGHTS = 2.2  # the crop is this many face heights tall: hair, chin and shoulders
_FACE_LEVEL = 0.42  # the face's centre sits this far down the crop
_UPPER_MIDDLE = 0.25  # without a face: crop this far down the spare height (heads are high)
_local = threading.local()


def load_face(data: bytes) -> Image.Image:
    """The user's photo, upright and RGB; GenerationFailed if the bytes aren't a picture."""
    image = decode_image(data, MAX_FACE_SIDE)
    if image is None:
        raise GenerationFailed("the face photo could not be decoded", "face_unreadable")
    return image


def find_face(image: Image.Image) -> Box | None:
    """The largest face in `image`, or None (no face, or OpenCV isn't installed)."""
    return detect_face(image, _detector())


def find_faces(image: Image.Image) -> list[Box] | None:
    """Every face in `image`, largest first; None when OpenCV isn't installed (unknown)."""
    detector = _detector()
    return None if detector is None else detect_faces(image, detector)


def detect_face(image: Image.Image, detector: CascadeClassifier | None) -> Box | None:
    """The largest face `detector` (an OpenCV cascade, or None for none) finds."""
    faces = [] if detector is None else detect_faces(image, detector)
    return faces[0] if faces else None


def detect_faces(image: Image.Image, detector: CascadeClassifier) -> list[Box]:
    """The faces an OpenCV cascade finds in `image`, largest first."""
    import numpy

    scale = min(1.0, _DETECT_SIDE / max(image.size))
    small = image.convert("L").resize((round(image.width * scale), round(image.height * scale)))
    smallest = max(24, min(small.size) // 10)
    found = detector.detectMultiScale(
        numpy.asarray(small), scaleFactor=1.1, minNeighbors=5, minSize=(smallest, smallest)
    )
    boxes = sorted((tuple(int(v) for v in face) for face in found), key=lambda f: -f[2] * f[3])
    return [
        (round(x / scale), round(y / scale), round((x + w) / scale), round((y + h) / scale))
        for x, y, w, h in boxes
    ]


def _detector() -> CascadeClassifier | None:
    """This thread's face classifier: OpenCV's detectMultiScale isn't safe to share."""
    if not hasattr(_local, "detector"):
        _local.detector = _load_detector()
    detector: CascadeClassifier | None = _local.detector  # threading.local is untyped
    return detector


def _load_detector() -> CascadeClassifier | None:
    try:
        import cv2
        from cv2.data import haarcascades
    except ImportError:
        return None
    cascade = Path(haarcascades) / "haarcascade_frontalface_default.xml"
    classifier = cv2.CascadeClassifier(str(cascade))
    return None if classifier.empty() else classifier


def portrait_crop(
    image: Image.Image, face: Box | None, aspect: float, face_heights: float = _FACE_HEIGHTS
) -> Image.Image:
    """A crop of width/height `aspect` framing the head and shoulders around `face` (the crop
    is `face_heights` face heights tall where the photo allows), or the upper middle of the
    photo when no face is known."""
    if face is None:
        width = min(image.width, image.height * aspect)
        height = width / aspect
        left = (image.width - width) / 2
        top = (image.height - height) * _UPPER_MIDDLE
        return image.crop((round(left), round(top), round(left + width), round(top + height)))
    center_x, center_y = (face[0] + face[2]) / 2, (face[1] + face[3]) / 2
    height = (face[3] - face[1]) * face_heights
    width = height * aspect
    shrink = min(1.0, image.width / width, image.height / height)
    width, height = width * shrink, height * shrink
    left = min(max(center_x - width / 2, 0), image.width - width)
    top = min(max(center_y - height * _FACE_LEVEL, 0), image.height - height)
    return image.crop((round(left), round(top), round(left + width), round(top + height)))


def place_subject(
    canvas: Image.Image,
    picture: Image.Image,
    box: Box,
    palette: Palette,
    *,
    circle: bool,
    plate_shift: tuple[int, int],
    ring_color: RGB = WHITE,
) -> None:
    """Pastes `picture` into `box` as a sticker: soft shadow, accent plate shifted by
    `plate_shift`, an outline in `ring_color` (white, or a brand's light colour), then the
    picture itself."""
    width, height = box[2] - box[0], box[3] - box[1]
    ring = max(6, round(min(width, height) * 0.022))
    margin = ring + max(abs(plate_shift[0]), abs(plate_shift[1])) + 48
    outline = _shape_mask(
        (width + 2 * margin, height + 2 * margin),
        (margin - ring, margin - ring, margin + width + ring, margin + height + ring),
        circle=circle,
    )
    left, top = box[0] - margin, box[1] - margin
    paint_sticker_base(
        canvas, outline, (left, top), plate=(palette.accent, plate_shift), ring_color=ring_color
    )
    inside = _shape_mask((width, height), (0, 0, width, height), circle=circle)
    canvas.paste(cover(picture, (width, height)), box[:2], inside)


def _shape_mask(size: tuple[int, int], rect: Box, *, circle: bool) -> Image.Image:
    radius = 0.1 * min(rect[2] - rect[0], rect[3] - rect[1])

    def draw(canvas: ImageDraw.ImageDraw, scale: int) -> None:
        scaled = (rect[0] * scale, rect[1] * scale, rect[2] * scale, rect[3] * scale)
        if circle:
            canvas.ellipse(scaled, fill=255)
        else:
            canvas.rounded_rectangle(scaled, radius=radius * scale, fill=255)

    return smooth_shape(size, draw)
