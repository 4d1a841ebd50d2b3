"""/generate over the Bot API: every mode to a delivered 1280x720 thumbnail with the right
charge, and everything that can go wrong on the way."""

from __future__ import annotations

import asyncio

import pytest

from sandbox.samples import sample_face
from sandbox.users import SandboxUser
from sandbox.views import SentMessage
from services.container import Services
from tests.conftest import ledger_sum
from tests.e2e.conftest import (
    DELETED_VIDEO,
    PRIVATE_VIDEO,
    PUBLIC_VIDEO,
    STYLE_VIDEO,
    RunningBot,
    containing,
    image_size,
    with_button,
    with_photo,
)
from tests.standins.youtube import StandInVideo, YouTubeStandIn

VIDEO_LINK = f"https://youtu.be/{PUBLIC_VIDEO}?si=share"
STYLE_LINK = f"https://www.youtube.com/watch?v={STYLE_VIDEO}&t=42"
MODE_BUTTONS = {
    "text_to_thumbnail": "From a description",
    "youtube_thumbnail": "For a YouTube video",
    "your_face": "With your face",
    "face_youtube": "Your face + a YouTube video",
    "top_youtube_style": "In a top video's style",
    "top_youtube_style_face": "Top style + your face",
}
COSTS = {"text_to_thumbnail": 10} | {
    mode: 20 for mode in MODE_BUTTONS if mode != "text_to_thumbnail"
}


async def press_starting_with(user: SandboxUser, message: SentMessage, fragment: str) -> str:
    """Presses the first button whose text contains the fragment; returns the query id."""
    for candidate in message.current.buttons:
        if fragment in candidate["text"]:
            query_id = await user.press(message, candidate["callback_data"])
            assert query_id is not None
            return query_id
    raise AssertionError(f"no button with {fragment!r} in {message.current.button_texts}")


async def choose_mode(user: SandboxUser, mode: str) -> SentMessage:
    await user.send_command("/generate")
    chooser = await user.wait_for_message(containing("What kind of thumbnail"))
    await press_starting_with(user, chooser, MODE_BUTTONS[mode])
    return chooser


async def give_inputs(user: SandboxUser, mode: str, prompt: str = "I built a cabin alone") -> None:
    """Answers whatever the mode asks for, in the order the bot asks."""
    if mode in ("text_to_thumbnail", "your_face", "top_youtube_style", "top_youtube_style_face"):
        await user.wait_for_message(containing("Describe your video"))
        await user.send_text(prompt)
    if mode in ("youtube_thumbnail", "face_youtube"):
        await user.wait_for_message(containing("link to your YouTube video"))
        await user.send_text(f"here it is {VIDEO_LINK} thanks")
        await user.wait_for_message(containing("How I Built a Cabin"))
    if mode in ("top_youtube_style", "top_youtube_style_face"):
        await user.wait_for_message(containing("thumbnail style you like"))
        await user.send_text(STYLE_LINK)
    if mode in ("your_face", "face_youtube", "top_youtube_style_face"):
        await user.wait_for_message(containing("clear photo of your face"))
        await user.send_photo(sample_face())


async def confirm_and_receive(user: SandboxUser, within: float = 10.0) -> SentMessage:
    order = await user.wait_for_message(with_button("Generate"))
    await press_starting_with(user, order, "Generate")
    return await user.wait_for_message(containing("Here's your thumbnail"), timeout=within)


async def profile_of(services: Services, user: SandboxUser):
    profile = await services.accounts.find_by_telegram_id(user.id)
    assert profile is not None
    return profile


async def started(user: SandboxUser) -> None:
    await user.send_command("/start")
    await user.wait_for_message(containing("Welcome"))


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
    assert {"🔁 Regenerate", "📎 Full-quality file", "🆕 Start over"} <= {
        text.split(" (")[0] for text in delivered.button_texts
    }
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


async def test_a_failed_generation_is_refunded_and_explained(
    new_chat_user, chat_services: Services, youtube: YouTubeStandIn
):
    user = new_chat_user()
    await started(user)
    video_id = "TURNSPRIVAT"
    youtube.videos[video_id] = StandInVideo("Soon private")
    await choose_mode(user, "youtube_thumbnail")
    await user.wait_for_message(containing("link to your YouTube video"))
    await user.send_text(f"https://youtu.be/{video_id}")
    order = await user.wait_for_message(with_button("Generate"))
    youtube.videos[video_id] = StandInVideo(oembed_status=401)  # made private meanwhile

    await press_starting_with(user, order, "Generate")

    apology = await user.wait_for_message(containing("couldn't make this thumbnail", "private"))
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
    sandbox.fail_next("sendPhoto", 400, "Bad Request: failed to upload photo", times=1)

    await press_starting_with(user, order, "Generate")

    await user.wait_for_message(containing("ready, but I couldn't send it", "/history"))
    await user.send_command("/history")
    await user.wait_for_message(containing("Your thumbnails (1"))
    assert (await profile_of(chat_services, user)).credits == 40
