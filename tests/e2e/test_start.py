"""/start, referrals on both sides, help, unknown input and groups, over the Bot API."""

from __future__ import annotations

from sandbox.server import SandboxServer
from services.container import Services
from tests.conftest import ledger_sum
from tests.e2e.conftest import BOT_USERNAME, containing


async def test_new_user_gets_an_account_a_greeting_and_the_menu(
    new_chat_user, chat_services: Services
):
    user = new_chat_user(first_name="Maya")

    await user.send_command("/start")

    greeting = await user.wait_for_message(containing("Welcome, Maya", "50"))
    assert "🎨 New thumbnail" in greeting.button_texts
    profile = await chat_services.accounts.find_by_telegram_id(user.id)
    assert profile is not None
    assert profile.credits == 50 == await ledger_sum(chat_services.db, profile.id)


async def test_returning_user_is_welcomed_back(new_chat_user):
    user = new_chat_user(first_name="Sam")
    await user.send_command("/start")
    await user.wait_for_message(containing("Welcome, Sam"))

    await user.send_command("/start")

    await user.wait_for_message(containing("Welcome back, Sam"))


async def test_referral_link_credits_the_referrer_and_tells_both(
    new_chat_user, chat_services: Services
):
    referrer = new_chat_user(first_name="Rita")
    await referrer.send_command("/referral")
    invite = await referrer.wait_for_message(containing(f"https://t.me/{BOT_USERNAME}?start=ref_"))
    payload = invite.text.split("?start=")[1].split()[0]  # type: ignore[union-attr]

    friend = new_chat_user(first_name="Finn")
    await friend.send_command("/start", payload)

    await friend.wait_for_message(containing("Welcome, Finn"))
    await friend.wait_for_message(containing("friend's invite"))
    thanks = await referrer.wait_for_message(
        containing("Finn joined through your invite link", "80")
    )
    assert thanks.parse_mode == "HTML"
    rita = await chat_services.accounts.find_by_telegram_id(referrer.id)
    assert rita is not None
    assert rita.credits == 80 == await ledger_sum(chat_services.db, rita.id)

    await referrer.send_command("/referral")
    await referrer.wait_for_message(containing("Joined through your link: 1", "Credits earned: 30"))


async def test_referral_link_for_an_existing_user_changes_nothing(
    new_chat_user, chat_services: Services
):
    referrer, user = new_chat_user(), new_chat_user()
    await referrer.send_command("/start")
    await user.send_command("/start")
    await user.wait_for_message(containing("Welcome"))
    code = (await chat_services.accounts.find_by_telegram_id(referrer.id)).referral_code  # type: ignore[union-attr]

    await user.send_command("/start", f"ref_{code}")

    await user.wait_for_message(containing("for new users"))
    profile = await chat_services.accounts.find_by_telegram_id(referrer.id)
    assert profile is not None
    assert profile.credits == 50


async def test_broken_referral_payload_still_welcomes(new_chat_user):
    user = new_chat_user(first_name="Nia")
    await user.send_command("/start", "ref_NOTAREALCODE")
    await user.wait_for_message(containing("Welcome, Nia"))
    await user.wait_for_message(containing("isn't valid"))


async def test_help_terms_paysupport(new_chat_user):
    user = new_chat_user()
    for command, fragment in [
        ("/help", "/generate"),
        ("/terms", "Terms of service"),
        ("/paysupport", "refund"),
    ]:
        await user.send_command(command)
        await user.wait_for_message(containing(fragment))


async def test_unknown_commands_and_stray_messages_get_a_pointer(new_chat_user):
    user = new_chat_user()
    await user.send_command("/frobnicate")
    await user.wait_for_message(containing("/frobnicate", "/help"))

    await user.send_text("hello there")
    await user.wait_for_message(containing("/generate"))


async def test_texts_follow_the_users_language(new_chat_user):
    user = new_chat_user(first_name="Olga", language_code="ru")
    await user.send_command("/start")
    greeting = await user.wait_for_message(containing("Olga"))
    assert "Welcome" not in (greeting.text or "")


async def test_group_commands_point_to_the_private_chat(sandbox: SandboxServer, new_chat_user):
    user = new_chat_user(first_name="Gus")
    group = sandbox.group(title="Creators club")
    in_group = user.in_chat(group)

    await in_group.send_command("/balance")
    pointer = await in_group.wait_for_message(containing("in private"))
    assert pointer.buttons[0]["url"].startswith(f"https://t.me/{BOT_USERNAME}?start=")
    assert "credits" not in (pointer.text or "")

    await in_group.send_command("/referral")
    await in_group.wait_for_message(containing(f"https://t.me/{BOT_USERNAME}?start=ref_"))
