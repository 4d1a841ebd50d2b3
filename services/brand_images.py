"""The pictures of a saved style (/style): a logo made ready to stamp, a thumbnail read for
its colours and layout, and the style card that shows a kit at a glance.

All of it is CPU-bound Pillow work on user uploads: call it through `run_cpu_bound`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy
from PIL import Image, ImageDraw, ImageFilter, ImageOps, UnidentifiedImageError

from services.generators.branding import LOGO_SIDE
from services.generators.imaging import RGB, Box
from services.generators.palette import luma
from services.generators.portrait import find_faces
from services.generators.render_text import font_sources
from services.images import (
    ALLOWED_FORMATS,
    MAX_PIXELS,
    MAX_UPLOAD_BYTES,
    MIN_PICTURE_SIDE,
    ImageRejected,
    check_upload_size,
)

MAX_COLORS = 3
LOGO_MIN_SIDE = 32
_READ_SIDE = 320  # a thumbnail is read from a copy this large
_QUANTIZE_COLORS = 16
_SAME_COLOR = 56  # RGB distance under which two read colours are one (JPEG noise, shading)
_MIN_SHARE = 0.01  # a colour covering less of the picture is a detail, not a style
_EDGE = 96  # a brightness step this sharp is a letter's outline, not a photo's shading
_MIN_TEXT_SHARE = 0.004  # fewer sharp edges than this share: no headline on the picture
_CENTERED = 0.1  # text whose middle is this close to the picture's is centred
CARD_SIZE = (960, 540)  # the sample thumbnail on the style card
_STRIP = 120  # the colour swatches under it
_GAP = 16


@dataclass(frozen=True)
class ThumbnailReading:
    """What a thumbnail's look is: its main colours and where its parts are."""

    colors: tuple[str, ...]  # "#rrggbb", the largest area first
    face_side: str | None  # left | right | center; None: no face found
    text_position: str | None  # left | right | top | bottom | center; None: no text found

    @property
    def headline_position(self) -> str | None:
        """Where this look puts a headline: where its text is, else beside its face."""
        if self.text_position is not None:
            return self.text_position
        return {"left": "right", "right": "left"}.get(self.face_side or "")


