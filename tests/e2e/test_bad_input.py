"""No input stops or crashes the bot: unreadable updates, update kinds it does not serve,
messages without a sender, malformed or stale buttons, failures inside handlers, bad
webhook bodies and bad admin arguments. Each case then checks the bot still answers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import aiohttp
import pytest

from bot.durable_intake import DurableIntake
from bot.telegram_app import build_application
from bot.telegram_webhook import SECRET_HEADER, WEBHOOK_PATH, telegram_webhook_route, webhook_secret
from bot.web import create_web_app, serving
from handlers.i18n import t
from sandbox.samples import sample_face
from sandbox.server import SandboxServer
from sandbox.users import SandboxUser
from sandbox.views import SentMessage
from services.container import Services
from tests.e2e.conftest import (
    ADMIN_ID,
    RunningBot,
    containing,
    with_button,
    with_photo,
)
from tests.e2e.raw_updates import (
    INACCESSIBLE,
    callback_answers,
    callback_query,
    pre_checkout_query,
    user_message,
)
from tests.e2e.test_faces import save_face

STALE = t("en", "stale_button")
SETTLE_SECONDS = 0.3


def failures(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.ERROR]


async def started(user: SandboxUser) -> SentMessage:
    """The user's /start, answered: the welcome with the main menu."""
    await user.send_command("/start")
    return await user.wait_for_message(containing("Welcome"))


async def press_raw(
    sandbox: SandboxServer, user: SandboxUser, data: str | None, message: object
) -> dict:
    """Pushes a press and returns the bot's (first) answer to it."""
    query = callback_query(sandbox, user, data, message)  # type: ignore[arg-type]
    sandbox.push_raw_update({"callback_query": query})
    answer = await sandbox.world.queries.wait_answer(query["id"], 5)
    await asyncio.sleep(SETTLE_SECONDS)
    assert len(callback_answers(sandbox, query["id"])) == 1, "answered more than once"
    return answer


# --- updates the bot cannot read or does not serve ------------------------------------


async def test_an_unreadable_update_is_skipped_and_polling_goes_on(
    sandbox: SandboxServer, new_chat_user: Callable[..., SandboxUser], caplog
):
    """An older self-hosted Bot API server sends a poll without its required fields."""
    caplog.set_level(logging.WARNING)
    user = new_chat_user(first_name="Polly")
    broken = sandbox.push_raw_update({"poll": {"id": "77"}})

    await user.send_command("/start")
    await user.wait_for_message(containing("Welcome, Polly"))

    skipped = [r for r in caplog.records if f"skipped update {broken['update_id']} " in r.message]
    assert [r.levelno for r in skipped] == [logging.WARNING]
    assert failures(caplog) == []


async def test_update_kinds_the_bot_does_not_serve_are_ignored_quietly(
    sandbox: SandboxServer, new_chat_user: Callable[..., SandboxUser], caplog
):
    caplog.set_level(logging.WARNING)
    user = new_chat_user()
    welcome = await started(user)
    sender, chat = user.account.user_object(), user.chat.chat_object()
    channel = {"id": -1002000000001, "type": "channel", "title": "News"}
    for update in (
        {"edited_message": {**welcome.data, "from": sender, "text": "/start", "edit_date": 1}},
        {"channel_post": {"message_id": 5, "date": 1, "chat": channel, "text": "/start"}},
        {"inline_query": {"id": "1", "from": sender, "query": "cats", "offset": ""}},
        {
            "my_chat_member": {
                "chat": chat,
                "from": sender,
                "date": 1,
                "old_chat_member": {"status": "member", "user": user.bot.user_object()},
                "new_chat_member": {
                    "status": "kicked",
                    "user": user.bot.user_object(),
                    "until_date": 0,
                },
            }
        },
        {},
    ):
        sandbox.push_raw_update(update)
    await user.send_text("hello")

    await user.wait_for_message(containing("thumbnail maker"))
    await asyncio.sleep(SETTLE_SECONDS)
    assert len(user.messages()) == 2  # the welcome and the answer to "hello"
    assert caplog.records == []


async def test_a_message_without_a_sender_is_answered_in_private_and_ignored_elsewhere(
    sandbox: SandboxServer, new_chat_user: Callable[..., SandboxUser], caplog
):
    caplog.set_level(logging.WARNING)
    user = new_chat_user()
    await started(user)
    group = sandbox.group(title="Senderless")
    in_group = user.in_chat(group)
    for member in (user, in_group):
        message = user_message(member, {"text": "/balance"})
        del message["from"]
        sandbox.push_raw_update({"message": message})

    await user.wait_for_message(containing("thumbnail maker"))
    await asyncio.sleep(SETTLE_SECONDS)
    assert in_group.messages() == []
    assert failures(caplog) == []


