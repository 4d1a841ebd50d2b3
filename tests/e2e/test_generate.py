"""/generate over the Bot API: every mode to a delivered 1280x720 thumbnail with the right
charge, and everything that can go wrong on the way."""

from __future__ import annotations

import asyncio

import pytest

from sandbox.users import SandboxUser
from sandbox.views import SentMessage
from services.adapters.storage import FACES_BUCKET
from services.container import Services
from services.faces import Face
from tests.conftest import ledger_sum
from tests.e2e.conftest import (
    DELETED_VIDEO,
    PRIVATE_VIDEO,
    RunningBot,
    containing,
    image_size,
    not_a_preview,
    with_button,
    with_photo,
)
from tests.e2e.flows import (
    COSTS,
    MODE_BUTTONS,
    STYLE_LINK,
    choose_mode,
    confirm_and_receive,
    give_inputs,
    press_starting_with,
    profile_of,
    started,
)


@pytest.mark.parametrize("mode", list(MODE_BUTTONS))
async def test_every_mode_delivers_a_1280x720_thumbnail_for_its_cost(
    mode: str, new_chat_user, chat_services: Services
):
    user = new_chat_user()
    await started(user)

    await choose_mode(user, mode)
    await give_inputs(user, mode)
    delivered = await confirm_and_receive(user)

    assert image_size(user.file_bytes(delivered)) == (1280, 720)
    regenerate = f"🔁 Regenerate · {COSTS[mode]} credits"
    assert {regenerate, "📎 Full-quality file", "🆕 Start over"} <= set(delivered.button_texts)
    profile = await profile_of(chat_services, user)
    assert profile.credits == 50 - COSTS[mode] == await ledger_sum(chat_services.db, profile.id)
    row = await chat_services.db.fetch_one(
        "SELECT status, generation_type, credit_cost, output_image_url FROM generations "
        "WHERE profile_id = %s",
        [profile.id],
    )
    assert row is not None
    assert (row["status"], row["generation_type"], row["credit_cost"]) == (
        "succeeded",
        mode,
        COSTS[mode],
    )
    assert row["output_image_url"].startswith("local://thumbnails/")
    done = await user.wait_for_message(containing("Done!"))
    assert done.is_edit
    assert "in the queue" in done.edits[0]["text"]
    assert "upload_photo" in user.chat_actions()


async def test_full_quality_file_regenerate_and_history(new_chat_user, chat_services: Services):
    user = new_chat_user()
    await started(user)
    await choose_mode(user, "text_to_thumbnail")
    await give_inputs(user, "text_to_thumbnail", "Tiny house tour in the mountains")
    first = await confirm_and_receive(user)

    await press_starting_with(user, first, "Full-quality")
    document = await user.wait_for_message(lambda m: m.document is not None)
    assert document.document["file_name"].endswith(".jpg")  # type: ignore[index]
    assert image_size(user.file_bytes(document)) == (1280, 720)

    one = await press_starting_with(user, first, "Regenerate")
    two = await press_starting_with(user, first, "Regenerate")  # a double tap
    second = await user.wait_for_message(
        lambda m: with_photo(m) and not m.is_edit and m.message_id > first.message_id
    )
    assert user.file_bytes(second) != user.file_bytes(first)
    answers = [await user.wait_for_callback_answer(q) for q in (one, two)]
    assert any("Already on it" in (a.text or "") for a in answers)
    profile = await profile_of(chat_services, user)
    assert profile.credits == 50 - 10 - 10

    await user.send_command("/history")
    page = await user.wait_for_message(containing("Your thumbnails (1\N{EN DASH}2 of 2)"))
    await press_starting_with(user, page, "🖼 1")
    shown = await user.wait_for_message(with_photo)
    assert image_size(user.file_bytes(shown)) == (1280, 720)


async def test_double_tapped_confirm_charges_once(new_chat_user, chat_services: Services):
    user = new_chat_user()
    await started(user)
    await choose_mode(user, "text_to_thumbnail")
    await give_inputs(user, "text_to_thumbnail")
    order = await user.wait_for_message(with_button("Generate"))

    queries = [await press_starting_with(user, order, "Generate") for _ in range(3)]
    await user.wait_for_message(containing("Here's your thumbnail"))
    answers = [await user.wait_for_callback_answer(q) for q in queries]

    assert sum("credits used" in (a.text or "") for a in answers) == 1
    profile = await profile_of(chat_services, user)
    assert profile.credits == 40
    count = await chat_services.db.fetch_value(
        "SELECT count(*) FROM generations WHERE profile_id = %s", [profile.id]
    )
    assert count == 1


