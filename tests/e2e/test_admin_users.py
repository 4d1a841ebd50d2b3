"""/user, /ban and /unban through the real bot: what the admin sees, what the buttons do,
what a banned user can still do, and what the ledger and the audit trail hold after."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from handlers.i18n import t
from sandbox.server import SandboxServer
from sandbox.users import SandboxUser
from services.container import Services
from services.generation import GenerationInput
from tests.conftest import ledger_sum
from tests.e2e.conftest import ADMIN_ID, RunningBot, containing, with_button
from tests.e2e.flows import press_starting_with, profile_of, started
from tests.e2e.test_payments import SETTLE_SECONDS, count, invoice_for

BANNED_LINE = t("en", "banned")


@pytest.fixture
def admin(sandbox: SandboxServer, running_bot: RunningBot) -> SandboxUser:
    return sandbox.user(ADMIN_ID, first_name="Admin", language_code="en")


async def audit_rows(services: Services, action: str, telegram_id: int) -> list[dict[str, Any]]:
    """The audit rows of an action about one user (its arguments name them)."""
    return await services.db.fetch_all(
        "SELECT arguments, before, after FROM admin_audit"
        " WHERE action = %s AND arguments->>'telegram_id' = %s ORDER BY id",
        [action, str(telegram_id)],
    )


async def test_user_commands_look_unknown_to_everyone_else(
    new_chat_user: Callable[..., SandboxUser], chat_services: Services
) -> None:
    target, stranger = new_chat_user(), new_chat_user()
    await started(target)
    await started(stranger)
    for command, arguments in (
        ("/user", f"{target.id}"),
        ("/ban", f"{target.id} spam"),
        ("/unban", f"{target.id}"),
    ):
        await stranger.send_command(command, arguments)
        await stranger.wait_for_message(containing(f"I don't know the command {command}"))

    assert not (await profile_of(chat_services, target)).is_banned
    assert await audit_rows(chat_services, "ban", target.id) == []
    assert count(stranger, "Balance:") == 0


async def test_the_card_finds_a_user_by_id_username_or_code_and_its_buttons_grant_once(
    new_chat_user: Callable[..., SandboxUser], admin: SandboxUser, chat_services: Services
) -> None:
    friend = new_chat_user(first_name="Fran")
    await started(friend)
    code = (await profile_of(chat_services, friend)).referral_code
    user = new_chat_user(first_name="Robin", username=f"robin{friend.id}")
    await user.send_command("/start", f"ref_{code}")
    await user.wait_for_message(containing("Welcome"))

    for who in (
        str(user.id),
        f"@ROBIN{friend.id}",
        (await profile_of(chat_services, user)).referral_code,
    ):
        await admin.send_command("/user", who)
        card = await admin.wait_for_message(containing(f"id {user.id}"))
        text = card.text or ""
        assert "Balance: 50 credits" in text
        assert f"Referred by: Fran ({friend.id})" in text
        assert "+50 → 50 signup_bonus" in text
        assert "✅ not banned" in text
    await admin.send_command("/user", str(friend.id))
    card_of_friend = await admin.wait_for_message(containing(f"id {friend.id}"))
    assert "invited 1 (earned 30 credits)" in (card_of_friend.text or "")

    await press_starting_with(admin, card, "+50")
    question = await admin.wait_for_message(with_button("Confirm"))
    assert f"/grant {user.id} 50" in (question.text or "")
    await asyncio.gather(
        press_starting_with(admin, question, "Confirm"),
        press_starting_with(admin, question, "Confirm"),
    )
    await admin.wait_for_message(containing(f"+50 credits for user {user.id}. New balance: 100"))
    await press_starting_with(admin, card, "-10")
    declined = await admin.wait_for_message(with_button("Confirm"))
    await press_starting_with(admin, declined, "Cancel")
    await admin.wait_for_message(containing("Cancelled; nothing changed."))
    await asyncio.sleep(SETTLE_SECONDS)

    profile = await profile_of(chat_services, user)
    assert profile.credits == 100
    assert await ledger_sum(chat_services.db, profile.id) == 100
    [grant] = [
        e for e in await chat_services.credits.ledger(profile.id) if e.reason.startswith("admin")
    ]
    assert (grant.delta, grant.note) == (50, "from the /user card")
    [audit] = await audit_rows(chat_services, "grant", user.id)
    assert (audit["before"], audit["after"]) == ({"credits": 50}, {"credits": 100})
    assert count(admin, f"for user {user.id}. New balance") == 1


async def test_bad_user_arguments_get_a_clear_line_and_change_nothing(
    new_chat_user: Callable[..., SandboxUser], admin: SandboxUser, chat_services: Services
) -> None:
    user = new_chat_user()
    await started(user)
    await started(admin)
    cases = [
        ("/user", None, "Usage: /user"),
        ("/user", "1 2", "Usage: /user"),
        ("/user", "99999999999", "No user matches 99999999999"),
        ("/user", "@nobody_here_at_all", "No user matches @nobody_here_at_all"),
        ("/user", "<b>", "No user matches <b>"),
        ("/ban", f"{user.id}", "Usage: /ban"),
        ("/ban", "99999999999 spam", "No user matches 99999999999"),
        ("/ban", f"{ADMIN_ID} oops", "An admin can't be banned."),
        ("/unban", None, "Usage: /unban"),
        ("/unban", f"{user.id}", "wasn't banned; nothing changed"),
    ]
    for command, arguments, answer in cases:
        await admin.send_command(command, arguments)
        reply = await admin.wait_for_message()
        assert answer in (reply.text or ""), (command, arguments, reply.text)

    profile = await profile_of(chat_services, user)
    assert (profile.is_banned, profile.credits) == (False, 50)
    assert await audit_rows(chat_services, "ban", user.id) == []


async def test_a_ban_refunds_queued_work_and_stops_everything_but_support_until_unban(
    new_chat_user: Callable[..., SandboxUser],
    admin: SandboxUser,
    chat_services: Services,
    sandbox: SandboxServer,
) -> None:
    user = new_chat_user(first_name="Mallory")
    await started(user)
    invoice = await invoice_for(user, "pack_100")  # shown before the ban
    profile = await profile_of(chat_services, user)
    # A job charged and queued, not yet picked up (it has no status message for 5 s).
    queued = await chat_services.generations.start(
        profile.id, GenerationInput("text_to_thumbnail", prompt="a queued job"), "q1", user.chat_id
    )
    assert queued.balance == 40

    await admin.send_command("/ban", f"{user.id} chargeback fraud")
    await admin.wait_for_message(
        containing("is banned. Refunded 1 unfinished generations (10 credits).")
    )

    row = await chat_services.db.fetch_one(
        "SELECT status, refunded_at, failure_key FROM generations WHERE id = %s",
        [queued.generation_id],
    )
    assert row is not None
    assert (row["status"], row["failure_key"]) == ("failed", "account_banned")
    assert row["refunded_at"] is not None
    banned = await profile_of(chat_services, user)
    assert (banned.is_banned, banned.credits) == (True, 50)
    assert await ledger_sum(chat_services.db, profile.id) == 50
    [audit] = await audit_rows(chat_services, "ban", user.id)
    assert audit["arguments"]["reason"] == "chargeback fraud"
    assert (audit["before"], audit["after"]) == (
        {"banned": False},
        {"banned": True, "refunded_generations": 1, "refunded_credits": 10},
    )

    # One line for anything they send; support still answers; payments are refused.
    before = len(user.messages())
    await user.send_command("/generate")
    await user.wait_for_message(containing(BANNED_LINE))
    await user.send_text("hello?")
    await user.wait_for_message(containing(BANNED_LINE))
    menu_button = next(m for m in user.messages() if m.buttons)
    answer = await user.wait_for_callback_answer(
        await user.press(menu_button, menu_button.buttons[0]["callback_data"])
    )
    assert (answer.text, answer.show_alert) == (BANNED_LINE, True)
    await user.send_command("/paysupport")
    await user.wait_for_message(containing("Payments and refunds"))
    payment = await user.pay(invoice)
    assert not payment.ok
    assert payment.error_message == t("en", "precheckout_banned")
    await asyncio.sleep(SETTLE_SECONDS)
    assert len(user.messages()) - before == 3  # two lines and the support text

    # Their link pays nothing while they are banned.
    newcomer = new_chat_user()
    await newcomer.send_command("/start", f"ref_{banned.referral_code}")
    await newcomer.wait_for_message(containing("Welcome"))
    assert (await profile_of(chat_services, user)).credits == 50

    await admin.send_command("/unban", str(user.id))
    await admin.wait_for_message(containing("is no longer banned"))
    await user.send_command("/balance")
    await user.wait_for_message(containing("You have 50 credits"))
    assert not (await profile_of(chat_services, user)).is_banned
    [unban] = await audit_rows(chat_services, "unban", user.id)
    assert unban["before"] == {"banned": True, "reason": "chargeback fraud"}


async def test_the_cards_ban_and_unban_buttons_ask_first(
    new_chat_user: Callable[..., SandboxUser], admin: SandboxUser, chat_services: Services
) -> None:
    user = new_chat_user()
    await started(user)
    await admin.send_command("/user", str(user.id))
    card = await admin.wait_for_message(containing(f"id {user.id}"))

    await press_starting_with(admin, card, "Ban")
    question = await admin.wait_for_message(with_button("Confirm"))
    assert not (await profile_of(chat_services, user)).is_banned
    await press_starting_with(admin, question, "Confirm")
    await admin.wait_for_message(containing("is banned. Refunded 0"))
    assert (await profile_of(chat_services, user)).is_banned

    await admin.send_command("/user", str(user.id))
    card = await admin.wait_for_message(containing("🚫 banned since", "from the /user card"))
    await press_starting_with(admin, card, "Unban")
    question = await admin.wait_for_message(containing("Lift the ban"))
    await press_starting_with(admin, question, "Confirm")
    await admin.wait_for_message(containing("is no longer banned"))
    assert not (await profile_of(chat_services, user)).is_banned
    assert [row["after"]["banned"] for row in await audit_rows(chat_services, "ban", user.id)] == [
        True
    ]


async def test_a_card_with_long_ledger_notes_still_fits_one_message(
    new_chat_user: Callable[..., SandboxUser], admin: SandboxUser
) -> None:
    user = new_chat_user()
    await started(user)
    for _ in range(10):
        await admin.send_command("/grant", f"{user.id} 1 {'goodwill ' * 55}")
        await admin.wait_for_message(containing(f"for user {user.id}"))

    await admin.send_command("/user", str(user.id))
    card = await admin.wait_for_message(containing(f"id {user.id}", "Balance: 60 credits"))
    assert (card.text or "").count("admin_grant · goodwill") == 10
