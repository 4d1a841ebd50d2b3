"""Turning a prompt or a video title into a thumbnail headline: its strongest 1-5 words.

Thumbnails that work carry a few huge words, not a sentence, and those words must still read
as a phrase. So a headline is a run of consecutive words inside one phrase of the text
(phrases end at punctuation such as ". ! ? : | ( ) - "), and it is *complete*:

- a phrase that fits whole is taken whole or not at all ("NEVER GONNA GIVE YOU UP", never
  "NEVER GONNA GIVE"); one that would fit a wide box is cut for a narrow one only when the
  text has no other phrase ("RICK ASTLEY" rather than a piece of the song);
- where a longer phrase is cut, the cut never leaves a word that leans on the one after it at
  the end (a preposition, article, conjunction, "vs", "my", "не": "BEST PHONES UNDER") or one
  that leans on the word before it at the start ("VS PIXEL 8", "AND ..."), and never parts a
  number from the word it counts ("24 | HOURS", "1000 | ДОЛЛАРОВ");
- numbers are single words, kept whole: "$10,000", "1000$", "500 €", "1 000 000 ₽", "3,5",
  "№1", "#1", "100%", "x10". If the text has any, the headline has one of the strongest
  kind (a price beats a plain number).

Bracketed asides, hashtags and series numbers ("(Official Video)", "[4K]", "#shorts",
"| Episode 3") are used only when the rest has nothing; links, video ids and slugs are never
words. Among the complete runs the highest score wins: numbers and "power" words above filler,
earlier words slightly above later. A run that breaks a rule is taken only when nothing else
fits. tests/test_headline.py checks every rule on 230 titles in the bot's three languages.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from services.generators.wordlists import (
    ABBREVIATIONS,
    APOSTROPHES,
    ARTICLES,
    CONJUNCTIONS,
    CURRENCY_SIGNS,
    CURRENCY_WORDS,
    DASHES,
    JOINING,
    LEAD_INS,
    META_WORDS,
    NUMBER_WORDS,
    PHRASE_BREAKS,
    POWER_WORDS,
    PREPOSITIONS,
    REQUEST_VERBS,
    SERIES_WORDS,
    STOPWORDS,
    VERSUS,
)

MAX_WORDS = 5
MAX_CHARS = 32  # headline letters incl. spaces; more would shrink the text past readability
MAX_WORD_CHARS = 20  # a longer word can't be drawn large: it is left out, never cut
MAX_UNSPACED_CHARS = 14  # a run of a script written without spaces (CJK) is cut to this
MAX_TOKENS = 300  # a 2,000-character prompt has its best words early anyway
FALLBACK = ("WATCH", "THIS")

# Where a cut may not end, and where one may not start.
DANGLING_ENDS = ARTICLES | PREPOSITIONS | CONJUNCTIONS | VERSUS | LEAD_INS
DANGLING_STARTS = JOINING | VERSUS

_BREAK = " | "  # what links, ids and requests become: the phrase around them ends there
_GLUE = "\x00"  # stands for a space inside a number ("1 000 000", "500 €") until it is a word


def _alternatives(words: frozenset[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_CURRENCY = f"[{re.escape(CURRENCY_SIGNS)}]"
# A link, or a bare domain ("youtu.be/...", "example.com"); a domain starts a token, so a
# long run of letters is read once, not once from every letter.
_LINKS = re.compile(
    r"(?<!\S)\S*://\S*|\bwww\.\S+|(?<![\w.-])[\w-]+(?:\.[\w-]+)*"
    r"\.(?:com|net|org|ru|рф|be|io|tv|me|ly|gg|co|app|dev|info)\b(?:[/?#]\S*)?",
    re.IGNORECASE,
)
# "make a thumbnail about", or a bare "thumbnail:": words about the picture, not the video.
_REQUEST = re.compile(
    f"(?:\\b(?:{_alternatives(REQUEST_VERBS)})\\b[^.!?\\n]{{0,40}}?)?"
    f"\\b(?:{_alternatives(META_WORDS)})\\b(?:\\s+(?:{_alternatives(PREPOSITIONS)})\\b)?",
    re.IGNORECASE,
)
_ABBREVIATION = re.compile(f"\\b({_alternatives(ABBREVIATIONS)})\\.", re.IGNORECASE)
# (bracketed text) and #hashtags, but not "#1"; \uff08 and \uff09 are full-width brackets.
_ASIDES = re.compile(
    r"[(\[{【\uff08]([^()\[\]{}【】\uff08\uff09]*)[)\]}】\uff09]|(?<![\w#])#(\w*[^\W\d_]\w*)"
)
# A number with the spaces that belong to it: digit groups, a detached currency sign or %.
_NUMBER = re.compile(
    f"(?:(?:{_CURRENCY}|№) )?(?<![\\d.,])(?:\\d{{1,3}}(?: \\d{{3}}(?!\\d))+(?:[.,]\\d+)?"
    f"|\\d+(?:[.,]\\d+)*)(?: (?:{_CURRENCY}|%)(?!\\w))?"
)
# A full stop, comma, colon or slash ends a phrase, except between digits: "$10,000", "3.5".
_BREAKS = re.compile(
    f"(?:(?<!\\d)[.,:/]|[.,:/](?!\\d)|[{re.escape(PHRASE_BREAKS + DASHES)}]"
    "|\\s-+(?=\\s)|^-+(?=\\s))+"
)
_MINUS = "\u2212"
_TIMES = "\u00d7"  # "x10" written with a times sign
_KEPT_SYMBOLS = frozenset("$%&+#.,:/-№" + _MINUS + _TIMES + APOSTROPHES)
_LEADING_JUNK = frozenset(".,:/%" + APOSTROPHES)
_TRAILING_JUNK = frozenset(".,:/-№&" + _MINUS + APOSTROPHES)
_SIGNS = frozenset("#№+-" + _MINUS)  # kept at the front of a number only: "#1", "-50%"
_CONNECTORS = frozenset("&+")  # "Tom & Jerry": drawn as words of their own
_NEVER_LAST = ARTICLES | PREPOSITIONS | CONJUNCTIONS | VERSUS  # not even in a rough cut
_NO_PHRASE_END = DANGLING_ENDS - PREPOSITIONS  # "looking AT" may end a phrase, "THE" can't
# How well a run reads, best first: a whole phrase or a clean cut of a long one, a clean cut
# of a phrase that would fit a wide box whole, a cut that only keeps the hard rules, broken.
_WHOLE, _CUT_UNIT, _ROUGH, _BROKEN = range(4)
_UNCOUNTED = STOPWORDS | VERSUS | _CONNECTORS  # a number before one of these counts nothing
_VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_SLUG = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)+")
_DIGIT = re.compile(r"\d")
_PLAIN_WORD = re.compile(r"[^\W_]+")
_CASE_RUNS = re.compile(r"[a-z]+|[A-Z]+|\d+|[-_]")


@dataclass(frozen=True)
class Headline:
    """The words to draw (already uppercase) and which one gets the highlight colour. A
    number keeps its own spaces ("500 €") inside one word: it is never split across lines."""

    words: tuple[str, ...]
    emphasis: int = 0

    def __bool__(self) -> bool:
        return bool(self.words)


@dataclass(frozen=True)
class _Word:
    text: str
    lower: str
    tier: int  # 0: not a number, 1: a number, 2: a price
    score: float


@dataclass(frozen=True)
class _Phrase:
    words: tuple[_Word, ...]
    offset: int  # position of the first word in the text
    closed: bool  # False when the text was cut off inside it: it may go on


_Key = tuple[bool, int, int, float]  # readable at all, strongest number, -level, score


class _Run(NamedTuple):
    phrase: _Phrase
    start: int
    end: int
    key: _Key


def pick_headline(text: str | None, max_chars: int = MAX_CHARS) -> Headline:
    """The best complete run of 1-5 words of `text` within `max_chars`, uppercase; empty if
    nothing is usable. A narrow text box wants fewer letters to keep them large."""
    for group in _groups(text):
        run = _best_run(group, max_chars)
        if run is not None:
            return _headline_of(run)
    return Headline(())


def pick_headlines(
    text: str | None, max_chars: int, count: int, stretch_chars: int | None = None
) -> tuple[Headline, ...]:
    """Up to `count` different headlines of `text`, best first, for variants that should
    not all say the same: the first is what `pick_headline` (or, given `stretch_chars`,
    `pick_snug_headline`) picks; each other one is the strongest cleanly cut run (of two
    words or more, if there is one) that shares at most half its words with an earlier one
    ("100 DAYS IN MINECRAFT HARDCORE", then "WHAT HAPPENED"), from the same part of the
    text (the story, not an "(Official Video)" aside). Empty if nothing is usable; fewer
    than `count` when the text has no other readable wording."""
    if stretch_chars is None:
        first = pick_headline(text, max_chars)
    else:
        first = pick_snug_headline(text, max_chars, stretch_chars)
    if not first:
        return ()
    chosen = [first]
    group = next((group for group in _groups(text) if _best_run(group, max_chars)), [])
    runs = [
        _Run(phrase, start, end, key)
        for phrase in group
        for key, start, end in _runs(phrase, max_chars, broken=False)
        if -key[2] <= _CUT_UNIT  # a whole phrase or a clean cut: it reads as written
    ]
    for run in sorted(runs, key=_alternative_rank, reverse=True):
        if len(chosen) == count:
            break
        headline = _headline_of(run)
        if not any(_overlaps(headline.words, earlier.words) for earlier in chosen):
            chosen.append(headline)
    return tuple(chosen)


def _alternative_rank(run: _Run) -> tuple[bool, _Key]:
    """Alternatives of two words or more first (one word alone rarely says anything new),
    then as the best run is chosen."""
    return run.end - run.start > 1, run.key


def exact_headline(text: str, max_words: int = 12) -> Headline:
    """A headline the user wrote word for word (an edit's "change the headline to ..."):
    drawn as given, never re-picked; its strongest word gets the highlight. At most
    `max_words` words, the first ones: more could not be read on a thumbnail anyway."""
    texts = text.split()[:max_words]
    if not texts:
        return Headline(())
    words = _classify(texts)
    emphasis = max(range(len(words)), key=lambda i: (words[i].score, i))
    return Headline(tuple(texts), emphasis)


def _groups(text: str | None) -> tuple[list[_Phrase], list[_Phrase]]:
    """The text's phrases in the order headlines are taken from them: the story, then the
    decoration (series markers, bracketed asides, hashtags)."""
    main, asides = _parts(text or "")
    phrases = _phrases(main)
    series = [phrase for phrase in phrases if _is_series_marker(phrase)]
    story = [phrase for phrase in phrases if phrase not in series]
    return story, [*series, *_phrases(asides)]


def _headline_of(run: _Run) -> Headline:
    window = run.phrase.words[run.start : run.end]
    emphasis = max(range(len(window)), key=lambda i: (window[i].score, i))
    return Headline(tuple(word.text.upper() for word in window), emphasis)


def _overlaps(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two headlines say much the same: more than half the words of the shorter
    one are in the other ("100 DAYS IN MINECRAFT" and "SPENT 100 DAYS IN")."""
    shared = len(set(a) & set(b))
    return shared * 2 > min(len(a), len(b))


def pick_snug_headline(text: str | None, max_chars: int, stretch_chars: int) -> Headline:
    """For a narrow box: at most `max_chars` letters, which keeps them large, unless that
    only cuts the phrase that `stretch_chars` letters keep whole ("NEVER GONNA GIVE" of
    "NEVER GONNA GIVE YOU UP"): a whole phrase in smaller letters beats a broken one."""
    snug = pick_headline(text, max_chars)
    roomy = pick_headline(text, stretch_chars)
    return roomy if _is_cut_of(snug.words, roomy.words) else snug


def _is_cut_of(part: tuple[str, ...], whole: tuple[str, ...]) -> bool:
    size = len(part)
    return 0 < size < len(whole) and any(
        whole[start : start + size] == part for start in range(len(whole) - size + 1)
    )


def _parts(text: str) -> tuple[str, str]:
    """The text without links and requests, split into its main part and its asides."""
    text = re.sub(r"[^\S\n]+", " ", unicodedata.normalize("NFC", text))
    text = _LINKS.sub(_BREAK, text)
    lowered = text.lower()
    if any(word in lowered for word in META_WORDS):  # the regex is slow; most texts skip it
        text = _REQUEST.sub(_BREAK, text)
    text = _ABBREVIATION.sub(r"\1", text)
    asides = _BREAK.join(bracketed or tag for bracketed, tag in _ASIDES.findall(text))
    return _ASIDES.sub(_BREAK, text), asides


def _phrases(text: str) -> list[_Phrase]:
    """The phrases of `text` as words, up to MAX_TOKENS words in all."""
    text = _NUMBER.sub(lambda number: number.group().replace(" ", _GLUE), text)
    phrases: list[_Phrase | None] = []
    position = 0
    for part in _BREAKS.split(text):
        words: list[str] = []
        for chunk in part.split():
            word = _word(chunk)
            if word is None:  # a link-like token: the phrase is broken there
                phrases.append(_phrase(words, position, closed=True))
                words = []
            elif word:
                words.append(word)
                position += 1
                if position >= MAX_TOKENS:
                    phrases.append(_phrase(words, position, closed=False))
                    return [phrase for phrase in phrases if phrase]
        phrases.append(_phrase(words, position, closed=True))
    return [phrase for phrase in phrases if phrase]


def _phrase(texts: list[str], position: int, *, closed: bool) -> _Phrase | None:
    """The words that ended at `position` as a phrase, without a word at its start that
    leans on the previous phrase ("Minecraft, BUT ...") or at its end one that leans on the
    next (a preposition stays: "What are you looking AT", "Give you UP")."""
    start, end = 0, len(texts)
    while start < end and texts[start].lower() in DANGLING_STARTS:
        start += 1
    while closed and end > start and texts[end - 1].lower() in _NO_PHRASE_END:
        end -= 1
    if start == end:
        return None
    return _Phrase(_classify(texts[start:end]), position - len(texts) + start, closed)


def _is_series_marker(phrase: _Phrase) -> bool:
    """Whether a phrase only numbers the video in its series ("| Episode 3", "Часть 2"):
    decoration, like "(Official Video)"."""
    words = phrase.words
    return len(words) == 2 and words[0].lower in SERIES_WORDS and words[1].tier > 0


def _word(chunk: str) -> str | None:
    """The drawable word of a chunk ("" if none, as for an emoji); None for an id or slug,
    or a word too long to draw (a run of CJK, which has no spaces, is cut instead)."""
    if _PLAIN_WORD.fullmatch(chunk):  # most words: letters and digits only
        if _is_video_id(chunk):
            return None
        word = chunk
    else:
        bare = chunk.strip('".,:;!?()[]{}«»' + APOSTROPHES)
        if _is_video_id(bare) or _is_slug(bare):
            return None
        kept = []
        for char in chunk:
            category = unicodedata.category(char)
            if category[0] in "LN" or category == "Sc" or char in _KEPT_SYMBOLS or char == _GLUE:
                kept.append(char)
            elif category in ("Mn", "Mc") and kept and not 0xFE00 <= ord(char) <= 0xFE0F:
                kept.append(char)  # an accent on the letter before it, not an emoji selector
        word = _trim("".join(kept)).replace(_GLUE, " ")
        if word in _CONNECTORS:
            return word
        if not any(char.isalnum() for char in word):
            return ""
    if len(word) <= MAX_WORD_CHARS:
        return word
    return word[:MAX_UNSPACED_CHARS] if _is_unspaced(word) else None


def _trim(word: str) -> str:
    """`word` without punctuation at its edges; a sign stays before a digit ("#1", "-50%"),
    "#" and "+" after a letter ("C#", "C++", "Disney+")."""
    start, end = 0, len(word)
    while start < end and (
        word[start] in _LEADING_JUNK
        or (word[start] in _SIGNS and not word[start + 1 : start + 2].isdigit())
    ):
        start += 1
    while end > start and (
        word[end - 1] in _TRAILING_JUNK
        or (word[end - 1] in "#+" and not word[start:end].rstrip("#+")[-1:].isalpha())
    ):
        end -= 1
    return word[start:end] or (word if word in _CONNECTORS else "")


def _is_unspaced(word: str) -> bool:
    """Whether `word` is in a script written without spaces (Chinese, Japanese, Thai)."""
    return any(0x2E80 <= ord(char) <= 0x9FFF or 0x0E00 <= ord(char) <= 0x0E7F for char in word)


def _is_video_id(token: str) -> bool:
    """Whether `token` looks like a YouTube video id ("dQw4w9WgXcQ"): 11 characters of
    [A-Za-z0-9_-] that mix kinds the way random ids do and brand names ("iPhone15Pro",
    "MrBeast2024") don't."""
    if not _VIDEO_ID.fullmatch(token):
        return False
    kinds = sum(
        any(test(char) for char in token) for test in (str.isupper, str.islower, str.isdigit)
    )
    return kinds >= 2 and not _is_word_shaped(token)


def _is_word_shaped(token: str) -> bool:
    """Whether a mixed-case token reads as words run together: capitalised parts, acronyms
    and at most two numbers ("iPhone15Pro", "PlayStation5"), no underscores."""
    runs = _CASE_RUNS.findall(token)
    if "_" in runs or sum(run.isdigit() for run in runs) > 2:
        return False
    single_lowers = 0
    for before, run in zip(["-", *runs], runs, strict=False):
        if not run.islower() or before == "-":
            continue
        if not before.isupper():
            return False  # "w" after "4" in "dQw4w9..."
        if len(run) == 1:
            single_lowers += 1
            if len(before) > 1:
                return False  # "IVRw"
    return single_lowers <= 1


def _is_slug(token: str) -> bool:
    """Whether `token` is a URL slug or file name ("my-first-vlog-2024", "final_cut_v2"),
    not a hyphenated word ("t-shirt", "covid-19", "mother-in-law")."""
    if not _SLUG.fullmatch(token):
        return False
    parts = re.split("[-_]", token)
    return "_" in token or len(parts) >= 4 or (len(parts) >= 3 and any(c.isdigit() for c in token))


def _classify(texts: list[str]) -> tuple[_Word, ...]:
    """The words of a phrase with what a headline needs to know of each: a number counts
    as a price when it carries a currency sign or a currency word follows it."""
    words = []
    following = ""  # the next word after any number words: "1 MILLION | DOLLARS"
    for text in reversed(texts):
        lower = text.lower()
        tier = 0
        if lower in NUMBER_WORDS or _DIGIT.search(text):
            priced = any(unicodedata.category(c) == "Sc" for c in text)
            tier = 2 if priced or following in CURRENCY_WORDS else 1
        if lower not in NUMBER_WORDS:
            following = lower
        words.append(_Word(text, lower, tier, _score(lower, tier)))
    return tuple(reversed(words))


def _score(lower: str, tier: int) -> float:
    """How much a word pulls a viewer in: prices, numbers and power words most, long words
    more than short ones, filler below nothing."""
    if tier:
        return 2.5 + 0.5 * (tier - 1)
    if lower in POWER_WORDS:
        return 2.2
    if lower in STOPWORDS:
        return -0.25
    return 1.0 + min(len(lower), 9) * 0.08


def _best_run(phrases: list[_Phrase], max_chars: int) -> _Run | None:
    """The best run: one of the strongest numbers that a readable run can hold, then the
    most readable such run, then the highest score; a broken run only if nothing else fits."""
    best: _Run | None = None
    for broken in (False, True):
        for phrase in phrases:
            for key, start, end in _runs(phrase, max_chars, broken=broken):
                if best is None or key > best.key:
                    best = _Run(phrase, start, end, key)
        if best is not None:
            return best
    return None


def _runs(phrase: _Phrase, max_chars: int, *, broken: bool) -> Iterator[tuple[_Key, int, int]]:
    """The readable runs of `phrase` that fit (or the broken ones), with their keys: a
    phrase that fits is read whole (a piece of it is broken), a phrase that would fit a wide
    box whole is cut only after every other phrase ("Never Gonna Give You Up" in a narrow
    box). The score counts the words, a little for starting or ending where the phrase does
    (the words then read as written) and more for being all of it (its little words then
    cost nothing), less the further into the text a run starts."""
    words, offset = phrase.words, phrase.offset
    count = len(words)
    tiers = [word.tier for word in words]
    if phrase.closed and count <= MAX_WORDS and _chars(words) <= max_chars:
        if not broken:  # its pieces are broken, but never wanted: the whole is readable
            score = sum(max(word.score, 0) for word in words) + 0.6 + 0.25 * count
            yield (True, max(tiers), -_WHOLE, score - 0.03 * offset), 0, count
        return
    unit = phrase.closed and count <= MAX_WORDS and _chars(words) <= MAX_CHARS
    clean, rough = _cut_points(words, clean=True), _cut_points(words, clean=False)
    content = list(itertools.accumulate((w.lower not in STOPWORDS for w in words), initial=0))
    scores = list(itertools.accumulate((w.score for w in words), initial=0.0))
    chars = list(itertools.accumulate((len(w.text) + 1 for w in words), initial=-1))
    for start in range(count):
        for end in range(start + 1, min(start + MAX_WORDS, count) + 1):
            if chars[end] - chars[start] - 1 > max_chars:
                break
            if clean[0][start] and clean[1][end] and content[end] > content[start]:
                level = _CUT_UNIT if unit else _WHOLE
            elif rough[0][start] and rough[1][end]:
                level = _ROUGH
            else:
                level = _BROKEN
            if (level == _BROKEN) != broken:
                continue
            score = scores[end] - scores[start] + 0.3 * (start == 0) + 0.3 * (end == count)
            tier = max(tiers[start:end])
            yield (level < _BROKEN, tier, -level, score - 0.03 * (offset + start)), start, end


def _chars(words: tuple[_Word, ...]) -> int:
    return sum(len(word.text) for word in words) + len(words) - 1


def _cut_points(words: tuple[_Word, ...], *, clean: bool) -> tuple[list[bool], list[bool]]:
    """Where a headline may begin and where it may end (before words[at]; at == len(words)
    is the phrase's end). Never begin on a word that leans on the one before ("VS PIXEL 8",
    "AND ..."), never end after a preposition, article, conjunction or "vs", nor between a
    number and what it counts ("24 | HOURS"). A `clean` cut also never ends after any word
    that leans on the next ("MY", "NO") nor begins after one ("UNDER | $500", "NO | PUEDO
    CREER"), and never leaves out little words that end the phrase and belong to its verb
    ("NEVER GONNA GIVE | YOU UP", "WORTH | IT")."""
    count = len(words)
    dangling = DANGLING_ENDS if clean else _NEVER_LAST
    little_tail = [True] * (count + 1)  # whether words[at:] are all little words
    for at in range(count - 1, -1, -1):
        little_tail[at] = little_tail[at + 1] and words[at].lower in STOPWORDS
    ends = [True] * (count + 1)
    for at in range(1, count):
        before, after = words[at - 1], words[at]
        counts = before.tier and before.lower not in NUMBER_WORDS
        stranded = at == count - 1 or words[-1].lower in PREPOSITIONS
        ends[at] = not (
            before.lower in dangling
            or (counts and after.lower not in _UNCOUNTED)
            or (clean and stranded and little_tail[at])
        )
    starts = [
        at == 0 or (words[at].lower not in DANGLING_STARTS and (ends[at] or not clean))
        for at in range(count)
    ]
    return starts, ends
