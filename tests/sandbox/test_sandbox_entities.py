"""The formatting parsers on their own: offsets in UTF-16, nesting, languages, detection."""

from __future__ import annotations

import pytest

from sandbox.entities import (
    EntityParseError,
    detect_entities,
    parse_html,
    parse_markdown,
    parse_markdown_v2,
)


def test_html_offsets_are_utf16_code_units() -> None:
    text, entities = parse_html("🔥 <b>hot</b> <i>deal</i>")
    assert text == "🔥 hot deal"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 3},
        {"type": "italic", "offset": 7, "length": 4},
    ]


def test_html_nesting_and_case_insensitive_tags() -> None:
    text, entities = parse_html("<B>a<I>b</I></B><a href='https://x.io'>c</a><a>d</a>")
    assert text == "abcd"
    assert [(e["type"], e["offset"], e["length"]) for e in entities] == [
        ("bold", 0, 2),
        ("italic", 1, 1),
        ("text_link", 2, 1),
    ]


def test_html_error_offsets_are_utf8_bytes() -> None:
    with pytest.raises(EntityParseError, match="at byte offset 5"):
        parse_html("éé <x>")  # each "é" is two bytes
    with pytest.raises(EntityParseError, match="Unexpected end tag at byte offset 0"):
        parse_html("</b>")
    with pytest.raises(EntityParseError, match="Unclosed start tag"):
        parse_html("<b")


def test_markdown_v2_entities() -> None:
    text, entities = parse_markdown_v2("*b _i_* __u__ ~s~ ||p|| `c\\`` ```py\nx = 1```")
    assert text == "b i u s p c` x = 1"
    kinds = [(e["type"], e["offset"], e["length"]) for e in entities]
    assert kinds == [
        ("bold", 0, 3),
        ("italic", 2, 1),
        ("underline", 4, 1),
        ("strikethrough", 6, 1),
        ("spoiler", 8, 1),
        ("code", 10, 2),
        ("pre", 13, 5),
    ]
    assert entities[-1]["language"] == "py"


def test_markdown_v2_blockquotes() -> None:
    text, entities = parse_markdown_v2(">one\n>two\nafter")
    assert text == "one\ntwo\nafter"
    assert entities[0]["type"] == "blockquote"
    text, entities = parse_markdown_v2("**>hidden\n>more||")
    assert text == "hidden\nmore"
    assert entities == [{"type": "expandable_blockquote", "offset": 0, "length": 11}]


def test_markdown_v2_errors() -> None:
    with pytest.raises(EntityParseError, match="Character '-' is reserved"):
        parse_markdown_v2("a-b")
    with pytest.raises(EntityParseError, match="Can't find end of a URL"):
        parse_markdown_v2("[x](http://a")
    with pytest.raises(EntityParseError, match="Can't find end of Code entity"):
        parse_markdown_v2("`open")


def test_legacy_markdown() -> None:
    text, entities = parse_markdown("*b* _i_ `c` [t](https://x.io) a\\_b")
    assert text == "b i c t a_b"
    assert [e["type"] for e in entities] == ["bold", "italic", "code", "text_link"]


def test_auto_detected_entities() -> None:
    text = "/start@thumbs_bot see https://ex.com, mail me@ex.com #promo @someone"
    found = {
        e["type"]: text[e["offset"] : e["offset"] + e["length"]] for e in detect_entities(text)
    }
    assert found == {
        "bot_command": "/start@thumbs_bot",
        "url": "https://ex.com",
        "email": "me@ex.com",
        "hashtag": "#promo",
        "mention": "@someone",
    }
