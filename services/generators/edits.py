# ruff: noqa: RUF001, SIM905
"""Edit by instruction: a creator's words ("make the text red and the face bigger") read
into an EditPlan, and the plans of an edit chain applied to the request that made the
first thumbnail.

Pure and offline: no model reads the words. Each instruction is cut into phrases, and a
phrase is understood only when every word of it is accounted for (a colour, a side, a
size, a thing: text, background, face, or a filler like "make the"), so "swap the
background for a city at night" is never half-read as "background". A headline may be
given word for word in any language in quotes or after a colon ('headline: "I QUIT"').
What the local renderer can do is then applied to the root request by code; an editing
model (Replicate) gets the picture changes as sentences (`EditPlan.picture_edits`) and
the rest stays code's: the headline is always drawn, never painted.

Word lists are whitespace-separated text (as in wordlists.py); Cyrillic letters look like
Latin ones, hence the RUF001 exemption.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, replace

from services.generators.base import BrandStyle, GenerationRequest

#: The generation type of an edit (generation_types.type_key, sql/022).
EDIT_TYPE = "edit_thumbnail"
#: The longest instruction taken: more is a description, not an edit.
MAX_INSTRUCTION_CHARS = 300
#: The longest headline an edit sets; longer could not be read on a thumbnail.
MAX_HEADLINE_CHARS = 60
FACE_SCALE_RANGE = (0.6, 1.6)  # GenerationRequest.face_scale's bounds
LOOK_RANGE = (0.5, 1.8)  # contrast, brightness and saturation factors

#: Modes whose thumbnail has a subject (a face, or the video's frame) that can be resized.
SUBJECT_MODES = frozenset(
    {"your_face", "face_youtube", "top_youtube_style_face", "youtube_thumbnail"}
)


@dataclass(frozen=True)
class Change:
    """One understood change: `kind` names it (a locale key "edit_change_<kind>" says it
    in words), `detail` is its value as the user gave it (a headline, "red", "#ff0000"),
    `phrase` the words it came from."""

    kind: str
    detail: str = ""
    phrase: str = ""


@dataclass(frozen=True)
class Look:
    """Whole-picture adjustments, as factors (1.0: unchanged)."""

    contrast: float = 1.0
    brightness: float = 1.0
    saturation: float = 1.0

    @property
    def unchanged(self) -> bool:
        return self == Look()

    def times(self, other: Look) -> Look:
        low, high = LOOK_RANGE
        return Look(
            contrast=_clamp(self.contrast * other.contrast, low, high),
            brightness=_clamp(self.brightness * other.brightness, low, high),
            saturation=_clamp(self.saturation * other.saturation, low, high),
        )


@dataclass(frozen=True)
class EditPlan:
    """What one instruction asks for. Later phrases win over earlier ones."""

    headline: str | None = None
    text_color: str | None = None  # "#rrggbb"
    background_color: str | None = None  # "#rrggbb"
    position: str | None = None  # where the headline goes: left|right|top|bottom|center
    face_scale: float = 1.0  # a factor on the subject's current size
    flip: bool = False  # headline and subject swap sides
    look: Look = Look()
    understood: tuple[Change, ...] = ()
    not_understood: tuple[str, ...] = ()  # the phrases left, as the user wrote them
    picture_edits: tuple[str, ...] = ()  # what an editing model should do to the pixels

    @property
    def empty(self) -> bool:
        return not self.understood and not self.not_understood


# --- vocabulary -----------------------------------------------------------------------
# English first, then the bot's other languages (Russian, Spanish) for the common words.
# Russian words are matched by their stem (they decline): "красн" covers красный,
# красным, красного...

#: name -> (#rrggbb, the English name an editing model is told)
_COLOR_NAMES: dict[str, tuple[str, str]] = {
    "red": ("#e0161e", "red"),
    "orange": ("#ff7a00", "orange"),
    "yellow": ("#ffde00", "yellow"),
    "gold": ("#ffc400", "gold"),
    "golden": ("#ffc400", "gold"),
    "green": ("#1db954", "green"),
    "lime": ("#a0ff28", "lime green"),
    "teal": ("#00a0a0", "teal"),
    "cyan": ("#00d6ff", "cyan"),
    "turquoise": ("#30d5c8", "turquoise"),
    "blue": ("#1464d6", "blue"),
    "navy": ("#0a1e5a", "navy blue"),
    "purple": ("#8218ac", "purple"),
    "violet": ("#8a2be2", "violet"),
    "pink": ("#ff40a0", "pink"),
    "magenta": ("#ff00c8", "magenta"),
    "white": ("#ffffff", "white"),
    "black": ("#000000", "black"),
    "gray": ("#808080", "grey"),
    "grey": ("#808080", "grey"),
    "silver": ("#c0c0c0", "silver"),
    "brown": ("#7b4a1e", "brown"),
    "beige": ("#e8d8b0", "beige"),
    # Spanish
    "rojo": ("#e0161e", "red"),
    "roja": ("#e0161e", "red"),
    "naranja": ("#ff7a00", "orange"),
    "amarillo": ("#ffde00", "yellow"),
    "amarilla": ("#ffde00", "yellow"),
    "dorado": ("#ffc400", "gold"),
    "dorada": ("#ffc400", "gold"),
    "verde": ("#1db954", "green"),
    "azul": ("#1464d6", "blue"),
    "morado": ("#8218ac", "purple"),
    "morada": ("#8218ac", "purple"),
    "rosa": ("#ff40a0", "pink"),
    "blanco": ("#ffffff", "white"),
    "blanca": ("#ffffff", "white"),
    "negro": ("#000000", "black"),
    "negra": ("#000000", "black"),
    "gris": ("#808080", "grey"),
}
_COLOR_STEMS: dict[str, tuple[str, str]] = {  # Russian
    "красн": ("#e0161e", "red"),
    "оранжев": ("#ff7a00", "orange"),
    "жёлт": ("#ffde00", "yellow"),
    "желт": ("#ffde00", "yellow"),
    "золот": ("#ffc400", "gold"),
    "зелён": ("#1db954", "green"),
    "зелен": ("#1db954", "green"),
    "голуб": ("#00a0ff", "light blue"),
    "син": ("#1464d6", "blue"),
    "фиолетов": ("#8218ac", "purple"),
    "розов": ("#ff40a0", "pink"),
    "бел": ("#ffffff", "white"),
    "чёрн": ("#000000", "black"),
    "черн": ("#000000", "black"),
    "сер": ("#808080", "grey"),
}
_SHADES = {"light": 0.45, "pale": 0.45, "bright": 0.15, "dark": -0.45, "deep": -0.3, "neon": 0.1}

_TEXT = frozenset(
    "headline headlines title titles text texts caption captions words letters lettering "
    "font writing heading título titulo texto titular letras letra".split()
)
_TEXT_STEMS = ("текст", "заголов", "надпис", "букв", "шрифт")
_BACKGROUND = frozenset("background backgrounds backdrop bg fondo".split())
_BACKGROUND_STEMS = ("фон",)
_FACE = frozenset(
    "face head me myself person subject portrait guy man woman girl boy cara rostro persona "
    "photo selfie".split()
)
_FACE_STEMS = ("лиц", "голов", "меня")

_BIGGER = frozenset(
    "bigger larger huge enlarge enlarged increase grow bigger closer magnify large big "
    "grande agranda agrandar aumenta aumentar mayor".split()
)
_BIGGER_STEMS = ("больш", "крупн", "увелич")
_SMALLER = frozenset(
    "smaller tinier shrink shrunk reduce decrease small tiny pequeña pequeño pequena pequeno "
    "reducir reduce achica menor".split()
)
_SMALLER_STEMS = ("меньш", "уменьш", "мельч")
_STRONG = frozenset("much way lot far very really mucho намного гораздо".split())
_SLIGHT = frozenset("slightly bit little tad poco ligeramente чуть немного слегка".split())

_SIDES = {
    "left": "left",
    "right": "right",
    "top": "top",
    "bottom": "bottom",
    "center": "center",
    "centre": "center",
    "middle": "center",
    "centered": "center",
    "centred": "center",
    "izquierda": "left",
    "derecha": "right",
    "arriba": "top",
    "abajo": "bottom",
    "centro": "center",
    "слева": "left",
    "влево": "left",
    "налево": "left",
    "левую": "left",
    "левой": "left",
    "справа": "right",
    "вправо": "right",
    "направо": "right",
    "правую": "right",
    "правой": "right",
    "сверху": "top",
    "вверх": "top",
    "наверх": "top",
    "наверху": "top",
    "снизу": "bottom",
    "вниз": "bottom",
    "внизу": "bottom",
    "центр": "center",
    "центру": "center",
    "центре": "center",
    "посередине": "center",
}
_OPPOSITE = {"left": "right", "right": "left", "top": "bottom", "bottom": "top", "center": "center"}
_FLIP = frozenset(
    "swap switch flip flipped mirror mirrored reverse reversed invert inverted other opposite "
    "exchange invierte invertir espejo voltea intercambia".split()
) | {"отзеркаль", "отзеркалить", "зеркально", "переверни", "местами"}

_CONTRAST = frozenset("contrast contraste контраст контраста контрастом контрастность".split())
_CONTRASTY = frozenset({"contrasty", "punchier", "контрастнее"})
_BRIGHTER = frozenset({"brighter", "lighter", "brightness", "brillo", "ярче", "светлее"})
_DARKER = frozenset({"darker", "dimmer", "dim", "oscuro", "oscura", "темнее"})
_VIVID = frozenset(
    "vivid vibrant saturated saturation colorful colourful vívido vivido saturado".split()
) | {"насыщеннее", "сочнее"}
_MORE = frozenset("more increase boost higher up stronger add extra más mas".split()) | {"больше"}
_LESS = frozenset("less lower decrease reduce down weaker softer menos".split()) | {"меньше"}

_FILLER = frozenset(
    """make made turn set change put move place use give have let paint colour color colored
    coloured the a an to into in on at of for with it its it's please pls plz can could would
    you i want like i'd id let's lets be is are should so that and also now just too instead
    this thumbnail picture image pic position size scale zoom same one very side sides hey ok
    okay some bit little than area part layout composition everything both them all try
    colours colors
    haz hazlo pon poner cambia cambiar mueve el la los las un una al de del en con por favor
    que sea lado lados imagen miniatura
    """.split()
) | frozenset(
    """сделай сделайте сделать поставь поставьте перемести передвинь поменяй поменяйте измени
    поменять пожалуйста на в во с и более цвет цвета цветом стороны сторону его её ее это
    пусть будет картинку картинке обложку обложке""".split()
)
_ZOOM_IN = ("zoom", "in")
_ZOOM_OUT = ("zoom", "out")

_BIGGER_FACTOR, _STRONG_BIGGER, _SLIGHT_BIGGER = 1.25, 1.45, 1.12
_SMALLER_FACTOR, _STRONG_SMALLER, _SLIGHT_SMALLER = 0.8, 0.65, 0.9
_LOOK_STEP, _STRONG_LOOK_STEP, _SLIGHT_LOOK_STEP = 1.25, 1.45, 1.12

# --- splitting ------------------------------------------------------------------------

_QUOTES = re.compile(r'"([^"]+)"|“([^”]+)”|«([^»]+)»|„([^“”]+)[“”]|(?<!\w)\'([^\']+)\'(?!\w)')
_QUOTED = re.compile(r"\x00(\d+)\x00")
_SEPARATOR = re.compile(
    r"(\s*[;\n]+\s*|\s*[.!?]+\s+|\s*,\s*(?:(?:and|then|also|и|y)\s+)?"
    r"|\s+(?:and then|and also|and|then|also|plus|as well as|и|а также|y)\s+)",
    re.IGNORECASE,
)
_WORD = re.compile(r"#[0-9a-fA-F]{3,6}\b|\d{1,3}\s*%|[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_HEX = re.compile(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
_PERCENT = re.compile(r"(\d{1,3})\s*%")
#: Words that start a new command: a phrase beginning with one is never part of the
#: headline before it ("change the headline to ROCK AND ROLL and make it red").
_COMMAND_START = frozenset(
    "make turn set change put move place use give swap switch flip mirror replace remove add "
    "zoom increase decrease enlarge shrink reduce center centre align write color colour "
    "paint also then please".split()
)

# --- headline forms -------------------------------------------------------------------

_TEXT_WORDS = (
    r"(?:headline|title|text|caption|heading|words|lettering|título|titulo|texto|titular"
    r"|заголовок|текст|надпись)"
)
_HEADLINE_FORMS = tuple(
    re.compile(pattern, re.IGNORECASE | re.UNICODE)
    for pattern in (
        # change the headline to X / replace the text with X / set title as X
        rf"(?:please\s+)?(?:change|set|make|replace|update|rewrite|edit|switch|swap|turn)"
        rf"\s+(?:the\s+)?(?:main\s+)?{_TEXT_WORDS}(?:\s+text)?\s+"
        rf"(?:to\s+say|to\s+read|so\s+it\s+(?:says|reads)|to|into|as|with|for|=)\s*:?\s*(?P<h>.+)",
        # the headline should say X / make the text read X
        rf"(?:make\s+)?(?:the\s+)?{_TEXT_WORDS}\s+(?:should\s+)?(?:say|says|read|reads|be)"
        rf"\s*:?\s*(?P<h>.+)",
        r"(?:make\s+)?it\s+(?:say|read)\s*:?\s*(?P<h>.+)",
        rf"new\s+{_TEXT_WORDS}\s*:?\s*(?P<h>.+)",
        rf"(?:write|put)\s+(?P<h>.+?)\s+(?:instead|as\s+the\s+{_TEXT_WORDS})",
        # Russian and Spanish: поменяй заголовок на X, cambia el título a X
        rf"(?:поменяй|поменяйте|измени|измените|замени|замените|смени)\s+"
        rf"{_TEXT_WORDS}\s+на\s+(?P<h>.+)",
        rf"(?:cambia|cambiar|pon|poner|escribe)\s+(?:el\s+)?{_TEXT_WORDS}\s+(?:a|por|como)\s+"
        rf"(?P<h>.+)",
    )
)
#: "<a word or three>: <text>" in any language, e.g. 'headline: I QUIT', 'Titel: ...'.
_COLON_FORM = re.compile(r"(?P<key>[^\W\d_][\w ]{0,30}?)\s*[:=]\s*(?P<h>.+)", re.UNICODE)


@dataclass
class _Phrase:
    """A piece of one instruction between separators, quotes put back."""

    text: str  # as the user wrote it (quotes restored)
    protected: str  # quotes replaced by \x00n\x00
    separator: str = ""  # what came before it
    changes: list[Change] = field(default_factory=list)
    pictures: list[str] = field(default_factory=list)
    understood: bool = False


def parse_instruction(text: str) -> EditPlan:
    """The plan of one instruction: each of its phrases understood or left over."""
    quoted: list[str] = []

    def protect(match: re.Match[str]) -> str:
        quoted.append(next(group for group in match.groups() if group is not None))
        return f"\x00{len(quoted) - 1}\x00"

    protected = _QUOTES.sub(protect, re.sub(r"[^\S\n]+", " ", text).strip())
    phrases = [_read(phrase, quoted) for phrase in _joined(_phrases(protected, quoted))]
    return _plan(_merged(phrases))


def _phrases(protected: str, quoted: Sequence[str]) -> Iterable[_Phrase]:
    parts = _SEPARATOR.split(protected)
    separator = ""
    for index, part in enumerate(parts):
        if index % 2 == 1:
            separator = part
            continue
        stripped = part.strip(" ,")
        if stripped:
            yield _Phrase(_restored(stripped, quoted), stripped, separator)


def _joined(phrases: Iterable[_Phrase]) -> list[_Phrase]:
    """A piece that only names things ("the face" in "swap the text and the face") was
    cut off the phrase it belongs to: it joins the piece before it (or after it)."""
    joined: list[_Phrase] = []
    waiting: _Phrase | None = None
    for phrase in phrases:
        if waiting is not None:
            phrase = _Phrase(
                f"{waiting.text}{phrase.separator}{phrase.text}",
                f"{waiting.protected}{phrase.separator}{phrase.protected}",
                waiting.separator,
            )
            waiting = None
        if not _names_only(phrase):
            joined.append(phrase)
        elif joined:
            last = joined[-1]
            joined[-1] = _Phrase(
                f"{last.text}{phrase.separator}{phrase.text}",
                f"{last.protected}{phrase.separator}{phrase.protected}",
                last.separator,
            )
        else:
            waiting = phrase
    if waiting is not None:
        joined.append(waiting)
    return joined


def _names_only(phrase: _Phrase) -> bool:
    if "\x00" in phrase.protected:
        return False
    kinds = {_kind(word.lower()) for word in _WORD.findall(phrase.protected)}
    return kinds <= {"filler", "text", "background", "face"}


def _restored(protected: str, quoted: Sequence[str]) -> str:
    return _QUOTED.sub(lambda match: f'"{quoted[int(match[1])]}"', protected)


def _read(phrase: _Phrase, quoted: Sequence[str]) -> _Phrase:
    """Understands a phrase: a quoted headline, a phrase of known words, a headline
    given in words; else leaves it not understood."""
    words = [word.lower() for word in _WORD.findall(_QUOTED.sub(" ", phrase.protected))]
    kinds = [_kind(word) for word in words]
    quotes = [quoted[int(number)] for number in _QUOTED.findall(phrase.protected)]
    if quotes and not {"background", "face", "color"} & set(kinds):
        return _headline(phrase, quotes[0])
    understood = _read_words(words, kinds, phrase)
    if understood is not None:
        phrase.changes, phrase.pictures = understood
        phrase.understood = True
        return phrase
    plain = _restored(phrase.protected, quoted)
    for form in _HEADLINE_FORMS:
        match = form.fullmatch(plain)
        if match is not None:
            return _headline(phrase, match["h"])
    colon = _COLON_FORM.fullmatch(plain)
    if colon is not None and not {"background", "face", "color"} & {
        _kind(word.lower()) for word in _WORD.findall(colon["key"])
    }:
        return _headline(phrase, colon["h"])
    return phrase


def _headline(phrase: _Phrase, text: str) -> _Phrase:
    headline = " ".join(text.strip().strip("\"'“”«»„").split()).rstrip(".")
    if headline and len(headline) <= MAX_HEADLINE_CHARS:
        phrase.changes = [Change("headline", headline, phrase.text)]
        phrase.understood = True
    return phrase


def _merged(phrases: list[_Phrase]) -> list[_Phrase]:
    """A headline given without quotes may have been cut at an "and" or a comma inside
    it: the pieces after it that say nothing the parser knows, and do not start like a
    command, belong to it."""
    merged: list[_Phrase] = []
    for phrase in phrases:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and not phrase.understood
            and _is_bare_headline(previous)
            and not _starts_command(phrase.text)
        ):
            text = f"{previous.changes[0].detail}{phrase.separator}{phrase.text}"
            if len(text) <= MAX_HEADLINE_CHARS:
                phrase_text = f"{previous.text}{phrase.separator}{phrase.text}"
                previous.changes = [Change("headline", text.rstrip("."), phrase_text)]
                previous.text = phrase_text
                continue
        merged.append(phrase)
    return merged


def _is_bare_headline(phrase: _Phrase) -> bool:
    return (
        len(phrase.changes) == 1
        and phrase.changes[0].kind == "headline"
        and "\x00" not in phrase.protected
    )


def _starts_command(text: str) -> bool:
    first = next(iter(_WORD.findall(text)), "").lower()
    return first in _COMMAND_START or _kind(first) not in ("other", "filler")


def _kind(word: str) -> str:
    """What a word is to the parser."""
    if _HEX.fullmatch(word) or word in _COLOR_NAMES or _stem_in(word, _COLOR_STEMS):
        return "color"
    if word in _SHADES:
        return "shade"
    if word in _TEXT or word.startswith(_TEXT_STEMS):
        return "text"
    if word in _BACKGROUND or word.startswith(_BACKGROUND_STEMS):
        return "background"
    if word in _FACE or word.startswith(_FACE_STEMS):
        return "face"
    table: tuple[tuple[frozenset[str], str], ...] = (
        (_CONTRAST, "contrast"),
        (_CONTRASTY, "contrasty"),
        (_BRIGHTER, "brighter"),
        (_DARKER, "darker"),
        (_VIVID, "vivid"),
        (_FLIP, "flip"),
        (_STRONG, "strong"),
        (_SLIGHT, "slight"),
    )
    for words, kind in table:
        if word in words:
            return kind
    if word in _SIDES:
        return "side"
    if word in _MORE and word not in _BIGGER:
        return "more"
    if word in _LESS and word not in _SMALLER:
        return "less"
    if word in _BIGGER or word.startswith(_BIGGER_STEMS):
        return "bigger"
    if word in _SMALLER or word.startswith(_SMALLER_STEMS):
        return "smaller"
    if _PERCENT.fullmatch(word):
        return "percent"
    if word in _FILLER or word in ("out", "in"):
        return "filler"
    return "other"


def _stem_in(word: str, stems: dict[str, tuple[str, str]]) -> bool:
    return any(word.startswith(stem) for stem in stems)


def _read_words(
    words: list[str], kinds: list[str], phrase: _Phrase
) -> tuple[list[Change], list[str]] | None:
    """The changes a phrase of known words asks for, and what an editing model should do
    for them; None if any word is not known or the words do not add up to a change."""
    if not words or "other" in kinds:
        return None
    topics = {kind for kind in kinds if kind in ("text", "background", "face")}
    kinds = _sized_or_looked(kinds, topics)
    changes: list[Change] = []
    pictures: list[str] = []
    text = phrase.text
    if "color" in kinds:
        colored = _colors(words, kinds, text)
        if colored is None:
            return None
        changes += colored[0]
        pictures += colored[1]
        topics -= colored[2]
    zoom = _zoom(words)
    if zoom or {"bigger", "smaller"} & set(kinds):
        sized = _size(words, kinds, zoom, topics, text)
        if sized is None:
            return None
        changes.append(sized)
        pictures.append(_picture_of(sized))
        topics.discard("face")
    if "side" in kinds:
        placed = _side(words, kinds, topics, text)
        if placed is None:
            return None
        changes.append(placed)
        pictures.append(_picture_of(placed))
        topics -= {"text", "face"}
    looked = _looks(kinds, topics, text)
    if looked is None:
        return None
    changes += looked
    pictures += [_picture_of(change) for change in looked]
    if not changes and "flip" in kinds and topics <= {"text", "face"}:
        changes.append(Change("flip", "", text))
        pictures.append(_picture_of(changes[-1]))
        topics = set()
    if not changes or topics:
        return None
    return changes, pictures


def _sized_or_looked(kinds: list[str], topics: set[str]) -> list[str]:
    """Words like "increase" or "больше" say more of a look ("increase the contrast")
    when a look is named, else a size ("лицо больше": a bigger face)."""
    if {"contrast", "contrasty", "brighter", "darker", "vivid"} & set(kinds):
        to = {"bigger": "more", "smaller": "less"}
    elif "face" in topics:
        to = {"more": "bigger", "less": "smaller"}
    else:
        return kinds
    return [to.get(kind, kind) for kind in kinds]


def _colors(
    words: list[str], kinds: list[str], text: str
) -> tuple[list[Change], list[str], set[str]] | None:
    """Each colour with the thing it colours: the text (or headline) or the background.
    "red text on a blue background" gives two changes; a colour of nothing, or of the
    face, is not understood."""
    changes: list[Change] = []
    pictures: list[str] = []
    used: set[str] = set()
    for index, kind in enumerate(kinds):
        if kind != "color":
            continue
        topic = _topic_of(kinds, index)
        if topic not in ("text", "background"):
            return None
        shade = kinds[index - 1] == "shade" if index > 0 else False
        hex_code, name = _color(words[index], words[index - 1] if shade else None)
        detail = f"{words[index - 1]} {words[index]}" if shade else words[index]
        if topic == "text":
            changes.append(Change("text_color", _shown_color(detail, hex_code), text))
        else:
            changes.append(Change("background", _shown_color(detail, hex_code), text))
            pictures.append(f"Make the background {name}.")
        used.add(topic)
    return changes, pictures, used


def _shown_color(detail: str, hex_code: str) -> str:
    return hex_code if detail.startswith("#") else detail


def _topic_of(kinds: list[str], index: int) -> str | None:
    """The thing a colour belongs to: the next thing if only shades and fillers stand
    between ("red text", "a bright red background"), else the nearest one before it
    ("make the text red")."""
    for kind in kinds[index + 1 :]:
        if kind in ("text", "background", "face"):
            return kind
        if kind not in ("shade", "filler", "more"):
            break
    for kind in reversed(kinds[:index]):
        if kind in ("text", "background", "face"):
            return kind
    return None


def _color(word: str, shade: str | None) -> tuple[str, str]:
    """A colour word (or #hex) as #rrggbb and the name an editing model is told."""
    if word.startswith("#"):
        digits = word[1:].lower()
        if len(digits) == 3:
            digits = "".join(digit * 2 for digit in digits)
        return f"#{digits}", f"#{digits}"
    hex_code, name = _COLOR_NAMES.get(word) or next(
        value for stem, value in _COLOR_STEMS.items() if word.startswith(stem)
    )
    if shade is None:
        return hex_code, name
    amount = _SHADES.get(shade, 0.0)
    return _shaded(hex_code, amount), f"{shade} {name}"


def _shaded(hex_code: str, amount: float) -> str:
    """Lighter towards white (amount > 0) or darker towards black (amount < 0)."""
    channels = [int(hex_code[i : i + 2], 16) for i in (1, 3, 5)]
    if amount >= 0:
        channels = [round(c + (255 - c) * amount) for c in channels]
    else:
        channels = [round(c * (1 + amount)) for c in channels]
    return "#" + "".join(f"{c:02x}" for c in channels)


def _zoom(words: list[str]) -> str | None:
    pairs = list(itertools.pairwise(words))
    if _ZOOM_IN in pairs or "closer" in words or "close" in words:
        return "bigger"
    if _ZOOM_OUT in pairs:
        return "smaller"
    return None


def _size(
    words: list[str], kinds: list[str], zoom: str | None, topics: set[str], text: str
) -> Change | None:
    """The subject bigger or smaller: of the face (or said without a thing, like "zoom
    in"); the size of the text or the background is not something we change."""
    if topics != {"face"} and zoom is None:
        return None
    direction = zoom or next(kind for kind in kinds if kind in ("bigger", "smaller"))
    percents = [int(match[1]) for match in map(_PERCENT.fullmatch, words) if match]
    percent = percents[0] if percents else None
    strong, slight = "strong" in kinds, "slight" in kinds
    if direction == "bigger":
        factor = _BIGGER_FACTOR
        if percent is not None:
            factor = 1 + percent / 100
        elif strong:
            factor = _STRONG_BIGGER
        elif slight:
            factor = _SLIGHT_BIGGER
    else:
        factor = _SMALLER_FACTOR
        if percent is not None:
            factor = max(0.1, 1 - percent / 100)
        elif strong:
            factor = _STRONG_SMALLER
        elif slight:
            factor = _SLIGHT_SMALLER
    return Change(f"face_{direction}", f"{factor:.2f}", text)


def _side(words: list[str], kinds: list[str], topics: set[str], text: str) -> Change | None:
    """Where the headline goes: "text on the left", or the face's side given ("face on
    the left" puts the headline on the right); "the other side" is a flip."""
    sides = {_SIDES[word] for word, kind in zip(words, kinds, strict=True) if kind == "side"}
    if len(sides) != 1 or topics - {"text", "face"} or topics == {"text", "face"}:
        return None
    side = sides.pop()
    if topics == {"face"}:
        side = _OPPOSITE[side]
    return Change(f"position_{side}", side, text)


def _looks(kinds: list[str], topics: set[str], text: str) -> list[Change] | None:
    """Contrast, brightness and saturation of the whole picture; said of the text or the
    background alone, they are not something we do."""
    found: list[Change] = []
    stronger = "less" not in kinds
    if "contrast" in kinds and ("more" in kinds or "less" in kinds or "contrasty" in kinds):
        found.append(Change("contrast_more" if stronger else "contrast_less", "", text))
    elif "contrasty" in kinds:
        found.append(Change("contrast_more", "", text))
    if "brighter" in kinds:
        found.append(Change("brighter" if stronger else "darker", "", text))
    elif "darker" in kinds:
        found.append(Change("darker" if stronger else "brighter", "", text))
    if "vivid" in kinds:
        found.append(Change("vivid" if stronger else "muted", "", text))
    if found and topics:
        return None
    return found


_PICTURE_SENTENCES = {
    "face_bigger": "Make the person's face bigger in the frame (zoom in on it).",
    "face_smaller": "Make the person's face smaller in the frame (zoom out).",
    "flip": "Mirror the whole composition left to right.",
    "position_left": "Move the main subject to the right; keep the left side simple.",
    "position_right": "Move the main subject to the left; keep the right side simple.",
    "position_top": "Move the main subject lower; keep the upper part simple.",
    "position_bottom": "Move the main subject higher; keep the lower part simple.",
    "position_center": "Keep a band across the middle simple.",
    "contrast_more": "Increase the contrast.",
    "contrast_less": "Reduce the contrast.",
    "brighter": "Make the picture brighter.",
    "darker": "Make the picture darker.",
    "vivid": "Make the colours more vivid and saturated.",
    "muted": "Make the colours more muted.",
}


def _picture_of(change: Change) -> str:
    return _PICTURE_SENTENCES[change.kind]


def _plan(phrases: list[_Phrase]) -> EditPlan:
    plan = EditPlan()
    understood: list[Change] = []
    left: list[str] = []
    pictures: list[str] = []
    for phrase in phrases:
        if not phrase.understood:
            left.append(phrase.text)
            pictures.append(phrase.text)
            continue
        for change in phrase.changes:
            plan = _with(plan, change)
            understood.append(change)
        pictures += phrase.pictures
    return replace(
        plan,
        understood=tuple(understood),
        not_understood=tuple(left),
        picture_edits=tuple(dict.fromkeys(pictures)),
    )


def _with(plan: EditPlan, change: Change) -> EditPlan:
    kind = change.kind
    if kind == "headline":
        return replace(plan, headline=change.detail)
    if kind == "text_color":
        return replace(plan, text_color=_hex_of(change.detail))
    if kind == "background":
        return replace(plan, background_color=_hex_of(change.detail))
    if kind.startswith("position_"):
        return replace(plan, position=change.detail, flip=False)
    if kind.startswith("face_"):
        return replace(plan, face_scale=plan.face_scale * float(change.detail))
    if kind == "flip":
        return replace(plan, flip=not plan.flip)
    return replace(plan, look=plan.look.times(_LOOKS[kind]))


_LOOKS = {
    "contrast_more": Look(contrast=_LOOK_STEP),
    "contrast_less": Look(contrast=1 / _LOOK_STEP),
    "brighter": Look(brightness=_SLIGHT_LOOK_STEP),
    "darker": Look(brightness=1 / _SLIGHT_LOOK_STEP),
    "vivid": Look(saturation=_LOOK_STEP),
    "muted": Look(saturation=1 / _LOOK_STEP),
}


def _hex_of(detail: str) -> str:
    """A change's colour as #rrggbb (its detail is a hex code or the words typed)."""
    if detail.startswith("#"):
        return detail
    words = detail.split()
    return _color(words[-1], words[0] if len(words) > 1 else None)[0]


# --- what applies where ---------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    """What one instruction does with a given generator: the changes made by code, the
    phrases handed to an editing model as they are, and the phrases left undone (said
    plainly on the confirm screen and in the caption)."""

    changes: tuple[Change, ...]
    skipped: tuple[str, ...]
    model_phrases: tuple[str, ...] = ()

    @property
    def anything(self) -> bool:
        return bool(self.changes) or bool(self.model_phrases)


def applied_locally(plan: EditPlan, mode: str) -> Applied:
    """The local renderer does what it understood, except resizing or moving a subject
    its mode's thumbnail does not have."""
    changes: list[Change] = []
    skipped: list[str] = []
    for change in plan.understood:
        subject_change = change.kind.startswith("face_") or change.kind == "flip"
        if subject_change and mode not in SUBJECT_MODES:
            skipped.append(change.phrase)
        else:
            changes.append(change)
    skipped += plan.not_understood
    return Applied(tuple(changes), tuple(dict.fromkeys(skipped)))


def applied_by_model(plan: EditPlan) -> Applied:
    """An editing model is given every picture change, the ones not understood too."""
    return Applied(plan.understood, (), plan.not_understood)


def edit_prompt(plan: EditPlan) -> str:
    """What an editing model is told: the picture changes, and no text in the picture
    (the headline is drawn by code afterwards, so "change the headline" never reaches
    the pixels)."""
    asked = " ".join(_sentence(edit) for edit in plan.picture_edits)
    keep = (
        "Keep everything else the same: the people, their faces and identity, the "
        "composition, the colours and the style."
    )
    clean = "Remove all text, letters, words, captions and logos from the image."
    return " ".join(part for part in (asked, keep, clean) if part)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


# --- applying a chain -----------------------------------------------------------------

#: Where a generator puts a request's headline: what "swap sides" swaps.
SideOf = Callable[[GenerationRequest], str]


def apply_plans(
    request: GenerationRequest,
    plans: Iterable[EditPlan],
    side_of: SideOf,
    *,
    pixels: bool = True,
    backdrop: Sequence[str] = (),
) -> tuple[GenerationRequest, Look]:
    """The root request with every plan of the chain applied in order (a later headline,
    colour or position replaces an earlier one; sizes and looks multiply), as a plain
    request, and the look to give the finished picture. Colours and the headline's side
    go through the request's brand style, the headline is drawn as given.

    `pixels` False leaves the picture to an editing model (background, face, look) and
    applies only what code draws: the headline, its colour and its side. A new text
    colour keeps the background's colours: the style's, else `backdrop` (read from the
    picture being edited)."""
    headline = request.headline
    brand = request.brand or BrandStyle()
    colors, position = list(brand.colors), brand.position
    face_scale = request.face_scale
    look = Look()
    for plan in plans:
        headline = plan.headline or headline
        if plan.text_color:
            colors = [plan.text_color, *(colors[1:] or backdrop)]
        if plan.background_color and pixels:
            key = colors[0] if colors else _contrasting(plan.background_color)
            colors = [key, plan.background_color]
        if plan.position:
            position = plan.position
        if plan.flip:
            current = position or side_of(_plain(request))
            position = _OPPOSITE.get(current, current)
        if pixels:
            low, high = FACE_SCALE_RANGE
            face_scale = _clamp(face_scale * plan.face_scale, low, high)
            look = look.times(plan.look)
    edited = replace(brand, colors=tuple(colors), position=position)
    return (
        replace(
            _plain(request),
            headline=headline,
            brand=request.brand if edited == brand else edited,
            face_scale=face_scale,
        ),
        look,
    )


def backdrop_kept(request: GenerationRequest, plans: Sequence[EditPlan]) -> bool:
    """Whether applying the plans needs the background's colours read from the picture:
    a text colour is set, and neither the chain nor the style says the background."""
    brand_colors = request.brand.colors if request.brand else ()
    return (
        any(plan.text_color for plan in plans)
        and not any(plan.background_color for plan in plans)
        and len(brand_colors) < 2
    )


def _plain(request: GenerationRequest) -> GenerationRequest:
    """The same request as a GenerationRequest (an edit's extra fields left behind)."""
    return GenerationRequest(**{name: getattr(request, name) for name in _REQUEST_FIELDS})


def _contrasting(background: str) -> str:
    """A key colour that stands out on a background chosen alone: yellow, or red on a
    light background."""
    channels = [int(background[i : i + 2], 16) for i in (1, 3, 5)]
    light = 0.299 * channels[0] + 0.587 * channels[1] + 0.114 * channels[2] > 160
    return _COLOR_NAMES["red"][0] if light else _COLOR_NAMES["yellow"][0]


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


@dataclass(frozen=True)
class EditRequest(GenerationRequest):
    """The request of an edit: the root request (its mode, inputs, shape and style), the
    chain's instructions oldest first, and the picture being edited (the parent's
    result), which an editing model starts from."""

    instructions: tuple[str, ...] = ()
    source_image: bytes | None = field(default=None, repr=False)

    @classmethod
    def of(
        cls, root: GenerationRequest, instructions: Sequence[str], source_image: bytes | None
    ) -> EditRequest:
        base = {name: getattr(root, name) for name in _REQUEST_FIELDS}
        return cls(**base, instructions=tuple(instructions), source_image=source_image)

    @property
    def plans(self) -> tuple[EditPlan, ...]:
        return tuple(parse_instruction(text) for text in self.instructions)


_REQUEST_FIELDS = tuple(field.name for field in fields(GenerationRequest))


def generation_type(request: GenerationRequest) -> str:
    """The generation type whose model makes this request: an edit's own, else its mode's."""
    return EDIT_TYPE if isinstance(request, EditRequest) else request.mode
