"""Three `python -m bot` processes in webhook mode, one database, behind a round-robin
proxy that the Bot API (the sandbox) posts updates to: many users at once go through the
whole flow (start, a referral, a face, a thumbnail, a credit pack), and one process is
killed (SIGKILL) in the middle. They behave as one bot: every user hears every answer,
nothing is charged or credited twice, every ledger sums to its balance.

The process is killed while it is making thumbnails and between updates: its jobs are
taken over when their leases run out and delivered once. (An update cut short by a kill
is handled again by another process, as Telegram itself redelivers an update it never
heard back about; where its handler had already answered, the answer may come twice, and
where it had done its work but not yet said so, the re-run may say nothing: repeats are
only allowed in the chats of updates taken over.)
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import psycopg

from sandbox.samples import sample_face
from sandbox.server import SandboxServer
from sandbox.users import SandboxUser
from sandbox.views import SentMessage
from services.adapters.db import Database
from services.adapters.migrations import apply_migrations
from tests.e2e.conftest import containing, with_button, with_photo
from tests.e2e.flows import press_starting_with
from tests.e2e.webhook_cluster import WebhookCluster
from tests.test_bot_process import assert_no_error_lines

#: Users in the test: pairs of a referrer and the friend who joins through their link.
#: The benchmark (bench/webhook_throughput.py) runs the same flow with 300.
USERS = int(os.environ.get("MULTIPROCESS_USERS", "100"))
PROCESSES = 3
WITHIN = 60.0  # seconds any one answer may take under this load
PACK = "pack_100"
SIGNUP, REFERRAL, THUMBNAIL, PACK_CREDITS = 50, 30, 10, 100


def bot_env(sandbox: SandboxServer, token: str, conninfo: str) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_URL": sandbox.url,
        "DATABASE_URL": conninfo,
        # short leases, so the killed process's updates and jobs move on quickly
        "UPDATE_LEASE_SECONDS": "3",
        "GENERATION_LEASE_SECONDS": "5",
    }


async def whole_flow(
    user: SandboxUser, *, invite: asyncio.Future[str] | None, joins_by: asyncio.Future[str] | None
) -> None:
    """A referrer (`invite` set: the link it hands over) or their friend (`joins_by`)."""
    if joins_by is not None:
        await user.send_command("/start", await joins_by)
    else:
        await user.send_command("/start")
    await user.wait_for_message(containing("Welcome"), timeout=WITHIN)
    if invite is not None:
        await user.send_command("/referral")
        link = await user.wait_for_message(containing("?start=ref_"), timeout=WITHIN)
        assert link.text is not None
        invite.set_result(link.text.split("?start=")[1].split()[0])
    await user.send_photo(sample_face())
    offer = await user.wait_for_message(with_button("Save"), timeout=WITHIN)
    await press_starting_with(user, offer, "Save")
    await user.wait_for_message(containing("Saved"), timeout=WITHIN)
    await user.send_command("/generate")
    chooser = await user.wait_for_message(containing("What kind of thumbnail"), timeout=WITHIN)
    await press_starting_with(user, chooser, "From a description")
    await user.wait_for_message(containing("Describe your video"), timeout=WITHIN)
    await user.send_text(f"How {user.id} built a cabin alone in the woods")
    order = await user.wait_for_message(with_button("Generate"), timeout=WITHIN)
    await press_starting_with(user, order, "Generate")
    await user.wait_for_message(lambda m: with_photo(m) or _ready(m), timeout=WITHIN)
    await user.send_command("/buy")
    menu = await user.wait_for_message(containing("Credit packs"), timeout=WITHIN)
    await user.press(menu, f"buy:pack:{PACK}")
    invoice = await user.wait_for_message(lambda m: m.invoice is not None, timeout=WITHIN)
    payment = await user.pay(invoice, timeout=WITHIN)
    assert payment.ok, payment.error_message
    await user.wait_for_message(containing("Payment received"), timeout=WITHIN)


def _ready(message: SentMessage) -> bool:
    """A delivery the killed process had begun is not sent again: the status says the
    thumbnail is ready, with a button to show it (bot/delivery.py)."""
    return "thumbnail is ready" in (message.text or "")


async def kill_while_making(cluster: WebhookCluster, index: int, conninfo: str) -> list[str]:
    """SIGKILLs bot `index` the moment it is seen running generation jobs and no update:
    the jobs' leases bring them back elsewhere. (An update cut short may be answered
    twice, or not at all where its handler had done its work but not yet said so: the
    trade-off of any redelivery, left out of this test's count.) Returns the jobs' ids."""
    owner = f"%:{cluster.bots[index].process.pid}:%"
    deadline = time.monotonic() + 60
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
        while time.monotonic() < deadline:
            cursor = await conn.execute(
                "SELECT (SELECT count(*) FROM telegram_updates WHERE done_at IS NULL"
                "         AND claimed_by LIKE %s) AS updates,"
                " ARRAY(SELECT id::text FROM generations WHERE status = 'running'"
                "       AND lease_owner LIKE %s) AS jobs",
                [owner, owner],
            )
            row = await cursor.fetchone()
            if row is not None and row[0] == 0 and row[1]:
                cluster.kill(index)
                return list(row[1])
            await asyncio.sleep(0.002)
    raise AssertionError(f"bot {index} was never seen making a thumbnail between updates")


async def until_all_handled(conninfo: str, within: float = 30) -> None:
    deadline = time.monotonic() + within
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
        while True:
            cursor = await conn.execute(
                "SELECT update_id, chat_key, claimed_by, attempts, lease_until < now() AS lapsed,"
                " body FROM telegram_updates WHERE done_at IS NULL"
            )
            left = await cursor.fetchall()
            if not left:
                return
            assert time.monotonic() < deadline, f"updates never handled: {left}"
            await asyncio.sleep(0.1)


def answers(user: SandboxUser) -> Counter[str]:
    """How often each answer of the flow reached the user."""
    found: Counter[str] = Counter()
    keys: dict[str, Callable[[SentMessage], bool]] = {
        "welcome": containing("Welcome"),
        "invite": containing("Invite friends:"),
        "save offer": containing("Save it as a face"),
        "saved": containing("Saved"),
        "modes": containing("What kind of thumbnail"),
        "describe": containing("Describe your video"),
        "order": containing("Here's your order"),
        "thumbnail": lambda m: with_photo(m) and "thumbnail" in (m.caption or "").lower(),
        "packs": containing("Credit packs"),
        "invoice": lambda m: m.invoice is not None,
        "paid": containing("Payment received"),
        "friend joined": containing("joined through your invite link"),
    }
    for message in user.messages():
        for key, matches in keys.items():
            if matches(message):
                found[key] += 1
    return found


async def test_three_processes_are_one_bot_and_a_killed_one_loses_nothing(
    sandbox: SandboxServer, create_database: Callable[[], str], tmp_path: Path
):
    conninfo = create_database()
    await apply_migrations(conninfo)
    token = sandbox.register_bot("thumbs_cluster_bot")
    cluster = WebhookCluster(tmp_path, PROCESSES, bot_env(sandbox, token, conninfo))
    pairs = USERS // 2
    referrers = [sandbox.user(6_100_000 + i, first_name=f"Ann{i}", bot=token) for i in range(pairs)]
    friends = [sandbox.user(6_200_000 + i, first_name=f"Ben{i}", bot=token) for i in range(pairs)]
    links = [asyncio.get_running_loop().create_future() for _ in range(pairs)]
    started = time.monotonic()
    await cluster.start()
    ready = time.monotonic()
    try:
        flows = [
            asyncio.create_task(whole_flow(user, invite=link, joins_by=None))
            for user, link in zip(referrers, links, strict=True)
        ] + [
            asyncio.create_task(whole_flow(user, invite=None, joins_by=link))
            for user, link in zip(friends, links, strict=True)
        ]
        # Kill one process in the middle, while it makes thumbnails.
        held = await kill_while_making(cluster, 1, conninfo)
        await asyncio.gather(*flows)
        finished = time.monotonic()
        # An update the killed process had taken is run again once its lease runs out.
        await until_all_handled(conninfo)
    finally:
        await cluster.stop()
    print(
        f"\n{USERS} users, {PROCESSES} processes: ready in {ready - started:.1f}s,"
        f" flows in {finished - ready:.1f}s; forwarded {cluster.proxy.forwarded}"
    )
    assert_no_error_lines(cluster.logs())

    db = Database(conninfo)
    await db.open()
    try:
        taken_over = {
            row["chat_key"]
            for row in await db.fetch_all(
                "SELECT chat_key FROM telegram_updates WHERE attempts > 1"
            )
        }
        profiles = await db.fetch_all(
            "SELECT p.telegram_id, p.credits,"
            " (SELECT COALESCE(sum(delta), 0) FROM credit_ledger l"
            "   WHERE l.profile_id = p.id) AS ledger,"
            " (SELECT count(*) FROM payments m WHERE m.profile_id = p.id) AS payments,"
            " (SELECT count(*) FROM generations g WHERE g.profile_id = p.id) AS generations"
            " FROM profiles p WHERE p.telegram_id >= 6100000 AND p.telegram_id < 6300000"
        )
        interrupted = await db.fetch_all(
            "SELECT status, attempts, delivered_at FROM generations WHERE id = ANY(%s::uuid[])",
            [held],
        )
        open_updates = await db.fetch_all(
            "SELECT update_id, chat_key, claimed_by, attempts, lease_until, now(), body"
            " FROM telegram_updates WHERE done_at IS NULL"
        )
    finally:
        await db.close()

    assert open_updates == []
    for job in interrupted:  # made and delivered once (taken over, unless it was done)
        assert job["status"] == "succeeded", job
        assert job["delivered_at"] is not None, job
    assert len(profiles) == USERS
    referrer_ids = {user.id for user in referrers}
    for row in profiles:
        bonus = REFERRAL if row["telegram_id"] in referrer_ids else 0
        expected = SIGNUP + bonus - THUMBNAIL + PACK_CREDITS
        assert (row["credits"], row["ledger"]) == (expected, expected), row
        assert (row["payments"], row["generations"]) == (1, 1), row

    repeated = []
    for user in referrers + friends:
        counts = answers(user)
        expected_keys = ["welcome", "save offer", "saved", "modes", "describe", "order"]
        expected_keys += ["packs", "invoice", "paid"]
        if user in referrers:
            expected_keys += ["invite", "friend joined"]
        missing = [key for key in expected_keys if counts[key] == 0]
        assert not missing, f"user {user.id} never got {missing}: {user.messages()}"
        assert counts["thumbnail"] <= 1, f"user {user.id} got two thumbnails"
        assert counts["thumbnail"] or any(map(_ready, user.messages())), user.messages()
        twice = [key for key in expected_keys if counts[key] > 1]
        if twice:
            assert user.chat_id in taken_over, f"user {user.id} got {twice} twice"
            repeated.append((user.id, twice))
    print(
        f"killed making {len(held)} thumbnail(s); chats with an update taken over:"
        f" {len(taken_over)};"
        f" answers repeated: {repeated}"
    )
