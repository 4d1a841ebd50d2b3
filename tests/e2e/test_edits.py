"""Edit by instruction over the Bot API, with the local renderer: a chain of edits (the ✏️
button, then replies to the delivered photos), each charged once and delivered with its
changes said in the caption; an instruction nothing can be done with is answered without a
charge; a double tap on ✅ Edit charges once, and the offer survives a restart."""

from __future__ import annotations

import asyncio
import io
import uuid
from typing import Any

from PIL import Image, ImageChops, ImageOps, ImageStat

from sandbox.users import SandboxUser
from sandbox.views import SentMessage
from services.container import Services
from services.generation import GenerationInput
from services.generators.base import GenerationRequest
from services.generators.edits import EDIT_TYPE, parse_instruction
from services.generators.local_renderer import headline_side
from tests.conftest import ledger_sum
from tests.e2e.conftest import RunningBot, containing, text_of, with_button, with_photo
from tests.e2e.flows import (
    choose_mode,
    confirm_and_receive,
    give_inputs,
    press_starting_with,
    profile_of,
    started,
)

PROMPT = "I built a cabin alone in the woods"
DELIVERED = "Here's your thumbnail"


def delivered_edit(message: SentMessage) -> bool:
    return with_photo(message) and "✏️ Changed" in text_of(message)


async def offer_for(
    user: SandboxUser, instruction: str, reply_to: SentMessage | None
) -> SentMessage:
    """Sends the instruction (as a reply to a thumbnail, or after ✏️) and returns the offer."""
    await user.send_text(instruction, reply_to=reply_to)
    return await user.wait_for_message(with_button("✅ Edit"))


async def edited(user: SandboxUser, instruction: str, reply_to: SentMessage | None) -> SentMessage:
    offer = await offer_for(user, instruction, reply_to)
    await press_starting_with(user, offer, "✅ Edit")
    return await user.wait_for_message(delivered_edit, timeout=20)


def picture(user: SandboxUser, message: SentMessage) -> Image.Image:
    return Image.open(io.BytesIO(user.file_bytes(message))).convert("RGB")


