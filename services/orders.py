"""An order being put together: which part of the draft a user's answer fills.

The chat asks for a mode's inputs one at a time (services/modes.py); whatever the user
sends is decided here: a description, a YouTube link (read now, services/references.py),
a typed title, a style link or picture. A refusal is a UserFacingError (the chat tells
it); a note worth showing on the way ("Got it: <title>") comes back with the draft.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services.adapters.youtube import parse_video_id
from services.drafts import Draft, DraftService
from services.errors import InputRejected
from services.modes import Step, clean_prompt
from services.references import ReadVideo, ReferenceService

#: What a text at a step that wants a button press or a photo is told.
WAITING_KEYS = {
    Step.MODE: "flow_waiting_mode",
    Step.FACE: "flow_waiting_face",
    Step.CONFIRM: "flow_waiting_confirm",
}


@dataclass(frozen=True)
class Note:
    """A catalog text to show before the next question."""

    key: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Answered:
    """The draft after an answer (None if it was replaced meanwhile), and what to say."""

    draft: Draft | None
    notes: tuple[Note, ...] = ()


class OrderService:
    def __init__(self, drafts: DraftService, references: ReferenceService) -> None:
        self._drafts = drafts
        self._references = references

    async def answer_text(self, draft: Draft, text: str) -> Answered:
        """Fills the part of the draft that `text` answers; raises a UserFacingError
        (InputRejected, VideoUnavailable...) when it answers nothing, changing nothing."""
        if draft.step in WAITING_KEYS:
            raise InputRejected(WAITING_KEYS[draft.step])
        if draft.step is Step.PROMPT:
            return Answered(await self._drafts.update(draft, prompt=clean_prompt(text)))
        if draft.step is Step.STYLE:
            return await self._style_link(draft, text)
        return await self._video(draft, text)

    async def use_style_picture(self, draft: Draft, data: bytes) -> Answered:
        """A picture sent at the style step: the thumbnail whose style to follow.
        Raises ImageRejected for anything that is not a usable picture."""
        url = await self._references.keep_picture(draft.profile_id, data)
        updated = await self._drafts.update(draft, style_url=None, style_image_url=url)
        return Answered(updated, (Note("style_picture_saved"),))

    async def _video(self, draft: Draft, text: str) -> Answered:
        """A video link (read now), or a typed title (at the video step, or for a video
        YouTube did not name)."""
        video = await self._read(draft, text)
        if video is not None:
            notes = (Note("video_found", {"title": video.title}),) if video.title else ()
            updated = await self._drafts.update(
                draft,
                video_url=video.url,
                video_title=video.title,
                video_image_url=video.image_url,
            )
            return Answered(updated, notes)
        title = clean_prompt(text)
        if draft.step is Step.TITLE:
            return Answered(await self._drafts.update(draft, video_title=title))
        return Answered(await self._drafts.update(draft, prompt=title))

    async def _style_link(self, draft: Draft, text: str) -> Answered:
        """A link to the video whose thumbnail to follow. A thumbnail that cannot be read
        is refused with a request for a screenshot: the style is never dropped."""
        video = await self._read(draft, text)
        if video is None:
            raise InputRejected("style_not_link")
        if video.image_url is None:
            raise InputRejected("style_unreadable")
        updated = await self._drafts.update(
            draft, style_url=video.url, style_image_url=video.image_url
        )
        return Answered(updated, (Note("style_found"),))

    async def _read(self, draft: Draft, text: str) -> ReadVideo | None:
        """The YouTube video `text` links to, read now; None for text without a link.
        A link to anything but a YouTube video is refused."""
        if parse_video_id(text) is None:
            if _looks_like_link(text):
                raise InputRejected("not_youtube_link")
            return None
        return await self._references.read_video(draft.profile_id, text)


def _looks_like_link(text: str) -> bool:
    lowered = text.lower()
    return "http://" in lowered or "https://" in lowered or "www." in lowered
