"""/setcost, /mode and /setmodel through the real bot: a user's shown price and an order
for a mode switched off, the preview of a new model, refusals of bad arguments, and the
audit rows each change leaves."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from handlers.i18n import mode_name, t
from sandbox.server import SandboxServer
from sandbox.users import SandboxUser
from services.container import Services
from tests.conftest import ledger_sum
from tests.e2e.conftest import ADMIN_ID, RunningBot, containing, with_button
from tests.e2e.flows import (
    MODE_BUTTONS,
    choose_mode,
    give_inputs,
    press_starting_with,
    profile_of,
    started,
)
from tests.e2e.test_payments import SETTLE_SECONDS

TEXT_MODE = "text_to_thumbnail"


@pytest.fixture
def admin(sandbox: SandboxServer, running_bot: RunningBot) -> SandboxUser:
    return sandbox.user(ADMIN_ID, first_name="Admin", language_code="en")


@pytest.fixture
async def catalogue(chat_services: Services) -> AsyncIterator[dict[str, Any]]:
    """The modes as they were, put back after the test (other tests rely on them)."""
    rows = await chat_services.db.fetch_all(
        "SELECT type_key, cost_credits, is_active, model, input_template, output_text"
        " FROM generation_types"
    )
    yield {row["type_key"]: row for row in rows}
    for row in rows:
        await chat_services.db.execute(
            "UPDATE generation_types SET cost_credits = %s, is_active = %s WHERE type_key = %s",
            [row["cost_credits"], row["is_active"], row["type_key"]],
        )
        await chat_services.db.execute(
            "SELECT set_generation_model(%s, %s, %s, %s)",
            [row["type_key"], row["model"], json.dumps(row["input_template"]), row["output_text"]],
        )


async def audit_count(services: Services) -> int:
    return int(await services.db.fetch_value("SELECT count(*) FROM admin_audit"))


async def latest_audit(services: Services, action: str) -> dict[str, Any]:
    row = await services.db.fetch_one(
        "SELECT admin_telegram_id, arguments, before, after FROM admin_audit"
        " WHERE action = %s ORDER BY id DESC LIMIT 1",
        [action],
    )
    assert row is not None
    return row


async def order_at_confirm(user: SandboxUser) -> None:
    await started(user)
    await choose_mode(user, TEXT_MODE)
    await give_inputs(user, TEXT_MODE, "A price that moved")


async def test_catalogue_commands_look_unknown_to_everyone_else(
    new_chat_user: Callable[..., SandboxUser], chat_services: Services, catalogue: dict[str, Any]
) -> None:
    stranger = new_chat_user()
    await started(stranger)
    before = await audit_count(chat_services)
    for command, arguments in (
        ("/setcost", f"{TEXT_MODE} 1"),
        ("/mode", f"{TEXT_MODE} off"),
        ("/setmodel", f"{TEXT_MODE} someone/model"),
    ):
        await stranger.send_command(command, arguments)
        await stranger.wait_for_message(containing(f"I don't know the command {command}"))

    assert await audit_count(chat_services) == before
    current = await chat_services.db.fetch_one(
        "SELECT cost_credits, is_active, model FROM generation_types WHERE type_key = %s",
        [TEXT_MODE],
    )
    assert current == {
        "cost_credits": 10,
        "is_active": True,
        "model": catalogue[TEXT_MODE]["model"],
    }


async def test_setcost_asks_a_shown_order_again_and_charges_only_the_price_shown(
    new_chat_user: Callable[..., SandboxUser],
    admin: SandboxUser,
    chat_services: Services,
    catalogue: dict[str, Any],
) -> None:
    user = new_chat_user()
    await order_at_confirm(user)
    order = await user.wait_for_message(with_button("Generate (10"))

    await admin.send_command("/setcost", f"{TEXT_MODE} 15")
    await admin.wait_for_message(containing(f"{TEXT_MODE} now costs 15 credits (was 10)"))
    await press_starting_with(user, order, "Generate (10")

    offer = await user.wait_for_message(containing("costs 15 credits now"))
    profile = await profile_of(chat_services, user)
    assert profile.credits == 50
    await press_starting_with(user, offer, "Generate (15")
    await user.wait_for_message(containing("Here's your thumbnail"), timeout=10)
    profile = await profile_of(chat_services, user)
    assert profile.credits == 35 == await ledger_sum(chat_services.db, profile.id)
    audit = await latest_audit(chat_services, "setcost")
    assert audit == {
        "admin_telegram_id": ADMIN_ID,
        "arguments": {"type": TEXT_MODE},
        "before": {"cost": 10},
        "after": {"cost": 15},
    }


async def test_balance_lists_a_changed_price_and_a_mode_switched_off_at_once(
    new_chat_user: Callable[..., SandboxUser],
    admin: SandboxUser,
    catalogue: dict[str, Any],
) -> None:
    """The price list a process keeps (services/catalog.py) gives way at the next update."""
    user = new_chat_user()
    await started(user)
    line = t("en", "price_line", cost=10) + mode_name("en", TEXT_MODE)
    await user.send_command("/balance")
    assert line in ((await user.wait_for_message(containing("You have"))).text or "")

    await admin.send_command("/setcost", f"{TEXT_MODE} 15")
    await admin.wait_for_message(containing("now costs 15 credits"))
    await user.send_command("/balance")
    listed = (await user.wait_for_message(containing("You have"))).text or ""
    assert t("en", "price_line", cost=15) + mode_name("en", TEXT_MODE) in listed
    assert line not in listed

    await admin.send_command("/mode", f"{TEXT_MODE} off")
    await admin.wait_for_message(containing("is off"))
    await user.send_command("/balance")
    listed = (await user.wait_for_message(containing("You have"))).text or ""
    assert str(mode_name("en", TEXT_MODE)) not in listed


async def test_bad_catalogue_arguments_get_a_clear_line_and_change_nothing(
    admin: SandboxUser, chat_services: Services, catalogue: dict[str, Any]
) -> None:
    before = await audit_count(chat_services)
    proposals = await chat_services.db.fetch_value(
        "SELECT count(*) FROM generation_model_proposals"
    )
    face = json.dumps({"prompt": "{prompt}", "input_image": "{face_image}"})
    cases = [
        ("/setcost", None, "Usage: /setcost <type> <credits 0"),
        ("/setcost", f"{TEXT_MODE} -5", "Usage: /setcost"),
        ("/setcost", f"{TEXT_MODE} 1.5", "Usage: /setcost"),
        ("/setcost", f"{TEXT_MODE} 99999999", "Usage: /setcost"),
        ("/setcost", f"{TEXT_MODE} 10001", "A cost must be between 0 and 10000 credits."),
        ("/setcost", "no_such_mode 5", "No mode no_such_mode. The modes: "),
        ("/mode", f"{TEXT_MODE} maybe", "Usage: /mode"),
        ("/mode", "no_such_mode off", "No mode no_such_mode."),
        ("/setmodel", TEXT_MODE, "Usage: /setmodel"),
        ("/setmodel", "no_such_mode a/b", "No mode no_such_mode."),
        ("/setmodel", f"{TEXT_MODE} not-a-model", "That's not a Replicate model"),
        ("/setmodel", f"{TEXT_MODE} a/b {{prompt", "The template isn't valid JSON"),
        ("/setmodel", f"{TEXT_MODE} a/b [1, 2]", "The template must be a JSON object."),
        ("/setmodel", f'{TEXT_MODE} a/b {{"seed": 1}}', "must use {prompt}"),
        ("/setmodel", f'{TEXT_MODE} a/b {{"prompt": "{{promt}}"}}', "doesn't fill {promt}"),
        (
            "/setmodel",
            'your_face a/b {"prompt": "{prompt} next to {face_image}"}',
            "must be a whole value on its own",
        ),
        ("/setmodel", 'your_face a/b {"prompt": "{prompt}"}', "must use {face_image}"),
        ("/setmodel", f"{TEXT_MODE} a/b {face}", "may use only these pictures: -"),
    ]
    for command, arguments, answer in cases:
        await admin.send_command(command, arguments)
        reply = await admin.wait_for_message()
        assert answer in (reply.text or ""), (command, arguments, reply.text)

    assert await audit_count(chat_services) == before
    assert (
        await chat_services.db.fetch_value("SELECT count(*) FROM generation_model_proposals")
        == proposals
    )
    rows = await chat_services.db.fetch_all(
        "SELECT type_key, cost_credits, is_active, model, input_template, output_text"
        " FROM generation_types"
    )
    assert {row["type_key"]: row for row in rows} == catalogue


async def test_a_mode_switched_off_leaves_the_menu_and_its_order_is_refused_uncharged(
    new_chat_user: Callable[..., SandboxUser],
    admin: SandboxUser,
    chat_services: Services,
    catalogue: dict[str, Any],
) -> None:
    user = new_chat_user()
    await order_at_confirm(user)
    order = await user.wait_for_message(with_button("Generate (10"))

    await admin.send_command("/mode", f"{TEXT_MODE} off")
    await admin.wait_for_message(containing(f"{TEXT_MODE} is off"))
    answer = await user.wait_for_callback_answer(
        await press_starting_with(user, order, "Generate (10")
    )
    assert (answer.text, answer.show_alert) == (t("en", "mode_disabled"), True)
    await user.send_command("/cancel")
    await user.wait_for_message(containing("Cancelled"))
    await user.send_command("/generate")
    chooser = await user.wait_for_message(containing("What kind of thumbnail"))
    assert not any(MODE_BUTTONS[TEXT_MODE] in text for text in chooser.button_texts)
    assert len(chooser.button_texts) == len(MODE_BUTTONS) - 1
    await asyncio.sleep(SETTLE_SECONDS)
    profile = await profile_of(chat_services, user)
    assert profile.credits == 50
    assert not await chat_services.db.fetch_all(
        "SELECT id FROM generations WHERE profile_id = %s", [profile.id]
    )
    assert (await latest_audit(chat_services, "mode"))["after"] == {"active": False}

    await admin.send_command("/mode", f"{TEXT_MODE} on")
    await admin.wait_for_message(containing(f"{TEXT_MODE} is on"))
    await user.send_command("/generate")
    chooser = await user.wait_for_message(containing("What kind of thumbnail"))
    assert any(MODE_BUTTONS[TEXT_MODE] in text for text in chooser.button_texts)
    audit = await latest_audit(chat_services, "mode")
    assert (audit["before"], audit["after"]) == ({"active": False}, {"active": True})


async def test_setmodel_is_shown_first_and_applied_once_by_its_button(
    admin: SandboxUser, chat_services: Services, catalogue: dict[str, Any]
) -> None:
    template = {"prompt": "{prompt}", "image": "{face_image}", "steps": 4}
    await admin.send_command("/setmodel", f"your_face owner/new-model {json.dumps(template)}")
    preview = await admin.wait_for_message(with_button("Apply"))
    text = preview.text or ""
    assert "New model for your_face" in text
    assert f"{catalogue['your_face']['model']} → owner/new-model" in text
    assert '"image": "{face_image}"' in text
    assert (
        await chat_services.db.fetch_value(
            "SELECT model FROM generation_types WHERE type_key = 'your_face'"
        )
    ) == catalogue["your_face"]["model"]

    await asyncio.gather(
        press_starting_with(admin, preview, "Apply"), press_starting_with(admin, preview, "Apply")
    )
    await admin.wait_for_message(containing("your_face now uses owner/new-model"))
    await admin.wait_for_message(containing("already applied or cancelled"))
    row = await chat_services.db.fetch_one(
        "SELECT model, input_template FROM generation_types WHERE type_key = 'your_face'"
    )
    assert row == {"model": "owner/new-model", "input_template": template}
    audit = await latest_audit(chat_services, "setmodel")
    assert audit["before"]["model"] == catalogue["your_face"]["model"]
    assert audit["after"]["model"] == "owner/new-model"
    assert audit["after"]["input_template"] == template

    # Without a template the mode keeps its own; Cancel changes nothing.
    audits = await audit_count(chat_services)
    await admin.send_command("/setmodel", "your_face other/model")
    preview = await admin.wait_for_message(with_button("Apply"))
    await press_starting_with(admin, preview, "Cancel")
    await admin.wait_for_message(containing("Cancelled; your_face keeps its model."))
    assert (
        await chat_services.db.fetch_value(
            "SELECT model FROM generation_types WHERE type_key = 'your_face'"
        )
        == "owner/new-model"
    )
    assert await audit_count(chat_services) == audits
