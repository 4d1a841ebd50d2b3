"""SIGTERM stops a webhook-mode bot cleanly: the webhook answers 503 first (so the Bot API
keeps the update and delivers it again), /readyz says it is stopping, the update being
handled finishes, the process exits 0 and leaves no process behind (its image workers
included); the update that came in meanwhile is answered by the next process, once."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import psutil
import pytest

from sandbox.server import SandboxServer
from services.adapters.migrations import apply_migrations
from tests.e2e.conftest import containing
from tests.e2e.webhook_cluster import until_ready
from tests.test_bot_process import assert_no_error_lines, free_port, start_bot

TOKEN = "740000002:shutdown-test-token"
USER_ID = 7_400_321


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    server = SandboxServer()
    server.register_bot("thumbs_shutdown_bot", token=TOKEN)
    await server.start()
    yield server
    await server.stop()


def alive(pids: list[int]) -> list[int]:
    """Those of `pids` still running (a zombie waiting to be reaped has stopped)."""
    running = []
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                running.append(pid)
    return running


async def readiness(url: str) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as http, http.get(f"{url}/readyz") as response:
        return response.status, await response.json()


async def test_sigterm_refuses_new_updates_finishes_the_running_one_and_leaves_nothing(
    sandbox: SandboxServer, create_database: Callable[[], str], tmp_path: Path
):
    conninfo = create_database()
    await apply_migrations(conninfo)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": sandbox.url,
        "DATABASE_URL": conninfo,
        "PUBLIC_URL": url,
    }
    log = tmp_path / "bot.log"
    user = sandbox.user(USER_ID, first_name="Tess", bot=TOKEN)
    first = await start_bot(tmp_path, port, env=env, log=log)
    second = None
    try:
        await until_ready(url)
        await user.send_command("/start")
        await user.wait_for_message(containing("Welcome"), timeout=30)
        workers = [child.pid for child in psutil.Process(first.pid).children(recursive=True)]
        assert workers, "the image pool's workers run"

        # /balance is being answered (Telegram holds the answer back) when SIGTERM comes.
        held = sandbox.hold("sendMessage")
        await user.send_command("/balance")
        await held.wait_for(1)
        first.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.5)
        status, body = await readiness(url)
        assert status == 503
        assert body["checks"]["process"] == "stopping"
        assert body["checks"]["update_intake"] == "stopping"

        # An update arriving now is refused with 503, not taken and lost.
        await user.send_command("/help")
        webhook = sandbox.bot(TOKEN).webhook
        assert webhook is not None
        for _ in range(100):
            if "503" in (webhook.config.last_error_message or ""):
                break
            await asyncio.sleep(0.05)
        assert "503" in (webhook.config.last_error_message or "")

        held.release()
        sandbox.faults.clear()
        assert await asyncio.wait_for(first.wait(), timeout=30) == 0
        await asyncio.sleep(1.5)  # workers of a dead parent would notice within a second
        assert alive(workers) == [], "image workers outlived the bot"
        assert await user.wait_for_message(containing("You have"), timeout=5)

        second = await start_bot(tmp_path, port, env=env, log=log)
        await user.wait_for_message(containing("What I do"), timeout=60)
    finally:
        for process in (first, second):
            if process is not None and process.returncode is None:
                process.send_signal(signal.SIGTERM)
                await process.wait()

    output = log.read_text()
    assert_no_error_lines(output)
    assert output.count("stopped cleanly") == 2
    texts = [message.text or "" for message in user.messages()]
    assert sum(text.startswith("💰 You have") for text in texts) == 1, texts
    assert sum(text.startswith("What I do") for text in texts) == 1, texts
