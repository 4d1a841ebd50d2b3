"""Which Replicate prediction each generation started (generations.provider_job_id).

A worker that takes a job over after a crash looks here first: a prediction that is still
running or already succeeded is resumed, not paid for twice."""

from __future__ import annotations

from uuid import UUID

from services.adapters.db import Database


class PredictionLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def previous(self, generation_id: UUID) -> str | None:
        prediction_id: str | None = await self._db.fetch_value(
            "SELECT provider_job_id FROM generations WHERE id = %s", [generation_id]
        )
        return prediction_id

    async def record(self, generation_id: UUID, prediction_id: str) -> None:
        await self._db.execute(
            "UPDATE generations SET provider_job_id = %s WHERE id = %s",
            [prediction_id, generation_id],
        )
