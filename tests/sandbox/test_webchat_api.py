"""The web chat's API (sandbox/webchat.py) against a real sandbox server and a real PTB
client playing the bot: what a page is streamed, what it may do as which user, how files
are served, and the command menu Telegram would show."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import FormData, web
from aiohttp.test_utils import TestClient, TestServer
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
)

from sandbox import SandboxServer, SandboxUser, sample_image
from sandbox.accounts import ChatInfo, UserAccount
from sandbox.console import stable_user_id
from sandbox.webchat import WebChat, commands_for
from tests.sandbox.conftest import UpdateReader

pytestmark = pytest.mark.asyncio(loop_scope="function")

ADMIN = 77


@pytest_asyncio.fixture(loop_scope="function")
async def page(server: SandboxServer, token: str) -> AsyncIterator[TestClient]:
    """The web chat of the sandbox's bot, as a browser on its own page reaches it."""
    app = web.Application()
    WebChat(server, default_user=1000, admin_ids=frozenset({ADMIN})).mount(app)
    async with TestClient(TestServer(app)) as client:
        yield client


async def stream(page: TestClient, chat_id: int, acting: int, until: str) -> list[tuple[str, dict]]:
    """The events of a chat's stream up to and including the first `until` event."""
    events: list[tuple[str, dict]] = []
    async with page.get(f"/api/chats/{chat_id}/events", params={"as": acting}) as response:
        assert response.headers["Content-Type"] == "text/event-stream"
        name = ""
        async for raw in response.content:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((name, json.loads(line.removeprefix("data: "))))
                if name == until:
                    return events
    raise AssertionError(f"the stream ended before {until!r}: {events}")


def upload(user: SandboxUser, kind: str, data: bytes, name: str, caption: str = "") -> FormData:
    """The form the page posts for a photo or a file."""
    form = FormData()
    form.add_field("as", str(user.id))
    form.add_field("kind", kind)
    form.add_field("caption", caption)
    form.add_field("file", data, filename=name, content_type="application/octet-stream")
    return form


def messages(events: list[tuple[str, dict]]) -> list[dict]:
    return [payload for name, payload in events if name == "message"]


async def test_the_default_user_and_the_admins_exist_from_the_start(page: TestClient) -> None:
    state = await (await page.get("/api/state")).json()
    assert state["default_user"] == 1000
    users = {user["id"]: user for user in state["users"]}
    assert users[1000]["name"] == "You"
    assert users[ADMIN] == {
        "id": ADMIN,
        "name": "Admin",
        "language": "en",
        "admin": True,
    }


async def test_a_chat_streams_what_the_bot_sent_as_text_and_entities(
    page: TestClient, bot: Bot, user: SandboxUser
) -> None:
    await user.send_command("/start")
    html = '<b>50</b> credits &lt;script&gt;alert(1)&lt;/script&gt; <a href="https://x.io/">x</a>'
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Go", callback_data="go")],
            [InlineKeyboardButton("Site", url="https://example.com/")],
        ]
    )
    sent = await bot.send_message(user.id, html, parse_mode="HTML", reply_markup=keyboard)
    await bot.send_message(user.id, "Pick", reply_markup=ReplyKeyboardMarkup([["A", "B"]]))

    events = await stream(page, user.id, user.id, "ready")

    first, second, third = messages(events)
    assert (first["text"], first["from_bot"]) == ("/start", False)
    assert (second["id"], second["from_bot"]) == (sent.message_id, True)
    assert second["text"] == "50 credits <script>alert(1)</script> x"
    assert {"type": "bold", "offset": 0, "length": 2} in second["entities"]
    assert {"type": "text_link", "offset": 37, "length": 1, "url": "https://x.io/"} in (
        second["entities"]
    )
    assert second["keyboard"] == {
        "inline": [
            [{"text": "Go", "kind": "callback"}],
            [{"text": "Site", "kind": "url", "url": "https://example.com/"}],
        ]
    }
    assert third["keyboard"] == {"reply": [["A", "B"]], "one_time": False, "placeholder": ""}
    names = [name for name, _ in events]
    assert names[:3] == ["state", "commands", "counts"]
    assert dict(events)["counts"] == {str(user.id): 2}


async def test_an_edit_arrives_again_with_the_same_id_and_a_chat_action_live(
    page: TestClient, bot: Bot, user: SandboxUser
) -> None:
    await user.send_command("/start")
    sent = await bot.send_message(user.id, "Working…")
    events: list[tuple[str, dict]] = []
    async with page.get(f"/api/chats/{user.id}/events", params={"as": user.id}) as response:
        name = ""
        async for raw in response.content:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((name, json.loads(line.removeprefix("data: "))))
                if name == "ready":
                    await bot.send_chat_action(user.id, "upload_photo")
                    await bot.edit_message_text("✅ Done", user.id, sent.message_id)
                if name == "message" and events[-1][1]["edited"]:
                    break
    live = events[[name for name, _ in events].index("ready") + 1 :]
    assert ("action", {"action": "upload_photo", "date": live[0][1]["date"]}) == live[0]
    edited = live[-1][1]
    assert (edited["id"], edited["text"], edited["edited"]) == (sent.message_id, "✅ Done", True)


