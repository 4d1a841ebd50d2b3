"""Fixtures for the sandbox tests: a fresh server, a registered bot, a PTB client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from telegram import Bot, Update

from sandbox import SandboxServer, SandboxUser


class UpdateReader:
    """Reads updates one at a time through the real getUpdates, confirming as it goes."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.offset: int | None = None

    async def next(self, poll_seconds: int = 5) -> Update:
        updates = await self.bot.get_updates(offset=self.offset, timeout=poll_seconds, limit=1)
        assert updates, "no update arrived"
        self.offset = updates[0].update_id + 1
        return updates[0]


@pytest_asyncio.fixture(loop_scope="function")
async def server() -> AsyncIterator[SandboxServer]:
    async with SandboxServer() as sandbox:
        yield sandbox


@pytest.fixture
def token(server: SandboxServer) -> str:
    return server.register_bot(username="thumbs_bot", first_name="Thumbs")


@pytest_asyncio.fixture(loop_scope="function")
async def bot(server: SandboxServer, token: str) -> AsyncIterator[Bot]:
    client = Bot(token, base_url=server.api_base_url, base_file_url=server.file_base_url)
    async with client:
        yield client


@pytest.fixture
def user(server: SandboxServer, token: str) -> SandboxUser:
    return server.user(id=1001, first_name="Ann", username="ann", language_code="en")


@pytest.fixture
def updates(bot: Bot) -> UpdateReader:
    return UpdateReader(bot)
