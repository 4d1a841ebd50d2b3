"""Where a Telegram user's login account (auth.users) comes from.

With Supabase configured, the account is created through the Supabase Auth admin API:
no password, a synthetic address under the reserved `.invalid` domain (nothing is ever
sent to it), and the Telegram id in app_metadata. Without Supabase, the same row is
written to the local auth.users stand-in. Both are idempotent per Telegram user.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

from psycopg.types.json import Jsonb

from services.adapters.db import Database

if TYPE_CHECKING:  # Supabase's libraries take 0.2 s to import: only a configured run does
    from supabase import AsyncClient

logger = logging.getLogger(__name__)


def synthetic_email(telegram_id: int) -> str:
    """A stable, non-deliverable address that identifies the Telegram user."""
    return f"telegram-{telegram_id}@users.telegram.invalid"


def app_metadata(telegram_id: int) -> dict[str, object]:
    return {"provider": "telegram", "providers": ["telegram"], "telegram_id": telegram_id}


class AuthUsers(Protocol):
    async def ensure_user(self, telegram_id: int, display: dict[str, str | None]) -> UUID:
        """The auth user id for a Telegram user, creating the user if needed."""
        ...


async def _find_by_email(db: Database, email: str) -> UUID | None:
    value = await db.fetch_value("SELECT id FROM auth.users WHERE email = %s", [email])
    return UUID(str(value)) if value is not None else None


class LocalAuthUsers:
    """auth.users rows written directly (the local stand-in, no Supabase)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def ensure_user(self, telegram_id: int, display: dict[str, str | None]) -> UUID:
        email = synthetic_email(telegram_id)
        async with self._db.transaction() as conn:
            await conn.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended('auth:' || %s::text, 0))",
                [telegram_id],
            )
            cursor = await conn.execute("SELECT id FROM auth.users WHERE email = %s", [email])
            row = await cursor.fetchone()
            if row is None:
                cursor = await conn.execute(
                    """
                    INSERT INTO auth.users (id, email, raw_app_meta_data, raw_user_meta_data)
                    VALUES (gen_random_uuid(), %s, %s, %s) RETURNING id
                    """,
                    [email, Jsonb(app_metadata(telegram_id)), Jsonb(display)],
                )
                row = await cursor.fetchone()
            assert row is not None
            return UUID(str(row["id"]))


class SupabaseAuthUsers:
    """Accounts created with the Supabase Auth admin API (service role key)."""

    def __init__(self, client: AsyncClient, db: Database) -> None:
        self._client = client
        self._db = db

    async def ensure_user(self, telegram_id: int, display: dict[str, str | None]) -> UUID:
        email = synthetic_email(telegram_id)
        existing = await _find_by_email(self._db, email)
        if existing is not None:
            return existing
        from supabase_auth.errors import AuthApiError  # Supabase's libraries: only when used

        try:
            response = await self._client.auth.admin.create_user(
                {
                    "email": email,
                    "email_confirm": True,
                    "app_metadata": app_metadata(telegram_id),
                    "user_metadata": display,
                }
            )
        except AuthApiError as error:
            # Another process created it a moment ago: the row is in auth.users now.
            if error.code not in ("email_exists", "user_already_exists"):
                raise
            found = await _find_by_email(self._db, email)
            if found is None:
                raise
            return found
        return UUID(response.user.id)
