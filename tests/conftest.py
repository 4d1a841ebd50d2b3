"""Shared fixtures: a real PostgreSQL (embedded unless TEST_DATABASE_URL is set), fresh
migrated databases, and the services wired to them exactly as the bot wires them."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from services.accounts import AccountService, TelegramUser
from services.adapters.auth_users import LocalAuthUsers
from services.adapters.db import Database
from services.adapters.embedded_postgres import EmbeddedPostgres
from services.adapters.migrations import apply_migrations
from services.catalog import CatalogService
from services.credits import CreditService
from services.generators.cpu import shutdown_pool
from services.referrals import ReferralService

pytest_plugins = ["tests.replicate_fixtures", "tests.leftovers"]


@pytest.fixture(scope="session", autouse=True)
def image_pool() -> Iterator[None]:
    """Tests render in this process's image pool; it stops with the session, as it stops
    with the bot (the leftover-process check in tests/leftovers.py holds both to it)."""
    yield
    shutdown_pool()


@pytest.fixture(scope="session")
def server_conninfo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL server to create test databases on (its maintenance database)."""
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    embedded = EmbeddedPostgres(tmp_path_factory.mktemp("embedded"))
    yield embedded.start()
    embedded.stop()


@pytest.fixture(scope="session")
def create_database(server_conninfo: str) -> Iterator[Callable[[], str]]:
    """Makes empty databases on the test server; drops them at the end of the session."""
    created: list[str] = []

    def create() -> str:
        name = f"test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(server_conninfo, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return make_conninfo(server_conninfo, dbname=name)

    yield create
    with psycopg.connect(server_conninfo, autocommit=True) as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
async def migrated_conninfo(create_database: Callable[[], str]) -> str:
    conninfo = create_database()
    await apply_migrations(conninfo)
    return conninfo


@pytest.fixture(scope="session")
async def db(migrated_conninfo: str) -> AsyncIterator[Database]:
    database = Database(migrated_conninfo, min_size=2, max_size=40)
    await database.open()
    yield database
    await database.close()


@pytest.fixture(scope="session")
def accounts(db: Database) -> AccountService:
    return AccountService(db, LocalAuthUsers(db))


@pytest.fixture(scope="session")
def credits(db: Database) -> CreditService:
    return CreditService(db)


@pytest.fixture(scope="session")
def referrals(db: Database) -> ReferralService:
    return ReferralService(db)


@pytest.fixture(scope="session")
def catalog(db: Database) -> CatalogService:
    return CatalogService(db)


_telegram_ids = itertools.count(start=int(uuid.uuid4().int % 10**9) * 1000)


@pytest.fixture
def new_user() -> Callable[..., TelegramUser]:
    """A Telegram user the database has never seen."""

    def make(**fields: str) -> TelegramUser:
        return TelegramUser(id=next(_telegram_ids), **fields)

    return make


async def ledger_sum(db: Database, profile_id: uuid.UUID) -> int:
    """What an accountant adds up: the sum of a profile's ledger deltas."""
    value = await db.fetch_value(
        "SELECT COALESCE(sum(delta), 0) FROM credit_ledger WHERE profile_id = %s", [profile_id]
    )
    return int(value)
