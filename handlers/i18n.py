"""The message catalog: every text the bot sends, per language (handlers/locales/).

The language is the user's Telegram language when we have it, else English. Texts are
HTML; string parameters are escaped here, so user content (names, prompts, titles) can
never break the markup or inject formatting.
"""

from __future__ import annotations

import html
import logging
import string

from handlers.locales import en, es, ru

logger = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "en"
CATALOGS: dict[str, dict[str, str]] = {"en": en.TEXTS, "ru": ru.TEXTS, "es": es.TEXTS}


def language_of(language_code: str | None) -> str:
    """'pt-br' -> 'pt' -> a catalog we have, else English."""
    code = (language_code or "").split("-")[0].lower()
    return code if code in CATALOGS else DEFAULT_LANGUAGE


class Html(str):
    """Text that is already HTML (a catalog text, a built list); `t` won't escape it."""

    __slots__ = ()


def _escaped(value: object) -> object:
    if isinstance(value, str) and not isinstance(value, Html):
        return html.escape(value)
    return value


def t(language: str, key: str, **params: object) -> Html:
    """The text for `key` in `language` (else English). A key with no text at all is a
    bug (tests/test_i18n.py hunts for them), but the user still gets an answer: the
    generic one, never a crash in the middle of telling them something."""
    catalog = CATALOGS.get(language, en.TEXTS)
    template = catalog.get(key) or en.TEXTS.get(key)
    if template is None:
        logger.warning("no text for catalog key %r", key)
        template, params = catalog["error_generic"], {}
    return Html(template.format(**{name: _escaped(v) for name, v in params.items()}))


def placeholders(template: str) -> set[str]:
    """The {names} a template uses; catalogs must agree on them (see tests)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def mode_name(language: str, type_key: str, display_name: str | None = None) -> Html:
    """A mode's name in the user's language; modes an admin added use their display name."""
    key = f"mode_{type_key}"
    if key in en.TEXTS:
        return t(language, key)
    return Html(html.escape(display_name or type_key))
