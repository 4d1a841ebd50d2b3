"""MarkdownV2, following TDLib's parser: every reserved character must be escaped."""

from __future__ import annotations

from typing import Any

from sandbox.entities.base import Entity, EntityParseError, Open, Output, byte_offset

_V2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_V2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
    "custom_emoji": "CustomEmoji",
}


def _reserved(char: str) -> EntityParseError:
    return EntityParseError(
        f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
    )


def _v2_closes(kind: str, text: str, i: int) -> bool:
    char = text[i]
    following = text[i + 1] if i + 1 < len(text) else ""
    if kind == "bold":
        return char == "*"
    if kind == "italic":
        return char == "_" and following != "_"
    if kind == "underline":
        return char == "_" and following == "_"
    if kind == "strikethrough":
        return char == "~"
    if kind == "spoiler":
        return char == "|" and following == "|"
    if kind == "code":
        return char == "`"
    if kind == "pre":
        return text.startswith("```", i)
    return char == "]"  # text_link, custom_emoji


class _Blockquote:
    """Line-based ``>`` / ``**>`` quotes, tracked beside the inline entity stack."""

    def __init__(self, out: Output) -> None:
        self.out = out
        self.current: Open | None = None

    def at_line_start(self, text: str, i: int) -> int:
        expandable = text.startswith("**>", i)
        if not expandable and not text.startswith(">", i):
            self.finish()
            return i
        if self.current is None:
            kind = "expandable_blockquote" if expandable else "blockquote"
            self.current = Open(kind, self.out.position, byte_offset(text, i))
        return i + (3 if expandable else 1)

    def finish(self) -> None:
        if self.current is not None:
            self.out.close(self.current)
            self.current = None


def parse_markdown_v2(text: str) -> tuple[str, list[Entity]]:
    """Parse MarkdownV2 into ``(plain_text, entities)``."""
    out = Output()
    quote = _Blockquote(out)
    stack: list[Open] = []
    i, n = 0, len(text)
    while i < n:
        in_code = bool(stack) and stack[-1].kind in ("code", "pre")
        if not in_code and (i == 0 or text[i - 1] == "\n"):
            i = quote.at_line_start(text, i)
            if i >= n:
                break
        char = text[i]
        if char == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            out.add(text[i + 1])
            i += 2
            continue
        if in_code and not _v2_closes(stack[-1].kind, text, i):
            out.add(char)
            i += 1
            continue
        if (
            quote.current is not None
            and quote.current.kind == "expandable_blockquote"
            and text.startswith("||", i)
            and (i + 2 == n or text[i + 2] == "\n")
            and not (stack and stack[-1].kind == "spoiler")
        ):
            quote.finish()
            i += 2
            continue
        if char not in _V2_RESERVED:
            out.add(char)
            i += 1
            continue
        if stack and _v2_closes(stack[-1].kind, text, i):
            i = _v2_close(text, i, stack.pop(), out)
        else:
            i = _v2_open(text, i, stack, out)
    quote.finish()
    if stack:
        opened = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_V2_NAMES[opened.kind]} entity at byte offset {opened.byte_offset}"
        )
    return out.result()


def _v2_open(text: str, i: int, stack: list[Open], out: Output) -> int:
    char = text[i]
    following = text[i + 1] if i + 1 < len(text) else ""
    start_byte = byte_offset(text, i)
    extra: dict[str, Any] = {}
    if char == "_" and following == "_":
        kind, i = "underline", i + 2
    elif char == "_":
        kind, i = "italic", i + 1
    elif char == "*":
        kind, i = "bold", i + 1
    elif char == "~":
        kind, i = "strikethrough", i + 1
    elif char == "|" and following == "|":
        kind, i = "spoiler", i + 2
    elif char == "[":
        kind, i = "text_link", i + 1
    elif char == "!" and following == "[":
        kind, i = "custom_emoji", i + 2
    elif text.startswith("```", i):
        kind, i = "pre", i + 3
        line_end = i
        while line_end < len(text) and text[line_end] not in "\n`" and not text[line_end].isspace():
            line_end += 1
        if line_end < len(text) and text[line_end] == "\n":
            if line_end > i:
                extra["language"] = text[i:line_end]
            i = line_end + 1
    elif char == "`":
        kind, i = "code", i + 1
    else:
        raise _reserved(char)
    stack.append(Open(kind, out.position, start_byte, extra=extra))
    return i


def _v2_close(text: str, i: int, opened: Open, out: Output) -> int:
    if opened.kind in ("underline", "spoiler"):
        out.close(opened)
        return i + 2
    if opened.kind == "pre":
        out.close(opened, **opened.extra)
        return i + 3
    if opened.kind not in ("text_link", "custom_emoji"):
        out.close(opened)
        return i + 1
    # "](...)" after link text: the URL allows escapes for ")" and "\".
    i += 1
    if i >= len(text) or text[i] != "(":
        if opened.kind == "custom_emoji":
            raise EntityParseError(
                f"Custom emoji entity must contain a tg://emoji URL at byte offset "
                f"{opened.byte_offset}"
            )
        return i
    url_start = i + 1
    i = url_start
    url: list[str] = []
    while i < len(text) and text[i] != ")":
        if text[i] == "\\" and i + 1 < len(text) and 0 < ord(text[i + 1]) <= 126:
            url.append(text[i + 1])
            i += 2
            continue
        url.append(text[i])
        i += 1
    if i >= len(text):
        raise EntityParseError(
            f"Can't find end of a URL at byte offset {byte_offset(text, url_start)}"
        )
    target = "".join(url)
    if opened.kind == "custom_emoji":
        emoji_id = target.removeprefix("tg://emoji?id=")
        out.close(opened, custom_emoji_id=emoji_id)
    else:
        out.close(opened, url=target)
    return i + 1
