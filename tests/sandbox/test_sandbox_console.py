"""The terminal chat: what a person types reaches the bot, and what the bot sends is
shown, with photos saved where the person can open them."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import TextIO

import pytest
from telegram import Bot

from sandbox import SandboxUser, sample_image
from sandbox.console import run_console

from .conftest import UpdateReader

pytestmark = pytest.mark.asyncio(loop_scope="function")


def keyboard_pipe() -> tuple[TextIO, TextIO]:
    """(what the console reads, where the test types), like a terminal's stdin."""
    read_end, write_end = os.pipe()
    return open(read_end), open(write_end, "w", buffering=1)


async def shown_line(shown: list[str], fragment: str) -> str:
    for _ in range(250):
        found = next((line for line in shown if fragment in line), None)
        if found is not None:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"the console never showed {fragment!r}; it showed {shown}")


async def test_typed_lines_reach_the_bot_and_photos_are_saved(
    bot: Bot, user: SandboxUser, updates: UpdateReader, tmp_path: Path
) -> None:
    shown: list[str] = []
    photo = sample_image(1280, 720)
    typed, keyboard = keyboard_pipe()
    with typed, keyboard:
        console = asyncio.create_task(run_console(user, typed, shown.append, tmp_path))
        keyboard.write("hello bot\n")
        update = await updates.next()
        assert update.message is not None
        assert update.message.text == "hello bot"

        await bot.send_photo(user.id, photo, caption="your thumbnail")

        assert "your thumbnail" in await shown_line(shown, "[photo 1280x720]")
        saved = (await shown_line(shown, "saved to ")).split("saved to ", 1)[1]
        assert await asyncio.to_thread(Path(saved).read_bytes) == photo
        keyboard.write(":quit\n")
        await console
