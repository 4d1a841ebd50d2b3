"""Telegram's failure modes during delivery, injected into the sandbox Bot API server while
the real bot makes thumbnails: flood limits on the progress edits and on the final edit,
a photo Telegram sent but whose answer was lost (502, timeout), a send refused before it
happened (429, 502). For each case the test counts what users received and what the
ledger says: no duplicate photo, no refund of a good thumbnail, nobody left without word.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from handlers.i18n import t
from sandbox.faults import Fault
from sandbox.server import SandboxServer
from sandbox.users import SandboxUser
from services.container import Services
from tests.e2e.conftest import WORKER_OPTIONS, eventually, not_a_preview
from tests.e2e.flows import order_text_thumbnail, photos, told_ready

USERS = 5


async def generations_of(services: Services, users: list[SandboxUser]) -> list[dict]:
    return await services.db.fetch_all(
        """
        SELECT g.id, g.status, g.delivered_at, g.delivery_method, g.refunded_at
          FROM generations g JOIN profiles p ON p.id = g.profile_id
         WHERE p.telegram_id = ANY(%s)
        """,
        [[user.id for user in users]],
    )


async def run_jobs(
    new_chat_user: Callable[..., SandboxUser], services: Services, settle: float = 1.0
) -> tuple[list[SandboxUser], list[dict]]:
    """Five users order a thumbnail at once; returns when every job was delivered (and
    `settle` seconds more, for anything that would arrive twice)."""
    users = [new_chat_user(f"Fault{n}") for n in range(USERS)]
    await asyncio.gather(*(order_text_thumbnail(u, f"Fault case {n}") for n, u in enumerate(users)))

    async def all_delivered() -> bool:
        rows = await generations_of(services, users)
        return len(rows) == USERS and all(row["delivered_at"] for row in rows)

    await eventually(all_delivered, within=60)
    await asyncio.sleep(settle)
    return users, await generations_of(services, users)


def report(case: str, users: list[SandboxUser], rows: list[dict]) -> tuple[int, int, int]:
    """(photos, duplicates, refunds), printed for the record."""
    counts = [photos(user) for user in users]
    refunds = sum(1 for row in rows if row["refunded_at"] is not None)
    duplicates = sum(max(0, n - 1) for n in counts)
    print(
        f"\n{case}: {USERS} jobs, {sum(counts)} photos, {duplicates} duplicates, {refunds} refunds"
    )
    return sum(counts), duplicates, refunds


def progress_edit(params: dict) -> bool:
    return "%" in str(params.get("text", ""))


def flood_edits(sandbox: SandboxServer, when: Callable[[dict], bool]) -> None:
    """Every matching status edit answers 429 until the faults are cleared."""
    sandbox.fail_next(
        "editMessageText",
        429,
        "Too Many Requests: retry after 1",
        times=None,
        retry_after=1,
        when=when,
    )


async def test_flood_limits_on_progress_edits_never_fail_a_generation(
    sandbox: SandboxServer, new_chat_user, chat_services: Services
):
    flood_edits(sandbox, progress_edit)
    try:
        users, rows = await run_jobs(new_chat_user, chat_services)
    finally:
        sandbox.faults.clear()
    assert report("429 on every progress edit", users, rows) == (USERS, 0, 0)
    assert {row["status"] for row in rows} == {"succeeded"}


# A flood limit that never lifts: AIORateLimiter logs an ERROR when it gives up.
@pytest.mark.expect_errors("Rate limit hit after maximum")
async def test_flood_limit_on_the_final_edit_sends_nothing_twice(
    sandbox: SandboxServer, new_chat_user, chat_services: Services
):
    done = t("en", "status_done")
    flood_edits(sandbox, lambda params: params.get("text") == done)
    try:
        # Past the delivery sweep's grace: the sweep must find nothing to send again.
        users, rows = await run_jobs(
            new_chat_user, chat_services, settle=WORKER_OPTIONS.lease_seconds + 2
        )
    finally:
        sandbox.faults.clear()
    assert report("429 on the final edit", users, rows) == (USERS, 0, 0)
    assert {row["delivery_method"] for row in rows} == {"sent"}


async def test_a_photo_sent_whose_answer_is_lost_is_not_sent_again(
    sandbox: SandboxServer, new_chat_user, chat_services: Services
):
    sandbox.fail_next(
        "sendPhoto", 502, "Bad Gateway", times=USERS, performed=True, when=not_a_preview
    )
    try:
        users, rows = await run_jobs(new_chat_user, chat_services, settle=2)
    finally:
        sandbox.faults.clear()
    assert report("sendPhoto performed, answered 502", users, rows) == (USERS, 0, 0)
    assert all(told_ready(user) for user in users), "the status says the result is ready"
    assert {row["delivery_method"] for row in rows} == {"resumed"}


async def test_a_photo_sent_whose_answer_times_out_is_not_sent_again(
    sandbox: SandboxServer, new_chat_user, chat_services: Services
):
    # PTB's read timeout is 5 s: the photo is in the chat, the bot hears TimedOut.
    sandbox.faults.add(Fault("sendPhoto", performed=True, delay=6, times=USERS, when=not_a_preview))
    try:
        users, rows = await run_jobs(new_chat_user, chat_services, settle=2)
    finally:
        sandbox.faults.clear()
    assert report("sendPhoto performed, answer timed out", users, rows) == (USERS, 0, 0)
    assert all(told_ready(user) for user in users)


async def test_a_send_refused_with_429_is_sent_once_later(
    sandbox: SandboxServer, new_chat_user, chat_services: Services
):
    sandbox.fail_next(
        "sendPhoto",
        429,
        "Too Many Requests: retry after 1",
        times=USERS,
        retry_after=1,
        when=not_a_preview,
    )
    try:
        users, rows = await run_jobs(new_chat_user, chat_services)
    finally:
        sandbox.faults.clear()
    assert report("sendPhoto answered 429", users, rows) == (USERS, 0, 0)
    assert not any(told_ready(user) for user in users)


async def test_a_send_answered_502_without_the_photo_leaves_a_ready_button(
    sandbox: SandboxServer, new_chat_user, chat_services: Services
):
    """The trade-off of the policy: a 5xx may or may not mean sent, so the photo is not
    pushed again; the status message offers it instead, and the button shows it."""
    sandbox.fail_next("sendPhoto", 502, "Bad Gateway", times=USERS, when=not_a_preview)
    try:
        users, rows = await run_jobs(new_chat_user, chat_services)
    finally:
        sandbox.faults.clear()
    assert report("sendPhoto refused with 502 (not performed)", users, rows) == (0, 0, 0)
    assert all(told_ready(user) for user in users)
    user = users[0]
    status = next(m for m in user.messages() if m.text == t("en", "status_ready"))
    await user.press(status, t("en", "btn_show_thumbnail"))
    await user.wait_for_message(lambda m: m.photo is not None, timeout=10)
    assert photos(user) == 1
