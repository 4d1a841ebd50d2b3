"""An offline thumbnail renderer: no token, no network, the same bytes for the same request.

It stands in for the AI generator in development, in tests and as a fallback, so it still
has to look like a YouTube thumbnail: a few huge outlined words, a loud background, the
user's face as a sticker. Pillow work is CPU-bound, so every stage runs in a worker thread
and the event loop stays free.

Every shape gets its own composition: a 16:9 thumbnail puts the headline beside the subject,
a 9:16 Shorts cover stacks them (the headline in the upper third, inside the area the
Shorts player leaves clear, the subject below), a 1:1 post stacks them too. A brand style
decides the colours, the font, the logo and which side the headline takes; consecutive
variations differ in palette, composition and, where the text allows, wording.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, replace

from PIL import Image

from services.generators import backdrop
from services.generators.backdrop import Point
from services.generators.base import (
    GenerationFailed,
    GenerationRequest,
    ProgressCallback,
    VideoReference,
)
from services.generators.branding import (
    boxed_key_word,
    brand_palette,
    clear_of,
    logo_area,
    paste_logo,
)
from services.generators.cpu import run_cpu_bound
from services.generators.headline import MAX_CHARS
from services.generators.imaging import RGB, Box, decode_image
from services.generators.lettering import choose_headline
from services.generators.palette import WHITE, Palette, curated_palette, palette_from_image
from services.generators.portrait import find_face, load_face, place_subject, portrait_crop
from services.generators.postprocess import SIDES, Side, encode_jpeg
from services.generators.render_text import PreparedHeadline, TextStyle, draw_headline

Size = tuple[int, int]
_REFERENCE_SIDE = 640  # video and style thumbnails are only blurred or sampled for colour
_NARROW_CHARS = 20
_NARROW_STRETCH_CHARS = 26  # rather than cut a phrase, a narrow box takes a few more letters
_WIDE_TEXT = 0.62  # a text box at least this share of the width takes the longest headlines
FACE_SCALES = (0.6, 1.6)  # how far an edit may shrink or grow the face
_CARD_ASPECT = 0.746  # a face card's width over its height
_FLOURISHES = ("band", "arrow", "none")
_SPOT_VIGNETTE = 0.5  # a brand background is darkened at the edges half as much


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
    """Every choice of one thumbnail, made up front from the request's seed."""

    size: Size
    palette: Palette
    side: Side  # where the headline goes; the subject takes the other part
    positioned: bool  # the side is the brand's choice, not the shape's default
    lean: int  # -1, 0 or 1: the subject's leaning (left, middle, right) in a stacked layout
    circle: bool  # a face cut out as a circle, else as a card
    gradient: str
    pattern: str
    flourish: str  # without a subject: "band", "arrow" or "none"
    text: TextStyle
    vignette: float
    ring_color: RGB  # the subject's outline: white, or the brand's light colour
    rng: random.Random

    @property
    def unit(self) -> float:
        """Pixels per pixel of a 1280x720 thumbnail's height: margins scale with it."""
        return min(self.size) / 720


@dataclass(frozen=True)
class _Layout:
    """Where things go, in thumbnail pixels."""

    text: Box
    subject: Box | None = None
    arrow: tuple[Point, Point] | None = None  # tail, tip
    band: bool = False
    align: str | None = None  # overrides the plan's text alignment


class LocalRenderer:
    """The Generator that draws thumbnails with Pillow alone."""

    async def generate(self, request: GenerationRequest, progress: ProgressCallback) -> bytes:
        """JPEG bytes of a thumbnail of the request's format; each stage runs in a worker
        thread."""
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
    return encode_jpeg(render(request, inputs), request.format.max_bytes)


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


def headline_side(request: GenerationRequest) -> Side:
    """Which side the headline of a thumbnail with a subject takes (an edit's "swap sides"
    asks for the other one); decided from the request alone, so no picture is decoded."""
    return _plan(request, _Inputs()).side


