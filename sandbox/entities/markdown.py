"""Legacy Markdown: four entity kinds, no nesting, few escapes."""

from __future__ import annotations

from typing import Any

from sandbox.entities.base import Entity, EntityParseError, Open, Output, byte_offset

_MARKDOWN_KINDS = {"_": "italic", "*": "bold", "`": "code", "[": "text_link"}


def parse_markdown(text: str) -> tuple[str, list[Entity]]:
    """Parse legacy Markdown (no nesting, fewer escapes) into ``(plain_text, entities)``."""
    out = Output()
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
            continue
        if char not in _MARKDOWN_KINDS:
            out.add(char)
            i += 1
            continue
        begin = i
        end_char = "]" if char == "[" else char
        is_pre = text.startswith("```", i)
        extra: dict[str, Any] = {}
        i += 3 if is_pre else 1
        if is_pre:
            language_end = i
            while (
                language_end < n and not text[language_end].isspace() and text[language_end] != "`"
            ):
                language_end += 1
            if language_end > i and language_end < n and text[language_end] != "`":
                extra["language"] = text[i:language_end]
                i = language_end
            if i < n and text[i] == "\n":
                i += 1
        opened = Open("pre" if is_pre else _MARKDOWN_KINDS[char], out.position, 0)
        while i < n and not (text.startswith("```", i) if is_pre else text[i] == end_char):
            out.add(text[i])
            i += 1
        if i >= n:
            raise EntityParseError(
                f"Can't find end of the entity starting at byte offset {byte_offset(text, begin)}"
            )
        i += 3 if is_pre else 1
        if char == "[":
            if i < n and text[i] == "(":
                close = text.find(")", i)
                if close == -1:
                    close = n
                url = text[i + 1 : close]
                i = close + 1
                if url:
                    out.close(opened, url=url)
            continue
        out.close(opened, **extra)
    return out.result()
