"""Drawing the headline: a bold font that has the glyphs, the words fitted into a box as large
as they go, painted with an outline and a soft shadow so they still read at 168x94."""

from __future__ import annotations

import importlib.util
import itertools
import math
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from services.generators.headline import Headline
from services.generators.imaging import Box, paint, soft_mask
from services.generators.palette import BLACK, WHITE, Palette, luma

# Heavy fonts, best first. A pip package (font-roboto) if installed, then common system
# fonts; Pillow's own scalable font (Aileron, Latin only, not bold) is always last.
_PACKAGED_FONTS = (("font_roboto", "files/Roboto-Black.ttf"),)
_SYSTEM_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansArabic-Bold.ttf",
    "/System/Library/Fonts/Supplemental/Arial Bold.ttf",
    "C:/Windows/Fonts/arialbd.ttf",
)
_MISSING_CHAR = "\U0010fffd"  # a private-use code point no font draws: shows the "no glyph" box
_PROBE_SIZE = 32
_REF_SIZE = 100  # words are measured once at this size; sizes scale linearly from it
STROKE = 0.08  # outline width as a share of the font size
LINE_GAP = 0.08
BOX_PAD = 0.14  # padding around a boxed emphasis word
MIN_SIZE, MAX_SIZE = 24, 230
MAX_LINES = 4
_BLUR_REACH = 4  # a Gaussian blur of radius r leaves nothing visible past 4r


@dataclass(frozen=True)
class FontSource:
    """A font file, or Pillow's built-in scalable font when `path` is None."""

    path: str | None

    def load(self, size: int) -> ImageFont.FreeTypeFont:
        """A font object at `size`, kept for the next headline of this thread: a new one
        starts with FreeType's glyph cache empty, which made measuring a word cost four
        times as much. Per thread, because the objects aren't safe to share between
        render threads."""
        fonts: dict[tuple[str | None, int], ImageFont.FreeTypeFont] | None
        fonts = getattr(_loaded, "fonts", None)
        if fonts is None:
            fonts = _loaded.fonts = {}
        key = (self.path, size)
        font = fonts.get(key)
        if font is None:
            font = self._open(size)
            if len(fonts) >= _KEPT_FONTS:
                del fonts[next(iter(fonts))]  # the oldest
            fonts[key] = font
        return font

    def _open(self, size: int) -> ImageFont.FreeTypeFont:
        if self.path is None:
            font = ImageFont.load_default(size)
            assert isinstance(font, ImageFont.FreeTypeFont)  # Pillow wheels have FreeType
            return font
        return ImageFont.truetype(self.path, size)


_loaded = threading.local()  # FontSource.load's fonts of this thread, oldest first
_KEPT_FONTS = 8  # the measuring sizes of the fonts in use and the latest drawing sizes


@dataclass(frozen=True)
class TextStyle:
    """How the headline sits in its box: alignment and how the key word stands out."""

    align: str = "center"  # "left", "center" or "right"
    boxed_emphasis: bool = False  # key word on a coloured plate instead of in a colour


@dataclass(frozen=True)
class PreparedHeadline:
    """A headline reduced to what its font can draw."""

    font: FontSource
    words: tuple[str, ...]
    emphasis: int
    rtl: bool


@dataclass(frozen=True)
class _Fit:
    font: ImageFont.FreeTypeFont
    lines: tuple[tuple[int, ...], ...]  # word indices per line
    size: int


@lru_cache(maxsize=1)
def font_sources() -> tuple[FontSource, ...]:
    """The fonts present on this machine, in order of preference."""
    packaged = (packaged_font(module, name) for module, name in _PACKAGED_FONTS)
    paths = [path for path in packaged if path] + [p for p in _SYSTEM_FONTS if Path(p).is_file()]
    return (*(FontSource(path) for path in paths), FontSource(None))


