"""The database goes away for six seconds just as a finished thumbnail is being completed:
the bot process waits for it and delivers, instead of refunding a good result or letting
a job task die unhandled ("Task exception was never retrieved")."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from sandbox.faults import Hold
from sandbox.server import SandboxServer
from services.adapters.db import Database
from services.adapters.migrations import apply_migrations
from tests.conftest import ledger_sum
from tests.e2e.conftest import with_photo
from tests.e2e.flows import order_text_thumbnail, photos, replicate_bot_env
from tests.standins.replicate import ReplicateStandIn
from tests.test_bot_process import assert_no_error_lines, free_port, start_bot

OUTAGE_SECONDS = 6.0


@contextlib.asynccontextmanager
async def outage(server_conninfo: str, database: str) -> AsyncIterator[None]:
    """No connections to `database` inside the block: open ones are cut, new ones refused."""
    async with await psycopg.AsyncConnection.connect(server_conninfo, autocommit=True) as admin:
        await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            [database],
        )
        try:
            yield
        finally:
            await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')


async def test_a_database_outage_while_finishing_neither_refunds_nor_loses_the_thumbnail(
    sandbox: SandboxServer,
    server_conninfo: str,
    create_database: Callable[[], str],
    tmp_path: Path,
):
    conninfo = create_database()
    await apply_migrations(conninfo)
    replicate = ReplicateStandIn()
    replicate.script.latency = 0.5
    replicate.output_hold = Hold()  # the image is made; its download waits for the outage
    await replicate.start()
    token = sandbox.register_bot("thumbs_outage_bot")
    env = replicate_bot_env(sandbox, token, conninfo, replicate, lease=30)
    user = sandbox.user(4_800_101, first_name="Outage", bot=token)
    log = tmp_path / "bot.log"
    process = await start_bot(tmp_path, free_port(), env=env, log=log)
    try:
        await order_text_thumbnail(user, "The day the database went away")
        await replicate.output_hold.wait_for(1)
        async with outage(server_conninfo, conninfo_to_dict(conninfo)["dbname"]):
            replicate.output_hold.release()  # store, complete, deliver: all need the database
            await asyncio.sleep(OUTAGE_SECONDS)
        await user.wait_for_message(with_photo, timeout=60)
        await asyncio.sleep(1.0)
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()
        await replicate.stop()

    db = Database(conninfo)
    await db.open()
    try:
        row = await db.fetch_one(
            "SELECT id, profile_id, status, attempts, refunded_at, delivery_method FROM generations"
        )
        assert row is not None
        assert (row["status"], row["attempts"], row["refunded_at"]) == ("succeeded", 1, None)
        assert row["delivery_method"] == "sent"
        assert await ledger_sum(db, row["profile_id"]) == 40
    finally:
        await db.close()
    assert photos(user) == 1
    output = log.read_text()
    assert "never retrieved" not in output
    assert_no_error_lines(output)