async def test_text_replies_photos_and_files_are_sent_as_the_user(
    page: TestClient, bot: Bot, user: SandboxUser, updates: UpdateReader
) -> None:
    await user.send_command("/start")
    await updates.next()
    question = await bot.send_message(user.id, "Your name?")

    answer = await page.post(
        f"/api/chats/{user.id}/messages",
        json={"as": user.id, "text": "Ann", "reply_to": question.message_id},
    )
    assert answer.status == 200
    update = await updates.next()
    assert update.message.text == "Ann"
    assert update.message.reply_to_message.message_id == question.message_id

    form = upload(user, "photo", sample_image(640, 360), "me.jpg", caption="me")
    assert (await page.post(f"/api/chats/{user.id}/files", data=form)).status == 200
    update = await updates.next()
    assert update.message.caption == "me"
    assert (update.message.photo[-1].width, update.message.photo[-1].height) == (640, 360)

    form = upload(user, "document", b"hello", "notes.txt")
    assert (await page.post(f"/api/chats/{user.id}/files", data=form)).status == 200
    update = await updates.next()
    assert (update.message.document.file_name, update.message.document.mime_type) == (
        "notes.txt",
        "text/plain",
    )

    form = upload(user, "photo", b"not an image", "x.jpg")
    refused = await page.post(f"/api/chats/{user.id}/files", data=form)
    assert (refused.status, await refused.json()) == (
        400,
        {"error": "Bad Request: IMAGE_PROCESS_FAILED"},
    )


async def test_a_callback_press_returns_the_bots_answer(
    page: TestClient, bot: Bot, user: SandboxUser, updates: UpdateReader
) -> None:
    await user.send_command("/start")
    await updates.next()
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go:1")]])
    sent = await bot.send_message(user.id, "Press", reply_markup=keyboard)

    async def answer_it() -> None:
        update = await updates.next()
        assert update.callback_query.data == "go:1"
        await update.callback_query.answer("Off we go", show_alert=True)

    press = page.post(
        f"/api/chats/{user.id}/press",
        json={"as": user.id, "message_id": sent.message_id, "row": 0, "column": 0},
    )
    response, _ = await asyncio.gather(press, answer_it())
    assert await response.json() == {"answered": True, "text": "Off we go", "show_alert": True}
    gone = await page.post(
        f"/api/chats/{user.id}/press",
        json={"as": user.id, "message_id": sent.message_id, "row": 3, "column": 0},
    )
    assert (gone.status, await gone.json()) == (400, {"error": "that button is gone"})