def _reference_picture(reference: VideoReference | None) -> Image.Image | None:
    if reference is None or not reference.thumbnail:
        return None
    return decode_image(reference.thumbnail, _REFERENCE_SIDE)


def render(request: GenerationRequest, inputs: _Inputs) -> Image.Image:
    """The thumbnail as an RGB image of the request's format."""
    plan = _plan(request, inputs)
    layout = _layout(plan, inputs, request.face_scale)
    logo = logo_area(plan.size, request.brand)
    layout = replace(layout, text=clear_of(layout.text, logo, round(16 * plan.unit)))
    headline = _headline(request, plan, layout.text)
    focus = _focus(layout.subject, plan.size)
    if inputs.video is not None:
        canvas = backdrop.photo(inputs.video, plan.palette, plan.size)
    else:
        canvas = backdrop.gradient(plan.palette, plan.gradient, focus, plan.size)
    backdrop.pattern(canvas, plan.pattern, plan.palette, focus, plan.rng)
    backdrop.vignette(canvas, plan.vignette)
    if layout.band:
        backdrop.band(canvas, plan.palette, (layout.text[1] + layout.text[3]) / 2, plan.rng)
    if layout.arrow is not None:
        backdrop.arrow(canvas, plan.palette, *layout.arrow)
    if layout.subject is not None:
        _place_subject(canvas, inputs, plan, layout.subject)
    style = replace(plan.text, align=layout.align) if layout.align else plan.text
    draw_headline(canvas, headline, layout.text, plan.palette, style)
    if request.brand is not None:
        paste_logo(canvas, request.brand.logo, request.brand.logo_corner)
    return canvas


def _headline(request: GenerationRequest, plan: _Plan, box: Box) -> PreparedHeadline:
    """The user's exact headline if they gave one, else the strongest words of the prompt
    or the video title (never the video id), another wording for another variation; fewer
    letters when the text shares the picture, so they stay large."""
    video = request.video
    sources = (request.prompt, video.title if video else None)
    font = request.brand.font if request.brand else None
    exact = request.headline
    if box[2] - box[0] >= plan.size[0] * _WIDE_TEXT:
        return choose_headline(
            sources, request.variation, max_chars=MAX_CHARS, exact=exact, font=font
        )
    return choose_headline(
        sources,
        request.variation,
        max_chars=_NARROW_CHARS,
        stretch_chars=_NARROW_STRETCH_CHARS,
        exact=exact,
        font=font,
    )


