"""An offline thumbnail renderer: no token, no network, the same bytes for the same request.

It stands in for the AI generator in development, in tests and as a fallback, so it still
has to look like a YouTube thumbnail: a few huge outlined words, a loud background, the
user's face as a sticker. Pillow work is CPU-bound, so every stage runs in a worker thread
and the event loop stays free.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, replace

from PIL import Image

from services.generators import backdrop
from services.generators.backdrop import Point
from services.generators.base import (
    THUMBNAIL_SIZE,
    GenerationFailed,
    GenerationRequest,
    ProgressCallback,
    VideoReference,
)
from services.generators.cpu import run_cpu_bound
from services.generators.headline import (
    FALLBACK,
    MAX_CHARS,
    Headline,
    pick_headline,
    pick_snug_headline,
)
from services.generators.imaging import Box, decode_image
from services.generators.palette import Palette, curated_palette, palette_from_image
from services.generators.portrait import find_face, load_face, place_subject, portrait_crop
from services.generators.postprocess import encode_jpeg
from services.generators.render_text import (
    PreparedHeadline,
    TextStyle,
    draw_headline,
    prepare_headline,
)

WIDTH, HEIGHT = THUMBNAIL_SIZE
_REFERENCE_SIDE = 640  # video and style thumbnails are only blurred or sampled for colour
_MARGIN = 56
_WIDE_TEXT = 800  # a text box at least this wide takes the longest headlines
_NARROW_CHARS = 20
_NARROW_STRETCH_CHARS = 26  # rather than cut a phrase, a narrow box takes a few more letters
_MIRRORED_ALIGN = {"left": "right", "right": "left", "center": "center"}


@dataclass(frozen=True)
class ModeSpec:
    """What a mode draws from the request."""

    face: bool = False  # the user's face as the subject
    video: bool = False  # the video's thumbnail as the background
    style: bool = False  # the palette read from the style video's thumbnail


MODES: dict[str, ModeSpec] = {
    "text_to_thumbnail": ModeSpec(),
    "youtube_thumbnail": ModeSpec(video=True),
    "your_face": ModeSpec(face=True),
    "face_youtube": ModeSpec(face=True, video=True),
    "top_youtube_style": ModeSpec(style=True),
    "top_youtube_style_face": ModeSpec(face=True, style=True),
}


@dataclass(frozen=True)
class _Inputs:
    """The request's pictures, decoded."""

    face: Image.Image | None = None
    face_box: Box | None = None
    video: Image.Image | None = None
    style: Image.Image | None = None


@dataclass(frozen=True)
class _Plan:
    """Every random choice of one thumbnail, made up front from the request's seed."""

    palette: Palette
    right: bool  # the subject (or the arrow) goes on the right
    circle: bool  # a face cut out as a circle, else as a card
    gradient: str
    pattern: str
    flourish: str  # without a subject: "band", "arrow" or "none"
    text: TextStyle
    rng: random.Random


@dataclass(frozen=True)
class _Layout:
    """Where things go, in thumbnail pixels."""

    text: Box
    subject: Box | None = None
    arrow: tuple[Point, Point] | None = None  # tail, tip
    band: bool = False
    align: str | None = None  # overrides the plan's text alignment

    def mirrored(self) -> _Layout:
        """The same layout flipped left to right."""
        arrow = self.arrow
        return _Layout(
            text=_mirror_box(self.text),
            subject=_mirror_box(self.subject) if self.subject else None,
            arrow=(_mirror_point(arrow[0]), _mirror_point(arrow[1])) if arrow else None,
            band=self.band,
            align=_MIRRORED_ALIGN.get(self.align) if self.align else None,
        )


def _mirror_box(box: Box) -> Box:
    return (WIDTH - box[2], box[1], WIDTH - box[0], box[3])


def _mirror_point(point: Point) -> Point:
    return (WIDTH - point[0], point[1])


class LocalRenderer:
    """The Generator that draws thumbnails with Pillow alone."""

    async def generate(self, request: GenerationRequest, progress: ProgressCallback) -> bytes:
        """JPEG bytes of a 1280x720 thumbnail; each stage runs in a worker thread."""
        spec = MODES.get(request.mode)
        if spec is None:
            raise GenerationFailed(f"unknown mode {request.mode!r}")
        await progress(0.1, "preparing")
        inputs = await run_cpu_bound(_prepare, request, spec)
        await progress(0.5, "rendering")
        data = await run_cpu_bound(_render_jpeg, request, inputs)
        await progress(0.9, "finishing")
        return data


def _render_jpeg(request: GenerationRequest, inputs: _Inputs) -> bytes:
    return encode_jpeg(render(request, inputs))


def _prepare(request: GenerationRequest, spec: ModeSpec) -> _Inputs:
    """Decodes the pictures the mode uses; an unreadable face is the user's to fix, an
    unreadable YouTube thumbnail is just left out."""
    face = load_face(request.face) if spec.face and request.face is not None else None
    return _Inputs(
        face=face,
        face_box=find_face(face) if face else None,
        video=_reference_picture(request.video) if spec.video else None,
        style=_reference_picture(request.style) if spec.style else None,
    )


def _reference_picture(reference: VideoReference | None) -> Image.Image | None:
    if reference is None or not reference.thumbnail:
        return None
    return decode_image(reference.thumbnail, _REFERENCE_SIDE)


