"""Applies the numbered SQL files in sql/ once each, in order, and records them.

Each migration runs in its own transaction that first takes a transaction-level advisory
lock, so two processes starting at once apply every file exactly once (the second waits,
then sees it recorded). Transaction-level locks also work through Supabase's transaction
pooler, where session-level locks would leak between clients. A recorded migration whose
file has since changed is an error: applied history must not drift silently.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from services.adapters.db import CONNECTION_KWARGS, Connection

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "sql"
# An arbitrary constant that identifies this project's migration lock.
MIGRATION_LOCK_KEY = 724_512_001
_FILE_NAME = re.compile(r"^(?P<version>\d{3})_(?P<name>[a-z0-9_]+)\.sql$")


class MigrationError(RuntimeError):
    """The recorded migrations and the files in sql/ disagree."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def label(self) -> str:
        return f"{self.version:03d}_{self.name}"

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migrations in a directory, by version; file names are `NNN_name.sql`."""
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise MigrationError(f"unexpected file name in {directory}: {path.name}")
        migrations.append(
            Migration(int(match["version"]), match["name"], path.read_text(encoding="utf-8"))
        )
    versions = [migration.version for migration in migrations]
    if len(versions) != len(set(versions)):
        raise MigrationError(f"two migrations share a version number in {directory}")
    return migrations


async def apply_migrations(conninfo: str, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Applies pending migrations; returns those this call applied (possibly none)."""
    applied = []
    conn = await Connection.connect(conninfo, **CONNECTION_KWARGS)
    async with conn:
        for migration in discover(directory):
            if await _apply_one(conn, migration):
                applied.append(migration)
                logger.info("applied migration %s", migration.label)
    return applied


async def _apply_one(conn: Connection, migration: Migration) -> bool:
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK_KEY])
        await conn.execute(
            """
            CREATE TABLE IF NOT EXISTS public.schema_migrations (
              version INT PRIMARY KEY,
              name TEXT NOT NULL,
              checksum TEXT NOT NULL,
              applied_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()
            )
            """
        )
        cursor = await conn.execute(
            "SELECT checksum FROM public.schema_migrations WHERE version = %s", [migration.version]
        )
        recorded = await cursor.fetchone()
        if recorded is not None:
            if recorded["checksum"] != migration.checksum:
                raise MigrationError(
                    f"migration {migration.label} was changed after it was applied"
                )
            return False
        await conn.execute(migration.sql)
        await conn.execute(
            "INSERT INTO public.schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
            [migration.version, migration.name, migration.checksum],
        )
        cursor = await conn.execute(
            "SELECT to_regprocedure('public.lock_down_public_schema()') AS fn"
        )
        row = await cursor.fetchone()
        if row is not None and row["fn"] is not None:
            await conn.execute("SELECT public.lock_down_public_schema()")
        return True
