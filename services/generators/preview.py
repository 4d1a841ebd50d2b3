"""The thumbnail where it will be seen: one small picture of it as YouTube lays it out, in
light and dark mode, and whether its headline still reads at the smallest of those sizes.

Layouts, at YouTube's desktop sizes in CSS pixels (1x, so what this image shows is what a
viewer's screen shows):

- 16:9: a home-feed card (360x203 with a duration badge, a round channel avatar, the title in
  two lines, "channel · views · age") and the 168x94 list/sidebar item beside its title;
- 9:16: a Shorts shelf card (180x320, the title under it, the views);
- 1:1: a community post card (avatar, channel, age, the title as the post text, the picture);
- several thumbnails (variants): them side by side at the list / shelf / post size, numbered.

Light and dark panels sit side by side (one thumbnail) or one above the other (several).

`readable` comes from the pixels, not from the renderer, so it judges a Replicate picture the
same way as a local one (see `headline_share`): the letter height of the largest line of
text found, scaled to the smallest width this preview shows the thumbnail at, must be at
least READABLE_LETTER_PX. It is an estimate from contrast edges, not OCR: a picture with no
text found counts as readable (there is no headline to lose), and a busy photo can pass for
large text (then it errs on the side of no warning).
"""

from __future__ import annotations

import colorsys
import statistics
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageOps

from services.generators.base import GenerationFailed
from services.generators.imaging import RGB, decode_image, paint, smooth_shape
from services.generators.postprocess import encode_jpeg
from services.generators.render_text import FontSource, font_sources, has_glyph, packaged_font

PREVIEW_MAX_BYTES = 300 * 1024
MAX_WIDTH = 1280
LIST_SIZE = (168, 94)  # YouTube's list / sidebar thumbnail
FEED_SIZE = (360, 203)  # a home-feed card's thumbnail
SHORTS_SIZE = (180, 320)  # a Shorts shelf card
POST_SIZE = (240, 240)  # a community post's picture
# Below this letter height (px, outline included) a headline at the smallest size shown turns
# to mush: YouTube's own 12 px interface text, the smallest it asks anyone to read, has capitals
# about 8.5 px tall.
READABLE_LETTER_PX = 8.0
MAX_THUMBNAILS = 4
# The smallest size each layout shows a thumbnail at: where its headline is judged.
_SMALLEST = {"wide": LIST_SIZE, "tall": SHORTS_SIZE, "square": POST_SIZE}

_PAD = 20
_GAP = 12
_DECODE_SIDE = 1920
_ASK_WIDTH = 1280  # text is looked for at this width
_EDGE_STEP = 72  # a luminance step (of 255) between neighbours that counts as an ink edge
_MIN_LETTER, _MAX_LETTER = 5, 0.45  # px at _ASK_WIDTH; share of the picture's height
_SAME_LINE = 0.35  # letters of one line: centres within this share of their height
_NEAR = 1.2  # and gaps between them under this many letter heights
_MIN_CROSSINGS = 6  # a lone wide blob is a word only if its middle row crosses this many edges
_UI_FONTS = {"regular": "files/Roboto-Regular.ttf", "medium": "files/Roboto-Medium.ttf"}


@dataclass(frozen=True)
class Theme:
    background: RGB
    title: RGB
    meta: RGB


LIGHT = Theme((255, 255, 255), (15, 15, 15), (96, 96, 96))
DARK = Theme((15, 15, 15), (241, 241, 241), (170, 170, 170))


@dataclass(frozen=True)
class Preview:
    """The preview JPEG and the verdict on its headline(s)."""

    jpeg: bytes = field(repr=False)
    readable: bool
    size: tuple[int, int]
    # Per thumbnail: the headline's letter height in px at its smallest size shown
    # (`read_at`, width x height), or None when no text was found in it.
    letter_px: tuple[float | None, ...]
    read_at: tuple[int, int]


@dataclass(frozen=True)
class Texts:
    """What the cards say besides the title; the caller may pass them in the user's language."""

    title: str
    channel: str
    views: str = "12K views"
    age: str = "2 hours ago"
    duration: str = "12:34"


