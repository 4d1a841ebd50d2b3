"""The six generation modes and what each needs from the user, in the order it is asked."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from services.errors import InputRejected


class Step(StrEnum):
    MODE = "mode"
    PROMPT = "prompt"  # a description of the video
    VIDEO = "video"  # a YouTube link (or its title)
    TITLE = "title"  # the title of a linked video that could not be read
    STYLE = "style"  # a successful video's thumbnail (its link, or a screenshot) to follow
    FACE = "face"  # one of the user's saved faces, or a new photo
    CONFIRM = "confirm"


MODE_STEPS: dict[str, tuple[Step, ...]] = {
    "text_to_thumbnail": (Step.PROMPT,),
    "youtube_thumbnail": (Step.VIDEO,),
    "your_face": (Step.PROMPT, Step.FACE),
    "face_youtube": (Step.VIDEO, Step.FACE),
    "top_youtube_style": (Step.PROMPT, Step.STYLE),
    "top_youtube_style_face": (Step.PROMPT, Step.STYLE, Step.FACE),
}
MODES = tuple(MODE_STEPS)

PROMPT_MIN_CHARS = 3
PROMPT_MAX_CHARS = 400


class PromptRejected(InputRejected):
    """The description is empty or too long."""


def clean_prompt(text: str | None) -> str:
    """The user's description without control characters and runs of spaces."""
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text or "")
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) < PROMPT_MIN_CHARS:
        raise PromptRejected("prompt_too_short", min_chars=PROMPT_MIN_CHARS)
    if len(text) > PROMPT_MAX_CHARS:
        raise PromptRejected("prompt_too_long", max_chars=PROMPT_MAX_CHARS, length=len(text))
    return text