def halves(image: Image.Image) -> dict[str, Image.Image]:
    width, height = image.size
    return {
        "left": image.crop((0, 0, width // 2, height)),
        "right": image.crop((width // 2, 0, width, height)),
    }


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference of two pictures, 0-255."""
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


def red_share(image: Image.Image) -> float:
    """The share of clearly red pixels."""
    red, green, blue = image.split()
    mask = ImageChops.multiply(
        red.point(lambda v: 255 if v > 170 else 0),
        ImageChops.multiply(
            green.point(lambda v: 255 if v < 80 else 0), blue.point(lambda v: 255 if v < 80 else 0)
        ),
    )
    return mask.histogram()[255] / (image.width * image.height)


async def edits_of(services: Services, user: SandboxUser) -> list[dict[str, Any]]:
    profile = await profile_of(services, user)
    return await services.db.fetch_all(
        "SELECT id, generation_type, credit_cost, status, input FROM generations"
        " WHERE profile_id = %s ORDER BY created_at, id",
        [profile.id],
    )


async def test_a_chain_of_three_edits_each_charged_once_and_delivered(
    new_chat_user, chat_services: Services
):
    user = new_chat_user()
    await started(user)
    await choose_mode(user, "your_face")
    await give_inputs(user, "your_face", PROMPT)
    root = await confirm_and_receive(user)

    await press_starting_with(user, root, "✏️ Edit")
    await user.wait_for_message(containing("What should I change"))
    offer = await offer_for(user, "change the headline to I QUIT MY JOB", None)
    assert "headline → “I QUIT MY JOB”" in text_of(offer)
    assert "Cost: 10 credits" in text_of(offer).replace("<b>", "").replace("</b>", "")
    assert "✅ Edit (10 credits)" in offer.button_texts
    await press_starting_with(user, offer, "✅ Edit")
    first = await user.wait_for_message(delivered_edit, timeout=20)
    assert "headline → “I QUIT MY JOB”" in text_of(first)
    second = await edited(user, "make the text red and the face bigger", reply_to=first)
    assert "bigger face" in text_of(second)
    third = await edited(user, "swap sides", reply_to=second)
    assert "swap sides" in text_of(third)

    rows = await edits_of(chat_services, user)
    assert [(row["generation_type"], row["credit_cost"], row["status"]) for row in rows] == [
        ("your_face", 20, "succeeded"),
        *[(EDIT_TYPE, 10, "succeeded")] * 3,
    ]
    ids = [str(row["id"]) for row in rows]
    inputs = [GenerationInput.from_json(row["input"]) for row in rows]
    assert [request.parent_id for request in inputs] == [None, *ids[:3]]
    assert inputs[3].instructions == (
        "change the headline to I QUIT MY JOB",
        "make the text red and the face bigger",
        "swap sides",
    )
    assert parse_instruction(inputs[1].instructions[0]).headline == "I QUIT MY JOB"
    assert all(request.mode == "your_face" for request in inputs)  # re-run from the root
    assert all(request.prompt == PROMPT for request in inputs)
    profile = await profile_of(chat_services, user)
    assert profile.credits == 50 - 20 - 3 * 10 == await ledger_sum(chat_services.db, profile.id)

    # What each edit changed is in its pixels: the headline's half for the new words,
    # red for the red text and a bigger face, the other sides after the swap.
    root_side = headline_side(GenerationRequest(uuid.uuid4(), "your_face", prompt=PROMPT))
    face_side = "right" if root_side == "left" else "left"
    before, after = halves(picture(user, root)), halves(picture(user, first))
    assert difference(before[root_side], after[root_side]) > 3 * difference(
        before[face_side], after[face_side]
    )
    assert red_share(picture(user, second)) > red_share(picture(user, first)) + 0.01
    assert difference(halves(picture(user, second))[face_side], after[face_side]) > 5
    swapped, unswapped = picture(user, third), picture(user, second)
    assert difference(ImageOps.mirror(swapped), unswapped) < difference(swapped, unswapped)


async def test_an_instruction_nothing_can_be_done_with_is_not_offered_or_charged(
    new_chat_user, chat_services: Services
):
    user = new_chat_user()
    await started(user)
    await choose_mode(user, "text_to_thumbnail")
    await give_inputs(user, "text_to_thumbnail", PROMPT)
    root = await confirm_and_receive(user)

    await user.send_text("swap the background for a city at night", reply_to=root)
    nothing = await user.wait_for_message(containing("I can't apply"))
    assert "swap the background for a city at night" in text_of(nothing)
    assert "Nothing was offered" in text_of(nothing) or "nothing was offered" in text_of(nothing)
    assert nothing.button_texts == []
    await user.send_text("bigger face", reply_to=root)  # a thumbnail without a face
    await user.wait_for_message(containing("I can't apply", "bigger face"))
    await user.send_text("x" * 301, reply_to=root)
    await user.wait_for_message(containing("301 characters"))

    # Part of it can be done: it is offered, and what can't be done is said, then and after.
    offer = await offer_for(user, "make the text red and add a dog", root)
    assert "accent colour (key word and shapes) → red" in text_of(offer)
    assert "won't be applied: “add a dog”" in text_of(offer)
    await press_starting_with(user, offer, "✅ Edit")
    delivered = await user.wait_for_message(delivered_edit, timeout=20)
    assert "Not applied (not possible here): “add a dog”" in text_of(delivered)

    rows = await edits_of(chat_services, user)
    assert [row["generation_type"] for row in rows] == ["text_to_thumbnail", EDIT_TYPE]
    assert GenerationInput.from_json(rows[1]["input"]).edit_skipped == ("add a dog",)
    profile = await profile_of(chat_services, user)
    assert profile.credits == 50 - 10 - 10 == await ledger_sum(chat_services.db, profile.id)


async def test_a_double_tap_charges_once_and_the_offer_survives_a_restart(
    new_chat_user, chat_services: Services, running_bot: RunningBot
):
    user = new_chat_user()
    await started(user)
    await choose_mode(user, "text_to_thumbnail")
    await give_inputs(user, "text_to_thumbnail", PROMPT)
    root = await confirm_and_receive(user)
    await press_starting_with(user, root, "✏️ Edit")
    await user.wait_for_message(containing("What should I change"))

    await running_bot.restart()  # the question is remembered...
    offer = await offer_for(user, "blue background", None)
    await running_bot.restart()  # ...and so is the offer

    taps = await asyncio.gather(
        press_starting_with(user, offer, "✅ Edit"), press_starting_with(user, offer, "✅ Edit")
    )
    await user.wait_for_message(delivered_edit, timeout=20)
    answers = [await user.wait_for_callback_answer(tap) for tap in taps]
    assert sorted(answer.text or "" for answer in answers) == [
        "10 credits used; 30 left.",
        "Already on it! ⏳",
    ]
    assert offer.current.button_texts == []  # the offer is done with

    rows = await edits_of(chat_services, user)
    assert [row["generation_type"] for row in rows] == ["text_to_thumbnail", EDIT_TYPE]
    profile = await profile_of(chat_services, user)
    assert profile.credits == 30 == await ledger_sum(chat_services.db, profile.id)
    assert sum(1 for message in user.messages() if delivered_edit(message)) == 1
