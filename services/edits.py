"""Edit by instruction, as an order: which thumbnail, what to change, and the edit's input.

A creator names a thumbnail by replying to it or by its ✏️ Edit button (`ask`), then says
what to change. `propose` reads the words (services/generators/edits.py) and works out
what the active generator will do with them: the local renderer applies what it
understood and nothing else, an editing model is handed everything. Only something that
will be applied is offered; the offer waits in `edit_requests` (sql/022) under a fresh
token, so the confirm button survives a restart and a double tap charges once (the
request key is the token). `order` turns the confirmed offer into the edit's
GenerationInput: the edited generation's input (the root order's fields, so the whole
chain re-runs from it) with the parent's id and every instruction of the chain.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, replace
from uuid import UUID

from services.adapters.db import Database
from services.errors import InputRejected
from services.generation import GenerationInput, GenerationService
from services.generators.edits import (
    MAX_INSTRUCTION_CHARS,
    Applied,
    EditPlan,
    applied_by_model,
    applied_locally,
    parse_instruction,
)

#: How long after a creator last spoke to an edit their plain texts are still taken as
#: its instructions (a reply to a thumbnail always is one).
LISTENING = "30 minutes"


@dataclass(frozen=True)
class Proposal:
    """An instruction read for one of the creator's thumbnails. `token` is None when
    nothing of it can be applied: then nothing is offered."""

    generation_id: UUID
    instruction: str
    plan: EditPlan
    applied: Applied
    token: str | None


class EditService:
    def __init__(self, db: Database, generations: GenerationService, *, model_edits: bool) -> None:
        """`model_edits`: an editing model (Replicate) makes the edits, rather than the
        local renderer."""
        self._db = db
        self._generations = generations
        self._model_edits = model_edits

    async def ask(self, profile_id: UUID, generation_id: UUID) -> bool:
        """The ✏️ button: the creator's next text is an instruction for this thumbnail.
        False if it is not one of their finished thumbnails."""
        if await self._generations.result(profile_id, generation_id) is None:
            return False
        await self._write(profile_id, generation_id, None)
        return True

    async def listening(self, profile_id: UUID) -> UUID | None:
        """The thumbnail a plain text is an instruction for: the one the creator last
        spoke about, unless that was more than LISTENING ago or an order (/generate) has
        moved on since."""
        value = await self._db.fetch_value(
            f"""
            SELECT e.generation_id FROM edit_requests e
              LEFT JOIN generation_drafts d ON d.profile_id = e.profile_id
             WHERE e.profile_id = %s AND e.updated_at > now() - interval '{LISTENING}'
               AND (d.updated_at IS NULL OR d.updated_at < e.updated_at)
            """,
            [profile_id],
        )
        return value if isinstance(value, UUID) else None

    async def propose(self, profile_id: UUID, generation_id: UUID, text: str) -> Proposal:
        """Reads an instruction for one of the creator's thumbnails and, if any of it can
        be applied, keeps it to confirm under a new token. InputRejected if it is empty,
        too long, or the thumbnail is not theirs."""
        instruction = _cleaned(text)
        if not instruction:
            raise InputRejected("edit_empty")
        if len(instruction) > MAX_INSTRUCTION_CHARS:
            raise InputRejected("edit_too_long", max=MAX_INSTRUCTION_CHARS, length=len(instruction))
        parent = await self._generations.result(profile_id, generation_id)
        if parent is None:
            raise InputRejected("edit_gone")
        plan = parse_instruction(instruction)
        applied = self._applied(plan, parent.input.mode)
        token = None
        if applied.anything:
            token = await self._write(profile_id, generation_id, instruction)
        return Proposal(generation_id, instruction, plan, applied, token)

    def _applied(self, plan: EditPlan, mode: str) -> Applied:
        return applied_by_model(plan) if self._model_edits else applied_locally(plan, mode)

    async def order(self, profile_id: UUID, token: str) -> GenerationInput | None:
        """The edit a confirm button stands for, as the input to charge; None if the
        button is stale (another instruction came since, cancelled, or charged)."""
        row = await self._db.fetch_one(
            "SELECT generation_id, instruction FROM edit_requests"
            " WHERE profile_id = %s AND token = %s AND instruction IS NOT NULL",
            [profile_id, token],
        )
        if row is None:
            return None
        parent = await self._generations.result(profile_id, row["generation_id"])
        if parent is None:
            return None
        instruction: str = row["instruction"]
        skipped = self._applied(parse_instruction(instruction), parent.input.mode).skipped
        return replace(
            parent.input,
            parent_id=str(parent.id),
            instructions=(*(parent.input.instructions or ()), instruction),
            edit_skipped=skipped or None,
        )

    async def close(self, profile_id: UUID, token: str) -> bool:
        """Ends the edit with this token (charged, or cancelled); False if it was not
        the current one."""
        row = await self._db.fetch_one(
            "DELETE FROM edit_requests WHERE profile_id = %s AND token = %s RETURNING token",
            [profile_id, token],
        )
        return row is not None

    async def forget(self, profile_id: UUID) -> bool:
        """/cancel: whatever edit the creator was in the middle of; False if none."""
        row = await self._db.fetch_one(
            "DELETE FROM edit_requests WHERE profile_id = %s RETURNING token", [profile_id]
        )
        return row is not None

    async def _write(self, profile_id: UUID, generation_id: UUID, instruction: str | None) -> str:
        """The creator's edit now: this thumbnail, this instruction (or none yet), under a
        fresh token, so buttons of an earlier one go stale."""
        token = secrets.token_urlsafe(6)
        await self._db.execute(
            """
            INSERT INTO edit_requests (profile_id, token, generation_id, instruction)
            VALUES (%s, %s, %s, %s)
            ON CONFLICT (profile_id) DO UPDATE SET
              token = EXCLUDED.token, generation_id = EXCLUDED.generation_id,
              instruction = EXCLUDED.instruction, updated_at = now()
            """,
            [profile_id, token, generation_id, instruction],
        )
        return token


def _cleaned(text: str) -> str:
    """The instruction without control characters and runs of spaces; line breaks stay
    (they separate instructions)."""
    text = "".join(" " if unicodedata.category(c)[0] == "C" and c != "\n" else c for c in text)
    return re.sub(r"\s*\n\s*", "\n", re.sub(r"[^\S\n]+", " ", text)).strip()
