"""Webhook delivery to a small aiohttp receiver."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from telegram import Bot
from telegram.error import Conflict

from sandbox import SandboxServer, SandboxUser

pytestmark = pytest.mark.asyncio(loop_scope="function")


class Receiver:
    """Collects webhook POSTs; can be told to fail the next few with 500."""

    def __init__(self) -> None:
        self.received: asyncio.Queue[tuple[dict[str, Any], str | None]] = asyncio.Queue()
        self.fail_next = 0
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        if self.fail_next:
            self.fail_next -= 1
            return web.Response(status=500)
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        await self.received.put((await request.json(), secret))
        return web.Response()

    async def next(self) -> tuple[dict[str, Any], str | None]:
        return await asyncio.wait_for(self.received.get(), 5)


@pytest_asyncio.fixture(loop_scope="function")
async def receiver() -> AsyncIterator[Receiver]:
    target = Receiver()
    app = web.Application()
    app.router.add_post("/hook", target.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    target.url = f"http://127.0.0.1:{port}/hook"
    yield target
    await runner.cleanup()


async def test_updates_are_posted_with_the_secret(
    bot: Bot, server: SandboxServer, user: SandboxUser, receiver: Receiver
) -> None:
    assert await bot.set_webhook(receiver.url, secret_token="s3cr3t")
    await user.send_command("/start")
    await user.send_text("second")
    first, secret = await receiver.next()
    second, _ = await receiver.next()
    assert secret == "s3cr3t"
    assert first["message"]["text"] == "/start"
    assert second["update_id"] == first["update_id"] + 1
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == (receiver.url, 0)
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()


async def test_failed_deliveries_are_retried_and_reported(
    bot: Bot, user: SandboxUser, receiver: Receiver
) -> None:
    receiver.fail_next = 2
    await bot.set_webhook(receiver.url)
    await user.send_text("retry me")
    update, secret = await receiver.next()
    assert update["message"]["text"] == "retry me"
    assert secret is None
    info = await bot.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"


async def test_deleting_the_webhook_hands_pending_updates_to_get_updates(
    bot: Bot, user: SandboxUser
) -> None:
    await bot.set_webhook("http://127.0.0.1:9/unreachable")
    await user.send_text("kept")
    await asyncio.sleep(0.05)
    assert (await bot.get_webhook_info()).pending_update_count == 1
    assert await bot.delete_webhook()
    assert [u.message.text for u in await bot.get_updates()] == ["kept"]
    await user.send_text("dropped")
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()