def _plan(request: GenerationRequest, inputs: _Inputs) -> _Plan:
    """Choices seeded by (mode, prompt, video, variation): the same request gives the same
    thumbnail, and each next variation moves to another palette, another composition (the
    other side, the subject leaning the other way, a circle for a card) and flourish."""
    video = request.video
    title = (video.title or "") if video else ""
    key = "\x1f".join((request.mode, request.prompt or "", video.video_id if video else "", title))
    digest = hashlib.sha256(key.encode()).digest()
    seed = int.from_bytes(digest[:8], "big")
    turn = seed + request.variation
    rng = random.Random(f"{digest.hex()}:{request.variation}")
    size = request.format.size
    branded = brand_palette(request.brand)
    reference = inputs.style or inputs.video
    if branded is not None:
        palette = branded
    elif reference is not None:
        palette = palette_from_image(reference, request.variation)
    else:
        palette = curated_palette(f"{request.prompt or ''} {title}", seed, request.variation)
    patterns = ("glow", "rays") if inputs.video is not None else backdrop.PATTERNS
    position = SIDES.get(request.brand.position or "") if request.brand else None
    side, lean = _arrangement(size, turn, position)
    gradient = rng.choice(backdrop.GRADIENTS)
    return _Plan(
        size=size,
        palette=palette,
        side=side,
        positioned=position is not None,
        lean=lean,
        circle=(turn // 2 + seed // 7) % 2 == 0,  # consecutive pairs differ in side, then shape
        gradient=backdrop.SPOT if branded is not None else gradient,
        pattern=rng.choice(patterns),
        flourish=_FLOURISHES[turn % len(_FLOURISHES)],
        text=TextStyle(
            align=rng.choice(("center", "left")),
            boxed_emphasis=rng.random() < 0.4 or boxed_key_word(palette),
        ),
        vignette=_SPOT_VIGNETTE if branded is not None else 1.0,
        ring_color=palette.light if branded is not None else WHITE,
        rng=rng,
    )


def _arrangement(size: Size, turn: int, position: Side | None) -> tuple[Side, int]:
    """Where the headline goes and which way a stacked subject leans: the brand's position
    if it has one, else by the shape: beside the subject in a 16:9 frame (left or right),
    above it in a Shorts cover (the subject leaning right or left), above or below it in a
    square."""
    lean = 1 if turn % 2 == 0 else -1
    if position is not None:
        return position, lean
    width, height = size
    if width > height:
        return ("left" if turn % 2 == 0 else "right"), 0
    if width < height:
        return "top", lean
    return ("top" if turn % 2 == 0 else "bottom"), lean


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
    toward_text = -1 if (box[0] + box[2]) / 2 > plan.size[0] / 2 else 1
    shift = (round(24 * plan.unit) * toward_text, round(20 * plan.unit))  # plate's offset
    place_subject(
        canvas,
        picture,
        box,
        plan.palette,
        circle=circle,
        plate_shift=shift,
        ring_color=plan.ring_color,
    )


def _layout(plan: _Plan, inputs: _Inputs, face_scale: float) -> _Layout:
    """Where things go: the subject's box first (the face scaled as asked), then the
    headline's in the part of the frame the subject leaves."""
    if inputs.face is not None:
        kind = "circle" if plan.circle else "card"
    elif inputs.video is not None:
        kind = "frame"  # the video's own picture as a 16:9 card
    else:
        return _headline_only_layout(plan)
    scale = min(max(face_scale, FACE_SCALES[0]), FACE_SCALES[1]) if kind != "frame" else 1.0
    width, height = plan.size
    if plan.side in ("left", "right") and width > height * 0.8:
        return _side_layout(plan, kind, scale)
    return _stacked_layout(plan, kind, scale)


def _side_layout(plan: _Plan, kind: str, scale: float) -> _Layout:
    """The subject on one side, the headline beside it: worked out for a headline on the
    left and mirrored for one on the right."""
    width, height = plan.size
    if kind == "circle":
        side = min(0.778 * height, 0.44 * width)
        right = width - 0.047 * width
        top = (height - side) / 2 + 0.014 * height
        subject = _scaled((right - side, top, right, top + side), scale, bottom_anchored=False)
    elif kind == "card":
        card_width = min(0.653 * height, 0.37 * width)
        right, bottom = width - 0.047 * width, height * 1.042  # bleeds off the bottom
        box = (right - card_width, bottom - card_width / _CARD_ASPECT, right, bottom)
        subject = _scaled(box, scale, bottom_anchored=True)
    else:
        frame_width = min(0.8 * height, 0.45 * width)
        right, top = width - 0.039 * width, (height - frame_width * 9 / 16) / 2
        subject = _box((right - frame_width, top, right, top + frame_width * 9 / 16))
    margin, gap = round(56 * plan.unit), round(48 * plan.unit)
    text_right = max(subject[0] - gap, round(width * 0.38))
    layout = _Layout(text=(margin, margin, text_right, height - margin), subject=subject)
    return layout if plan.side == "left" else _mirrored(layout, width)


def _stacked_layout(plan: _Plan, kind: str, scale: float) -> _Layout:
    """The headline in a band across the top or the bottom (or, centred, the top), the
    subject in the rest, leaning to one side. A Shorts cover keeps the headline in its
    upper third and inside the centre-safe area; a side position there narrows the band to
    that side and leans the subject the other way."""
    width, height = plan.size
    unit = plan.unit
    margin, gap = round(56 * unit), round(40 * unit)
    tall = height > width
    side, lean = plan.side, plan.lean
    if side in ("left", "right"):
        lean = 1 if side == "left" else -1
    below = side == "bottom"
    if tall:
        inset = round(width * 0.08)
        band = (0.6, 0.82) if below else (0.1, 0.34)
        text = (inset, round(height * band[0]), width - inset, round(height * band[1]))
        if side == "left":
            text = (text[0], text[1], round(width * 0.72), text[3])
        elif side == "right":
            text = (round(width * 0.28), text[1], text[2], text[3])
    else:
        share = 0.42 if width > height else 0.4
        if below:
            text = (margin, round(height * (1 - share)), width - margin, height - margin)
        else:
            text = (margin, margin, width - margin, round(height * share))
    region = (
        (margin, margin, width - margin, text[1] - gap)
        if below
        else (margin, text[3] + gap, width - margin, height)
    )
    subject = _stacked_subject(region, kind, lean, scale, bleed=not below)
    if below:
        top = min(max(text[1], subject[3] + gap), text[3] - round(0.18 * height))
        text = (text[0], top, text[2], text[3])
    else:
        bottom = max(min(text[3], subject[1] - gap), text[1] + round(0.18 * height))
        text = (text[0], text[1], text[2], bottom)
    align = "center" if side == "center" else _SIDE_ALIGN.get(side)
    return _Layout(text=text, subject=subject, align=align)


_SIDE_ALIGN = {"left": "left", "right": "right"}


def _stacked_subject(region: Box, kind: str, lean: int, scale: float, *, bleed: bool) -> Box:
    """The subject's box in `region`, leaning left or right (or centred); a card below
    the headline bleeds off the bottom edge."""
    left, top, right, bottom = region
    region_width, region_height = right - left, bottom - top
    if kind == "circle":
        side = min(0.88 * region_width, 0.9 * region_height)
        x = left + (region_width - side) / 2 * (1 + 0.7 * lean)
        y = top + (region_height - side) * 0.25
        return _scaled((x, y, x + side, y + side), scale, bottom_anchored=False)
    if kind == "card":
        height = region_height * (1.06 if bleed else 1.0)
        card_width = min(height * _CARD_ASPECT, 0.8 * region_width)
        x = left + (region_width - card_width) / 2 * (1 + 0.7 * lean)
        box = (x, top, x + card_width, top + height)
        return _scaled(box, scale, bottom_anchored=bleed)
    frame_width = min(0.9 * region_width, 0.95 * region_height * 16 / 9)
    frame_height = frame_width * 9 / 16
    x = left + (region_width - frame_width) / 2 * (1 + 0.7 * lean)
    y = top + (region_height - frame_height) / 2
    return _box((x, y, x + frame_width, y + frame_height))


def _scaled(box: tuple[float, float, float, float], scale: float, *, bottom_anchored: bool) -> Box:
    """`box` grown or shrunk by `scale` around its middle, or around the middle of its
    bottom edge when it bleeds off the frame there (a bigger face still sits on the edge)."""
    left, top, right, bottom = box
    center_x = (left + right) / 2
    anchor_y = bottom if bottom_anchored else (top + bottom) / 2
    half_width = (right - left) / 2 * scale
    above, below = (anchor_y - top) * scale, (bottom - anchor_y) * scale
    return _box((center_x - half_width, anchor_y - above, center_x + half_width, anchor_y + below))


def _box(box: tuple[float, float, float, float]) -> Box:
    return (round(box[0]), round(box[1]), round(box[2]), round(box[3]))


def _mirrored(layout: _Layout, width: int) -> _Layout:
    """The same layout flipped left to right."""

    def box(b: Box) -> Box:
        return (width - b[2], b[1], width - b[0], b[3])

    def point(p: Point) -> Point:
        return (width - p[0], p[1])

    arrow = layout.arrow
    return _Layout(
        text=box(layout.text),
        subject=box(layout.subject) if layout.subject else None,
        arrow=(point(arrow[0]), point(arrow[1])) if arrow else None,
        band=layout.band,
        align=_MIRRORED_ALIGN.get(layout.align) if layout.align else None,
    )


_MIRRORED_ALIGN = {"left": "right", "right": "left", "center": "center"}


def _headline_only_layout(plan: _Plan) -> _Layout:
    """The headline large, over a banner, or beside an arrow pointing at it. Without a
    brand position it fills the frame, or (with an arrow) takes one side of a 16:9 frame or
    the top of the others; with one, it takes that part of the frame."""
    width, height = plan.size
    side = plan.side
    if not plan.positioned:
        wide = width > height
        side = (side if wide else "top") if plan.flourish == "arrow" else "center"
    if side == "right":
        return _mirrored(_headline_beside(replace(plan, side="left")), width)
    return _headline_beside(plan if side == plan.side else replace(plan, side=side))


def _headline_beside(plan: _Plan) -> _Layout:
    """A headline-only layout with the headline left, at the top, at the bottom or in the
    middle (an arrow is only drawn with a side to point from)."""
    width, height = plan.size
    unit, side = plan.unit, plan.side
    arrow = plan.flourish == "arrow" and side != "center"
    band = plan.flourish == "band" or (plan.flourish == "arrow" and side == "center")
    if height > width:  # a Shorts cover: inside the centre-safe area
        shares = {
            "center": (0.08, 0.3, 0.92, 0.62),
            "left": (0.08, 0.1, 0.75, 0.5),
            "top": (0.08, 0.1, 0.92, 0.45),
            "bottom": (0.08, 0.5, 0.92, 0.82),
        }[side]
        text = _box((shares[0] * width, shares[1] * height, shares[2] * width, shares[3] * height))
        points = _ARROWS_TALL.get(side)
    else:
        margin = 56 * unit
        text = _box(
            {
                "center": (
                    margin + 40 * unit,
                    margin + 24 * unit,
                    width - margin - 40 * unit,
                    height - margin - 24 * unit,
                ),
                "left": (
                    margin + 8 * unit,
                    margin + 16 * unit,
                    0.727 * width,
                    height - margin - 16 * unit,
                ),
                "top": (margin, margin, width - margin, 0.6 * height),
                "bottom": (margin, 0.4 * height, width - margin, height - margin),
            }[side]
        )
        points = _ARROWS.get(side)
    tail_tip = None
    if arrow and points is not None:
        tail_tip = (
            (points[0] * width, points[1] * height),
            (points[2] * width, points[3] * height),
        )
    flush_to_arrow = arrow and not plan.positioned  # a brand's "left" hugs the left edge
    align = ("right" if flush_to_arrow else "left") if side == "left" else None
    return _Layout(text=text, arrow=tail_tip, band=band, align=align)


# An arrow's tail and tip (x, y as shares of the frame), pointing at the headline.
_ARROWS: dict[str, tuple[float, float, float, float]] = {
    "left": (0.969, 0.889, 0.75, 0.556),
    "top": (0.62, 0.95, 0.5, 0.66),
    "bottom": (0.38, 0.05, 0.5, 0.34),
}
_ARROWS_TALL: dict[str, tuple[float, float, float, float]] = {
    "left": (0.88, 0.75, 0.66, 0.52),
    "top": (0.6, 0.8, 0.5, 0.5),
    "bottom": (0.4, 0.14, 0.5, 0.45),
}


def _focus(subject: Box | None, size: Size) -> Point:
    """Where the background is brightest: behind the subject, else just above the middle."""
    if subject is None:
        return (0.5, 0.45)
    return ((subject[0] + subject[2]) / 2 / size[0], (subject[1] + subject[3]) / 2 / size[1])