def youtube_preview(
    thumbnails: Sequence[bytes],
    title: str,
    channel: str,
    views: str = "12K views",
    age: str = "2 hours ago",
) -> Preview:
    """The preview of one thumbnail, or of up to four variants side by side (their shape is
    the first one's). CPU-bound: call it through run_cpu_bound. GenerationFailed if a
    thumbnail is not a picture."""
    if not 1 <= len(thumbnails) <= MAX_THUMBNAILS:
        raise ValueError(f"a preview shows 1 to {MAX_THUMBNAILS} thumbnails")
    pictures = []
    for data in thumbnails:
        picture = decode_image(data, _DECODE_SIDE)
        if picture is None:
            raise GenerationFailed("a thumbnail to preview is not a picture")
        pictures.append(picture)
    texts = Texts(title.strip() or "…", channel.strip() or "…", views, age)
    shape = shape_of(pictures[0])
    read_at = _SMALLEST[shape]
    letters = tuple(_letter_px(picture, read_at[0]) for picture in pictures)
    if len(pictures) == 1:
        draw_panel = _SINGLE[shape]
        panels = [draw_panel(pictures[0], texts, theme) for theme in (LIGHT, DARK)]
        canvas = _side_by_side(panels)
    else:
        panels = [
            _cards_panel(pictures, shape, texts, theme, numbered=True) for theme in (LIGHT, DARK)
        ]
        canvas = _stacked(panels)
    return Preview(
        jpeg=encode_jpeg(canvas, PREVIEW_MAX_BYTES),
        readable=all(px is None or px >= READABLE_LETTER_PX for px in letters),
        size=canvas.size,
        letter_px=letters,
        read_at=read_at,
    )


def shape_of(picture: Image.Image) -> str:
    """The layout that suits the picture: "wide" (16:9 and the like), "tall" (9:16,
    Shorts) or "square" (1:1, community posts)."""
    ratio = picture.width / picture.height
    return "wide" if ratio > 1.3 else "tall" if ratio < 0.8 else "square"


def _letter_px(picture: Image.Image, width: int) -> float | None:
    share = headline_share(picture)
    return None if share is None else round(share * width, 1)


# --- reading the headline's size from the pixels -------------------------------------------


def headline_share(picture: Image.Image) -> float | None:
    """The letter height of the largest line of text in `picture`, as a share of its width
    (so at any display width w the letters are share * w px tall), or None if it shows no
    text.

    How: at 1280 px wide, every pixel between two neighbours that differ by a luminance
    step of 72+ is an edge (a headline's fill, outline and background meet in such steps;
    photos mostly change gently). Connected groups of edge pixels are shapes; those inside
    another shape (an outline's inner edge, the hole of an "O") and plates holding letters
    are set aside (`_outermost`), the rest are candidate letters (or words, when outlines
    touch). A line of text is two or more candidates of similar height side by side on one
    centre line, or one wide candidate whose middle row crosses many edges. The tallest
    line's median candidate height is the letter height: for capitals, the cap height plus
    any outline (within a few pixels on drawn test lines from 11 to 99 px)."""
    scale = _ASK_WIDTH / picture.width
    size = (_ASK_WIDTH, max(1, round(picture.height * scale)))
    gray = np.asarray(picture.convert("L").resize(size, Image.Resampling.BOX), dtype=np.int16)
    edges = _edges(gray)
    letters = [
        box
        for box in _outermost(_components(edges))
        if _MIN_LETTER <= box[3] - box[1] <= _MAX_LETTER * size[1]
        and box[2] - box[0] >= 0.15 * (box[3] - box[1])
    ]
    heights = [
        height for line in _lines_of(letters) if (height := _line_height(line, edges)) is not None
    ]
    return max(heights) / _ASK_WIDTH if heights else None


def _edges(gray: np.ndarray) -> np.ndarray:
    """Pixels whose neighbours on either side (across or down) differ by a strong step:
    sharp type and a photo's slightly soft lettering alike."""
    edges = np.zeros(gray.shape, dtype=bool)
    edges[:, 1:-1] = np.abs(gray[:, 2:] - gray[:, :-2]) >= _EDGE_STEP
    edges[1:-1, :] |= np.abs(gray[2:, :] - gray[:-2, :]) >= _EDGE_STEP
    return edges


Box = tuple[int, int, int, int]


