"""Every key a service can raise as a UserFacingError has a text in every language, so
no refusal ever reaches a user as the generic error (or not at all).

The keys are found in the source: each UserFacingError subclass's own key, and every
`raise`-able construction of one in services/ with a literal key argument."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import services
from handlers.i18n import CATALOGS, t
from services.errors import UserFacingError

SERVICES_DIR = Path(services.__file__).parent


def _import_all_services() -> None:
    for module in pkgutil.walk_packages([str(SERVICES_DIR)], prefix="services."):
        importlib.import_module(module.name)


def _subclasses(cls: type[UserFacingError]) -> set[type[UserFacingError]]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def _literal(node: ast.expr) -> object:
    return node.value if isinstance(node, ast.Constant) else object()


def _keys_constructed(classes: dict[str, type[UserFacingError]]) -> set[tuple[str, str]]:
    """(class name, text key) for every construction with a literal key in services/."""
    keys = set()
    for path in SERVICES_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            cls = classes.get(name or "")
            if cls is None:
                continue
            args = [_literal(arg) for arg in node.args if not isinstance(arg, ast.Starred)]
            kwargs = {kw.arg: _literal(kw.value) for kw in node.keywords if kw.arg}
            try:
                bound = inspect.signature(cls).bind_partial(*args, **kwargs)
            except TypeError:
                continue
            key = bound.arguments.get("key")
            if isinstance(key, str):
                keys.add((name or "", cls.catalog_prefix + key))
    return keys


def all_keys() -> set[tuple[str, str]]:
    _import_all_services()
    classes = {cls.__name__: cls for cls in _subclasses(UserFacingError) | {UserFacingError}}
    defaults = {(name, cls.catalog_prefix + cls.key) for name, cls in classes.items()}
    return defaults | _keys_constructed(classes)


KEYS = sorted(all_keys())


def test_the_search_finds_the_keys_services_raise() -> None:
    texts = {key for _, key in KEYS}
    assert len(texts) >= 20
    assert {"image_too_big", "prompt_too_short", "video_private", "reason_face_missing"} <= texts
    assert "precheckout_wrong_account" in texts


@pytest.mark.parametrize("language", sorted(CATALOGS))
def test_every_key_a_service_raises_has_a_text(language: str) -> None:
    missing = sorted(f"{key} ({cls})" for cls, key in KEYS if key not in CATALOGS[language])
    assert missing == []


def test_a_key_without_a_text_still_gives_an_answer() -> None:
    assert t("ru", "no_such_key_anywhere") == t("ru", "error_generic")