def render(request: GenerationRequest, inputs: _Inputs) -> Image.Image:
    """The thumbnail as a 1280x720 RGB image."""
    plan = _plan(request, inputs)
    layout = _layout(plan, inputs)
    headline = _headline(request, wide=layout.text[2] - layout.text[0] > _WIDE_TEXT)
    focus = _focus(layout.subject)
    if inputs.video is not None:
        canvas = backdrop.photo(inputs.video, plan.palette)
    else:
        canvas = backdrop.gradient(plan.palette, plan.gradient, focus)
    backdrop.pattern(canvas, plan.pattern, plan.palette, focus, plan.rng)
    backdrop.vignette(canvas)
    if layout.band:
        backdrop.band(canvas, plan.palette, (layout.text[1] + layout.text[3]) / 2, plan.rng)
    if layout.arrow is not None:
        backdrop.arrow(canvas, plan.palette, *layout.arrow)
    if layout.subject is not None:
        _place_subject(canvas, inputs, plan, layout.subject)
    style = replace(plan.text, align=layout.align) if layout.align else plan.text
    draw_headline(canvas, headline, layout.text, plan.palette, style)
    return canvas


def _headline(request: GenerationRequest, *, wide: bool) -> PreparedHeadline:
    """The first of prompt and video title that gives words a font can draw (never the
    video id); fewer letters when the text shares the picture, so they stay large."""
    video = request.video
    sources = (request.prompt, video.title if video else None)
    for source in sources:
        if wide:
            picked = pick_headline(source, MAX_CHARS)
        else:
            picked = pick_snug_headline(source, _NARROW_CHARS, _NARROW_STRETCH_CHARS)
        prepared = prepare_headline(picked)
        if prepared is not None:
            return prepared
    fallback = prepare_headline(Headline(FALLBACK, len(FALLBACK) - 1))
    assert fallback is not None  # plain ASCII: every font draws it
    return fallback


def _plan(request: GenerationRequest, inputs: _Inputs) -> _Plan:
    """Choices seeded by (mode, prompt, video, variation): the same request gives the same
    thumbnail, and a new variation moves to another palette and flips the layout."""
    video = request.video
    title = (video.title or "") if video else ""
    key = "\x1f".join((request.mode, request.prompt or "", video.video_id if video else "", title))
    digest = hashlib.sha256(key.encode()).digest()
    seed = int.from_bytes(digest[:8], "big")
    rng = random.Random(f"{digest.hex()}:{request.variation}")
    reference = inputs.style or inputs.video
    if reference is not None:
        palette = palette_from_image(reference, request.variation)
    else:
        palette = curated_palette(f"{request.prompt or ''} {title}", seed, request.variation)
    patterns = ("glow", "rays") if inputs.video is not None else backdrop.PATTERNS
    return _Plan(
        palette=palette,
        right=(seed + request.variation) % 2 == 0,
        circle=rng.random() < 0.5,
        gradient=rng.choice(backdrop.GRADIENTS),
        pattern=rng.choice(patterns),
        flourish=rng.choice(("band", "arrow", "none")),
        text=TextStyle(align=rng.choice(("center", "left")), boxed_emphasis=rng.random() < 0.4),
        rng=rng,
    )


def _place_subject(canvas: Image.Image, inputs: _Inputs, plan: _Plan, box: Box) -> None:
    """The face framed around the face found in it, else the video's frame as a card (a
    redesign then still shows what the video is about)."""
    if inputs.face is not None:
        aspect = (box[2] - box[0]) / (box[3] - box[1])
        picture = portrait_crop(inputs.face, inputs.face_box, aspect)
        circle = plan.circle
    else:
        assert inputs.video is not None
        picture, circle = inputs.video, False
    shift = (-24 if plan.right else 24, 20)  # the plate shows on the headline's side
    place_subject(canvas, picture, box, plan.palette, circle=circle, plate_shift=shift)


def _layout(plan: _Plan, inputs: _Inputs) -> _Layout:
    """Where things go, worked out for a subject on the right and mirrored if need be."""
    layout = _subject_layout(plan, inputs) or _headline_only_layout(plan)
    return layout if plan.right else layout.mirrored()


def _subject_layout(plan: _Plan, inputs: _Inputs) -> _Layout | None:
    """The subject on the right, the headline beside it."""
    if inputs.face is not None and plan.circle:
        subject: Box = (WIDTH - 60 - 560, 90, WIDTH - 60, 650)
    elif inputs.face is not None:
        subject = (WIDTH - 60 - 470, 120, WIDTH - 60, HEIGHT + 30)  # bleeds off the bottom
    elif inputs.video is not None:
        subject = (WIDTH - 50 - 576, 198, WIDTH - 50, 522)  # a 16:9 card
    else:
        return None
    return _Layout(text=(_MARGIN, _MARGIN, subject[0] - 48, HEIGHT - _MARGIN), subject=subject)


def _headline_only_layout(plan: _Plan) -> _Layout:
    """The headline large, over a banner, or beside an arrow pointing at it."""
    if plan.flourish == "arrow":  # the headline flush right, the arrow pointing at it
        text: Box = (_MARGIN + 8, _MARGIN + 16, 930, HEIGHT - _MARGIN - 16)
        return _Layout(text=text, arrow=((1240, 640), (960, 400)), align="right")
    text = (_MARGIN + 40, _MARGIN + 24, WIDTH - _MARGIN - 40, HEIGHT - _MARGIN - 24)
    return _Layout(text=text, band=plan.flourish == "band")


def _focus(subject: Box | None) -> Point:
    """Where the background is brightest: behind the subject, else just above the middle."""
    if subject is None:
        return (0.5, 0.45)
    return ((subject[0] + subject[2]) / 2 / WIDTH, (subject[1] + subject[3]) / 2 / HEIGHT)
