"""Turning a prompt or a video title into a thumbnail headline: its strongest 2-5 words.

Thumbnails that work carry a few huge words, not a sentence. We look for the best run of
consecutive words inside one sentence (so the words still read naturally), scoring numbers
and "power" words above filler, and earlier words slightly above later ones.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from services.generators.wordlists import (
    APOSTROPHES,
    DASHES,
    META_WORDS,
    PHRASE_BREAKS,
    POWER_WORDS,
    STOPWORDS,
)

MAX_WORDS = 5
MAX_CHARS = 32  # headline letters incl. spaces; more would shrink the text past readability
MAX_WORD_CHARS = 14  # a longer run (CJK has no spaces) is cut: it must fit on one line
MAX_TOKENS = 300  # a 2,000-character prompt has its best words early anyway
FALLBACK = ("WATCH", "THIS")

_LINKS = re.compile(r"\S*(?:://|www\.)\S*", re.IGNORECASE)
# A full stop or comma ends a phrase, except between digits: "$10,000" and "3.5" stay whole.
_BREAKS = re.compile(
    f"(?:(?<!\\d)[.,]|[.,](?!\\d)|[{re.escape(PHRASE_BREAKS)}])+|\\s[{re.escape(DASHES)}]+\\s"
)
_KEPT_SYMBOLS = frozenset("$%&+#.," + APOSTROPHES)
_FILLER = STOPWORDS | META_WORDS


@dataclass(frozen=True)
class Headline:
    """The words to draw (already uppercase) and which one gets the highlight colour."""

    words: tuple[str, ...]
    emphasis: int = 0

    def __bool__(self) -> bool:
        return bool(self.words)


def pick_headline(text: str | None, max_chars: int = MAX_CHARS) -> Headline:
    """The strongest run of 1-5 words of `text` within `max_chars`, uppercase; empty if
    nothing is usable. A narrow text box wants fewer letters to keep them large."""
    tokens = _tokens(text or "")
    best: tuple[float, int, int] | None = None
    for start, end in _windows(tokens, max_chars):
        score = sum(_score(tokens[i]) for i in range(start, end)) - 0.03 * tokens[start][1]
        if best is None or score > best[0]:
            best = (score, start, end)
    if best is None:
        return Headline(())
    window = [word for word, _ in tokens[best[1] : best[2]]]
    emphasis = max(range(len(window)), key=lambda i: (_word_score(window[i]), i))
    return Headline(tuple(word.upper() for word in window), emphasis)


def _tokens(text: str) -> list[tuple[str | None, int]]:
    """(word, position) pairs; None marks a sentence break that no headline spans."""
    tokens: list[tuple[str | None, int]] = []
    position = 0
    for sentence in _BREAKS.split(_LINKS.sub(".", text)):
        for chunk in sentence.split():
            word = _clean(chunk)
            if word:
                tokens.append((word, position))
                position += 1
            if position >= MAX_TOKENS:
                return tokens
        tokens.append((None, position))
    return tokens


def _clean(chunk: str) -> str:
    """Letters, marks and digits of a chunk (emoji and punctuation go), cut to one line."""
    kept = "".join(char for char in chunk if _is_kept(char))
    return kept.strip(APOSTROPHES + "&+#.,")[:MAX_WORD_CHARS]


def _is_kept(char: str) -> bool:
    return unicodedata.category(char)[0] in "LMN" or char in _KEPT_SYMBOLS


def _windows(tokens: list[tuple[str | None, int]], max_chars: int) -> list[tuple[int, int]]:
    """[start, end) runs of up to MAX_WORDS words within a sentence, starting and ending on a
    content word and short enough to be drawn large."""
    runs = []
    for start in range(len(tokens)):
        chars = -1
        for end in range(start + 1, min(start + MAX_WORDS, len(tokens)) + 1):
            word = tokens[end - 1][0]
            if word is None or word.lower() in META_WORDS:
                break
            chars += len(word) + 1
            if chars > max_chars:
                break
            if _is_content(tokens[start][0]) and _is_content(word):
                runs.append((start, end))
    return runs


def _is_content(word: str | None) -> bool:
    return word is not None and word.lower() not in _FILLER


def _score(token: tuple[str | None, int]) -> float:
    word = token[0]
    if word is None:
        return 0.0
    return -0.25 if word.lower() in STOPWORDS else _word_score(word)


def _word_score(word: str) -> float:
    """How much a word pulls a viewer in: numbers and power words most, long words more."""
    lowered = word.lower()
    if lowered in STOPWORDS:
        return 0.0
    if any(char.isdigit() for char in word):
        return 2.5
    if lowered in POWER_WORDS:
        return 2.2
    return 1.0 + min(len(word), 9) * 0.08
