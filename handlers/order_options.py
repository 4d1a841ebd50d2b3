"""The choices on an order's confirm screen: the picture's shape, how many variants, and
(for a creator with a saved /style) whether to use it and another face than the default.

Each choice is a button that edits the confirm message in place, so the price and the
order it shows are always the ones the ✅ button charges. A shape chosen becomes the
creator's default for the next orders.
"""

from __future__ import annotations

from typing import Any

from handlers.kit import ChatContext
from services.accounts import Profile
from services.brand_kits import BrandKit
from services.drafts import Draft
from services.formats import DEFAULT_FORMAT, FORMATS, ThumbnailFormat, format_of

Row = list[tuple[str, str]]

VARIANT_CHOICES = (1, 2, 3, 4)
TEST_AND_COMPARE = 3  # YouTube's Test & Compare takes up to three thumbnails
_FORMAT_LABELS = {"16:9": "btn_format_wide", "9:16": "btn_format_tall", "1:1": "btn_format_square"}


def chosen_format(draft: Draft, profile: Profile) -> ThumbnailFormat:
    """The draft's shape, else the creator's last choice, else 16:9."""
    return format_of(draft.format or profile.thumbnail_format or DEFAULT_FORMAT.key)


def option_rows(context: ChatContext, draft: Draft, profile: Profile, kit: BrandKit) -> list[Row]:
    """A row of shapes and a row of variant counts, the chosen ones ticked; with a saved
    style its on/off switch, and with the default face a button to pick another."""
    current = chosen_format(draft, profile).key
    shapes = [
        (_ticked(context.t(label), key == current), _data(draft, "f", key))
        for key, label in _FORMAT_LABELS.items()
    ]
    counts = [
        (_ticked(_variant_label(context, n), n == draft.variants), _data(draft, "n", str(n)))
        for n in VARIANT_CHOICES
    ]
    rows = [shapes, counts]
    if kit.has_style:
        label = "btn_my_style_on" if draft.use_brand else "btn_my_style_off"
        rows.append([(context.t(label), _data(draft, "b", "0" if draft.use_brand else "1"))])
    if _default_face(draft, kit):
        rows.append([(context.t("btn_another_face"), _data(draft, "c", "face"))])
    return rows


def _default_face(draft: Draft, kit: BrandKit) -> bool:
    """Whether the order's face is the one /style filled in."""
    return draft.face_image_id is not None and draft.face_image_id == kit.default_face_id


def brand_of(draft: Draft, kit: BrandKit) -> dict[str, Any] | None:
    """The style an order charged now carries (GenerationInput.brand), if it uses one."""
    return kit.snapshot() if draft.use_brand and kit.has_style else None


def summary_lines(context: ChatContext, draft: Draft, profile: Profile, kit: BrandKit) -> list[str]:
    """The order summary's lines for the options."""
    shape = chosen_format(draft, profile)
    lines: list[str] = [
        context.t("summary_format", shape=shape.key, width=shape.width, height=shape.height)
    ]
    if draft.variants == TEST_AND_COMPARE:
        lines.append(context.t("summary_variants_compare", n=draft.variants))
    elif draft.variants > 1:
        lines.append(context.t("summary_variants", n=draft.variants))
    if brand_of(draft, kit) is not None:
        lines.append(context.t("summary_my_style"))
    if _default_face(draft, kit):
        lines.append(context.t("summary_default_face"))
    return lines


def parse_option(choice: str) -> dict[str, Any] | None:
    """A button's choice ("f:9x16", "n:3") as draft changes; None if it is not one."""
    kind, _, value = choice.partition(":")
    if kind == "f" and value.replace("x", ":") in FORMATS:
        return {"format": value.replace("x", ":")}
    if kind == "n" and value.isdigit() and int(value) in VARIANT_CHOICES:
        return {"variants": int(value)}
    if kind == "b" and value in ("0", "1"):
        return {"use_brand": value == "1"}
    if kind == "c" and value == "face":  # back to the face step, to pick another face
        return {"face_image_id": None}
    return None


def _data(draft: Draft, kind: str, value: str) -> str:
    return f"gen:opt:{draft.token}:{kind}:{value.replace(':', 'x')}"


def _variant_label(context: ChatContext, n: int) -> str:
    if n == TEST_AND_COMPARE:
        return context.t("btn_variants_compare", n=n)
    return context.t("btn_variants", n=n)


def _ticked(label: str, chosen: bool) -> str:
    return f"✓ {label}" if chosen else label