async def test_odd_commands_get_the_unknown_command_answer(
    sandbox: SandboxServer, new_chat_user: Callable[..., SandboxUser]
):
    """A command entity over blank text, and a command longer than a message may be."""
    user = new_chat_user()
    await started(user)
    for text in (" \n", "/" + "a" * 4095):
        entity = {"type": "bot_command", "offset": 0, "length": len(text)}
        sandbox.push_raw_update(
            {"message": user_message(user, {"text": text, "entities": [entity]})}
        )
        await user.wait_for_message(containing("I don't know the command"))

    assert len(user.messages()[-1].text or "") < 200


# --- buttons ---------------------------------------------------------------------------

MALFORMED = [
    "hist:page:100000000000000000000",  # overflowed bigint
    "hist:page:-1",
    "hist:page:1_0",
    "hist:page:\u0663",  # an Arabic-Indic digit, which int() takes
    "hist:show:not-a-uuid",
    "face:del:123",
    "face:save:abc",
    "face:save:99999999999999999999",
    "gen:again:zzz",
    "gen:file:9C7E4A36-6B0B-4D8E-9C39-1A0A8F2E1D11",
    "gen:mode:tok:no_such_mode",
    "gen:go:",
    "menu:nope",
    "buy:pack:../etc",
    "sub:whatever",
    "face:",
    "nope",
    "",
]


@pytest.mark.parametrize("data", MALFORMED)
async def test_malformed_button_data_gets_the_expired_alert(
    data: str, sandbox: SandboxServer, new_chat_user: Callable[..., SandboxUser], caplog
):
    caplog.set_level(logging.WARNING)
    user = new_chat_user()
    welcome = await started(user)

    answer = await press_raw(sandbox, user, data, welcome.data)

    assert (answer["text"], answer["show_alert"]) == (STALE, True)
    assert failures(caplog) == []
    assert len(user.messages()) == 1


@pytest.mark.parametrize("message", [None, INACCESSIBLE], ids=["inline", "too-old"])
async def test_a_press_the_bot_cannot_act_on_gets_the_expired_alert(
    message: object, sandbox: SandboxServer, new_chat_user: Callable[..., SandboxUser]
):
    user = new_chat_user()
    await started(user)

    answer = await press_raw(sandbox, user, "menu:help", message)

    assert (answer["text"], answer["show_alert"]) == (STALE, True)


async def test_a_button_without_data_gets_the_expired_alert(
    sandbox: SandboxServer, new_chat_user: Callable[..., SandboxUser]
):
    user = new_chat_user()
    welcome = await started(user)

    answer = await press_raw(sandbox, user, None, welcome.data)

    assert (answer["text"], answer["show_alert"]) == (STALE, True)


async def test_a_valid_press_is_answered_once_by_its_handler(
    sandbox: SandboxServer, new_chat_user: Callable[..., SandboxUser]
):
    user = new_chat_user()
    welcome = await started(user)

    answer = await press_raw(sandbox, user, "hist:page:9999", welcome.data)

    assert answer["text"] is None
    await user.wait_for_message(containing("haven't made any thumbnails yet"))


async def test_a_double_tap_is_answered_twice_without_failing(
    sandbox: SandboxServer, new_chat_user: Callable[..., SandboxUser]
):
    """Both taps arrive before the first takes the buttons away."""
    user = new_chat_user()
    await started(user)
    await user.send_command("/generate")
    chooser = await user.wait_for_message(containing("What kind of thumbnail"))
    data = chooser.buttons[0]["callback_data"]
    taps = [callback_query(sandbox, user, data, chooser.data) for _ in range(2)]
    for tap in taps:
        sandbox.push_raw_update({"callback_query": tap})

    for tap in taps:
        await sandbox.world.queries.wait_answer(tap["id"], 5)
    await asyncio.sleep(SETTLE_SECONDS)
    assert chooser.current.button_texts == []


async def test_a_face_saved_from_a_file_is_listed_as_a_photo(
    new_chat_user: Callable[..., SandboxUser],
):
    """Telegram refuses a document's file id as a photo; the stored image goes instead."""
    user = new_chat_user()
    await user.send_document(sample_face(), "me.jpg", "image/jpeg")
    offer = await user.wait_for_message(with_button("Save as face"))
    await user.wait_for_callback_answer(await user.press(offer, "✅ Save as face"))
    await user.wait_for_message(containing("Saved!"))

    await user.send_command("/faces")

    listed = await user.wait_for_message(with_photo)
    assert listed.caption == "Face 1"


# --- failures inside handlers ----------------------------------------------------------


