"""The database module: a psycopg connection pool and the one place SQL errors are mapped.

Connections never use server-side prepared statements (`prepare_threshold=None`), so the
same code runs through Supabase's transaction pooler. Autocommit is on: every call of a
money-moving SQL function is exactly one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from tenacity import (
    AsyncRetrying,
    before_sleep_log,
    retry_if_exception_type,
    stop_after_delay,
    wait_exponential,
)

from services.errors import from_sqlstate

logger = logging.getLogger(__name__)

Row = dict[str, Any]
#: A connection as this module configures it: rows come back as dicts (CONNECTION_KWARGS).
Connection = psycopg.AsyncConnection[Row]
Params = Sequence[Any] | dict[str, Any] | None
T = TypeVar("T")

#: The database is unreachable for a moment (a restart, a failover, a full pool): the
#: same call may well succeed a little later. Domain errors are never among these.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (psycopg.OperationalError, PoolTimeout)

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
            connection_class=Connection,
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
    async def transaction(self) -> AsyncIterator[Connection]:
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
        """The first column of the first row, or None. Typed Any because the column's type
        is the query's: callers declare what they expect (`count: int = await ...`)."""
        row = await self.fetch_one(query, params)
        return next(iter(row.values())) if row else None

    async def execute(self, query: str, params: Params = None) -> None:
        await self.fetch_all(query, params)


async def persistently(
    call: Callable[[], Awaitable[T]], *, within: float = 120.0, first_wait: float = 0.2
) -> T:
    """Runs `call`, retrying it with backoff while the database is unreachable, for up
    to `within` seconds; then the last transient error is raised. For the steps of a
    job's finish that must not be lost to a blink (store, complete, refund, deliver):
    each is guarded in SQL, so a retry after a commit whose answer was lost never moves
    credits or sends a thumbnail twice."""
    retrying = AsyncRetrying(
        retry=retry_if_exception_type(TRANSIENT_ERRORS),
        wait=wait_exponential(multiplier=first_wait, max=5.0),
        stop=stop_after_delay(within),
        before_sleep=before_sleep_log(logger, logging.WARNING),
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            return await call()
    raise AssertionError("unreachable: tenacity reraises")
