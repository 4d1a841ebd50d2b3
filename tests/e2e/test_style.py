"""/style over the Bot API: a saved style set through its buttons and messages, an order
drawn in it (its colours in the picture, its logo in its corner) and one without it, a
style imported from a thumbnail sent as a photo, the default face, and bad input that
changes nothing, also across a restart."""

from __future__ import annotations

import io

import numpy
from PIL import Image

from sandbox.samples import sample_face, sample_image
from sandbox.users import SandboxUser
from sandbox.views import SentMessage
from services.brand_images import from_hex
from services.brand_kits import BrandKit
from services.container import Services
from services.generators.branding import LOGO_SHARE, logo_box
from tests.e2e.conftest import RunningBot, containing, with_button
from tests.e2e.flows import (
    choose_mode,
    give_inputs,
    press_starting_with,
    profile_of,
    started,
)
from tests.e2e.test_faces import save_face
from tests.test_brand_kits import BLUE, RED, YELLOW, logo_png, near, thumbnail_with

KEY, DARK, LIGHT = "#ff6a00", "#2b0a3d", "#37d67a"
LOGO = (230, 0, 200)  # logo_png's disc: no brand colour is near it


def share_near(image: Image.Image, color: str | tuple[int, int, int], within: int) -> float:
    """The share of the picture's pixels within `within` of `color` on every channel."""
    rgb = from_hex(color) if isinstance(color, str) else color
    pixels = numpy.asarray(image.convert("RGB")).astype(int)
    return float((numpy.abs(pixels - numpy.array(rgb)).max(axis=2) <= within).mean())


async def kit_of(services: Services, user: SandboxUser) -> BrandKit:
    return await services.brand_kits.get((await profile_of(services, user)).id)


async def open_style(user: SandboxUser, fragment: str = "Your channel style") -> SentMessage:
    await user.send_command("/style")
    card = await user.wait_for_message(containing(fragment))
    assert card.photo is not None
    return card


async def ordered_picture(user: SandboxUser, switch: str | None = None) -> Image.Image:
    """A text-mode order; the `switch` button is pressed on its confirm screen first."""
    await choose_mode(user, "text_to_thumbnail")
    await give_inputs(user, "text_to_thumbnail")
    order = await user.wait_for_message(with_button("Generate"))
    if switch is not None:
        await press_starting_with(user, order, switch)
        order = await user.wait_for_message(lambda m: m.is_edit and with_button("Generate")(m))
    await press_starting_with(user, order, "Generate")
    delivered = await user.wait_for_message(containing("Here's your thumbnail"))
    return Image.open(io.BytesIO(user.file_bytes(delivered))).convert("RGB")


async def test_an_order_in_my_style_has_its_colours_and_logo_and_one_without_has_not(
    new_chat_user, chat_services: Services
):
    user = new_chat_user()
    await started(user)
    card = await open_style(user, "is empty so far")

    await press_starting_with(user, card, "Colours")
    await user.wait_for_message(containing("send up to 3 colours"))
    await user.send_text(f"{KEY.upper()}, {DARK}; {LIGHT.removeprefix('#')}")
    card = await user.wait_for_message(containing("Saved.", KEY, DARK, LIGHT))
    assert card.photo is not None

    await press_starting_with(user, card, "Headline position")
    question = await user.wait_for_message(containing("Where should your headline go"))
    await press_starting_with(user, question, "Right")
    card = await user.wait_for_message(containing("Headline: on the right"))

    await press_starting_with(user, card, "Logo")
    await user.wait_for_message(containing("Send your logo"))
    await user.send_document(logo_png(), "logo.png", "image/png")
    await user.wait_for_message(containing("Logo saved.", "bottom-right corner"))
    corners = await user.wait_for_message(containing("Which corner"))
    await press_starting_with(user, corners, "Top left")
    await user.wait_for_message(containing("Logo: top-left corner"))

    kit = await kit_of(chat_services, user)
    assert (kit.colors, kit.position, kit.logo_corner) == ((KEY, DARK, LIGHT), "right", "top-left")
    assert kit.logo_url is not None

    # With the style (on by default once there is one): its colours and its logo.
    await choose_mode(user, "text_to_thumbnail")
    await give_inputs(user, "text_to_thumbnail")
    order = await user.wait_for_message(with_button("Generate"))
    assert "• Style: yours" in (order.text or "")
    assert "🎨 My style: on" in order.button_texts
    await press_starting_with(user, order, "Generate")
    delivered = await user.wait_for_message(containing("Here's your thumbnail"))
    styled = Image.open(io.BytesIO(user.file_bytes(delivered))).convert("RGB")

    assert share_near(styled, KEY, 40) > 0.02
    assert share_near(styled, DARK, 40) > 0.1
    assert share_near(styled, LIGHT, 64) > 0.003
    side = round(styled.width * LOGO_SHARE)
    left, top, right, bottom = logo_box(styled.size, (side, side), "top-left")
    inset = (right - left) // 4  # inside the disc, clear of its anti-aliased rim
    disc = styled.crop((left + inset, top + inset, right - inset, bottom - inset))
    assert share_near(disc, LOGO, 24) > 0.98
    assert share_near(styled, LOGO, 24) * styled.width * styled.height < (side * side) * 0.9
    profile = await profile_of(chat_services, user)
    ordered = await chat_services.db.fetch_value(
        "SELECT input->'brand' FROM generations WHERE profile_id = %s", [profile.id]
    )
    assert ordered == kit.snapshot()

    # The same order with "my style" switched off: none of it.
    plain = await ordered_picture(user, switch="My style: on")
    assert share_near(plain, KEY, 40) < 0.001
    assert share_near(plain, LOGO, 24) < 0.001
    inputs = await chat_services.db.fetch_all(
        "SELECT input ? 'brand' AS branded FROM generations WHERE profile_id = %s"
        " ORDER BY created_at",
        [profile.id],
    )
    assert [row["branded"] for row in inputs] == [True, False]