@pytest.mark.expect_errors(r"^update \d+ failed$")
async def test_a_press_whose_handler_fails_gets_the_error_alert(
    sandbox: SandboxServer, new_chat_user: Callable[..., SandboxUser]
):
    """Deleting a face deletes its message before answering; that call fails."""
    user = new_chat_user()
    await save_face(user)
    await user.send_command("/faces")
    listed = await user.wait_for_message(with_photo)
    sandbox.fail_next("deleteMessage", 500)

    query_id = await user.press(listed, "🗑 Delete")
    answer = await user.wait_for_callback_answer(query_id)

    assert (answer.text, answer.show_alert) == (t("en", "error_generic"), True)
    await asyncio.sleep(SETTLE_SECONDS)
    assert len(callback_answers(sandbox, query_id)) == 1


@pytest.mark.expect_errors(r"^update \d+ failed$")
async def test_a_pre_checkout_whose_answer_fails_is_refused_politely(
    sandbox: SandboxServer, new_chat_user: Callable[..., SandboxUser]
):
    user = new_chat_user()
    await started(user)
    query = pre_checkout_query(sandbox, user, "pack:pack_100:nobody", "XTR", 100)
    sandbox.fail_next("answerPreCheckoutQuery", 500)

    sandbox.push_raw_update({"pre_checkout_query": query})
    answer = await sandbox.world.queries.wait_answer(query["id"], 5)

    assert answer == {"ok": False, "error_message": t("en", "precheckout_error")}


# --- webhook bodies --------------------------------------------------------------------


async def test_webhook_bodies_that_are_not_updates_are_refused_without_a_trace(
    sandbox: SandboxServer, chat_services: Services, caplog
):
    caplog.set_level(logging.WARNING)
    token = sandbox.register_bot("thumbs_bad_webhook_bot")
    application = build_application(token, sandbox.url, chat_services)
    intake = DurableIntake(chat_services.db, application)  # not started: nothing handles
    route = telegram_webhook_route(intake, webhook_secret(token))
    headers = {SECRET_HEADER: webhook_secret(token), "Content-Type": "application/json"}
    refused = [b"null", b"[]", b'[{"update_id": 1}]', b'"update"', b"42", b"{}", b"\xff\xfe"]
    refused += [b'{"update_id": "7"}', b'{"update_id": true}', b'{"update_id": 1.5}']
    async with (
        serving(create_web_app(chat_services.db, [route]), 0, "127.0.0.1") as port,
        aiohttp.ClientSession() as http,
    ):
        url = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
        statuses = []
        for body in [*refused, b'{"update_id": 8, "poll": {"id": "1"}}', b'{"update_id": 9}']:
            async with http.post(url, data=body, headers=headers) as response:
                statuses.append(response.status)

    assert statuses == [400] * len(refused) + [200, 200]
    recorded = await chat_services.db.fetch_all(
        "SELECT update_id FROM telegram_updates WHERE bot_id = %s", [intake.bot_id]
    )
    assert [row["update_id"] for row in recorded] == [9]
    assert all(record.exc_info is None for record in caplog.records)
    assert failures(caplog) == []
    skipped = [r for r in caplog.records if r.message.startswith("skipped update 8 ")]
    assert len(skipped) == 1


# --- admin arguments -------------------------------------------------------------------


@pytest.fixture
def admin(sandbox: SandboxServer, running_bot: RunningBot) -> SandboxUser:
    return sandbox.user(ADMIN_ID, first_name="Admin", language_code="en")


async def test_admin_amounts_and_ids_must_be_plain_bounded_numbers(
    admin: SandboxUser, new_chat_user: Callable[..., SandboxUser], chat_services: Services
):
    user = new_chat_user()
    await started(user)
    uid = str(user.id)
    bad = [
        f"{uid} 1_000 typo",
        f"{uid} +5 sign",
        f"{uid} \u0665 other digits",
        f"{uid} 2147483648 above int4",
        f"{uid} 99999999999999999999 above int8",
        f"{uid} 1000001 too many",
        f"{uid} 0 nothing",
        f"{uid} -5 negative",
        f"+{uid} 5 signed id",
        f"{uid[:2]}_{uid[2:]} 5 underscored id",
        "1234567890123456 5 sixteen digits",
        f"{uid} 5",
        "",
    ]
    for arguments in bad:
        for command in ("/grant", "/revoke"):
            await admin.send_command(command, arguments or None)
            await admin.wait_for_message(containing(f"Usage: {command}"))

    await admin.send_command("/grant", f"{uid} 1000000 launch promo")
    await admin.wait_for_message(containing(f"+1000000 credits for user {uid}"))
    for reference in ("two words", "x" * 129, "<b>", "\u0663"):
        await admin.send_command("/refund", reference)
        await admin.wait_for_message(containing("Usage: /refund"))
    profile = await chat_services.accounts.find_by_telegram_id(user.id)
    assert profile is not None
    assert profile.credits == 1_000_050
