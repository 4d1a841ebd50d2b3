"""What a new creator meets in the first minutes is true: an unreadable video is never
charged for nor drawn as its id, a style is never silently dropped, a kept order is
really kept, the price on a button is the price charged, and an image the bot showed
once can be shown again even when its Telegram file id stopped working."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sandbox.samples import sample_face, sample_image
from sandbox.server import SandboxServer
from sandbox.users import SandboxUser
from sandbox.views import SentMessage
from services.container import Services
from services.generation import GenerationInput
from tests.conftest import ledger_sum
from tests.e2e.conftest import containing, eventually, with_button, with_photo
from tests.e2e.flows import (
    choose_mode,
    confirm_and_receive,
    give_inputs,
    press_starting_with,
    profile_of,
    save_a_face,
    started,
)
from tests.e2e.raw_updates import callback_query
from tests.standins.youtube import StandInVideo, YouTubeStandIn, jpeg

UNREADABLE_VIDEO = "OfflineVid1"
NO_THUMBNAIL_VIDEO = "NoThumbVid1"
GONE = "AgACAgIAAxkBAAIgone"  # a photo file id Telegram does not know (any more)


@pytest.fixture
def youtube_trouble(youtube: YouTubeStandIn) -> YouTubeStandIn:
    """A video YouTube does not answer for (503), and one without a thumbnail."""
    youtube.videos[UNREADABLE_VIDEO] = StandInVideo(oembed_status=503)
    youtube.videos[NO_THUMBNAIL_VIDEO] = StandInVideo("Some video")
    return youtube


async def generation_inputs(services: Services, user: SandboxUser) -> list[GenerationInput]:
    profile = await profile_of(services, user)
    rows = await services.db.fetch_all(
        "SELECT input FROM generations WHERE profile_id = %s ORDER BY created_at", [profile.id]
    )
    return [GenerationInput.from_json(row["input"]) for row in rows]


async def test_an_unreadable_video_asks_for_its_title_before_any_charge(
    new_chat_user, chat_services: Services, youtube_trouble: YouTubeStandIn
):
    user = new_chat_user()
    await started(user)
    await choose_mode(user, "youtube_thumbnail")
    await user.wait_for_message(containing("link to your YouTube video"))

    await user.send_text(f"https://youtu.be/{UNREADABLE_VIDEO}")

    await user.wait_for_message(containing("couldn't read that video", "Type the video's title"))
    profile = await profile_of(chat_services, user)
    assert profile.credits == 50
    assert await generation_inputs(chat_services, user) == []
    await user.send_text("I Spent $500 on a Tiny House")
    delivered = await confirm_and_receive(user)

    assert "I Spent $500 on a Tiny House" in (delivered.caption or "")
    (asked,) = await generation_inputs(chat_services, user)
    assert asked.video_title == "I Spent $500 on a Tiny House"
    assert asked.video_url == f"https://www.youtube.com/watch?v={UNREADABLE_VIDEO}"
    profile = await profile_of(chat_services, user)
    assert profile.credits == 30 == await ledger_sum(chat_services.db, profile.id)


async def test_a_read_video_is_kept_with_the_order_so_youtube_going_down_changes_nothing(
    new_chat_user, chat_services: Services, youtube: YouTubeStandIn
):
    user = new_chat_user()
    await started(user)
    video_id = "GoesDown123"
    youtube.videos[video_id] = StandInVideo(
        "Never Gonna Give You Up", thumbnails={"hqdefault.jpg": jpeg(480, 360)}
    )
    await choose_mode(user, "youtube_thumbnail")
    await user.wait_for_message(containing("link to your YouTube video"))
    await user.send_text(f"https://youtu.be/{video_id}")
    await user.wait_for_message(containing("Got it", "Never Gonna Give You Up"))
    youtube.videos[video_id] = StandInVideo(oembed_status=503)  # YouTube is down meanwhile

    delivered = await confirm_and_receive(user)

    assert "Never Gonna Give You Up" in (delivered.caption or "")
    (asked,) = await generation_inputs(chat_services, user)
    assert asked.video_title == "Never Gonna Give You Up"
    assert asked.video_image_url is not None
    assert (await profile_of(chat_services, user)).credits == 30


async def test_a_style_video_without_a_readable_thumbnail_asks_for_a_screenshot(
    new_chat_user, chat_services: Services, youtube_trouble: YouTubeStandIn
):
    user = new_chat_user()
    await started(user)
    await choose_mode(user, "top_youtube_style")
    await user.wait_for_message(containing("Describe your video"))
    await user.send_text("My first marathon")
    await user.wait_for_message(containing("thumbnail style you like"))

    await user.send_text(f"https://youtu.be/{NO_THUMBNAIL_VIDEO}")
    await user.wait_for_message(containing("couldn't read that video's thumbnail", "screenshot"))
    await user.send_text(f"https://youtu.be/{UNREADABLE_VIDEO}")
    await user.wait_for_message(containing("couldn't read that video's thumbnail"))
    assert (await profile_of(chat_services, user)).credits == 50
    await user.send_photo(sample_image(640, 360, label="a thumbnail I like"))
    await user.wait_for_message(containing("follow the style of this picture"))
    await confirm_and_receive(user)

    (asked,) = await generation_inputs(chat_services, user)
    assert asked.style_image_url is not None
    assert asked.style_url is None
    assert (await profile_of(chat_services, user)).credits == 30


async def test_a_kept_order_is_continued_with_one_tap_after_buying_credits(
    new_chat_user, chat_services: Services
):
    user = new_chat_user()
    await started(user)
    profile = await profile_of(chat_services, user)
    await chat_services.credits.admin_adjust(profile.id, -45, "test: almost spent", 1)
    await choose_mode(user, "text_to_thumbnail")
    await give_inputs(user, "text_to_thumbnail", "Ten tips for better sleep")
    await user.wait_for_message(containing("Not enough credits", "Your order is kept"))
    await user.send_command("/buy")
    menu = await user.wait_for_message(containing("Credit packs"))
    await user.press(menu, "buy:pack:pack_100")
    invoice = await user.wait_for_message(lambda message: message.invoice is not None)
    assert (await user.pay(invoice)).ok

    notice = await user.wait_for_message(with_button("Continue my order"))
    await press_starting_with(user, notice, "Continue my order")
    order = await user.wait_for_message(with_button("Generate"))
    assert "Ten tips for better sleep" in (order.text or "")
    await press_starting_with(user, order, "Generate")
    await user.wait_for_message(containing("Here's your thumbnail", "Ten tips for better sleep"))

    profile = await profile_of(chat_services, user)
    assert profile.credits == 5 + 100 - 10 == await ledger_sum(chat_services.db, profile.id)


async def test_generate_offers_the_kept_order_or_a_new_one(new_chat_user):
    user = new_chat_user()
    await started(user)
    await choose_mode(user, "text_to_thumbnail")
    await give_inputs(user, "text_to_thumbnail", "Cooking for one")
    await user.wait_for_message(with_button("Generate"))

    await user.send_command("/generate")

    kept = await user.wait_for_message(containing("unfinished order"))
    await user.wait_for_message(containing("Cooking for one"))
    await press_starting_with(user, kept, "Start a new order")
    await user.wait_for_message(containing("What kind of thumbnail"))


@pytest.fixture
async def text_price(chat_services: Services) -> AsyncIterator[None]:
    """Puts the text mode's price back after a test changed it."""
    yield
    await chat_services.db.execute(
        "UPDATE generation_types SET cost_credits = 10 WHERE type_key = 'text_to_thumbnail'"
    )


