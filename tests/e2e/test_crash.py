"""A bot process killed (SIGKILL) in the middle of a generation: the next process picks
the job up when its lease runs out, resumes the same Replicate prediction (the real
library against the loopback stand-in), and delivers it. One charge, no refund, one
prediction paid for, one delivered thumbnail."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from pathlib import Path

import psycopg

from sandbox.server import SandboxServer
from services.adapters.db import Database
from services.adapters.migrations import apply_migrations
from tests.conftest import ledger_sum
from tests.e2e.conftest import containing, eventually, image_size, with_button, with_photo
from tests.standins.replicate import ReplicateStandIn
from tests.test_bot_process import assert_no_error_lines, free_port, start_bot


async def prediction_recorded(conninfo: str) -> bool:
    """The worker wrote down the prediction it started (what a successor resumes)."""
    async with await psycopg.AsyncConnection.connect(conninfo) as conn:
        cursor = await conn.execute("SELECT provider_job_id FROM generations")
        row = await cursor.fetchone()
    return row is not None and row[0] is not None


async def test_a_killed_process_loses_neither_the_job_nor_the_credits(
    sandbox: SandboxServer, create_database: Callable[[], str], tmp_path: Path
):
    conninfo = create_database()
    await apply_migrations(conninfo)
    replicate = ReplicateStandIn()
    replicate.script.latency = 4.0
    await replicate.start()
    token = sandbox.register_bot("thumbs_crash_bot")
    port = free_port()
    env = {
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_URL": sandbox.url,
        "DATABASE_URL": conninfo,
        "REPLICATE_API_TOKEN": replicate.token,
        "REPLICATE_BASE_URL": replicate.url,
        "GENERATION_LEASE_SECONDS": "5",
    }
    user = sandbox.user(4_800_001, first_name="Crash", bot=token)
    log = tmp_path / "bot.log"  # both processes' output, checked for errors at the end
    first = await start_bot(tmp_path, port, env=env, log=log)
    second = None
    try:
        await user.send_command("/start")
        await user.wait_for_message(containing("Welcome"), timeout=60)
        await user.send_command("/generate")
        chooser = await user.wait_for_message(containing("What kind of thumbnail"))
        await user.press(chooser, chooser.buttons[0]["callback_data"])
        await user.wait_for_message(containing("Describe your video"))
        await user.send_text("What happens when the server crashes")
        order = await user.wait_for_message(with_button("Generate"))
        await user.press(order, order.buttons[0]["callback_data"])
        await asyncio.wait_for(replicate.first_created(), timeout=20)
        await eventually(lambda: prediction_recorded(conninfo), within=10)

        first.send_signal(signal.SIGKILL)
        await first.wait()
        second = await start_bot(tmp_path, port, env=env, log=log)

        delivered = await user.wait_for_message(with_photo, timeout=60)
        assert image_size(user.file_bytes(delivered)) == (1280, 720)
    finally:
        for process in (first, second):
            if process is not None and process.returncode is None:
                process.send_signal(signal.SIGTERM)
                await process.wait()
        await replicate.stop()
    assert_no_error_lines(log.read_text())

    db = Database(conninfo)
    await db.open()
    try:
        row = await db.fetch_one("SELECT id, profile_id, status, attempts FROM generations")
        assert row is not None
        assert (row["status"], row["attempts"]) == ("succeeded", 2)
        reasons = await db.fetch_all(
            "SELECT reason FROM credit_ledger WHERE reference = %s", [str(row["id"])]
        )
        assert [r["reason"] for r in reasons] == ["generation_charge"]
        assert await ledger_sum(db, row["profile_id"]) == 40
    finally:
        await db.close()
    assert len(replicate.creates) == 1, "the second process resumed the same prediction"