async def test_not_enough_credits_offers_a_way_to_get_them(new_chat_user, chat_services: Services):
    user = new_chat_user()
    await started(user)
    profile = await profile_of(chat_services, user)
    await chat_services.credits.admin_adjust(profile.id, -45, "test: nearly empty", 1)

    await choose_mode(user, "text_to_thumbnail")
    await give_inputs(user, "text_to_thumbnail")

    short = await user.wait_for_message(containing("Not enough credits", "10", "5"))
    assert "💳 Get credits" in short.button_texts
    await user.press(short, "buy:open")
    await user.wait_for_message(containing("You have 5 credits"))
    assert (await profile_of(chat_services, user)).credits == 5


async def test_cancel_midway_charges_nothing(new_chat_user, chat_services: Services):
    user = new_chat_user()
    await started(user)
    await choose_mode(user, "your_face")
    await user.wait_for_message(containing("Describe your video"))

    await user.send_command("/cancel")
    await user.wait_for_message(containing("Cancelled"))
    await user.send_text("a video about cats")
    await user.wait_for_message(containing("/generate"))

    await user.send_command("/cancel")
    await user.wait_for_message(containing("nothing to cancel"))
    assert (await profile_of(chat_services, user)).credits == 50


async def test_the_flow_survives_a_restart(
    new_chat_user, chat_services: Services, running_bot: RunningBot
):
    user = new_chat_user()
    await started(user)
    await choose_mode(user, "top_youtube_style")
    await user.wait_for_message(containing("Describe your video"))

    await running_bot.restart()

    await user.send_text("Surviving a week on a deserted island")
    await user.wait_for_message(containing("thumbnail style you like"))
    await user.send_text(STYLE_LINK)
    delivered = await confirm_and_receive(user)
    assert image_size(user.file_bytes(delivered)) == (1280, 720)
    assert (await profile_of(chat_services, user)).credits == 30


async def test_bad_inputs_are_explained_and_change_nothing(new_chat_user, chat_services: Services):
    user = new_chat_user()
    await started(user)
    await choose_mode(user, "top_youtube_style_face")
    await user.wait_for_message(containing("Describe your video"))

    await user.send_text("  a ")
    await user.wait_for_message(containing("a bit short"))
    await user.send_text("x" * 2000)
    await user.wait_for_message(containing("2000 characters"))
    await user.send_text("<b>Epic</b> & <i>fun</i> build")
    await user.wait_for_message(containing("thumbnail style you like"))

    await user.send_text("https://vimeo.com/123456")
    await user.wait_for_message(containing("doesn't look like a YouTube video link"))
    await user.send_text(f"https://youtu.be/{PRIVATE_VIDEO}")
    await user.wait_for_message(containing("private"))
    await user.send_text(f"https://www.youtube.com/shorts/{DELETED_VIDEO}")
    await user.wait_for_message(containing("doesn't exist"))
    await user.send_text(STYLE_LINK)
    await user.wait_for_message(containing("clear photo of your face"))

    await user.send_text("what now?")
    await user.wait_for_message(containing("Pick a face"))
    await user.send_document(b"hello", "notes.txt", "text/plain")
    await user.wait_for_message(containing("TXT file"))

    order_check = await chat_services.drafts.current((await profile_of(chat_services, user)).id)
    assert order_check is not None
    assert order_check.prompt == "<b>Epic</b> & <i>fun</i> build"
    assert (await profile_of(chat_services, user)).credits == 50


async def test_stale_buttons_say_so_and_change_nothing(new_chat_user, chat_services: Services):
    """An older /generate menu stays tappable in Telegram; its buttons must not act."""
    user = new_chat_user()
    await started(user)
    await user.send_command("/generate")
    old_chooser = await user.wait_for_message(containing("What kind of thumbnail"))
    await user.send_command("/generate")
    await user.wait_for_message(containing("What kind of thumbnail"))

    answer = await user.wait_for_callback_answer(
        await press_starting_with(user, old_chooser, MODE_BUTTONS["your_face"])
    )

    assert answer.show_alert
    assert "expired" in (answer.text or "")
    draft = await chat_services.drafts.current((await profile_of(chat_services, user)).id)
    assert draft is not None
    assert draft.mode is None