def to_hex(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def from_hex(color: str) -> RGB:
    value = int(color.removeprefix("#"), 16)
    return (value >> 16 & 255, value >> 8 & 255, value & 255)


# --- decoding uploads ---------------------------------------------------------------------


def _decode(data: bytes) -> Image.Image:
    """The upload decoded upright, its transparency kept; ImageRejected for what is too
    big, of another format or no image at all (checked before decoding, against bombs)."""
    check_upload_size(len(data))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ALLOWED_FORMATS:
                raise ImageRejected("image_wrong_type")
            if probe.width * probe.height > MAX_PIXELS:
                raise ImageRejected("image_too_big", limit_mb=MAX_UPLOAD_BYTES // (1024 * 1024))
            probe.load()
            image = ImageOps.exif_transpose(probe)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as error:
        raise ImageRejected("image_unreadable") from error
    return image


# --- the logo -----------------------------------------------------------------------------


def check_logo(data: bytes) -> bytes:
    """The logo upload as a PNG of what it shows: transparency kept, empty borders
    trimmed (so it sits snug in its corner), at most LOGO_SIDE on its longest side.
    ImageRejected if it is no usable picture."""
    image = _decode(data).convert("RGBA")
    visible = image.getchannel("A").getbbox()
    if visible is None:
        raise ImageRejected("style_logo_blank")
    image = image.crop(visible)
    if min(image.size) < LOGO_MIN_SIDE:
        raise ImageRejected("image_too_small", min_side=LOGO_MIN_SIDE)
    image.thumbnail((LOGO_SIDE, LOGO_SIDE), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    image.save(output, "PNG", optimize=True)
    return output.getvalue()


# --- reading a thumbnail ------------------------------------------------------------------


def read_thumbnail(data: bytes) -> ThumbnailReading:
    """A thumbnail's up to three main colours, the side its face is on and where its
    text is. ImageRejected if the upload is no usable picture."""
    image = _decode(data).convert("RGB")
    if min(image.size) < MIN_PICTURE_SIDE:
        raise ImageRejected("image_too_small", min_side=MIN_PICTURE_SIDE)
    faces = find_faces(image) or []  # the detector works on its own small copy
    small = image.copy()
    small.thumbnail((_READ_SIDE, _READ_SIDE), Image.Resampling.BILINEAR)
    person = None
    if faces:
        scale = small.width / image.width
        face = tuple(round(v * scale) for v in faces[0])
        person = _person((face[0], face[1], face[2], face[3]), small.size)
    return ThumbnailReading(
        colors=tuple(to_hex(rgb) for rgb in dominant_colors(small, person)),
        face_side=_side_of(person, small.width) if person else None,
        text_position=_text_position(small, person),
    )


def dominant_colors(
    image: Image.Image, person: Box | None = None, count: int = MAX_COLORS
) -> list[RGB]:
    """The picture's main colours, the person left out (their skin and clothes are no
    style): near-equal shades (JPEG noise, a gradient's steps) count as one, slivers are
    left out, and a vivid colour counts more than a grey (a yellow headline is the style,
    its black outline is not). The strongest first."""
    rgb = image.convert("RGB")
    quantized = rgb.quantize(_QUANTIZE_COLORS, Image.Quantize.MAXCOVERAGE)
    flat = quantized.getpalette() or []
    indices = numpy.asarray(quantized)
    counted = numpy.ones(indices.shape, dtype=bool)
    if person is not None:
        counted[person[1] : person[3], person[0] : person[2]] = False
        if not counted.any():  # the person fills the picture: their colours are all there is
            counted[:] = True
    pixels = numpy.bincount(indices[counted].ravel(), minlength=len(flat) // 3)
    groups: list[tuple[RGB, list[int]]] = []  # a representative colour, its palette indices
    for index in (int(i) for i in numpy.argsort(-pixels) if pixels[i]):
        colour = (flat[3 * index], flat[3 * index + 1], flat[3 * index + 2])
        group = next((g for g in groups if _distance(g[0], colour) < _SAME_COLOR), None)
        if group is None:
            groups.append((colour, [index]))
        else:
            group[1].append(index)
    values = numpy.asarray(rgb)
    total = max(1, int(counted.sum()))
    weighted: list[tuple[float, RGB]] = []
    for _, members in groups:
        chosen = counted & numpy.isin(indices, members)
        share = int(chosen.sum()) / total
        if share >= _MIN_SHARE:  # the group's own pixels, averaged: not the palette's guess
            mean = values[chosen].mean(axis=0)
            colour = (round(mean[0]), round(mean[1]), round(mean[2]))
            weighted.append((share * (0.5 + _vividness(colour)), colour))
    weighted.sort(key=lambda item: -item[0])
    return [colour for _, colour in weighted[:count]]


def _vividness(rgb: RGB) -> float:
    """Saturation times brightness, 0-1: 0 for black, white and greys."""
    high, low = max(rgb), min(rgb)
    return 0.0 if high == 0 else (high - low) / high * high / 255


def _distance(a: RGB, b: RGB) -> float:
    return float(sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5)


def _side_of(box: Box, width: int) -> str:
    middle = (box[0] + box[2]) / 2 / width
    return "left" if middle < 0.4 else "right" if middle > 0.6 else "center"


def _text_position(image: Image.Image, person: Box | None) -> str | None:
    """Where the headline is: the middle of the picture's sharp edges (a headline's
    outlined letters have far more of them than a photo), the person left out."""
    edges = numpy.asarray(image.convert("L").filter(ImageFilter.FIND_EDGES)) >= _EDGE
    edges[:2, :] = edges[-2:, :] = edges[:, :2] = edges[:, -2:] = False  # the filter's border
    if person is not None:
        edges[person[1] : person[3], person[0] : person[2]] = False
    height, width = edges.shape
    ys, xs = numpy.nonzero(edges)
    if len(xs) < _MIN_TEXT_SHARE * width * height:
        return None
    across = float(xs.mean()) / width - 0.5
    down = float(ys.mean()) / height - 0.5
    if max(abs(across), abs(down)) < _CENTERED:
        return "center"
    if abs(across) >= abs(down):
        return "left" if across < 0 else "right"
    return "top" if down < 0 else "bottom"


def _person(face: Box, size: tuple[int, int]) -> Box:
    """The face with hair and shoulders (or the card or circle it sits in), down to the
    bottom of the picture."""
    left, top, right, bottom = face
    wide = (right - left) * 1.6
    return (
        max(0, round(left - wide)),
        max(0, round(top - (bottom - top) * 1.2)),
        min(size[0], round(right + wide)),
        size[1],
    )


# --- the style card -----------------------------------------------------------------------


def style_card(thumbnail: bytes, colors: tuple[str, ...]) -> bytes:
    """A sample thumbnail with a strip of the kit's colours under it, each swatch
    labelled with its hex code: what /style shows as the kit."""
    with Image.open(io.BytesIO(thumbnail)) as opened:
        sample = opened.convert("RGB").resize(CARD_SIZE, Image.Resampling.LANCZOS)
    width, height = CARD_SIZE
    card = Image.new("RGB", (width, height + (_STRIP if colors else 0)), (24, 24, 28))
    card.paste(sample, (0, 0))
    draw = ImageDraw.Draw(card)
    font = font_sources()[0].load(34)
    swatch = (width - _GAP * (len(colors) + 1)) // max(1, len(colors))
    for index, color in enumerate(colors):
        left = _GAP + index * (swatch + _GAP)
        box = (left, height + _GAP, left + swatch, height + _STRIP - _GAP)
        rgb = from_hex(color)
        draw.rounded_rectangle(box, radius=14, fill=rgb, outline=(90, 90, 96), width=2)
        ink = (0, 0, 0) if luma(rgb) > 140 else (255, 255, 255)
        middle = ((box[0] + box[2]) // 2, (box[1] + box[3]) // 2)
        draw.text(middle, color, font=font, fill=ink, anchor="mm")
    output = io.BytesIO()
    card.save(output, "JPEG", quality=90)
    return output.getvalue()
