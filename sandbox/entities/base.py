"""Shared pieces of the formatting parsers: UTF-16 offsets and entity accumulation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Entity = dict[str, Any]


class EntityParseError(ValueError):
    """Markup Telegram would refuse; ``str(error)`` is TDLib's description."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of entity offsets."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def byte_offset(text: str, index: int) -> int:
    """Position of ``text[index]`` in UTF-8 bytes, the unit of TDLib's error messages."""
    return len(text[:index].encode("utf-8"))


def sort_entities(entities: list[Entity]) -> list[Entity]:
    """Telegram's order: by offset, outer (longer) entities first."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


@dataclass
class Open:
    """An entity whose end has not been seen yet."""

    kind: str
    offset: int
    byte_offset: int
    tag: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class Output:
    """Plain-text accumulator that tracks the UTF-16 position for entity offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.position = 0
        self.entities: list[Entity] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.position += utf16_len(text)

    def close(self, opened: Open, **extra: Any) -> None:
        length = self.position - opened.offset
        if length > 0:
            self.entities.append(
                {"type": opened.kind, "offset": opened.offset, "length": length, **extra}
            )

    def result(self) -> tuple[str, list[Entity]]:
        return "".join(self.parts), sort_entities(self.entities)
