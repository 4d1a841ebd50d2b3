"""The variants of one order (sql/019) as the delivery sees them: a batch of generations
that ran as separate jobs and reach the chat together, once the last one finished.

Charging a batch is GenerationService.start_batch; each member then runs, succeeds or is
refunded like any generation (services/jobs.py). This module reads a batch back: where
it goes, how far it got, and what each member came to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from services.adapters.db import Database
from services.generation import GenerationService, Outcome


@dataclass(frozen=True)
class Batch:
    """A batch and where to report it: its chat, its one status message, the language."""

    id: UUID
    profile_id: UUID
    mode: str
    input: dict[str, Any]  # the first variant's request (for the album's caption)
    chat_id: int | None
    status_message_id: int | None
    language_code: str | None
    size: int
    finished: int  # members that succeeded or failed so far

    @property
    def complete(self) -> bool:
        return self.finished >= self.size


@dataclass(frozen=True)
class BatchOutcome:
    """What every variant came to, in variant order (variant n is members[n - 1])."""

    members: tuple[Outcome, ...]
    balance: int

    @property
    def succeeded(self) -> list[tuple[int, Outcome]]:
        """(variant number from 1, outcome) of the variants that were made."""
        return [(n, m) for n, m in enumerate(self.members, start=1) if m.succeeded]

    @property
    def failed(self) -> list[tuple[int, Outcome]]:
        return [(n, m) for n, m in enumerate(self.members, start=1) if not m.succeeded]

    @property
    def refunded(self) -> int:
        return sum(member.refunded for member in self.members)


class VariantBatches:
    def __init__(self, db: Database, generations: GenerationService) -> None:
        self._db = db
        self._generations = generations

    async def load(self, batch_id: UUID) -> Batch | None:
        row = await self._db.fetch_one(
            """
            SELECT b.id, b.profile_id, b.telegram_chat_id, b.status_message_id, b.size,
                   p.language_code, first.generation_type, first.input,
                   (SELECT count(*) FROM generations g
                     WHERE g.batch_id = b.id AND g.status IN ('succeeded', 'failed'))
                     AS finished
              FROM generation_batches b
              JOIN profiles p ON p.id = b.profile_id
              JOIN generations first ON first.batch_id = b.id AND first.variant_index = 0
             WHERE b.id = %s
            """,
            [batch_id],
        )
        if row is None:
            return None
        return Batch(
            id=row["id"],
            profile_id=row["profile_id"],
            mode=row["generation_type"],
            input=row["input"],
            chat_id=row["telegram_chat_id"],
            status_message_id=row["status_message_id"],
            language_code=row["language_code"],
            size=row["size"],
            finished=int(row["finished"]),
        )

    async def outcome(self, batch: Batch) -> BatchOutcome:
        """Every member's outcome (their images read from storage) and the balance now;
        the batch must be complete."""
        ids = await self._db.fetch_all(
            "SELECT id FROM generations WHERE batch_id = %s ORDER BY variant_index", [batch.id]
        )
        members = tuple([await self._generations.outcome_of(row["id"]) for row in ids])
        balance = await self._db.fetch_value(
            "SELECT credits FROM profiles WHERE id = %s", [batch.profile_id]
        )
        return BatchOutcome(members, int(balance))
