"""Telegram's formatting parsers: HTML, MarkdownV2 and legacy Markdown.

Telegram turns formatted text into plain text plus ``MessageEntity`` objects (offsets
and lengths in UTF-16 code units) and rejects malformed markup with
``can't parse entities: ...``. Reproducing that catches the classic bot bug of
interpolating unescaped user input into HTML or MarkdownV2. The parsers follow TDLib's
behaviour and error wording (see each module for deliberate differences).

Telegram also auto-detects commands, mentions, hashtags, URLs and e-mails in every
message; :func:`detect_entities` does the same for the common cases.
"""

from __future__ import annotations

from sandbox.entities.base import Entity, EntityParseError, utf16_len
from sandbox.entities.detect import detect_entities
from sandbox.entities.html import parse_html
from sandbox.entities.markdown import parse_markdown
from sandbox.entities.markdown_v2 import parse_markdown_v2

_PARSERS = {"html": parse_html, "markdownv2": parse_markdown_v2, "markdown": parse_markdown}


def parse_formatted(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Apply *parse_mode* (case-insensitive, ``None`` for plain text).

    Raises :class:`EntityParseError` for bad markup and :class:`KeyError` for an
    unknown parse mode.
    """
    if not parse_mode:
        return text, []
    return _PARSERS[parse_mode.lower()](text)


def is_known_parse_mode(parse_mode: str) -> bool:
    """Whether Telegram accepts *parse_mode*."""
    return parse_mode.lower() in _PARSERS


__all__ = [
    "Entity",
    "EntityParseError",
    "detect_entities",
    "is_known_parse_mode",
    "parse_formatted",
    "parse_html",
    "parse_markdown",
    "parse_markdown_v2",
    "utf16_len",
]
