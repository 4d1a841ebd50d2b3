"""Telegram-flavoured HTML, following TDLib's parser and error wording.

One deliberate difference: an ``&`` that does not start a supported entity is rejected
(Telegram keeps it literally) because the bot almost certainly forgot to escape input.
"""

from __future__ import annotations

import re

from sandbox.entities.base import Entity, EntityParseError, Open, Output, byte_offset

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")


def _decode_html_entity(text: str, index: int) -> tuple[str, int] | None:
    match = _HTML_ENTITY.match(text, index)
    if match is None:
        return None
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        char = _NAMED_ENTITIES.get(name)
        if char is None:
            return None
        return char, match.end()
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def parse_html(text: str) -> tuple[str, list[Entity]]:
    """Parse Telegram-flavoured HTML into ``(plain_text, entities)``."""
    out = Output()
    stack: list[Open] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "&":
            decoded = _decode_html_entity(text, i)
            if decoded is None:
                raise EntityParseError(
                    f"Unsupported HTML entity at byte offset {byte_offset(text, i)}; "
                    'escape "&" as "&amp;"'
                )
            out.add(decoded[0])
            i = decoded[1]
        elif char != "<":
            out.add(char)
            i += 1
        elif i + 1 < n and text[i + 1] == "/":
            i = _html_end_tag(text, i, stack, out)
        else:
            i = _html_start_tag(text, i, stack, out)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return _merge_pre_code(*out.result())


def _html_start_tag(text: str, begin: int, stack: list[Open], out: Output) -> int:
    n = len(text)
    i = begin + 1
    while i < n and not text[i].isspace() and text[i] != ">":
        i += 1
    if i >= n:
        raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(text, begin)}")
    tag = text[begin + 1 : i].lower()
    if tag not in _HTML_TAGS:
        raise EntityParseError(
            f'Unsupported start tag "{tag}" at byte offset {byte_offset(text, begin)}'
        )
    attributes: dict[str, str] = {}
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(text, begin)}")
        if text[i] == ">":
            i += 1
            break
        name_start = i
        while i < n and not text[i].isspace() and text[i] not in "=>":
            i += 1
        name = text[name_start:i].lower()
        if not name:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset '
                f"{byte_offset(text, name_start)}"
            )
        while i < n and text[i].isspace():
            i += 1
        if i >= n or text[i] != "=":
            if tag == "blockquote" and name == "expandable":
                attributes[name] = ""
                continue
            raise EntityParseError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {byte_offset(text, begin)}'
            )
        i += 1
        while i < n and text[i].isspace():
            i += 1
        value, i = _html_attribute_value(text, i, begin)
        attributes[name] = value
    opened = Open(_HTML_TAGS[tag], out.position, byte_offset(text, begin), tag=tag)
    if tag == "span" and attributes.get("class") != "tg-spoiler":
        raise EntityParseError(
            f'Tag "span" must have class "tg-spoiler" at byte offset {opened.byte_offset}'
        )
    if tag == "a":
        opened.extra["url"] = attributes.get("href", "")
    elif tag == "code" and attributes.get("class", "").startswith("language-"):
        opened.extra["language"] = attributes["class"].removeprefix("language-")
    elif tag == "tg-emoji":
        opened.extra["custom_emoji_id"] = attributes.get("emoji-id", "")
    elif tag == "blockquote" and "expandable" in attributes:
        opened.kind = "expandable_blockquote"
    stack.append(opened)
    return i


def _html_attribute_value(text: str, i: int, tag_begin: int) -> tuple[str, int]:
    n = len(text)
    if i >= n:
        raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(text, tag_begin)}")
    if text[i] not in "'\"":
        start = i
        while i < n and (text[i].isalnum() or text[i] in ".-"):
            i += 1
        if i >= n or (not text[i].isspace() and text[i] != ">"):
            raise EntityParseError(
                f"Unexpected end of name token at byte offset {byte_offset(text, start)}"
            )
        return text[start:i].lower(), i
    quote = text[i]
    i += 1
    chars: list[str] = []
    while i < n and text[i] != quote:
        decoded = _decode_html_entity(text, i) if text[i] == "&" else None
        if decoded is not None:
            chars.append(decoded[0])
            i = decoded[1]
        else:
            chars.append(text[i])
            i += 1
    if i >= n:
        raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(text, tag_begin)}")
    return "".join(chars), i + 1


def _html_end_tag(text: str, begin: int, stack: list[Open], out: Output) -> int:
    if not stack:
        raise EntityParseError(f"Unexpected end tag at byte offset {byte_offset(text, begin)}")
    n = len(text)
    i = begin + 2
    while i < n and not text[i].isspace() and text[i] != ">":
        i += 1
    name = text[begin + 2 : i].lower()
    while i < n and text[i].isspace():
        i += 1
    if i >= n or text[i] != ">":
        raise EntityParseError(f"Unclosed end tag at byte offset {byte_offset(text, begin)}")
    opened = stack[-1]
    if name and name != opened.tag:
        raise EntityParseError(
            f"Unmatched end tag at byte offset {byte_offset(text, begin)}, "
            f'expected "</{opened.tag}>", found "</{name}>"'
        )
    stack.pop()
    if opened.kind == "text_link" and not opened.extra["url"]:
        pass  # <a> without href is plain text, as in Telegram
    else:
        out.close(opened, **opened.extra)
    return i + 1


def _merge_pre_code(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """``<pre><code class="language-x">`` is one pre entity with a language."""
    pres = [e for e in entities if e["type"] == "pre"]
    merged: list[Entity] = []
    for entity in entities:
        twin = next(
            (
                p
                for p in pres
                if entity["type"] == "code"
                and p["offset"] == entity["offset"]
                and p["length"] == entity["length"]
            ),
            None,
        )
        if twin is not None:
            if "language" in entity:
                twin["language"] = entity["language"]
            continue
        merged.append(entity)
    return text, merged
