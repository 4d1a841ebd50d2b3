"""Face photos over the Bot API: save, list, delete, limits, photos without a face or with
several, and every bad upload."""

from __future__ import annotations

import io

from PIL import Image

from sandbox.samples import sample_face, sample_faces, sample_image
from sandbox.server import SandboxServer
from services.container import Services
from services.faces import MAX_FACES, Face
from services.generators.portrait import find_faces
from services.modes import Step
from tests.e2e.conftest import containing, eventually, with_button, with_photo
from tests.e2e.test_generate import choose_mode, profile_of, started


async def faces_of(services: Services, telegram_id: int) -> list[Face]:
    profile = await services.accounts.find_by_telegram_id(telegram_id)
    assert profile is not None
    return await services.faces.list(profile.id)


async def save_face(user, seed: int = 0) -> None:
    await user.send_photo(sample_face(seed=seed))
    offer = await user.wait_for_message(with_button("Save as face"))
    await user.press(offer, "✅ Save as face")
    await user.wait_for_message(containing("Saved!"))


async def test_photo_is_offered_saved_listed_and_deleted(new_chat_user, chat_services: Services):
    user = new_chat_user()
    await save_face(user)
    [face] = await faces_of(chat_services, user.id)
    with Image.open(io.BytesIO(await chat_services.faces.load(face))) as stored:
        assert stored.format == "JPEG"
        assert min(stored.size) >= 256

    await user.send_command("/faces")
    await user.wait_for_message(containing("Your saved faces (1 of 5)"))
    listed = await user.wait_for_message(with_photo)
    answer = await user.wait_for_callback_answer(await user.press(listed, "🗑 Delete"))

    assert answer.text == "Deleted."
    assert await faces_of(chat_services, user.id) == []
    assert listed.current.deleted


async def test_declining_keeps_nothing_and_retires_the_buttons(
    new_chat_user, chat_services: Services
):
    user = new_chat_user()
    await user.send_photo(sample_face())
    offer = await user.wait_for_message(with_button("No thanks"))
    await user.wait_for_callback_answer(await user.press(offer, "✖️ No thanks"))
    await user.wait_for_message(containing("didn't keep it"))

    assert offer.current.button_texts == []
    assert await faces_of(chat_services, user.id) == []


async def test_the_same_photo_twice_is_stored_once(new_chat_user, chat_services: Services):
    user = new_chat_user()
    await save_face(user, seed=7)
    await user.send_photo(sample_face(seed=7))
    offer = await user.wait_for_message(with_button("Save as face"))
    await user.press(offer, "✅ Save as face")
    await user.wait_for_message(containing("saved this photo before"))
    assert len(await faces_of(chat_services, user.id)) == 1


async def test_face_limit(new_chat_user, chat_services: Services):
    user = new_chat_user()
    for seed in range(MAX_FACES):
        await save_face(user, seed=seed)

    await user.send_photo(sample_face(seed=99))

    await user.wait_for_message(containing(f"already keep {MAX_FACES} faces"))
    assert len(await faces_of(chat_services, user.id)) == MAX_FACES


async def test_an_image_sent_as_a_file_can_be_saved(new_chat_user, chat_services: Services):
    user = new_chat_user()
    await user.send_document(sample_face(fmt="PNG"), "me.png", "image/png")
    offer = await user.wait_for_message(with_button("Save as face"))
    await user.press(offer, "✅ Save as face")
    await user.wait_for_message(containing("Saved!"))
    assert len(await faces_of(chat_services, user.id)) == 1


async def test_bad_uploads_are_explained_and_change_nothing(new_chat_user, chat_services: Services):
    user = new_chat_user()
    await user.send_document(b"%PDF-1.4 not a photo", "script.pdf", "application/pdf")
    await user.wait_for_message(containing("PDF file"))

    await user.send_document(b"\xff\xd8\xff" + b"0" * (11 * 1024 * 1024), "huge.jpg", "image/jpeg")
    await user.wait_for_message(containing("too big"))

    await user.send_document(b"definitely not a jpeg", "fake.jpg", "image/jpeg")
    offer = await user.wait_for_message(with_button("Save as face"))
    await user.press(offer, "✅ Save as face")
    await user.wait_for_message(containing("couldn't read that image"))

    await user.send_photo(sample_face(size=120))
    offer = await user.wait_for_message(with_button("Save as face"))
    await user.press(offer, "✅ Save as face")
    await user.wait_for_message(containing("too small"))

    await user.send_photo(sample_image())
    offer = await user.wait_for_message(with_button("Save as face"))
    await user.press(offer, "✅ Save as face")
    await user.wait_for_message(containing("can't find a face"))

    await user.send_sticker()
    await user.wait_for_message(containing("real photo"))

    assert await faces_of(chat_services, user.id) == []