def packaged_font(module: str, name: str) -> str | None:
    """The font file a pip package ships, found without importing the package."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / name
    return str(path) if path.is_file() else None


def prepare_headline(
    headline: Headline, sources: Sequence[FontSource] | None = None
) -> PreparedHeadline | None:
    """The headline in the font (of `sources`, by default the machine's) that can draw
    most of it; None if no font can draw any."""
    best: tuple[int, FontSource, tuple[str, ...]] | None = None
    for source in sources or font_sources():
        words = tuple(_drawable(word, source) for word in headline.words)
        exact = sum(len(a) for a, b in zip(words, headline.words, strict=True) if a == b)
        if best is None or exact > best[0]:
            best = (exact, source, words)
        if words == headline.words:
            break
    assert best is not None  # there is always at least Pillow's font
    _, source, words = best
    kept = [i for i, word in enumerate(words) if word]
    if not kept:
        return None
    emphasis = kept.index(headline.emphasis) if headline.emphasis in kept else 0
    drawn = tuple(words[i] for i in kept)
    return PreparedHeadline(source, drawn, emphasis, _is_rtl("".join(drawn)))


def _drawable(word: str, source: FontSource) -> str:
    """`word` without the characters `source` lacks; "É" becomes "E" rather than a gap."""
    out = []
    for char in word:
        if has_glyph(source, char):
            out.append(char)
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        if base and all(has_glyph(source, c) for c in base):
            out.append(base)
    return "".join(out)


@lru_cache(maxsize=8192)
def has_glyph(source: FontSource, char: str) -> bool:
    """Whether the font draws `char` as itself rather than as its "missing glyph" box."""
    if char.isspace():
        return True
    font = source.load(_PROBE_SIZE)
    return _ink(font, char) != _ink(font, _MISSING_CHAR)


def _ink(font: ImageFont.FreeTypeFont, text: str) -> tuple[tuple[int, int], bytes]:
    mask = font.getmask(text)
    return mask.size, bytes(mask)


def _is_rtl(text: str) -> bool:
    """Whether the first letter with a direction is right-to-left (Arabic, Hebrew)."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def draw_headline(
    canvas: Image.Image, text: PreparedHeadline, box: Box, palette: Palette, style: TextStyle
) -> None:
    """Paints the headline as large as fits in `box`, over a soft shadow of itself."""
    fit = _fit(text, box, style)
    placed = list(_place(text, fit, box, style))
    shadow = Image.new("L", canvas.size, 0)
    shadow_draw = ImageDraw.Draw(shadow)
    offset = round(fit.size * 0.06)
    for index, x, y in placed:
        at = (x + offset, y + offset)
        if style.boxed_emphasis and index == text.emphasis:
            plate, radius = _plate(fit, text.words[index], at)
            shadow_draw.rounded_rectangle(plate, radius=radius, fill=255)
        else:
            outline = round(fit.size * STROKE * 1.6)
            shadow_draw.text(
                at, text.words[index], font=fit.font, fill=255, anchor="ls", stroke_width=outline
            )
    blur = fit.size * 0.08
    bounds = shadow.getbbox()
    if bounds is not None:  # blurred and painted only around the words, not the whole frame
        region = _around(bounds, math.ceil(blur * _BLUR_REACH), canvas.size)
        paint(canvas, BLACK, soft_mask(shadow.crop(region), blur), opacity=0.8, at=region[:2])
    draw = ImageDraw.Draw(canvas)
    for index, x, y in placed:
        _draw_word(draw, fit, text, index, (x, y), palette, style)


def _around(bounds: Box, reach: int, size: tuple[int, int]) -> Box:
    """`bounds` grown by `reach` on every side within a frame of `size`, its corner on the
    4-pixel grid of the full frame, so the quarter-size blur of soft_mask gives the same
    pixels as a blur of the whole frame would."""
    left = max(0, bounds[0] - reach) // 4 * 4
    top = max(0, bounds[1] - reach) // 4 * 4
    right = min(size[0], left + math.ceil((bounds[2] + reach - left) / 4) * 4)
    bottom = min(size[1], top + math.ceil((bounds[3] + reach - top) / 4) * 4)
    return left, top, right, bottom


def _draw_word(
    draw: ImageDraw.ImageDraw,
    fit: _Fit,
    text: PreparedHeadline,
    index: int,
    at: tuple[int, int],
    palette: Palette,
    style: TextStyle,
) -> None:
    """One word: outlined in the text or highlight colour, or dark on a highlight plate."""
    word, font, stroke = text.words[index], fit.font, round(fit.size * STROKE)
    if index == text.emphasis and style.boxed_emphasis:
        plate, radius = _plate(fit, word, at)
        draw.rounded_rectangle(
            plate, radius=radius, fill=palette.highlight, outline=BLACK, width=stroke // 2
        )
        ink = BLACK if luma(palette.highlight) > 140 else WHITE
        draw.text((at[0] + radius, at[1]), word, font=font, fill=ink, anchor="ls")
        return
    fill = palette.highlight if index == text.emphasis else palette.text
    draw.text(
        at,
        word,
        font=font,
        fill=fill,
        anchor="ls",
        stroke_width=stroke,
        stroke_fill=palette.outline,
    )


def _plate(fit: _Fit, word: str, at: tuple[int, int]) -> tuple[Box, int]:
    """The rounded plate behind a boxed word placed at `at`, and its corner radius (which
    is also its padding)."""
    pad = round(fit.size * BOX_PAD)
    left, top, right, bottom = _ink_box(fit.font, word)
    x, y = at[0] + pad, at[1]
    return (x + left - pad, y + top - pad, x + right + pad, y + bottom + pad), pad


