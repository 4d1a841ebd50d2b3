"""A finished thumbnail as the user sees it, wherever it is shown: delivered, or again
from /history. One caption and one set of buttons, so both places say the same."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.edit import edit_note
from handlers.i18n import Html, mode_name, t
from handlers.kit import keyboard
from services.generation import GenerationInput

ASKED_CHARS = 120  # a caption is at most 1,024 characters; the gist is enough


def result_keyboard(
    language: str, generation_id: UUID, cost: int, *, favourite: bool = False
) -> InlineKeyboardMarkup:
    """Regenerate (its price on the button, and carried in the data so a changed price
    is shown before it is charged), edit by instruction, the full-quality file, mark as
    a favourite (or not), a new order."""
    return keyboard(
        [(t(language, "btn_regenerate", cost=cost), f"gen:again:{generation_id}:{cost}")],
        [
            (t(language, "btn_edit"), f"gen:edit:{generation_id}"),
            (t(language, "btn_full_quality"), f"gen:file:{generation_id}"),
        ],
        [
            favourite_button(language, generation_id, favourite),
            (t(language, "btn_start_over"), "gen:new"),
        ],
    )


def favourite_button(language: str, generation_id: UUID, favourite: bool) -> InlineKeyboardButton:
    """⭐ as the thumbnail stands: its data asks for the other state (not a flip), so a
    double tap stars it once."""
    if favourite:
        return InlineKeyboardButton(
            t(language, "btn_unfavourite"), callback_data=f"hist:fav:{generation_id}:0"
        )
    return InlineKeyboardButton(
        t(language, "btn_favourite"), callback_data=f"hist:fav:{generation_id}:1"
    )


def variants_keyboard(
    language: str, variants: Sequence[tuple[int, UUID]], cost: int
) -> InlineKeyboardMarkup:
    """The buttons under an album of variants: a row per variant number, with its file,
    its edit and one more like it (at the price shown, as `result_keyboard`)."""
    return keyboard(
        *(
            [
                (t(language, "btn_variant_file", n=n), f"gen:file:{generation_id}"),
                (t(language, "btn_variant_edit", n=n), f"gen:edit:{generation_id}"),
                (t(language, "btn_variant_again", n=n), f"gen:again:{generation_id}:{cost}"),
            ]
            for n, generation_id in variants
        )
    )


def variants_shown_keyboard(
    language: str, variants: Sequence[tuple[int, UUID]]
) -> InlineKeyboardMarkup:
    """A button per variant that shows it (with its own buttons), when the album may or
    may not have arrived."""
    return keyboard(
        [
            (t(language, "btn_show_variant", n=n), f"hist:show:{generation_id}")
            for n, generation_id in variants
        ]
    )


def asked_for(request: GenerationInput) -> str:
    """What the user asked for, in a line: the description, else the video's title, else
    its link."""
    text = request.prompt or request.video_title or request.video_url or ""
    return text if len(text) <= ASKED_CHARS else text[: ASKED_CHARS - 1] + "…"


def result_caption(
    language: str, mode: str, request: GenerationInput, made: datetime | None = None
) -> Html:
    """The delivered photo's caption, or (with `made`) the caption of a shown-again one."""
    mode_label = mode_name(language, mode)
    asked = asked_for(request)
    if made is None:
        caption = t(language, "delivered", mode=mode_label, asked=asked)
    else:
        date = made.strftime("%d %b %Y")
        caption = t(language, "result_caption", mode=mode_label, date=date, asked=asked)
    note = edit_note(language, request)  # an edit: what it changed, and what it could not
    return Html(f"{caption}\n{note}") if note else caption