async def test_a_user_acts_only_in_their_own_private_chat_and_only_from_this_page(
    page: TestClient, user: SandboxUser
) -> None:
    other = await page.post("/api/chats/1000/messages", json={"as": user.id, "text": "hi"})
    assert (other.status, await other.json()) == (
        400,
        {"error": "a private chat is only its own user's"},
    )
    nobody = await page.post("/api/chats/5/messages", json={"as": 5, "text": "hi"})
    assert (await nobody.json()) == {"error": "no such user"}
    foreign = await page.post(
        f"/api/chats/{user.id}/messages",
        json={"as": user.id, "text": "hi"},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status == 403
    plain = await page.post(
        f"/api/chats/{user.id}/messages",
        data=json.dumps({"as": user.id, "text": "hi"}),
        headers={"Content-Type": "text/plain"},
    )
    assert plain.status == 400
    assert user.log.messages == {}


async def test_new_users_keep_their_id_and_groups_are_made(
    page: TestClient, server: SandboxServer
) -> None:
    created = await (await page.post("/api/users", json={"name": "Alice", "language": "es"})).json()
    assert created == {"id": stable_user_id("Alice")}
    assert server.world.users[created["id"]].language_code == "es"
    again = await (await page.post("/api/users", json={"name": "alice"})).json()
    assert again == created
    bad = await page.post("/api/users", json={"name": "Bob", "language": "<x>"})
    assert bad.status == 400
    changed = await page.post(f"/api/users/{created['id']}", json={"language": "ru"})
    assert changed.status == 200
    assert server.world.users[created["id"]].language_code == "ru"

    group = await (await page.post("/api/groups", json={"title": "Creators"})).json()
    assert server.world.groups[group["id"]].title == "Creators"
    events = await stream(page, group["id"], created["id"], "ready")
    assert dict(events)["state"]["chat"] == {
        "id": group["id"],
        "type": "supergroup" if str(group["id"]).startswith("-100") else "group",
        "title": "Creators",
    }


async def test_files_are_images_inline_and_anything_else_a_download(
    page: TestClient, bot: Bot, user: SandboxUser
) -> None:
    await user.send_command("/start")
    photo = await bot.send_photo(user.id, sample_image(1280, 720))
    document = await bot.send_document(user.id, b"<script>alert(1)</script>", filename="x y.html")

    shown = await page.get(f"/api/files/{photo.photo[-1].file_id}")
    assert shown.headers["Content-Type"] == "image/jpeg"
    assert "Content-Disposition" not in shown.headers
    assert shown.headers["Content-Security-Policy"].startswith("sandbox;")

    saved = await page.get(f"/api/files/{document.document.file_id}")
    assert saved.headers["Content-Disposition"] == "attachment; filename*=UTF-8''x%20y.html"
    assert saved.headers["X-Content-Type-Options"] == "nosniff"
    assert await saved.read() == b"<script>alert(1)</script>"

    assert (await page.get("/api/files/nope")).status == 404


async def test_the_page_and_its_assets_only(page: TestClient) -> None:
    index = await page.get("/")
    assert index.status == 200
    assert "script-src 'self'" in index.headers["Content-Security-Policy"]
    assert "Local sandbox" in await index.text()
    assert (await page.get("/webchat/app.js")).headers["Content-Type"].startswith("text/javascript")
    assert (await page.get("/webchat/index.html")).status == 404
    assert (await page.get("/webchat/..%2fwebchat.py")).status == 404


async def test_the_command_menu_is_the_narrowest_scope_in_the_users_language() -> None:
    def key(scope: dict, language: str = "") -> tuple[str, str]:
        return json.dumps(scope, sort_keys=True), language

    everyone = [{"command": "start", "description": "Start"}]
    everyone_ru = [{"command": "start", "description": "Старт"}]
    admin = [*everyone, {"command": "stats", "description": "Stats"}]
    group = [{"command": "referral", "description": "Invite"}]
    commands = {
        key({"type": "default"}): everyone,
        key({"type": "default"}, "ru"): everyone_ru,
        key({"type": "chat", "chat_id": 42}): admin,
        key({"type": "all_group_chats"}): group,
    }
    ann = UserAccount(id=7, first_name="Ann", language_code="ru")
    boss = UserAccount(id=42, first_name="Boss", language_code="de")
    group_chat = ChatInfo(id=-100, type="supergroup", title="G")

    assert commands_for(commands, ChatInfo.private(ann), ann) == everyone_ru
    assert commands_for(commands, ChatInfo.private(boss), boss) == admin
    assert commands_for(commands, group_chat, boss) == group
    assert commands_for({}, ChatInfo.private(ann), ann) == []


async def test_the_stream_sends_the_commands_the_bot_set_for_that_user(
    page: TestClient, bot: Bot, server: SandboxServer
) -> None:
    await bot.set_my_commands([BotCommand("start", "Start")])
    await bot.set_my_commands(
        [BotCommand("start", "Start"), BotCommand("stats", "Stats")],
        scope=BotCommandScopeChat(ADMIN),
    )
    admin = dict(await stream(page, ADMIN, ADMIN, "ready"))["commands"]
    you = dict(await stream(page, 1000, 1000, "ready"))["commands"]
    assert [c["command"] for c in admin] == ["start", "stats"]
    assert [c["command"] for c in you] == ["start"]


async def test_after_a_restart_the_page_gets_the_same_chat(tmp_path: Path) -> None:
    """Sandbox mode keeps the world under DATA_DIR/sandbox: the page of a restarted bot
    shows the users, groups and messages it showed before, edits included."""

    async def chat_after(act: Callable[[SandboxServer, Bot], Awaitable[None]]) -> dict:
        async with SandboxServer(data_dir=tmp_path) as server:
            token = server.register_bot("keeper_bot")
            async with Bot(token, base_url=server.api_base_url) as bot:
                await act(server, bot)
            app = web.Application()
            WebChat(server, default_user=1000).mount(app)
            async with TestClient(TestServer(app)) as client:
                events = await stream(client, 1000, 1000, "ready")
        return {"state": dict(events)["state"], "messages": messages(events)}

    async def chat(server: SandboxServer, bot: Bot) -> None:
        await server.user(1000, first_name="You").send_command("/start")
        server.group(title="Creators")
        sent = await bot.send_message(1000, "<b>Hi</b>", parse_mode="HTML")
        await bot.edit_message_text("<b>Hi</b> again", 1000, sent.message_id, parse_mode="HTML")

    async def nothing(server: SandboxServer, bot: Bot) -> None:
        return None

    before = await chat_after(chat)
    after = await chat_after(nothing)
    assert after == before
    assert [m["text"] for m in after["messages"]] == ["/start", "Hi again"]
    assert after["state"]["groups"][0]["title"] == "Creators"