async def face_order(
    user: SandboxUser, services: Services
) -> tuple[SandboxUser, SentMessage, Face]:
    """A "with your face" order waiting to be confirmed, and its (only) face."""
    await started(user)
    await choose_mode(user, "your_face")
    await give_inputs(user, "your_face")
    order = await user.wait_for_message(with_button("Generate"))
    (face,) = await services.faces.list((await profile_of(services, user)).id)
    return user, order, face


async def test_a_face_deleted_before_confirming_is_asked_for_again(
    new_chat_user, chat_services: Services
):
    user, order, face = await face_order(new_chat_user(), chat_services)
    profile = await profile_of(chat_services, user)
    await chat_services.faces.delete(profile.id, face.id)  # from /faces, in another window

    await press_starting_with(user, order, "Generate")

    await user.wait_for_message(containing("photo of your face"))
    profile = await profile_of(chat_services, user)
    assert profile.credits == 50 == await ledger_sum(chat_services.db, profile.id)
    assert (
        await chat_services.db.fetch_value(
            "SELECT count(*) FROM generations WHERE profile_id = %s", [profile.id]
        )
        == 0
    )


async def test_a_failed_generation_is_refunded_and_explained(
    new_chat_user, chat_services: Services
):
    user, order, face = await face_order(new_chat_user(), chat_services)
    profile = await profile_of(chat_services, user)
    # The stored photo went bad (a storage fault): the job cannot use it.
    await chat_services.storage.put(
        FACES_BUCKET, f"{profile.id}/{face.id}.jpg", b"junk", "image/jpeg"
    )

    await press_starting_with(user, order, "Generate")

    apology = await user.wait_for_message(containing("couldn't make this thumbnail"))
    assert "are back" in (apology.text or "")
    profile = await profile_of(chat_services, user)
    assert profile.credits == 50 == await ledger_sum(chat_services.db, profile.id)
    row = await chat_services.db.fetch_one(
        "SELECT status, refunded_at FROM generations WHERE profile_id = %s", [profile.id]
    )
    assert row is not None
    assert row["status"] == "failed"
    assert row["refunded_at"] is not None


async def test_fifty_users_generating_at_once(new_chat_user, chat_services: Services):
    users = [new_chat_user() for _ in range(50)]

    async def one(user: SandboxUser) -> SentMessage:
        await started(user)
        await choose_mode(user, "text_to_thumbnail")
        await give_inputs(user, "text_to_thumbnail", f"Video number {user.id}")
        return await confirm_and_receive(user, within=120)

    delivered = await asyncio.gather(*(one(user) for user in users))

    assert all(
        image_size(u.file_bytes(m)) == (1280, 720) for u, m in zip(users, delivered, strict=True)
    )
    for user in users:
        profile = await profile_of(chat_services, user)
        assert profile.credits == 40 == await ledger_sum(chat_services.db, profile.id)


async def test_generate_in_a_group_points_to_private(sandbox, new_chat_user):
    user = new_chat_user()
    in_group = user.in_chat(sandbox.group(title="Thumbnail fans"))
    await in_group.send_command("/generate")
    await in_group.wait_for_message(containing("in private"))


async def test_a_failed_upload_points_to_history(new_chat_user, chat_services: Services, sandbox):
    user = new_chat_user()
    await started(user)
    await choose_mode(user, "text_to_thumbnail")
    await give_inputs(user, "text_to_thumbnail")
    order = await user.wait_for_message(with_button("Generate"))
    sandbox.fail_next("sendPhoto", 400, "Bad Request: failed to upload photo", when=not_a_preview)

    await press_starting_with(user, order, "Generate")

    await user.wait_for_message(containing("ready, but I couldn't send it", "/history"))
    await user.send_command("/history")
    await user.wait_for_message(containing("Your thumbnails (1"))
    assert (await profile_of(chat_services, user)).credits == 40
