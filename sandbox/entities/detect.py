"""Entities Telegram finds on its own: commands, mentions, hashtags, URLs, e-mails."""

from __future__ import annotations

import re

from sandbox.entities.base import Entity, sort_entities, utf16_len

_AUTO_PATTERNS = (
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")),
    ("email", re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}(?![\w@])")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
    ("url", re.compile(r"(?<![\w@])(?:https?://|www\.|t\.me/)[^\s<>\"]+[^\s<>\".,;:!?)\]'}]")),
)
_NO_AUTO_INSIDE = {"code", "pre", "text_link", "url", "email", "mention", "bot_command"}


def detect_entities(text: str, existing: list[Entity] | None = None) -> list[Entity]:
    """Add the entities Telegram recognises on its own (commands, links, ...).

    Matches overlapping an explicit entity of a code/link kind, or an earlier match,
    are skipped.
    """
    entities = list(existing or [])
    taken = [
        (e["offset"], e["offset"] + e["length"]) for e in entities if e["type"] in _NO_AUTO_INSIDE
    ]
    for kind, pattern in _AUTO_PATTERNS:
        for match in pattern.finditer(text):
            start = utf16_len(text[: match.start()])
            end = start + utf16_len(match.group())
            if any(start < other_end and other_start < end for other_start, other_end in taken):
                continue
            taken.append((start, end))
            entities.append({"type": kind, "offset": start, "length": end - start})
    return sort_entities(entities)
