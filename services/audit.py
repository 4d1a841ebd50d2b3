"""The admin audit trail (sql/013_admin_audit.sql): one append-only row per admin action,
written in the same transaction as the action where the action is in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from services.adapters.db import Connection, Database


@dataclass(frozen=True)
class AuditEntry:
    id: int
    admin_telegram_id: int
    action: str
    arguments: dict[str, Any]
    before: Any
    after: Any
    created_at: datetime


class AuditService:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self,
        admin_telegram_id: int,
        action: str,
        arguments: dict[str, Any],
        before: Any = None,
        after: Any = None,
        *,
        conn: Connection | None = None,
    ) -> int:
        """Writes one row; pass `conn` to commit it together with the action itself."""
        query = "SELECT record_admin_action(%s, %s, %s, %s, %s)"
        params = [
            admin_telegram_id,
            action,
            Jsonb(arguments),
            Jsonb(before) if before is not None else None,
            Jsonb(after) if after is not None else None,
        ]
        if conn is not None:
            cursor = await conn.execute(query, params)
            row = await cursor.fetchone()
            assert row is not None
            return int(next(iter(row.values())))
        return int(await self._db.fetch_value(query, params))

    async def latest(self, limit: int = 20) -> list[AuditEntry]:
        rows = await self._db.fetch_all(
            "SELECT id, admin_telegram_id, action, arguments, before, after, created_at"
            " FROM admin_audit ORDER BY created_at DESC, id DESC LIMIT %s",
            [limit],
        )
        return [AuditEntry(**row) for row in rows]
