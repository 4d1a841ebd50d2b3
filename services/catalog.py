"""The generation modes and their costs (generation_types), as the seed defines them."""

from __future__ import annotations

from dataclasses import dataclass

from services.adapters.db import Database
from services.errors import UnknownGenerationType


@dataclass(frozen=True)
class GenerationType:
    type_key: str
    display_name: str | None
    cost_credits: int


class CatalogService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def generation_types(self) -> list[GenerationType]:
        rows = await self._db.fetch_all(
            "SELECT type_key, display_name, cost_credits FROM generation_types"
            " ORDER BY cost_credits, type_key"
        )
        return [GenerationType(**row) for row in rows]

    async def cost_of(self, type_key: str) -> int:
        """What one generation of the mode costs now; UnknownGenerationType if none."""
        cost = await self._db.fetch_value(
            "SELECT cost_credits FROM generation_types WHERE type_key = %s", [type_key]
        )
        if cost is None:
            raise UnknownGenerationType(f"unknown generation type {type_key}")
        return int(cost)

    async def upsert_generation_type(
        self, type_key: str, display_name: str | None, cost_credits: int
    ) -> GenerationType:
        """Adds a mode or changes its name and cost (an admin action)."""
        row = await self._db.fetch_one(
            "SELECT type_key, display_name, cost_credits FROM upsert_generation_type(%s, %s, %s)",
            [type_key, display_name, cost_credits],
        )
        assert row is not None
        return GenerationType(**row)
