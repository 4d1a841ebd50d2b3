"""Photos, documents, albums and file downloads through the real PTB client."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from telegram import Bot, InputMediaDocument, InputMediaPhoto
from telegram.error import BadRequest

from sandbox import SandboxServer, SandboxUser, sample_image

from .conftest import UpdateReader

pytestmark = pytest.mark.asyncio(loop_scope="function")


async def _started(user: SandboxUser, updates: UpdateReader) -> None:
    await user.send_command("/start")
    await updates.next()


async def test_send_photo_upload_then_reuse_file_id(
    bot: Bot, user: SandboxUser, updates: UpdateReader
) -> None:
    await _started(user, updates)
    original = sample_image(1920, 1080, "PNG")
    sent = await bot.send_photo(user.id, original, caption="<i>Option A</i>", parse_mode="HTML")
    sizes = [(p.width, p.height) for p in sent.photo]
    assert sizes == [(90, 51), (320, 180), (800, 450), (1280, 720), (1920, 1080)]
    assert sent.caption == "Option A"
    assert sent.caption_entities[0].type == "italic"
    assert len({p.file_id for p in sent.photo}) == len(sent.photo)
    largest = sent.photo[-1]
    assert user.file_bytes(largest.file_id) == original
    assert largest.file_size == len(original)

    again = await bot.send_photo(user.id, largest.file_id)
    assert [p.file_unique_id for p in again.photo] == [p.file_unique_id for p in sent.photo]
    shown = user.messages()
    assert [m.file_id for m in shown] == [largest.file_id, largest.file_id]
    assert user.file_bytes(shown[0]) == original


async def test_get_file_download_round_trip(
    bot: Bot, user: SandboxUser, updates: UpdateReader
) -> None:
    await _started(user, updates)
    report = b"%PDF-1.4 fake report"
    sent = await bot.send_document(user.id, report, filename="report.pdf")
    assert sent.document.file_name == "report.pdf"
    assert sent.document.mime_type == "application/pdf"
    file = await bot.get_file(sent.document.file_id)
    assert file.file_path.endswith(".pdf")
    assert bytes(await file.download_as_bytearray()) == report
    small = (await bot.send_photo(user.id, sample_image(640, 480))).photo[0]
    thumb = await (await bot.get_file(small.file_id)).download_as_bytearray()
    assert Image.open(io.BytesIO(bytes(thumb))).size == (90, 68)
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await bot.get_file("nope")


async def test_user_media_reaches_the_bot_and_downloads(
    bot: Bot, user: SandboxUser, updates: UpdateReader
) -> None:
    selfie = sample_image(1024, 768, label="me")
    await user.send_photo(selfie, caption="make it pop")
    message = (await updates.next()).message
    assert message.caption == "make it pop"
    assert [(p.width, p.height) for p in message.photo][-1] == (1024, 768)
    downloaded = await (await message.photo[-1].get_file()).download_as_bytearray()
    assert bytes(downloaded) == selfie

    await user.send_document(b"name,views\n", "stats.csv")
    document = (await updates.next()).message.document
    assert (document.file_name, document.mime_type) == ("stats.csv", "text/csv")
    await user.send_sticker("🔥")
    assert (await updates.next()).message.sticker.emoji == "🔥"


async def test_media_group_and_upload_validation(
    bot: Bot, user: SandboxUser, updates: UpdateReader
) -> None:
    await _started(user, updates)
    album = await bot.send_media_group(
        user.id,
        [
            InputMediaPhoto(sample_image(400, 300), caption="A"),
            InputMediaPhoto(sample_image(300, 400), caption="B"),
        ],
    )
    assert len(album) == 2
    assert album[0].media_group_id == album[1].media_group_id
    assert [m.caption for m in user.messages()] == ["A", "B"]
    docs = await bot.send_media_group(
        user.id, [InputMediaDocument(b"1", filename="a.txt"), InputMediaDocument(b"2")]
    )
    assert docs[0].document.file_name == "a.txt"

    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(user.id, b"definitely not an image")
    with pytest.raises(BadRequest, match="File is too big"):
        await bot.send_photo(user.id, b"\xff" * (10 * 1024 * 1024 + 1))
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_document(user.id, "unknown-file-id")
    photo_id = album[0].photo[-1].file_id
    with pytest.raises(BadRequest, match=r"(?i)can.t use file of type photo as document"):
        await bot.send_document(user.id, photo_id)


async def test_photo_by_url_is_fetched(
    bot: Bot, server: SandboxServer, user: SandboxUser, updates: UpdateReader
) -> None:
    await _started(user, updates)
    first = await bot.send_photo(user.id, sample_image(200, 100))
    url = (await bot.get_file(first.photo[-1].file_id)).file_path  # served by the sandbox
    fetched = await bot.send_photo(user.id, url)
    assert (fetched.photo[-1].width, fetched.photo[-1].height) == (200, 100)
    assert fetched.photo[-1].file_id != first.photo[-1].file_id
