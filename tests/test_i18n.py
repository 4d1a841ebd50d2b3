"""The message catalogs agree with English: same keys, placeholders and HTML tags, and
texts fit Telegram's limits. `t` escapes user content but not ready-made HTML."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from handlers.i18n import CATALOGS, Html, language_of, placeholders, t
from handlers.locales import en

TAG = re.compile(r"</?[A-Za-z][^<>]*>")
TRANSLATIONS = sorted(language for language in CATALOGS if language != "en")
ALL_TEXTS = [(language, key) for language in sorted(CATALOGS) for key in CATALOGS[language]]


def test_there_are_translations() -> None:
    assert CATALOGS["en"] is en.TEXTS
    assert {"ru", "es"} <= set(TRANSLATIONS)


@pytest.mark.parametrize("language", sorted(CATALOGS))
def test_catalog_has_exactly_the_english_keys(language: str) -> None:
    catalog = CATALOGS[language]
    assert set(catalog) - set(en.TEXTS) == set(), "keys English doesn't have"
    assert set(en.TEXTS) - set(catalog) == set(), "keys missing from this catalog"


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_placeholders_match_english(language: str) -> None:
    mismatched = {
        key: (placeholders(text), placeholders(en.TEXTS[key]))
        for key, text in CATALOGS[language].items()
        if placeholders(text) != placeholders(en.TEXTS[key])
    }
    assert mismatched == {}


@pytest.mark.parametrize(("language", "key"), ALL_TEXTS)
def test_text_renders_with_its_placeholders(language: str, key: str) -> None:
    template = CATALOGS[language][key]
    rendered = template.format(**{name: "1" for name in placeholders(template)})
    assert rendered.strip()
    assert "{" not in rendered
    assert "}" not in rendered


@pytest.mark.parametrize("language", sorted(CATALOGS))
def test_command_descriptions_fit_telegram(language: str) -> None:
    commands = {key: text for key, text in CATALOGS[language].items() if key.startswith("cmd_")}
    assert commands
    too_short_or_long = {key: text for key, text in commands.items() if not 3 <= len(text) <= 256}
    assert too_short_or_long == {}


@pytest.mark.parametrize("language", sorted(CATALOGS))
def test_button_texts_fit(language: str) -> None:
    buttons = {key: text for key, text in CATALOGS[language].items() if key.startswith("btn_")}
    assert buttons
    too_long = {
        key: text
        for key, text in buttons.items()
        if len(text.format(**{name: "1000" for name in placeholders(text)})) > 64
    }
    assert too_long == {}


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_html_tags_match_english(language: str) -> None:
    mismatched = {
        key: (sorted(TAG.findall(text)), sorted(TAG.findall(en.TEXTS[key])))
        for key, text in CATALOGS[language].items()
        if Counter(TAG.findall(text)) != Counter(TAG.findall(en.TEXTS[key]))
    }
    assert mismatched == {}


@pytest.mark.parametrize(
    ("language_code", "expected"),
    [("ru", "ru"), ("es-MX", "es"), ("pt-BR", "en"), (None, "en")],
)
def test_language_of(language_code: str | None, expected: str) -> None:
    assert language_of(language_code) == expected


def test_t_escapes_string_parameters() -> None:
    text = t("en", "video_found", title="<b>x</b>&")
    assert "&lt;b&gt;x&lt;/b&gt;&amp;" in text
    assert "<b>x</b>" not in text
    assert isinstance(text, Html)


def test_t_keeps_html_parameters() -> None:
    text = t("en", "video_found", title=Html("<code>x</code>"))
    assert "<code>x</code>" in text


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_t_uses_the_translation(language: str) -> None:
    assert t(language, "status_done") == CATALOGS[language]["status_done"]
