"""`kill -9` at each point of a job's life, with 20 jobs in flight each time: queued (the
status message sent, not yet attached), running (Replicate working), rendered (Replicate
done, its output being fetched), sent (Telegram performed sendPhoto, its answer not yet
back) and status edited (the final "Done" edit performed, its answer not yet back).

A second process takes over. Every job must be delivered exactly once and none refunded;
the "sent" point is the documented ambiguous case: the photo is not sent again, the
status message says it is ready instead. The test prints the counts for each point."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from handlers.i18n import t
from sandbox.faults import Hold
from sandbox.server import SandboxServer
from sandbox.users import SandboxUser
from services.adapters.db import Database
from services.adapters.migrations import apply_migrations
from tests.conftest import ledger_sum
from tests.e2e.conftest import eventually
from tests.e2e.flows import order_text_thumbnail, photos, replicate_bot_env, told_ready
from tests.standins.replicate import ReplicateStandIn
from tests.test_bot_process import assert_no_error_lines, free_port, start_bot

JOBS = 20
POINTS = ["queued", "running", "rendered", "sent", "status_edited"]


def children_of(pid: int) -> set[int]:
    """The live processes whose parent is `pid` (its image workers)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's bookkeeping is left


async def none_alive(pids: set[int]) -> bool:
    return not any(alive(pid) for pid in pids)


async def count(db: Database, query: str, *params: object) -> int:
    return int(await db.fetch_value(query, list(params)) or 0)


def to_users(users: list[SandboxUser], text: str | None = None) -> Callable[[dict], bool]:
    """A sandbox filter: calls to these users' chats (with this text, if given)."""
    chats = {str(user.chat_id) for user in users}
    return lambda params: (
        str(params.get("chat_id")) in chats and (text is None or params.get("text") == text)
    )


async def arm(
    point: str, sandbox: SandboxServer, replicate: ReplicateStandIn, users: list[SandboxUser]
) -> Hold | None:
    """Sets the trap that stops all 20 jobs at `point`; None: watch the database instead."""
    if point == "queued":
        return sandbox.hold("sendMessage", when=to_users(users, t("en", "status_queued")))
    if point == "running":
        replicate.script.latency = 12.0
        return None
    replicate.script.latency = 0.5
    if point == "rendered":
        replicate.output_hold = Hold()
        return replicate.output_hold
    if point == "sent":
        return sandbox.hold("sendPhoto", when=to_users(users))
    return sandbox.hold("editMessageText", when=to_users(users, t("en", "status_done")))


@pytest.mark.parametrize("point", POINTS)
async def test_kill_9_at_each_point_delivers_every_job_once(
    point: str, sandbox: SandboxServer, create_database: Callable[[], str], tmp_path: Path
):
    conninfo = create_database()
    await apply_migrations(conninfo)
    db = Database(conninfo)
    await db.open()
    replicate = ReplicateStandIn()
    await replicate.start()
    token = sandbox.register_bot(f"thumbs_kill_{point}_bot")
    env = replicate_bot_env(sandbox, token, conninfo, replicate, lease=5)
    base = 4_700_000 + POINTS.index(point) * 100
    users = [sandbox.user(base + n, first_name=f"Kill{n}", bot=token) for n in range(JOBS)]
    port = free_port()
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    processes = []
    try:
        hold = await arm(point, sandbox, replicate, users)
        first = await start_bot(tmp_path, port, env=env, log=logs[0])
        processes.append(first)
        await asyncio.gather(
            *(
                order_text_thumbnail(user, f"Job {n} of the kill test")
                for n, user in enumerate(users)
            )
        )
        if hold is not None:
            await hold.wait_for(JOBS, within=60)
        else:
            await eventually(
                lambda: _all(
                    db, "SELECT count(*) FROM generations WHERE provider_job_id IS NOT NULL"
                ),
                within=60,
            )
        workers = children_of(first.pid)
        first.send_signal(signal.SIGKILL)
        await first.wait()
        await eventually(lambda: none_alive(workers), within=10)  # no orphans left behind
        sandbox.faults.clear()
        if replicate.output_hold is not None:
            replicate.output_hold.release()
            replicate.output_hold = None
        replicate.script.latency = 0.5

        processes.append(await start_bot(tmp_path, port, env=env, log=logs[1]))
        await eventually(
            lambda: _all(db, "SELECT count(*) FROM generations WHERE delivered_at IS NOT NULL"),
            within=90,
        )
        await asyncio.sleep(1.0)  # anything sent twice would arrive by now
    finally:
        sandbox.faults.clear()
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                await process.wait()
        await replicate.stop()

    sent = [photos(user) for user in users]
    resumed = sum(1 for user in users if told_ready(user))
    refunds = await count(
        db, "SELECT count(*) FROM credit_ledger WHERE reason = 'generation_refund'"
    )
    charges = await count(
        db, "SELECT count(*) FROM credit_ledger WHERE reason = 'generation_charge'"
    )
    profiles = await db.fetch_all("SELECT id, credits FROM profiles")
    sums = [await ledger_sum(db, row["id"]) == row["credits"] for row in profiles]
    await db.close()
    duplicates = sum(max(0, n - 1) for n in sent)
    print(
        f"\nkill -9 at {point}: {JOBS} jobs, {sum(sent)} photos, {duplicates} duplicates, "
        f"{resumed} resumed as 'ready', {refunds} refunds"
    )
    for log in logs:
        assert_no_error_lines(log.read_text())
    assert (charges, refunds, duplicates) == (JOBS, 0, 0)
    assert all(sums)
    assert sent == [1] * JOBS
    # At "sent" Telegram performed every send: the successor says "ready", never resends.
    assert resumed == (JOBS if point == "sent" else 0)


async def _all(db: Database, query: str) -> bool:
    return await count(db, query) == JOBS