def _components(mask: np.ndarray) -> list[Box]:
    """Bounding boxes (left, top, right, bottom; exclusive) of the 8-connected groups of
    True pixels, from the runs of each row joined to the overlapping runs above."""
    parent: list[int] = []

    def root(label: int) -> int:
        while parent[label] != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    runs: list[tuple[int, int, int, int]] = []  # row, start, end, label
    above: list[tuple[int, int, int]] = []
    for y, row in enumerate(mask):
        steps = np.diff(np.concatenate(([0], row.astype(np.int8), [0])))
        starts = np.flatnonzero(steps == 1).tolist()
        ends = np.flatnonzero(steps == -1).tolist()
        here: list[tuple[int, int, int]] = []
        first = 0
        for start, end in zip(starts, ends, strict=True):
            while first < len(above) and above[first][1] < start:  # ends left of the diagonal
                first += 1
            label = -1
            index = first
            while index < len(above) and above[index][0] <= end:  # starts right of the diagonal
                other = root(above[index][2])
                if label < 0:
                    label = other
                elif other != label:
                    parent[other] = label
                index += 1
            if label < 0:
                label = len(parent)
                parent.append(label)
            here.append((start, end, label))
            runs.append((y, start, end, label))
        above = here
    boxes: dict[int, list[int]] = {}
    for y, start, end, label in runs:
        box = boxes.setdefault(root(label), [start, y, end, y + 1])
        box[0], box[2] = min(box[0], start), max(box[2], end)
        box[3] = y + 1
    return [(b[0], b[1], b[2], b[3]) for b in boxes.values()]


def _outermost(boxes: list[Box]) -> list[Box]:
    """The shapes that can be letters: not a part of another shape (an outlined letter's
    inner edge, the hole of an "O"), nor a plate or banner with letters on it (a box at
    least twice as wide as tall holding two or more others: its letters speak for it)."""
    if not boxes:
        return []
    table = np.array(boxes)
    wide = table[:, 2] - table[:, 0] >= 2 * (table[:, 3] - table[:, 1])
    holds = np.zeros(len(boxes), dtype=np.int64)
    kept = np.ones(len(boxes), dtype=bool)
    for index, box in enumerate(boxes):
        around = (
            (table[:, 0] <= box[0])
            & (table[:, 1] <= box[1])
            & (table[:, 2] >= box[2])
            & (table[:, 3] >= box[3])
        )
        around[index] = False
        if np.any(around & ~wide):
            kept[index] = False
        holds += around
    kept &= ~(wide & (holds >= 2))
    return [box for box, keep in zip(boxes, kept.tolist(), strict=True) if keep]


def _lines_of(letters: list[Box]) -> list[list[Box]]:
    """Candidate letters grouped into lines: similar height, one centre line, close by."""
    letters = sorted(letters)
    parent = list(range(len(letters)))

    def root(index: int) -> int:
        while parent[index] != index:
            index = parent[index]
        return index

    for i, a in enumerate(letters):
        a_height = a[3] - a[1]
        for j in range(i + 1, len(letters)):
            b = letters[j]
            b_height = b[3] - b[1]
            tall = max(a_height, b_height)
            if b[0] - a[2] > _NEAR * tall:
                if b[0] - a[2] > _NEAR * a_height * 1.5:
                    break  # sorted by left edge: the rest are farther still
                continue
            if (
                abs((a[1] + a[3]) - (b[1] + b[3])) / 2 <= _SAME_LINE * tall
                and min(a_height, b_height) * 1.5 >= tall
            ):
                parent[root(j)] = root(i)
    lines: dict[int, list[Box]] = {}
    for index, letter in enumerate(letters):
        lines.setdefault(root(index), []).append(letter)
    return list(lines.values())


