"""Envelope, authentication, transports and getUpdates semantics, via the real PTB client."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest
from telegram import Bot, BotCommand
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken

from sandbox import SandboxServer, SandboxUser

from .conftest import UpdateReader

pytestmark = pytest.mark.asyncio(loop_scope="function")


async def test_get_me_describes_the_registered_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot
    assert me.username == "thumbs_bot"
    assert me.first_name == "Thumbs"
    assert me.can_read_all_group_messages is False


async def test_unknown_token_is_unauthorized(server: SandboxServer) -> None:
    stranger = Bot("123456:unknown", base_url=server.api_base_url)
    with pytest.raises(InvalidToken):
        await stranger.get_me()


async def test_auto_registration_accepts_any_well_formed_token() -> None:
    server = SandboxServer(auto_register_bots=True)
    async with server, Bot("4242:anything", base_url=server.api_base_url) as client:
        assert (await client.get_me()).id == 4242


async def test_envelope_for_unknown_method_and_transports(
    server: SandboxServer, token: str, user: SandboxUser
) -> None:
    await user.send_text("hi")
    base = f"{server.api_base_url}{token}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/noSuchMethod") as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        # Method names are case-insensitive; GET query strings work.
        async with http.get(f"{base}/getme") as response:
            assert (await response.json())["result"]["username"] == "thumbs_bot"
        # JSON body keeps native types, urlencoded form carries nested values as JSON.
        markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
        body = {"chat_id": user.id, "text": "json", "reply_markup": markup}
        async with http.post(f"{base}/sendMessage", json=body) as response:
            assert (await response.json())["result"]["reply_markup"] == markup
        form = {"chat_id": str(user.id), "text": "form", "reply_markup": json.dumps(markup)}
        async with http.post(f"{base}/sendMessage", data=form) as response:
            payload = await response.json()
            assert payload["ok"]
            assert payload["result"]["text"] == "form"
        async with http.post(f"{base}/sendMessage", json={"chat_id": user.id}) as response:
            assert response.status == 400
            assert (await response.json())["description"] == "Bad Request: message text is empty"
    assert [m.text for m in user.messages()] == ["json", "form"]


async def test_long_poll_returns_as_soon_as_an_update_arrives(bot: Bot, user: SandboxUser) -> None:
    async def send_later() -> None:
        await asyncio.sleep(0.2)
        await user.send_text("hello there")

    sender = asyncio.create_task(send_later())
    started = time.monotonic()
    received = await bot.get_updates(timeout=10)
    await sender
    assert time.monotonic() - started < 2
    message = received[0].message
    assert message.text == "hello there"
    assert message.from_user.id == user.id
    assert message.from_user.username == "ann"
    assert message.from_user.language_code == "en"
    assert message.chat.id == user.id
    assert message.chat.type == "private"
    assert message.message_id == 1
    assert abs(message.date.timestamp() - time.time()) < 5


async def test_offset_confirms_and_update_ids_increase(
    bot: Bot, user: SandboxUser, updates: UpdateReader
) -> None:
    await user.send_command("/start", "ref_42")
    await user.send_text("two")
    await user.send_text("three")
    first = await updates.next()
    second = await updates.next()
    assert second.update_id == first.update_id + 1
    assert first.message.text == "/start ref_42"
    assert first.message.entities[0].type == "bot_command"
    assert first.message.entities[0].length == len("/start")
    # Unconfirmed updates are returned again; confirmed ones never.
    again = await bot.get_updates(offset=updates.offset)
    assert [u.message.text for u in again] == ["three"]
    assert await bot.get_updates(offset=again[-1].update_id + 1) == ()


async def test_second_poller_terminates_the_first(
    bot: Bot, server: SandboxServer, token: str
) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.2)
    async with Bot(token, base_url=server.api_base_url) as second_instance:
        await second_instance.get_updates(timeout=0)
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await first


async def test_allowed_updates_filters_later_updates(
    bot: Bot, server: SandboxServer, user: SandboxUser
) -> None:
    await bot.get_updates(allowed_updates=["callback_query"])
    await user.send_text("ignored")
    assert await bot.get_updates() == ()
    await bot.get_updates(allowed_updates=[])
    await user.send_text("seen")
    assert [u.message.text for u in await bot.get_updates()] == ["seen"]


async def test_chat_rules_not_found_not_started_and_blocked(
    bot: Bot, server: SandboxServer, user: SandboxUser, updates: UpdateReader
) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "who?")
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(user.id, "hello first")
    await user.send_command("/start")
    await bot.send_message(user.id, "welcome")
    await user.block_bot()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(user.id, "still there?")
    await updates.next()  # the /start message
    blocked = await updates.next()
    assert blocked.my_chat_member.new_chat_member.status == "kicked"
    await user.send_text("I'm back")  # writing to a bot unblocks it, as in Telegram
    assert (await updates.next()).my_chat_member.new_chat_member.status == "member"
    await bot.send_message(user.id, "welcome back")


async def test_commands_are_stored_per_scope_and_language(bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("buy", "Buy credits")])
    await bot.set_my_commands([BotCommand("start", "Начать")], language_code="ru")
    assert [c.command for c in await bot.get_my_commands()] == ["start", "buy"]
    assert [c.description for c in await bot.get_my_commands(language_code="ru")] == ["Начать"]
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])


async def test_injected_failures_and_call_log(bot: Bot, server: SandboxServer) -> None:
    server.fail_next("getMe", 400, "Bad Request: injected")
    with pytest.raises(BadRequest, match="Injected"):
        await bot.get_me()
    await bot.get_me()
    assert [c.status for c in server.calls("getMe")][-2:] == [400, 200]