def huge_png_face() -> bytes:
    """A 6300x6300 PNG (just under the 40 Mpx limit, well under 10 MB): decoding it takes
    the better part of a second of CPU. The face is blown up pixel by pixel, which keeps
    the PNG small."""
    image = Image.linear_gradient("L").resize((6300, 6300)).convert("RGB")
    face = Image.open(io.BytesIO(sample_face())).resize((3584, 3584), Image.Resampling.NEAREST)
    image.paste(face, (1358, 900))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


async def test_a_huge_png_face_does_not_hold_up_other_chats(
    new_chat_user, chat_services: Services, sandbox: SandboxServer
):
    uploader, other = new_chat_user(), new_chat_user()
    await other.send_command("/start")
    await other.wait_for_message(containing("Welcome"))
    await uploader.send_document(huge_png_face(), "me.png", "image/png")
    offer = await uploader.wait_for_message(with_button("Save as face"))
    downloads = len(sandbox.calls("getFile"))

    await uploader.press(offer, "✅ Save as face")
    await eventually(lambda: _more_than(sandbox, "getFile", downloads))
    # The photo is being decoded now. Three /balance round trips in another chat are all
    # answered before the uploader hears back: the decoding does not hold up the bot.
    for _ in range(3):
        await other.send_command("/balance")
        await other.wait_for_message(containing("You have"))
        assert not [m for m in uploader.messages() if "Saved!" in (m.text or "")]

    await uploader.wait_for_message(containing("Saved!"))
    [face] = await faces_of(chat_services, uploader.id)
    assert (face.width, face.height) == (1536, 1536)
    with Image.open(io.BytesIO(await chat_services.faces.load(face))) as stored:
        assert (stored.format, stored.size) == ("JPEG", (1536, 1536))


async def _more_than(sandbox: SandboxServer, method: str, count: int) -> bool:
    return len(sandbox.calls(method)) > count


async def test_a_photo_without_a_face_is_refused_and_the_draft_still_waits(
    new_chat_user, chat_services: Services
):
    user = new_chat_user()
    await started(user)
    await choose_mode(user, "your_face")
    await user.wait_for_message(containing("Describe your video"))
    await user.send_text("I built a cabin alone")
    await user.wait_for_message(containing("clear photo of your face"))

    await user.send_photo(sample_image())

    await user.wait_for_message(containing("can't find a face in this photo", "front-facing"))
    profile = await profile_of(chat_services, user)
    assert await faces_of(chat_services, user.id) == []
    assert profile.credits == 50
    draft = await chat_services.drafts.current(profile.id)
    assert draft is not None
    assert draft.step is Step.FACE

    await user.send_photo(sample_face())
    await user.wait_for_message(containing("Saved!"))
    await user.wait_for_message(with_button("Generate"))
    [face] = await faces_of(chat_services, user.id)
    draft = await chat_services.drafts.current(profile.id)
    assert draft is not None
    assert draft.face_image_id == face.id
    assert (await profile_of(chat_services, user)).credits == 50


async def test_a_group_photo_keeps_the_largest_face_and_says_so(
    new_chat_user, chat_services: Services
):
    user = new_chat_user()
    await user.send_photo(sample_faces(3))
    offer = await user.wait_for_message(with_button("Save as face"))
    await user.press(offer, "✅ Save as face")

    await user.wait_for_message(containing("Saved!", "I found 3 faces and kept the largest one."))
    [face] = await faces_of(chat_services, user.id)
    with Image.open(io.BytesIO(await chat_services.faces.load(face))) as stored:
        assert stored.width == stored.height >= 256
        assert len(find_faces(stored) or []) == 1
