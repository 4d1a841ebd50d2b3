"""A terminal chat client: type as a Telegram user, see what the bot answers.

Used by ``python -m sandbox --console`` so a person can try a bot without Telegram.
Plain lines are sent as text, ``/cmd args`` as commands, and ``:``-commands press
buttons, pay invoices or send media (``:help`` lists them).
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from sandbox.samples import sample_face
from sandbox.users import SandboxUser
from sandbox.views import SentMessage

HELP = """\
  text             send a text message
  /cmd [args]      send a command
  :press <button>  press a button (text or callback data) of the latest message with buttons
  :pay             pay the latest invoice
  :photo [path]    send a photo (a generated one without path)
  :doc <path>      send a file as a document
  :sticker         send a sticker
  :block / :unblock
  :quit"""


def render(message: SentMessage) -> str:
    """One bot message as a line or two of terminal text."""
    parts = []
    if message.text:
        parts.append(message.text)
    if message.photo:
        size = message.photo[-1]
        parts.append(f"[photo {size['width']}x{size['height']}]")
    if message.document:
        document = message.document
        parts.append(f"[document {document.get('file_name', '?')}, {document['file_size']} B]")
    if message.caption:
        parts.append(message.caption)
    if message.invoice:
        invoice = message.invoice
        parts.append(
            f"[invoice {invoice['title']}: {invoice['total_amount']} {invoice['currency']}"
            " - :pay to pay]"
        )
    if message.buttons:
        parts.append(" ".join(f"[{b['text']}]" for b in message.buttons))
    prefix = "bot (edited)" if message.is_edit else "bot"
    return f"{prefix}> " + "\n     ".join(parts or ["<empty>"])


def save_media(user: SandboxUser, message: SentMessage, folder: Path) -> Path | None:
    """Writes a newly sent photo or document to `folder`, so a person can open it."""
    if message.is_edit or not (message.photo or message.document):
        return None
    name = (message.document or {}).get("file_name") or "photo.jpg"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{message.message_id}-{Path(name).name}"
    path.write_bytes(user.file_bytes(message))
    return path


def _stdin_lines(stream: TextIO) -> asyncio.Queue[str | None]:
    """Read lines in a daemon thread so Ctrl+C never waits for Enter."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def pump() -> None:
        for line in stream:
            loop.call_soon_threadsafe(queue.put_nowait, line.rstrip("\n"))
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=pump, daemon=True).start()
    return queue


async def run_console(
    user: SandboxUser,
    stream: TextIO = sys.stdin,
    write: Callable[[str], None] = print,
    downloads: Path | None = None,
) -> None:
    """Chat as *user* until EOF or ``:quit``; photos and files the bot sends are saved
    under *downloads* when given."""
    write(f"Chatting with @{user.bot.username} as {user.account.first_name}. :help for help.")
    printer = asyncio.create_task(_print_bot_messages(user, write, downloads))
    background: set[asyncio.Task[None]] = set()
    lines = _stdin_lines(stream)
    try:
        while (line := await lines.get()) is not None:
            if line.strip() == ":quit":
                break
            try:
                await _handle(user, line.strip(), write, background)
            except (LookupError, ValueError, OSError) as exc:
                write(f"!! {exc}")
    finally:
        printer.cancel()
        for task in background:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await printer


async def _print_bot_messages(
    user: SandboxUser, write: Callable[[str], None], downloads: Path | None
) -> None:
    while True:
        message = await user.wait_for_message(timeout=None)
        write(render(message))
        saved = save_media(user, message, downloads) if downloads else None
        if saved is not None:
            write(f"     saved to {saved}")


async def _handle(
    user: SandboxUser,
    line: str,
    write: Callable[[str], None],
    background: set[asyncio.Task[None]],
) -> None:
    if not line:
        return
    if not line.startswith(":"):
        if line.startswith("/"):
            command, _, payload = line.partition(" ")
            await user.send_command(command, payload or None)
        else:
            await user.send_text(line)
        return
    command, _, argument = line[1:].partition(" ")
    if command == "help":
        write(HELP)
    elif command == "press":
        target = _latest(user, lambda m: bool(m.buttons))
        query_id = await user.press(target, argument)
        if query_id is not None:
            _spawn(background, _report_callback(user, query_id, write))
    elif command == "pay":
        _spawn(background, _report_payment(user, _latest(user, lambda m: bool(m.invoice)), write))
    elif command == "photo":
        if argument:
            data = await asyncio.to_thread(Path(shlex.split(argument)[0]).read_bytes)
        else:
            data = sample_face()
        await user.send_photo(data)
    elif command == "doc":
        path = Path(shlex.split(argument)[0])
        await user.send_document(await asyncio.to_thread(path.read_bytes), path.name)
    elif command == "sticker":
        await user.send_sticker()
    elif command == "block":
        await user.block_bot()
    elif command == "unblock":
        await user.unblock_bot()
    else:
        write(f"unknown command :{command}; :help lists them")


def _latest(user: SandboxUser, wanted: Callable[[SentMessage], bool]) -> SentMessage:
    for message in reversed(user.messages()):
        if wanted(message):
            return message
    raise LookupError("no such message from the bot yet")


def _spawn(background: set[asyncio.Task[None]], coroutine: object) -> None:
    task = asyncio.ensure_future(coroutine)  # type: ignore[arg-type]
    background.add(task)
    task.add_done_callback(background.discard)


async def _report_callback(user: SandboxUser, query_id: str, write: Callable[[str], None]) -> None:
    try:
        answer = await user.wait_for_callback_answer(query_id)
    except TimeoutError as exc:
        write(f"!! {exc}")
        return
    if answer.text:
        write(f"bot (popup)> {answer.text}")


async def _report_payment(
    user: SandboxUser, invoice: SentMessage, write: Callable[[str], None]
) -> None:
    try:
        result = await user.pay(invoice)
    except TimeoutError as exc:
        write(f"!! {exc}")
        return
    if result.ok:
        write(f"-- paid, charge id {result.charge_id}")
    else:
        write(f"-- payment declined by the bot: {result.error_message}")