def _line_height(line: list[Box], edges: np.ndarray) -> float | None:
    """The letter height of a line of text, or None if the group does not look like one."""
    if len(line) == 1:
        left, top, right, bottom = line[0]
        middle = edges[(top + bottom) // 2, left:right].astype(np.int8)
        crossings = int(np.count_nonzero(np.diff(middle) == 1))
        if right - left < 2 * (bottom - top) or crossings < _MIN_CROSSINGS:
            return None
    return float(statistics.median(box[3] - box[1] for box in line))


# --- drawing -------------------------------------------------------------------------------


def _side_by_side(panels: list[Image.Image]) -> Image.Image:
    width = sum(panel.width for panel in panels)
    canvas = Image.new("RGB", (width, max(panel.height for panel in panels)))
    x = 0
    for panel in panels:
        canvas.paste(panel, (x, 0))
        x += panel.width
    return _fitted(canvas)


def _stacked(panels: list[Image.Image]) -> Image.Image:
    height = sum(panel.height for panel in panels)
    canvas = Image.new("RGB", (max(panel.width for panel in panels), height))
    y = 0
    for panel in panels:
        canvas.paste(panel, (0, y))
        y += panel.height
    return _fitted(canvas)


def _fitted(canvas: Image.Image) -> Image.Image:
    if canvas.width <= MAX_WIDTH:
        return canvas
    height = round(canvas.height * MAX_WIDTH / canvas.width)
    return canvas.resize((MAX_WIDTH, height), Image.Resampling.LANCZOS)


def _feed_panel(picture: Image.Image, texts: Texts, theme: Theme) -> Image.Image:
    """16:9: the home-feed card (thumbnail; avatar, two lines of title, the channel line)
    above the list item (thumbnail; beside it the title, the channel, the views)."""
    width = _PAD * 2 + FEED_SIZE[0]
    text_top = _PAD + FEED_SIZE[1] + 12
    list_top = text_top + 2 * 22 + 2 + 20 + 24
    panel = Image.new("RGB", (width, list_top + LIST_SIZE[1] + _PAD), theme.background)
    draw = ImageDraw.Draw(panel)
    _thumbnail(panel, picture, (_PAD, _PAD), FEED_SIZE, 12, texts.duration)
    _avatar(panel, texts.channel, (_PAD, text_top), 36)
    x = _PAD + 36 + 12
    y = _text(draw, (x, text_top), texts.title, _medium(16), theme.title, width - _PAD - x, 2, 22)
    meta = f"{texts.channel} · {texts.views} · {texts.age}"
    _text(draw, (x, y + 2), meta, _regular(14), theme.meta, width - _PAD - x, 1, 20)
    _thumbnail(panel, picture, (_PAD, list_top), LIST_SIZE, 8, texts.duration)
    x = _PAD + LIST_SIZE[0] + 8
    y = _text(draw, (x, list_top), texts.title, _medium(14), theme.title, width - _PAD - x, 2, 20)
    y = _text(draw, (x, y + 4), texts.channel, _regular(12), theme.meta, width - _PAD - x, 1, 18)
    views = f"{texts.views} · {texts.age}"
    _text(draw, (x, y), views, _regular(12), theme.meta, width - _PAD - x, 1, 18)
    return panel


def _shorts_panel(picture: Image.Image, texts: Texts, theme: Theme) -> Image.Image:
    """9:16: a card of the Shorts shelf."""
    return _cards_panel([picture], "tall", texts, theme, numbered=False)


def _post_panel(picture: Image.Image, texts: Texts, theme: Theme) -> Image.Image:
    """1:1: a community post card."""
    width = _PAD * 2 + POST_SIZE[0]
    text_width = POST_SIZE[0]
    panel = Image.new("RGB", (width, _PAD * 2 + 32 + 10 + 40 + 8 + POST_SIZE[1]), theme.background)
    draw = ImageDraw.Draw(panel)
    _avatar(panel, texts.channel, (_PAD, _PAD), 32)
    x = _PAD + 32 + 10
    _text(draw, (x, _PAD), texts.channel, _medium(13), theme.title, width - _PAD - x, 1, 16)
    _text(draw, (x, _PAD + 17), texts.age, _regular(12), theme.meta, width - _PAD - x, 1, 16)
    y = _PAD + 32 + 10
    _text(draw, (_PAD, y), texts.title, _regular(14), theme.title, text_width, 2, 20)
    _thumbnail(panel, picture, (_PAD, y + 48), POST_SIZE, 12, None)
    return panel


def _cards_panel(
    pictures: list[Image.Image], shape: str, texts: Texts, theme: Theme, *, numbered: bool
) -> Image.Image:
    """Cards side by side, the title and a line of small print under each."""
    size = _SMALLEST[shape]
    width = _PAD * 2 + len(pictures) * size[0] + (len(pictures) - 1) * _GAP
    panel = Image.new("RGB", (width, _PAD * 2 + size[1] + 8 + 40 + 18), theme.background)
    draw = ImageDraw.Draw(panel)
    radius = 8 if shape == "wide" else 12
    for index, picture in enumerate(pictures):
        x = _PAD + index * (size[0] + _GAP)
        duration = texts.duration if shape == "wide" else None
        _thumbnail(panel, picture, (x, _PAD), size, radius, duration)
        y = _text(
            draw, (x, _PAD + size[1] + 8), texts.title, _medium(14), theme.title, size[0], 2, 20
        )
        meta = texts.views if shape == "tall" else texts.channel
        if numbered:
            meta = f"#{index + 1} · {meta}"
        _text(draw, (x, y), meta, _regular(12), theme.meta, size[0], 1, 18)
    return panel


_SINGLE: dict[str, Callable[[Image.Image, Texts, Theme], Image.Image]] = {
    "wide": _feed_panel,
    "tall": _shorts_panel,
    "square": _post_panel,
}


def _thumbnail(
    canvas: Image.Image,
    picture: Image.Image,
    at: tuple[int, int],
    size: tuple[int, int],
    radius: int,
    duration: str | None,
) -> None:
    """The picture scaled to `size` with rounded corners, and the duration badge."""
    scaled = ImageOps.fit(picture, size, Image.Resampling.LANCZOS)
    canvas.paste(scaled, at, _rounded(size, radius))
    if duration is None:
        return
    font = _medium(12)
    badge = (round(font.getlength(duration)) + 8, 18)
    inset = 8 if size[0] > LIST_SIZE[0] else 4
    x, y = at[0] + size[0] - inset - badge[0], at[1] + size[1] - inset - badge[1]
    paint(canvas, (0, 0, 0), _rounded(badge, 4), 0.8, at=(x, y))
    ImageDraw.Draw(canvas).text(
        (x + badge[0] / 2, y + badge[1] / 2), duration, font=font, fill=(255, 255, 255), anchor="mm"
    )


@lru_cache(maxsize=16)
def _rounded(size: tuple[int, int], radius: int) -> Image.Image:
    def shape(draw: ImageDraw.ImageDraw, scale: int) -> None:
        box = (0, 0, size[0] * scale - 1, size[1] * scale - 1)
        draw.rounded_rectangle(box, radius=radius * scale, fill=255)

    return smooth_shape(size, shape)


def _avatar(canvas: Image.Image, channel: str, at: tuple[int, int], diameter: int) -> None:
    """A round avatar: the channel's initial on a colour of its own."""
    hue = (zlib.crc32(channel.encode()) % 360) / 360
    red, green, blue = (round(value * 255) for value in colorsys.hls_to_rgb(hue, 0.45, 0.55))
    color = (red, green, blue)
    circle = smooth_shape(
        (diameter, diameter),
        lambda draw, scale: draw.ellipse(
            (0, 0, diameter * scale - 1, diameter * scale - 1), fill=255
        ),
    )
    paint(canvas, color, circle, at=at)
    initial = channel[:1].upper()
    font = _with_glyphs(initial, _medium(diameter // 2))
    center = (at[0] + diameter / 2, at[1] + diameter / 2)
    ImageDraw.Draw(canvas).text(center, initial, font=font, fill=(255, 255, 255), anchor="mm")


def _text(
    draw: ImageDraw.ImageDraw,
    at: tuple[int, int],
    text: str,
    font: ImageFont.FreeTypeFont,
    fill: RGB,
    width: int,
    max_lines: int,
    line_height: int,
) -> int:
    """`text` wrapped to `width` in at most `max_lines` lines (the last cut with "…");
    returns the y under the last line drawn."""
    font = _with_glyphs(text, font)
    x, y = at
    for line in _wrapped(text, font, width, max_lines):
        draw.text((x, y + line_height / 2), line, font=font, fill=fill, anchor="lm")
        y += line_height
    return y


def _wrapped(text: str, font: ImageFont.FreeTypeFont, width: int, max_lines: int) -> list[str]:
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if font.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while font.getlength(current) > width and len(current) > 1:  # a word wider than a line
            cut = _longest_prefix(current, font, width)
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1]
    while last and font.getlength(last + "…") > width:
        last = last[:-1]
    kept[-1] = last.rstrip() + "…"
    return kept


def _longest_prefix(word: str, font: ImageFont.FreeTypeFont, width: int) -> int:
    cut = 1
    while cut < len(word) and font.getlength(word[: cut + 1]) <= width:
        cut += 1
    return cut


@lru_cache(maxsize=2)
def _ui_font(weight: str) -> FontSource:
    """YouTube's interface face, Roboto, in the weight asked for, from the bundled
    font-roboto package; the machine's preferred font when that is missing."""
    path = packaged_font("font_roboto", _UI_FONTS[weight])
    return FontSource(path) if path else font_sources()[0]


def _regular(size: int) -> ImageFont.FreeTypeFont:
    return _ui_font("regular").load(size)


def _medium(size: int) -> ImageFont.FreeTypeFont:
    return _ui_font("medium").load(size)


def _with_glyphs(text: str, font: ImageFont.FreeTypeFont) -> ImageFont.FreeTypeFont:
    """`font`, or the first of the machine's fonts that draws every letter of `text` (a
    title in Japanese or Arabic) at the same size."""
    path = font.path if isinstance(font.path, str) else None
    sources: list[FontSource] = [FontSource(path), *font_sources()]
    for source in sources:
        if all(has_glyph(source, char) for char in text):
            return font if source.path == path else source.load(round(font.size))
    return font
