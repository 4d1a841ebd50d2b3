"""The database module: a psycopg connection pool and the one place SQL errors are mapped.

Connections never use server-side prepared statements (`prepare_threshold=None`), so the
same code runs through Supabase's transaction pooler. Autocommit is on: every call of a
money-moving SQL function is exactly one transaction.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from services.errors import from_sqlstate

Row = dict[str, Any]
Params = Sequence[Any] | dict[str, Any] | None

CONNECTION_KWARGS: dict[str, Any] = {
    "prepare_threshold": None,
    "autocommit": True,
    "row_factory": dict_row,
}


def translate_error(error: psycopg.Error) -> Exception:
    """A domain error for the project's own SQLSTATEs; the original error otherwise."""
    diag = error.diag
    domain = from_sqlstate(diag.sqlstate, diag.message_primary or str(error), diag.message_detail)
    return domain if domain is not None else error


class Database:
    """An async pool of connections to one PostgreSQL database."""

    def __init__(self, conninfo: str, *, min_size: int = 1, max_size: int = 10) -> None:
        self._pool = AsyncConnectionPool(
            conninfo,
            min_size=min_size,
            max_size=max_size,
            kwargs=CONNECTION_KWARGS,
            # Recycle connections before a pooler or firewall drops them silently;
            # no ping per checkout, which would double the round trips of every call.
            max_idle=300,
            max_lifetime=1800,
            open=False,
            name="thumbbot",
        )

    async def open(self) -> None:
        await self._pool.open(wait=True, timeout=30)

    async def close(self) -> None:
        await self._pool.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[psycopg.AsyncConnection[Row]]:
        """A connection inside one transaction; domain errors are raised as such."""
        async with self._pool.connection() as conn:
            try:
                async with conn.transaction():
                    yield conn
            except psycopg.Error as error:
                raise translate_error(error) from error

    async def fetch_one(self, query: str, params: Params = None) -> Row | None:
        rows = await self.fetch_all(query, params)
        return rows[0] if rows else None

    async def fetch_all(self, query: str, params: Params = None) -> list[Row]:
        async with self._pool.connection() as conn:
            try:
                cursor = await conn.execute(query, params)
                return await cursor.fetchall() if cursor.description else []
            except psycopg.Error as error:
                raise translate_error(error) from error

    async def fetch_value(self, query: str, params: Params = None) -> Any:
        row = await self.fetch_one(query, params)
        return next(iter(row.values())) if row else None

    async def execute(self, query: str, params: Params = None) -> None:
        await self.fetch_all(query, params)
