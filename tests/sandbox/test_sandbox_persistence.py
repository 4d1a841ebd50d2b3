"""A sandbox with a data_dir keeps the Telegram side of the world across restarts, a
kill -9 included: the bot's token, its users, messages and their ids, files and their
ids, payments and the update id counter."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LabeledPrice
from telegram.error import BadRequest

from sandbox import SandboxServer, sample_image
from sandbox.persistence import JOURNAL_NAME

from .conftest import UpdateReader
from .persistent_sandbox import BOT_USERNAME, USER_ID, perform

pytestmark = pytest.mark.asyncio(loop_scope="function")

PROJECT_ROOT = Path(__file__).resolve().parents[2]
USER_PHOTO = sample_image(1280, 720)
BOT_PHOTO = sample_image(800, 600)
REPORT = b"%PDF-1.4 a report the bot sent\n"
NOTES = b"notes the user sent\n"
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])

#: Performs one user action (see persistent_sandbox.perform), in-process or in a child.
Act = Callable[..., Awaitable[Any]]


def client(url: str, token: str) -> Bot:
    return Bot(token, base_url=f"{url}/bot", base_file_url=f"{url}/file/bot")


@dataclass
class Before:
    """What the first run left behind, to look for after the restart."""

    token: str
    user_photo_id: str
    user_notes_id: str
    bot_photo_id: str
    report_id: str
    file_paths: set[str]
    hello_id: int
    deleted_id: int
    last_id: int
    charge_id: str
    unconfirmed_update_id: int


async def first_run(url: str, token: str, act: Act) -> Before:
    """A user starts the bot, sends a photo and a document and pays an invoice; the bot
    sends, edits and deletes messages, a photo and a document."""
    await act(do="command", command="/start")
    user_photo = await act(do="photo", data=base64.b64encode(USER_PHOTO).decode())
    notes = await act(do="document", data=base64.b64encode(NOTES).decode(), file_name="n.txt")
    async with client(url, token) as bot:
        hello = await bot.send_message(USER_ID, "hello", reply_markup=KEYBOARD)
        await bot.edit_message_text("hello again", USER_ID, hello.message_id)
        photo = await bot.send_photo(USER_ID, BOT_PHOTO, caption="yours")
        report = await bot.send_document(USER_ID, REPORT, filename="report.pdf")
        deleted = await bot.send_message(USER_ID, "soon gone")
        await bot.delete_message(USER_ID, deleted.message_id)
        invoice = await bot.send_invoice(
            USER_ID, "Pack", "10 thumbnails", "pack:10", "XTR", [LabeledPrice("Pack", 50)]
        )
        paying = asyncio.create_task(act(do="pay", message_id=invoice.message_id))
        updates = UpdateReader(bot)
        while (query := (await updates.next()).pre_checkout_query) is None:
            pass
        await query.answer(ok=True)
        assert await paying
        paid = await updates.next()  # fetched, never confirmed
        assert paid.message is not None
        assert paid.message.successful_payment is not None
        file_ids = [
            user_photo["photo"][-1]["file_id"],
            notes["document"]["file_id"],
            photo.photo[-1].file_id,
            report.document.file_id,
        ]
        paths = {(await bot.get_file(file_id)).file_path for file_id in file_ids}
        last = await bot.send_message(USER_ID, "last words before the restart")
    return Before(
        token,
        *file_ids,
        file_paths=paths,
        hello_id=hello.message_id,
        deleted_id=deleted.message_id,
        last_id=last.message_id,
        charge_id=paid.message.successful_payment.telegram_payment_charge_id,
        unconfirmed_update_id=paid.update_id,
    )


async def check_after_restart(data_dir: Path, before: Before) -> None:
    """Everything the bot keeps from the first run still works against a new server."""
    async with SandboxServer(data_dir=data_dir) as server:
        assert server.register_bot(BOT_USERNAME) == before.token
        user = server.user(USER_ID)
        async with client(server.url, before.token) as bot:
            assert (await bot.get_me()).username == BOT_USERNAME

            for file_id, data in [
                (before.user_photo_id, USER_PHOTO),
                (before.user_notes_id, NOTES),
                (before.bot_photo_id, BOT_PHOTO),
                (before.report_id, REPORT),
            ]:
                assert await (await bot.get_file(file_id)).download_as_bytearray() == data

            # No new /start: the user started the bot before the restart.
            again = await bot.send_photo(USER_ID, before.user_photo_id, caption="your face")
            assert again.message_id == before.last_id + 1
            assert again.photo[-1].file_id == before.user_photo_id
            new_upload = await bot.send_document(USER_ID, b"new", filename="new.txt")
            new_path = (await bot.get_file(new_upload.document.file_id)).file_path
            assert new_path not in before.file_paths

            await bot.edit_message_text("hello after the restart", USER_ID, before.hello_id)
            with pytest.raises(BadRequest, match="Message to edit not found"):
                await bot.edit_message_text("back?", USER_ID, before.deleted_id)

            assert await bot.refund_star_payment(USER_ID, before.charge_id)
            with pytest.raises(BadRequest, match="Charge_already_refunded"):
                await bot.refund_star_payment(USER_ID, before.charge_id)

            # Telegram keeps updates the bot has not confirmed; new ones continue the count.
            (kept,) = await bot.get_updates()
            assert kept.update_id == before.unconfirmed_update_id
            assert kept.message.successful_payment.telegram_payment_charge_id == before.charge_id
            sent = await user.send_text("still here")
            assert sent["message_id"] == new_upload.message_id + 1
            (fresh,) = await bot.get_updates(offset=kept.update_id + 1)
            assert (fresh.update_id, fresh.message.text) == (kept.update_id + 1, "still here")

        history = user.messages()
        assert [m.text or m.caption for m in history] == [
            "hello after the restart",
            "yours",
            None,  # the report
            None,  # the invoice
            "last words before the restart",
            "your face",
            None,  # new.txt
        ]
        assert [e["text"] for e in history[0].edits] == ["hello", "hello again"]
        assert history[3].invoice["title"] == "Pack"
        assert user.file_bytes(history[2]) == REPORT
        deleted = [m.message_id for m in user.messages(include_deleted=True) if m.deleted]
        assert deleted == [before.deleted_id]
        assert [r.charge_id for r in server.refunds] == [before.charge_id]


async def test_a_stopped_sandbox_starts_again_where_it_was(tmp_path: Path) -> None:
    async with SandboxServer(data_dir=tmp_path) as server:
        token = server.register_bot(BOT_USERNAME)
        user = server.user(USER_ID, first_name="Ann")

        async def act(**action: Any) -> Any:
            return await perform(user, action)

        before = await first_run(server.url, token, act)
    await check_after_restart(tmp_path, before)


@asynccontextmanager
async def sandbox_process(data_dir: Path) -> AsyncIterator[tuple[str, str, Act]]:
    """A persistent sandbox in a child process: (url, token, act); killed with SIGKILL
    at the end, never stopped."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.sandbox.persistent_sandbox",
        str(data_dir),
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    stdin, stdout = process.stdin, process.stdout

    async def act(**action: Any) -> Any:
        stdin.write(json.dumps(action).encode() + b"\n")
        await stdin.drain()
        return json.loads(await asyncio.wait_for(stdout.readline(), timeout=30))

    try:
        started = json.loads(await asyncio.wait_for(stdout.readline(), timeout=30))
        yield started["url"], started["token"], act
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()


