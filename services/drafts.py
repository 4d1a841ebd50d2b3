"""The /generate flow in progress, kept in the database so it survives a restart.

A draft collects the inputs its mode needs (services/modes.py); its step is always the
first input still missing, then CONFIRM. Every draft has a fresh token that its buttons
carry, so a button from an older draft is recognised as stale and changes nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from services.adapters.db import Database
from services.modes import MODE_STEPS, Step


@dataclass(frozen=True)
class Draft:
    profile_id: UUID
    token: str
    mode: str | None
    step: Step
    prompt: str | None = None
    video_url: str | None = None
    style_url: str | None = None
    face_image_id: UUID | None = None
    video_title: str | None = None
    video_image_url: str | None = None
    style_image_url: str | None = None
    # Options of the confirm screen (sql/017): None format is the creator's default.
    format: str | None = None
    variants: int = 1
    use_brand: bool = False

    def next_step(self) -> Step:
        if self.mode is None:
            return Step.MODE
        for step in MODE_STEPS[self.mode]:
            if not self._has(step):
                return step
            if step is Step.VIDEO and self._lacks_title():
                return Step.TITLE
        return Step.CONFIRM

    def _has(self, step: Step) -> bool:
        if step is Step.PROMPT:
            return self.prompt is not None
        if step is Step.VIDEO:  # a link, or a typed title kept as the prompt
            return self.video_url is not None or self.prompt is not None
        if step is Step.STYLE:  # a picture to follow, read from a link or sent
            return self.style_image_url is not None
        return self.face_image_id is not None

    def _lacks_title(self) -> bool:
        """A linked video that YouTube did not name, and no title typed for it."""
        return self.prompt is None and self.video_title is None


_COLUMNS = (
    "profile_id, token, mode, step, prompt, video_url, style_url, face_image_id,"
    " video_title, video_image_url, style_image_url, format, variants, use_brand"
)


class DraftService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def start(self, profile_id: UUID) -> Draft:
        """A new, empty draft (replacing any earlier one)."""
        draft = Draft(profile_id, secrets.token_urlsafe(6), None, Step.MODE)
        await self._write(draft)
        return draft

    async def current(self, profile_id: UUID) -> Draft | None:
        row = await self._db.fetch_one(
            f"SELECT {_COLUMNS} FROM generation_drafts WHERE profile_id = %s", [profile_id]
        )
        if row is None:
            return None
        draft = Draft(**{**row, "step": Step(row["step"])})
        # An input can vanish after it was given (a face deleted from /faces): the step
        # is always what the inputs say now.
        return replace(draft, step=draft.next_step())

    async def kept_order(self, profile_id: UUID) -> Draft | None:
        """The order the user began (a mode chosen) and has not finished or cancelled."""
        draft = await self.current(profile_id)
        return draft if draft is not None and draft.mode is not None else None

    async def choose_mode(self, draft: Draft, mode: str) -> Draft | None:
        """The draft with (another) mode and none of the inputs given for the last one."""
        fresh = Draft(draft.profile_id, draft.token, mode, Step.MODE)
        fresh = replace(fresh, step=fresh.next_step())
        return fresh if await self._write(fresh, expected_token=draft.token) else None

    async def update(self, draft: Draft, **changes: Any) -> Draft | None:
        """Applies the changes and moves to the next missing input. None if the draft
        was replaced or finished meanwhile (a stale button)."""
        changed = replace(draft, **changes)
        changed = replace(changed, step=changed.next_step())
        written = await self._write(changed, expected_token=draft.token)
        return changed if written else None

    async def remember_format(self, profile_id: UUID, format_key: str) -> None:
        """The shape chosen on a confirm screen becomes the creator's default."""
        await self._db.execute(
            "UPDATE profiles SET thumbnail_format = %s WHERE id = %s", [format_key, profile_id]
        )

    async def clear(self, profile_id: UUID, token: str | None = None) -> bool:
        """Ends the draft (all of them, or only the one with that token)."""
        row = await self._db.fetch_one(
            "DELETE FROM generation_drafts WHERE profile_id = %s "
            "AND (%s::text IS NULL OR token = %s) RETURNING token",
            [profile_id, token, token],
        )
        return row is not None

    async def _write(self, draft: Draft, expected_token: str | None = None) -> bool:
        values = [
            draft.profile_id,
            draft.token,
            draft.mode,
            draft.step.value,
            draft.prompt,
            draft.video_url,
            draft.style_url,
            draft.face_image_id,
            draft.video_title,
            draft.video_image_url,
            draft.style_image_url,
            draft.format,
            draft.variants,
            draft.use_brand,
        ]
        if expected_token is None:
            await self._db.execute(
                f"""
                INSERT INTO generation_drafts ({_COLUMNS})
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                ON CONFLICT (profile_id) DO UPDATE SET
                  token = EXCLUDED.token, mode = EXCLUDED.mode, step = EXCLUDED.step,
                  prompt = EXCLUDED.prompt, video_url = EXCLUDED.video_url,
                  style_url = EXCLUDED.style_url, face_image_id = EXCLUDED.face_image_id,
                  video_title = EXCLUDED.video_title,
                  video_image_url = EXCLUDED.video_image_url,
                  style_image_url = EXCLUDED.style_image_url, format = EXCLUDED.format,
                  variants = EXCLUDED.variants, use_brand = EXCLUDED.use_brand,
                  updated_at = now()
                """,
                values,
            )
            return True
        row = await self._db.fetch_one(
            """
            UPDATE generation_drafts SET mode = %s, step = %s, prompt = %s, video_url = %s,
                   style_url = %s, face_image_id = %s, video_title = %s,
                   video_image_url = %s, style_image_url = %s, format = %s, variants = %s,
                   use_brand = %s, updated_at = now()
             WHERE profile_id = %s AND token = %s
            RETURNING token
            """,
            [*values[2:], draft.profile_id, expected_token],
        )
        return row is not None