def _fit(text: PreparedHeadline, box: Box, style: TextStyle) -> _Fit:
    """The line breaking that lets the words be largest, and that size."""
    ref = text.font.load(_REF_SIZE)
    widths = [_word_width(ref, text, i, style) for i in range(len(text.words))]
    space = ref.getlength(" ")
    extent = _ink_height(ref, text.words)
    plate = 2 * (BOX_PAD - STROKE) if style.boxed_emphasis else 0.0  # a plate outgrows outlines
    box_w, box_h = box[2] - box[0], box[3] - box[1]
    best: tuple[float, tuple[tuple[int, ...], ...]] | None = None
    for lines in _breakings(len(text.words)):
        width = max(sum(widths[i] for i in line) + space * (len(line) - 1) for line in lines)
        by_width = box_w / (width / _REF_SIZE + 2 * STROKE)
        by_height = box_h / (
            len(lines) * (extent / _REF_SIZE + 2 * STROKE) + (len(lines) - 1) * LINE_GAP + plate
        )
        size = min(by_width, by_height)
        if best is None or size > best[0] * 1.04:  # a few percent more is not worth a line
            best = (size, lines)
    assert best is not None
    size = int(min(max(best[0] * 0.98, MIN_SIZE), MAX_SIZE))
    return _Fit(text.font.load(size), best[1], size)


def _ink_box(font: ImageFont.FreeTypeFont, word: str) -> Box:
    """The word's ink box around its baseline start. Pillow types bounding boxes as floats
    for the sake of fractional stroke widths; without a stroke they are whole pixels."""
    left, top, right, bottom = font.getbbox(word, anchor="ls")
    return int(left), int(top), int(right), int(bottom)


def _word_width(
    font: ImageFont.FreeTypeFont, text: PreparedHeadline, index: int, style: TextStyle
) -> float:
    """Advance of a word, plus its plate's padding when it is the boxed emphasis."""
    boxed = style.boxed_emphasis and index == text.emphasis
    return font.getlength(text.words[index]) + (2 * round(font.size * BOX_PAD) if boxed else 0)


def _ink_height(font: ImageFont.FreeTypeFont, words: Sequence[str]) -> float:
    """Height from the highest to the lowest ink of any word, measured at the baseline."""
    boxes = [_ink_box(font, word) for word in words]
    return max(box[3] for box in boxes) - min(box[1] for box in boxes)


def _breakings(count: int) -> Iterator[tuple[tuple[int, ...], ...]]:
    """Every way to split `count` words into 1..MAX_LINES lines, in reading order."""
    for lines in range(1, min(count, MAX_LINES) + 1):
        for cuts in itertools.combinations(range(1, count), lines - 1):
            bounds = (0, *cuts, count)
            yield tuple(tuple(range(a, b)) for a, b in itertools.pairwise(bounds))


def _place(
    text: PreparedHeadline, fit: _Fit, box: Box, style: TextStyle
) -> Iterator[tuple[int, int, int]]:
    """(word index, x, baseline y) of every word: lines stacked by their own ink (a line of
    "$10,000" needs more room than "HOW"), the block centred vertically in `box`."""
    font, size = fit.font, fit.size
    gap = round(size * LINE_GAP)
    extents = [_line_extent(text, fit, line, style) for line in fit.lines]
    block = sum(bottom - top for top, bottom in extents) + gap * (len(extents) - 1)
    y = box[1] + (box[3] - box[1] - block) // 2
    space = font.getlength(" ")
    for line, (top, bottom) in zip(fit.lines, extents, strict=True):
        order = line[::-1] if text.rtl else line
        widths = [_word_width(font, text, i, style) for i in order]
        x = _line_start(
            box, sum(widths) + space * (len(order) - 1), round(size * STROKE), style.align
        )
        for index, width in zip(order, widths, strict=True):
            yield index, round(x), y - top
            x += width + space
        y += bottom - top + gap


def _line_extent(
    text: PreparedHeadline, fit: _Fit, line: tuple[int, ...], style: TextStyle
) -> tuple[int, int]:
    """How far a line's outlined ink (or emphasis plate) reaches above and below its baseline."""
    top, bottom = 0, 0
    for index in line:
        _, ink_top, _, ink_bottom = _ink_box(fit.font, text.words[index])
        boxed = style.boxed_emphasis and index == text.emphasis
        reach = round(fit.size * (BOX_PAD if boxed else STROKE))
        top, bottom = min(top, ink_top - reach), max(bottom, ink_bottom + reach)
    return top, bottom


def _line_start(box: Box, width: float, stroke: int, align: str) -> float:
    if align == "left":
        return box[0] + stroke
    if align == "right":
        return box[2] - stroke - width
    return box[0] + (box[2] - box[0] - width) / 2
