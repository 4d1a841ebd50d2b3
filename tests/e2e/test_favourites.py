"""Through the sandbox chat: every delivered thumbnail is followed by how it looks on
YouTube (a preview Telegram refuses costs nothing but the preview; a headline in small
print gets a warning), ⭐ stars a thumbnail and turns its button in place, and /history
marks the favourites, lists only them on request, re-opens each one with its buttons (a
variant with its order's other variants) and shows an edit as an edit of its number."""

from __future__ import annotations

import io
from collections.abc import Callable
from uuid import UUID

from PIL import Image, ImageDraw

from bot.delivery import TelegramReporter
from handlers.i18n import t
from sandbox.server import SandboxServer
from sandbox.users import SandboxUser
from sandbox.views import SentMessage
from services.container import Services
from services.generation import GenerationInput
from services.generators.render_text import font_sources
from tests.e2e.conftest import (
    PREVIEW_CAPTIONS,
    RunningBot,
    containing,
    eventually,
    image_size,
    is_preview,
    text_of,
    with_button,
    with_photo,
)
from tests.e2e.flows import (
    choose_mode,
    confirm_and_receive,
    give_inputs,
    photos,
    press_starting_with,
    profile_of,
    started,
)
from tests.e2e.raw_updates import callback_query

PREVIEW_SIZE = (800, 439)  # two 400 px panels, light and dark: the feed card and the list item
STAR, STARRED = t("en", "btn_favourite"), t("en", "btn_unfavourite")


async def order(user: SandboxUser, prompt: str) -> SentMessage:
    await choose_mode(user, "text_to_thumbnail")
    await give_inputs(user, "text_to_thumbnail", prompt)
    return await confirm_and_receive(user)


async def generation_of(services: Services, user: SandboxUser, prompt: str) -> dict:
    profile = await profile_of(services, user)
    row = await services.db.fetch_one(
        "SELECT id, favourite, delivered_at, delivery_method FROM generations"
        " WHERE profile_id = %s AND input->>'prompt' = %s",
        [profile.id, prompt],
    )
    assert row is not None
    return row


async def star_state(services: Services, generation_id: UUID) -> bool:
    return bool(
        await services.db.fetch_value(
            "SELECT favourite FROM generations WHERE id = %s", [generation_id]
        )
    )


def buttons_of(message: SentMessage) -> list[str]:
    return message.current.button_texts


async def test_a_delivered_thumbnail_is_followed_by_how_it_looks_on_youtube(
    new_chat_user: Callable[..., SandboxUser], chat_services: Services
):
    user = new_chat_user("Maria")
    await started(user)

    result = await order(user, "I built a cabin alone in the woods")

    preview = await user.wait_for_message(is_preview)
    assert preview.message_id > result.message_id
    assert preview.caption == t("en", "preview_caption")  # the headline reads: no warning
    assert image_size(user.file_bytes(preview)) == PREVIEW_SIZE
    assert photos(user) == 1  # the thumbnail itself, once
    row = await generation_of(chat_services, user, "I built a cabin alone in the woods")
    assert row["delivery_method"] == "sent"


async def test_a_preview_telegram_refuses_leaves_the_delivered_result_alone(
    sandbox: SandboxServer,
    new_chat_user: Callable[..., SandboxUser],
    chat_services: Services,
):
    user = new_chat_user()
    await started(user)
    refused = sandbox.fail_next(
        "sendPhoto",
        400,
        "Bad Request: failed to upload photo",
        when=lambda params: str(params.get("caption", "")).startswith(PREVIEW_CAPTIONS),
    )
    try:
        await order(user, "Preview refused")

        async def preview_tried() -> bool:
            return refused.times == 0

        await eventually(preview_tried, within=10)
    finally:
        sandbox.faults.clear()
    row = await generation_of(chat_services, user, "Preview refused")
    assert row["delivery_method"] == "sent"
    assert photos(user) == 1
    assert not any(is_preview(message) for message in user.messages())