async def test_regenerate_shows_its_price_and_charges_only_what_was_shown(
    new_chat_user, chat_services: Services, text_price: None
):
    user = new_chat_user()
    await started(user)
    await choose_mode(user, "text_to_thumbnail")
    await give_inputs(user, "text_to_thumbnail", "Budget travel in Japan")
    delivered = await confirm_and_receive(user)
    assert "🔁 Regenerate · 10 credits" in delivered.button_texts
    await chat_services.db.execute(
        "UPDATE generation_types SET cost_credits = 15 WHERE type_key = 'text_to_thumbnail'"
    )

    await press_starting_with(user, delivered, "Regenerate")

    offer = await user.wait_for_message(containing("costs 15 credits now"))
    profile = await profile_of(chat_services, user)
    assert profile.credits == 40
    assert len(await generation_inputs(chat_services, user)) == 1
    await press_starting_with(user, offer, "Generate (15")
    await user.wait_for_message(containing("Here's your thumbnail"), timeout=10)
    profile = await profile_of(chat_services, user)
    assert profile.credits == 25 == await ledger_sum(chat_services.db, profile.id)


async def test_a_button_from_before_prices_were_shown_asks_first(
    new_chat_user, chat_services: Services, sandbox: SandboxServer
):
    user = new_chat_user()
    await started(user)
    await choose_mode(user, "text_to_thumbnail")
    await give_inputs(user, "text_to_thumbnail", "Old button")
    delivered = await confirm_and_receive(user)
    profile = await profile_of(chat_services, user)
    (generation_id,) = [
        row["id"]
        for row in await chat_services.db.fetch_all(
            "SELECT id FROM generations WHERE profile_id = %s", [profile.id]
        )
    ]

    # An older version's button carried no price.
    old_button = callback_query(sandbox, user, f"gen:again:{generation_id}", delivered.data)
    sandbox.push_raw_update({"callback_query": old_button})

    await user.wait_for_message(containing("costs 10 credits now"))
    assert (await profile_of(chat_services, user)).credits == 40


