"""Sandbox mode (no TELEGRAM_BOT_TOKEN): the project's loopback Bot API server stands in for
Telegram, and a terminal can be a chat with the bot.

Only a sandbox-mode run imports this module (bot/runtime.py and bot/__main__.py import it
where they know the mode), so a production run never loads sandbox/.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sandbox.console import console_available, run_console
from sandbox.server import SandboxServer

logger = logging.getLogger(__name__)

SANDBOX_BOT_USERNAME = "thumbnail_sandbox_bot"
SANDBOX_USER_ID = 1000

__all__ = ["chat_in_terminal", "console_available", "sandbox_bot_api"]


@asynccontextmanager
async def sandbox_bot_api(data_dir: Path) -> AsyncIterator[tuple[str, str, SandboxServer]]:
    """(token, Bot API URL, server) of a loopback Bot API server whose world is kept under
    `data_dir`, so the bot's file ids and the chat survive a restart."""
    server = SandboxServer(port=0, data_dir=data_dir)
    token = server.register_bot(SANDBOX_BOT_USERNAME, first_name="Thumbnail Bot (sandbox)")
    await server.start()
    logger.info("sandbox mode: no TELEGRAM_BOT_TOKEN, using the loopback Bot API at %s", server.url)
    try:
        yield token, server.url, server
    finally:
        await server.stop()


async def chat_in_terminal(sandbox: SandboxServer, downloads: Path) -> None:
    """This terminal as the chat of the sandbox's first user ("You") until `:quit`."""
    print("\nSandbox chat: type a message or /start; :help lists more, :quit leaves.")
    print(f"Thumbnails the bot sends are saved in {downloads}.\n")
    user = sandbox.user(SANDBOX_USER_ID, first_name="You", language_code="en")
    await run_console(user, downloads=downloads)
