"""Sandbox mode (no TELEGRAM_BOT_TOKEN): the project's loopback Bot API server stands in for
Telegram, the bot's web server shows a web chat with it at `/`, and with `--console` the
terminal is a chat too.

Only a sandbox-mode run imports this module (bot/runtime.py and bot/__main__.py import it
where they know the mode), so a production run never loads sandbox/.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp import web

from bot.settings import Settings
from sandbox.console import console_available, run_console
from sandbox.server import SandboxServer
from sandbox.webchat import WebChat

logger = logging.getLogger(__name__)

SANDBOX_BOT_USERNAME = "thumbnail_sandbox_bot"
SANDBOX_USER_ID = 1000

__all__ = [
    "announce_web_chat",
    "chat_in_terminal",
    "console_available",
    "mount_web_chat",
    "sandbox_bot_api",
    "with_sandbox_admin",
]


def with_sandbox_admin(settings: Settings) -> Settings:
    """ADMIN_IDS, or with none set the sandbox's first user ("You"), so the admin
    commands can be tried without configuring anything."""
    if settings.admin_ids:
        return settings
    return settings.model_copy(update={"admin_ids": frozenset({SANDBOX_USER_ID})})


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


def mount_web_chat(app: web.Application, sandbox: SandboxServer, admin_ids: frozenset[int]) -> None:
    """The web chat at `/` of the bot's web server, acting first as "You"."""
    WebChat(sandbox, default_user=SANDBOX_USER_ID, admin_ids=admin_ids).mount(app)


def announce_web_chat(port: int) -> None:
    """Where to open the chat, on the terminal that started the bot."""
    url = f"http://127.0.0.1:{port}/"
    print(f"Sandbox mode: chat with the bot in your browser at {url}", flush=True)
    logger.info("sandbox web chat at %s", url)


async def chat_in_terminal(sandbox: SandboxServer, downloads: Path) -> None:
    """This terminal as the chat of the sandbox's first user ("You") until `:quit`."""
    print("\nSandbox chat: type a message or /start; :help lists more, :quit leaves.")
    print(f"Thumbnails the bot sends are saved in {downloads}.\n")
    user = sandbox.user(SANDBOX_USER_ID, first_name="You", language_code="en")
    await run_console(user, downloads=downloads)