def caption_and_buttons(message: SentMessage) -> tuple[str, list[str]]:
    return message.caption or "", message.button_texts


async def test_history_shows_a_thumbnail_with_what_was_asked_and_its_buttons(
    new_chat_user, chat_services: Services
):
    user = new_chat_user()
    await started(user)
    await choose_mode(user, "face_youtube")
    await give_inputs(user, "face_youtube")
    await confirm_and_receive(user)

    await user.send_command("/history")
    page = await user.wait_for_message(containing("Your thumbnails"))
    assert "How I Built a Cabin in 30 Days" in (page.text or "")  # the video's title
    await press_starting_with(user, page, "🖼 1")
    shown = await user.wait_for_message(with_photo)

    caption, buttons = caption_and_buttons(shown)
    assert "Your face + a YouTube video" in caption
    assert "How I Built a Cabin in 30 Days" in caption
    assert "🔁 Regenerate · 20 credits" in buttons
    assert "📎 Full-quality file" in buttons


async def test_images_whose_file_ids_stopped_working_are_sent_from_storage(
    new_chat_user, chat_services: Services
):
    """As after a changed bot token: every stored file id is unknown to Telegram."""
    user = new_chat_user()
    await started(user)
    await save_a_face(user)
    await choose_mode(user, "text_to_thumbnail")
    await give_inputs(user, "text_to_thumbnail", "Stale ids")
    await confirm_and_receive(user)
    profile = await profile_of(chat_services, user)
    await chat_services.db.execute(
        "UPDATE user_images SET telegram_file_id = %s WHERE profile_id = %s",
        [GONE, profile.id],
    )
    await chat_services.db.execute(
        "UPDATE generations SET output_telegram_file_id = %s WHERE profile_id = %s",
        [GONE, profile.id],
    )

    await user.send_command("/faces")
    await user.wait_for_message(with_photo)
    await choose_mode(user, "your_face")
    await user.wait_for_message(containing("Describe your video"))
    await user.send_text("Face picker after a move")
    await user.wait_for_message(containing("Which face"))
    await user.wait_for_message(with_photo)
    await user.send_command("/history")
    page = await user.wait_for_message(containing("Your thumbnails"))
    await press_starting_with(user, page, "🖼 1")
    await user.wait_for_message(with_photo)

    async def working_ids_recorded() -> bool:
        rows = await chat_services.db.fetch_all(
            "SELECT telegram_file_id AS id FROM user_images WHERE profile_id = %s"
            " UNION ALL SELECT output_telegram_file_id FROM generations WHERE profile_id = %s",
            [profile.id, profile.id],
        )
        return len(rows) == 2 and all(row["id"] not in (None, GONE) for row in rows)

    await eventually(working_ids_recorded)


async def test_a_photo_offered_before_its_file_id_stopped_working_asks_to_send_it_again(
    new_chat_user, chat_services: Services
):
    user = new_chat_user()
    await started(user)
    await user.send_photo(sample_face())
    offer = await user.wait_for_message(with_button("Save"))
    profile = await profile_of(chat_services, user)
    await chat_services.db.execute(
        "UPDATE pending_uploads SET telegram_file_id = %s WHERE profile_id = %s",
        [GONE, profile.id],
    )

    await press_starting_with(user, offer, "Save")

    await user.wait_for_message(containing("send it again"))
    assert await chat_services.faces.list(profile.id) == []


async def test_the_confirm_button_of_a_cancelled_order_says_it_expired(
    new_chat_user, chat_services: Services
):
    user = new_chat_user()
    await started(user)
    await choose_mode(user, "text_to_thumbnail")
    await give_inputs(user, "text_to_thumbnail", "Cancelled later")
    order = await user.wait_for_message(with_button("Generate"))
    await user.send_command("/cancel")
    await user.wait_for_message(containing("Cancelled"))

    answer = await user.wait_for_callback_answer(await press_starting_with(user, order, "Generate"))

    assert answer.show_alert
    assert "expired" in (answer.text or "")
    assert "on it" not in (answer.text or "")
    assert (await profile_of(chat_services, user)).credits == 50