async def test_a_star_is_kept_and_turns_its_button(
    new_chat_user: Callable[..., SandboxUser], chat_services: Services
):
    user = new_chat_user()
    await started(user)
    result = await order(user, "Star me")
    generation = (await generation_of(chat_services, user, "Star me"))["id"]

    query = await press_starting_with(user, result, STAR)
    answer = await user.wait_for_callback_answer(query)
    assert answer.text == t("en", "favourite_added")
    assert await star_state(chat_services, generation)

    async def turned(to: str) -> bool:
        return to in buttons_of(result)

    await eventually(lambda: turned(STARRED))
    assert STAR not in buttons_of(result)
    assert len(buttons_of(result)) == 5  # the other buttons stay

    await press_starting_with(user, result, STARRED)
    await eventually(lambda: turned(STAR))
    assert not await star_state(chat_services, generation)


async def test_a_double_tapped_star_stars_once(
    sandbox: SandboxServer, new_chat_user: Callable[..., SandboxUser], chat_services: Services
):
    """The button asks for a state, not a flip: two taps before the button turns still
    leave the thumbnail starred."""
    user = new_chat_user()
    await started(user)
    result = await order(user, "Double star")
    generation = (await generation_of(chat_services, user, "Double star"))["id"]
    data = next(b["callback_data"] for b in result.current.buttons if b["text"] == STAR)

    taps = [callback_query(sandbox, user, data, result.data) for _ in range(2)]
    for tap in taps:
        sandbox.push_raw_update({"callback_query": tap})
    for tap in taps:
        await sandbox.world.queries.wait_answer(tap["id"], 5)

    assert await star_state(chat_services, generation)
    await eventually(lambda: _has(result, STARRED))


async def _has(message: SentMessage, button: str) -> bool:
    return button in buttons_of(message)


async def test_history_marks_favourites_lists_only_them_and_reopens_them(
    new_chat_user: Callable[..., SandboxUser], chat_services: Services
):
    user = new_chat_user()
    await started(user)
    first = await order(user, "First cabin")
    await user.wait_for_message(is_preview)
    await order(user, "Second cabin")
    await press_starting_with(user, first, STAR)
    await eventually(lambda: _has(first, STARRED))

    await user.send_command("/history")
    page = await user.wait_for_message(containing("Your thumbnails (1\N{EN DASH}2 of 2)"))
    lines = (page.text or "").splitlines()
    assert any(line.startswith("1.") and line.endswith("⭐") for line in lines)
    assert any(line.startswith("2.") and not line.endswith("⭐") for line in lines)
    assert buttons_of(page) == ["🖼 2", "🖼 1", t("en", "btn_history_favourites")]

    await press_starting_with(user, page, t("en", "btn_history_favourites"))
    favourites = await user.wait_for_message(containing("Your favourites (1\N{EN DASH}1 of 1)"))
    assert favourites.message_id == page.message_id  # turned in place
    assert "First cabin" in (favourites.text or "")
    assert "Second cabin" not in (favourites.text or "")
    assert buttons_of(favourites) == ["🖼 1", t("en", "btn_history_all")]

    await press_starting_with(user, favourites, "🖼 1")
    shown = await user.wait_for_message(with_photo)
    assert "First cabin" in (shown.caption or "")
    assert buttons_of(shown) == [
        t("en", "btn_regenerate", cost=10),
        t("en", "btn_edit"),
        t("en", "btn_full_quality"),
        STARRED,
        t("en", "btn_start_over"),
    ]

    # Unstarred from the re-opened copy: the favourites list is empty now.
    await press_starting_with(user, shown, STARRED)
    await eventually(lambda: _has(shown, STAR))
    await press_starting_with(user, page, t("en", "btn_history_all"))
    await user.wait_for_message(containing("Your thumbnails (1\N{EN DASH}2 of 2)"))
    await press_starting_with(user, page, t("en", "btn_history_favourites"))
    await user.wait_for_message(containing(t("en", "history_no_favourites")))
    assert buttons_of(page) == [t("en", "btn_history_all")]


async def test_someone_elses_thumbnail_cannot_be_starred(
    sandbox: SandboxServer, new_chat_user: Callable[..., SandboxUser], chat_services: Services
):
    owner, other = new_chat_user("Owner"), new_chat_user("Other")
    await started(owner)
    await started(other)
    await order(owner, "Not yours")
    generation = (await generation_of(chat_services, owner, "Not yours"))["id"]

    press = callback_query(sandbox, other, f"hist:fav:{generation}:1", other.messages()[-1].data)
    sandbox.push_raw_update({"callback_query": press})
    answer = await sandbox.world.queries.wait_answer(press["id"], 5)

    assert answer["text"] == t("en", "stale_button")
    assert not await star_state(chat_services, generation)


