"""Migrations: an empty PostgreSQL gets everything; running twice, or from two processes
at once, applies each file exactly once; an applied file that changed is refused."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from services.adapters.migrations import MIGRATIONS_DIR, MigrationError, apply_migrations, discover

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEED_TABLES = {
    "profiles": {"id", "credits", "referral_code", "referred_by", "created_at", "updated_at"},
    "generation_types": {"type_key", "display_name", "cost_credits"},
    "generations": {
        "id",
        "profile_id",
        "generation_type",
        "output_image_url",
        "credit_cost",
        "created_at",
    },
    "user_images": {"id", "profile_id", "image_url", "created_at"},
    "subscriptions": {
        "id",
        "profile_id",
        "plan_name",
        "is_active",
        "start_date",
        "end_date",
        "created_at",
    },
    "payments": {"id", "profile_id", "stripe_payment_id", "amount", "credits_added", "created_at"},
}


def columns(conninfo: str, table: str) -> set[str]:
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = %s",
            [table],
        ).fetchall()
    return {row[0] for row in rows}


def recorded_versions(conninfo: str) -> list[int]:
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    return [row[0] for row in rows]


async def test_empty_database_gets_everything_and_a_second_run_is_a_no_op(
    create_database: Callable[[], str],
):
    conninfo = create_database()

    first = await apply_migrations(conninfo)
    second = await apply_migrations(conninfo)

    assert [m.version for m in first] == [m.version for m in discover()]
    assert second == []
    for table, seed_columns in SEED_TABLES.items():
        assert seed_columns <= columns(conninfo, table), table
    assert {"telegram_id", "username", "first_name", "language_code"} <= columns(
        conninfo, "profiles"
    )
    assert {"status", "input", "error"} <= columns(conninfo, "generations")
    assert {"provider", "provider_payment_id"} <= columns(conninfo, "payments")
    assert {"provider_subscription_id", "current_period_end"} <= columns(conninfo, "subscriptions")
    assert {"delta", "balance_after", "reason", "reference", "created_at"} <= columns(
        conninfo, "credit_ledger"
    )


async def test_every_foreign_key_is_indexed(migrated_conninfo: str):
    with psycopg.connect(migrated_conninfo) as conn:
        unindexed = conn.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname
              FROM pg_constraint c
             WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
               AND NOT EXISTS (
                 SELECT 1 FROM pg_index i
                  WHERE i.indrelid = c.conrelid
                    AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] = c.conkey
               )
            """
        ).fetchall()
    assert unindexed == []


async def test_two_processes_migrating_at_once_apply_each_file_once(
    create_database: Callable[[], str],
):
    conninfo = create_database()
    env = {**os.environ, "DATABASE_URL": conninfo}

    async def migrate() -> tuple[int, bytes]:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "migrate",
            cwd=PROJECT_ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await process.communicate()
        return process.returncode or 0, output

    results = await asyncio.gather(migrate(), migrate(), migrate())

    assert [code for code, _ in results] == [0, 0, 0], [out.decode() for _, out in results]
    assert recorded_versions(conninfo) == [m.version for m in discover()]
    with psycopg.connect(conninfo) as conn:
        # the six modes and the edit by instruction (sql/022)
        assert conn.execute("SELECT count(*) FROM generation_types").fetchone() == (7,)


async def migrated_copy(create_database: Callable[[], str], tmp_path: Path) -> tuple[str, Path]:
    """A database migrated from a copy of sql/ that the test may then edit."""
    conninfo = create_database()
    directory = tmp_path / "sql"
    shutil.copytree(MIGRATIONS_DIR, directory)
    await apply_migrations(conninfo, directory)
    return conninfo, directory


async def test_a_changed_applied_migration_is_refused(
    create_database: Callable[[], str], tmp_path: Path
):
    conninfo, directory = await migrated_copy(create_database, tmp_path)

    seed = directory / "004_seed.sql"
    seed.write_text(seed.read_text() + "\n-- edited after release\n")

    with pytest.raises(MigrationError, match="changed after it was applied"):
        await apply_migrations(conninfo, directory)


async def test_a_new_migration_is_applied_and_locked_down(
    create_database: Callable[[], str], tmp_path: Path
):
    conninfo, directory = await migrated_copy(create_database, tmp_path)
    (directory / "900_extra.sql").write_text("CREATE TABLE extra_things (id INT PRIMARY KEY);")

    applied = await apply_migrations(conninfo, directory)

    assert [m.name for m in applied] == ["extra"]
    with psycopg.connect(conninfo) as conn:
        assert conn.execute(
            "SELECT relrowsecurity FROM pg_class WHERE relname = 'extra_things'"
        ).fetchone() == (True,)


def test_badly_named_migration_files_are_refused(tmp_path: Path):
    (tmp_path / "1_oops.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError):
        discover(tmp_path)