async def test_a_style_is_imported_from_a_thumbnail_sent_as_a_photo(
    new_chat_user, chat_services: Services
):
    user = new_chat_user()
    await started(user)
    card = await open_style(user, "is empty so far")
    await press_starting_with(user, card, "Import")
    await user.wait_for_message(containing("Send a thumbnail"))

    await user.send_photo(thumbnail_with(text="left", face=True))

    read = await user.wait_for_message(containing("I read this thumbnail"))
    assert read.photo is not None
    caption = read.caption or ""
    assert "Face: on the right" in caption
    assert "Text: on the left" in caption
    assert "your headline goes on the left" in caption
    kit = await kit_of(chat_services, user)
    assert kit.position == "left"
    assert len(kit.colors) == 3
    for color, rgb in zip(kit.colors, (BLUE, RED, YELLOW), strict=True):
        assert near(color, rgb)
        assert color in caption
    assert [m for m in user.messages() if "Save as face" in str(m.button_texts)] == []


async def test_the_default_face_fills_the_face_step_and_another_can_be_picked(
    new_chat_user, chat_services: Services
):
    user = new_chat_user()
    await started(user)
    await save_face(user, seed=1)
    await save_face(user, seed=2)
    card = await open_style(user, "is empty so far")
    await press_starting_with(user, card, "Default face")
    question = await user.wait_for_message(containing("Which saved face"))
    await press_starting_with(user, question, "Face 2")
    await user.wait_for_message(containing("Default face: 2"))
    faces = await chat_services.faces.list((await profile_of(chat_services, user)).id)

    await choose_mode(user, "your_face")
    await user.wait_for_message(containing("Describe your video"))
    await user.send_text("I built a cabin alone")
    order = await user.wait_for_message(with_button("Generate"))
    assert "default face from /style" in (order.text or "")
    assert "🎨 My style: on" not in str(order.button_texts)  # a face alone is no style
    profile = await profile_of(chat_services, user)
    draft = await chat_services.drafts.current(profile.id)
    assert draft is not None
    assert draft.face_image_id == faces[1].id

    await press_starting_with(user, order, "Another face")
    await user.wait_for_message(containing("Which face should I use"))
    offered = await user.wait_for_message(with_button("Use face 1"))
    await press_starting_with(user, offered, "Use face 1")
    order = await user.wait_for_message(with_button("Generate"))
    assert "default face" not in (order.text or "")
    draft = await chat_services.drafts.current(profile.id)
    assert draft is not None
    assert draft.face_image_id == faces[0].id


async def test_bad_input_changes_nothing_and_the_question_survives_a_restart(
    new_chat_user, chat_services: Services, running_bot: RunningBot
):
    user = new_chat_user()
    await started(user)
    card = await open_style(user, "is empty so far")
    await press_starting_with(user, card, "Colours")
    palettes = await user.wait_for_message(containing("send up to 3 colours"))
    await press_starting_with(user, palettes, "Fire")
    card = await user.wait_for_message(containing("Saved."))
    kit = await kit_of(chat_services, user)

    await press_starting_with(user, card, "Colours")
    await user.wait_for_message(containing("send up to 3 colours"))
    await user.send_text("red, blurple")
    await user.wait_for_message(
        containing("“blurple” isn't a colour I know", "Nothing was changed")
    )
    await user.send_text("red green blue white")
    await user.wait_for_message(containing("more than 3 colours"))
    assert await kit_of(chat_services, user) == kit

    await running_bot.restart()  # the question is a row: it is still open afterwards
    await user.send_text("navy, gold")
    await user.wait_for_message(containing("Saved.", "#000080", "#ffd700"))
    await user.send_text("a description for nothing")  # answered: text is no colour now
    await user.wait_for_message(containing("I'm a thumbnail maker"))
    kit = await kit_of(chat_services, user)
    assert kit.colors == ("#000080", "#ffd700")

    await press_starting_with(user, card, "Logo")
    await user.wait_for_message(containing("Send your logo"))
    await user.send_document(b"%PDF-1.4 not a logo", "logo.pdf", "application/pdf")
    await user.wait_for_message(containing("PDF file"))
    await user.send_document(b"\x89PNG\r\n\x1a\n garbage", "logo.png", "image/png")
    await user.wait_for_message(containing("couldn't read that image"))
    await user.send_document(b"\x89PNG" + b"0" * (11 * 1024 * 1024), "huge.png", "image/png")
    await user.wait_for_message(containing("too big"))
    await user.send_photo(sample_image(40, 24))
    await user.wait_for_message(containing("too small"))
    assert await kit_of(chat_services, user) == kit

    await user.send_command("/cancel")
    await user.wait_for_message(containing("your style stays as it was"))
    await user.send_photo(sample_face())  # no longer a logo: offered as a face again
    await user.wait_for_message(with_button("Save as face"))
    assert await kit_of(chat_services, user) == kit

    await press_starting_with(user, card, "Reset")
    sure = await user.wait_for_message(containing("Delete your saved style"))
    await press_starting_with(user, sure, "Yes, reset")
    await user.wait_for_message(containing("Your style was reset"))
    assert await kit_of(chat_services, user) == BrandKit()