async def test_a_headline_too_small_to_read_comes_with_a_warning(
    running_bot: RunningBot, new_chat_user: Callable[..., SandboxUser], chat_services: Services
):
    """The reporter's preview of a thumbnail in small print, sent to a real chat."""
    user = new_chat_user()
    await started(user)
    picture = Image.new("RGB", (1280, 720), (30, 90, 160))
    font = font_sources()[0].load(30)
    ImageDraw.Draw(picture).text((90, 300), "MY FIRST WEEK OFF GRID", font=font, fill="white")
    thumbnail = io.BytesIO()
    picture.save(thumbnail, "JPEG")
    assert running_bot.application is not None
    reporter = TelegramReporter(
        running_bot.application.bot, chat_services.generations, chat_services.catalog
    )
    profile = await profile_of(chat_services, user)

    await reporter.send_preview(
        user.chat_id,
        "en",
        profile.id,
        GenerationInput("text_to_thumbnail", "Off grid"),
        [thumbnail.getvalue()],
    )

    preview = await user.wait_for_message(is_preview)
    assert preview.caption == "\n".join(
        [t("en", "preview_caption"), t("en", "preview_unreadable", width=168, height=94)]
    )


async def test_a_variant_reopens_with_the_other_variants_of_its_order(
    new_chat_user: Callable[..., SandboxUser], chat_services: Services
):
    user = new_chat_user()
    await started(user)
    await choose_mode(user, "text_to_thumbnail")
    await give_inputs(user, "text_to_thumbnail", "Two ways to say it")
    confirm = await user.wait_for_message(with_button("Generate"))
    await press_starting_with(user, confirm, "2\N{MULTIPLICATION SIGN}")
    await user.wait_for_message(with_button("Generate (20 credits)"))
    await press_starting_with(user, confirm, "Generate")
    await user.wait_for_message(containing("variants above"), timeout=30)

    await user.send_command("/history")
    page = await user.wait_for_message(containing("Your thumbnails (1\N{EN DASH}2 of 2)"))
    await press_starting_with(user, page, "🖼 1")
    shown = await user.wait_for_message(with_photo)
    other = [text for text in buttons_of(shown) if text.startswith("🖼 Variant")]
    assert len(other) == 1
    assert STAR in buttons_of(shown)

    await press_starting_with(user, shown, other[0])
    again = await user.wait_for_message(with_photo)
    back = [text for text in buttons_of(again) if text.startswith("🖼 Variant")]
    assert len(back) == 1
    assert back != other


async def test_history_shows_edits_as_a_chain(
    new_chat_user: Callable[..., SandboxUser], chat_services: Services
):
    user = new_chat_user()
    await started(user)
    root = await order(user, "The root of a chain")

    await press_starting_with(user, root, t("en", "btn_edit"))
    await user.wait_for_message(containing("What should I change"))
    first = await edited(user, "change the headline to I QUIT MY JOB", reply_to=None)
    await edited(user, "make the text red", reply_to=first)

    await user.send_command("/history")
    page = await user.wait_for_message(containing("Your thumbnails (1\N{EN DASH}3 of 3)"))
    lines = (page.text or "").splitlines()
    assert lines[2].strip() == t("en", "history_edit_of", n=2)  # under #3
    assert lines[4].strip() == t("en", "history_edit_of", n=1)  # under #2
    assert len(lines) == 6  # the header, #3 and its edit line, #2 and its, #1


async def edited(user: SandboxUser, instruction: str, reply_to: SentMessage | None) -> SentMessage:
    """An edit by instruction, confirmed and delivered (handlers/edit.py)."""
    await user.send_text(instruction, reply_to=reply_to)
    offer = await user.wait_for_message(with_button("✅ Edit"))
    await press_starting_with(user, offer, "✅ Edit")
    return await user.wait_for_message(
        lambda message: with_photo(message) and "✏️ Changed" in text_of(message), timeout=20
    )
