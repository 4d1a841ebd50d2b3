"""Messages, keyboards, callback queries, edits, deletion and group chats."""

from __future__ import annotations

import asyncio

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyParameters,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest

from sandbox import SandboxServer, SandboxUser

from .conftest import UpdateReader

pytestmark = pytest.mark.asyncio(loop_scope="function")

BUY = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Buy 10", callback_data="buy:10")],
        [InlineKeyboardButton("Site", url="https://example.com")],
    ]
)


async def _started(user: SandboxUser, updates: UpdateReader) -> None:
    await user.send_command("/start")
    await updates.next()


async def test_inline_keyboard_press_and_answer(
    bot: Bot, user: SandboxUser, updates: UpdateReader
) -> None:
    await _started(user, updates)
    sent = await bot.send_message(
        user.id, "<b>Pick</b> a pack", parse_mode=ParseMode.HTML, reply_markup=BUY
    )
    assert sent.text == "Pick a pack"
    assert sent.entities[0].type == "bold"
    assert sent.entities[0].length == 4
    seen = await user.wait_for_message()
    assert seen.message_id == sent.message_id
    assert seen.source_text == "<b>Pick</b> a pack"
    assert seen.button_texts == ["Buy 10", "Site"]

    query_id = await user.press(seen, "Buy 10")
    query = (await updates.next()).callback_query
    assert query.id == query_id
    assert query.data == "buy:10"
    assert query.from_user.id == user.id
    assert query.message.message_id == sent.message_id
    await query.answer("Added to cart", show_alert=True)
    answer = await user.wait_for_callback_answer(query_id)
    assert (answer.text, answer.show_alert, answer.data) == ("Added to cart", True, "buy:10")
    assert user.answered_callbacks() == [answer]
    with pytest.raises(BadRequest, match="Query is too old"):
        await query.answer("twice")
    with pytest.raises(ValueError, match="callback_data"):
        await user.press(seen, "Site")
    with pytest.raises(LookupError):
        await user.press(seen, "Nope")


async def test_edits_history_and_not_modified(
    bot: Bot, user: SandboxUser, updates: UpdateReader
) -> None:
    await _started(user, updates)
    sent = await bot.send_message(user.id, "Working…", reply_markup=BUY)
    await user.wait_for_message()
    edited = await bot.edit_message_text("Done!", chat_id=user.id, message_id=sent.message_id)
    assert edited.text == "Done!"
    assert edited.edit_date is not None
    # Omitting reply_markup in an edit removes the inline keyboard, as in Telegram.
    assert edited.reply_markup is None
    update = await user.wait_for_message()
    assert update.is_edit
    assert update.text == "Done!"
    assert [old["text"] for old in update.edits] == ["Working…"]
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Done!", chat_id=user.id, message_id=sent.message_id)
    await bot.edit_message_reply_markup(user.id, sent.message_id, reply_markup=BUY)
    assert (await user.wait_for_message()).button_texts == ["Buy 10", "Site"]
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=user.id, message_id=999)
    with pytest.raises(BadRequest, match="There is no caption"):
        await bot.edit_message_caption(user.id, sent.message_id, caption="c")


async def test_delete_and_reply(bot: Bot, user: SandboxUser, updates: UpdateReader) -> None:
    await _started(user, updates)
    question = await user.send_text("How much?")
    reply = await bot.send_message(
        user.id,
        "10 stars",
        reply_parameters=ReplyParameters(question["message_id"]),
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    assert reply.reply_to_message.text == "How much?"
    assert reply.link_preview_options.is_disabled
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(user.id, "x", reply_parameters=ReplyParameters(555))
    assert await bot.delete_message(user.id, reply.message_id)
    assert user.messages() == []
    assert user.messages(include_deleted=True)[0].deleted
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(user.id, reply.message_id)


async def test_message_ids_count_per_chat(
    bot: Bot, server: SandboxServer, user: SandboxUser, updates: UpdateReader
) -> None:
    other = server.user(id=2002, first_name="Bob")
    await _started(user, updates)
    await other.send_text("hi")
    first = await bot.send_message(user.id, "a")
    second = await bot.send_message(user.id, "b")
    for_bob = await bot.send_message(other.id, "c")
    assert (first.message_id, second.message_id, for_bob.message_id) == (2, 3, 2)


async def test_wait_for_message_predicate_and_timeout(
    bot: Bot, user: SandboxUser, updates: UpdateReader
) -> None:
    await _started(user, updates)

    async def bot_side() -> None:
        await bot.send_chat_action(user.id, ChatAction.UPLOAD_PHOTO)
        await bot.send_message(user.id, "Generating…")
        await bot.send_message(user.id, "Ready: 3 thumbnails")

    task = asyncio.create_task(bot_side())
    ready = await user.wait_for_message(lambda m: (m.text or "").startswith("Ready"))
    await task
    assert ready.text == "Ready: 3 thumbnails"
    assert user.chat_actions() == ["upload_photo"]
    assert user.last_message().text == "Ready: 3 thumbnails"
    with pytest.raises(TimeoutError, match="no matching bot message"):
        await user.wait_for_message(timeout=0.1)


async def test_reply_keyboard_press_sends_its_text(
    bot: Bot, user: SandboxUser, updates: UpdateReader
) -> None:
    await _started(user, updates)
    keyboard = ReplyKeyboardMarkup([[KeyboardButton("🎨 New thumbnail")]], resize_keyboard=True)
    sent = await bot.send_message(user.id, "Menu", reply_markup=keyboard)
    assert sent.reply_markup is None  # Telegram only echoes inline keyboards
    menu = await user.wait_for_message()
    assert menu.button_texts == ["🎨 New thumbnail"]
    assert await user.press(menu, "🎨 New thumbnail") is None
    assert (await updates.next()).message.text == "🎨 New thumbnail"


async def test_group_commands_and_privacy_mode(
    bot: Bot, server: SandboxServer, user: SandboxUser, updates: UpdateReader
) -> None:
    group = server.group(id=-1001234567890, title="Creators")
    in_group = user.in_chat(group)
    await in_group.send_text("just chatting")  # privacy mode: the bot does not see this
    await in_group.send_command("/start", "deep")
    update = await updates.next()
    assert update.message.text == "/start@thumbs_bot deep"
    assert update.message.chat.type == "supergroup"
    assert update.message.chat.title == "Creators"
    assert update.message.entities[0].length == len("/start@thumbs_bot")
    await bot.send_message(group.id, "Hello group")
    other = server.user(id=3003, first_name="Cy").in_chat(group)
    assert [m.text for m in in_group.messages()] == ["Hello group"]
    assert [m.text for m in other.messages()] == ["Hello group"]
    assert user.in_chat(group) is in_group