async def test_a_killed_sandbox_loses_nothing_it_answered(tmp_path: Path) -> None:
    async with sandbox_process(tmp_path) as (url, token, act):
        before = await first_run(url, token, act)
    await check_after_restart(tmp_path, before)


async def test_a_torn_last_line_is_skipped(tmp_path: Path) -> None:
    """A write cut short by a kill leaves a partial last line: the rest still loads."""
    async with SandboxServer(data_dir=tmp_path) as server:
        token = server.register_bot(BOT_USERNAME)
        await server.user(USER_ID).send_command("/start")
    with (tmp_path / JOURNAL_NAME).open("a") as journal:
        journal.write('{"t":"message","bot_id":')
    async with SandboxServer(data_dir=tmp_path) as server:
        assert server.register_bot(BOT_USERNAME) == token
        async with client(server.url, token) as bot:
            assert (await bot.send_message(USER_ID, "hi")).message_id == 2


async def test_one_data_dir_serves_one_sandbox(tmp_path: Path) -> None:
    async with SandboxServer(data_dir=tmp_path):
        with pytest.raises(RuntimeError, match="in use by another sandbox"):
            SandboxServer(data_dir=tmp_path)
    async with SandboxServer(data_dir=tmp_path):
        pass


async def test_the_journal_is_rewritten_as_a_snapshot_at_start(tmp_path: Path) -> None:
    """Each edit journals the whole message; a restart keeps one copy of it."""
    async with SandboxServer(data_dir=tmp_path) as server:
        token = server.register_bot(BOT_USERNAME)
        await server.user(USER_ID).send_command("/start")
        async with client(server.url, token) as bot:
            status = await bot.send_message(USER_ID, "0%")
            for percent in range(1, 101):
                await bot.edit_message_text(f"{percent}%", USER_ID, status.message_id)
    grown = (tmp_path / JOURNAL_NAME).stat().st_size
    async with SandboxServer(data_dir=tmp_path) as server:
        assert (tmp_path / JOURNAL_NAME).stat().st_size < grown / 10
        server.register_bot(BOT_USERNAME)
        (message,) = server.user(USER_ID).messages()
        assert (message.text, len(message.edits)) == ("100%", 100)
