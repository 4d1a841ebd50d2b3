"""A terminal chat client: type as Telegram users, see what the bot answers.

Used by ``python -m bot`` in sandbox mode and ``python -m sandbox --console`` so a person
can try a bot without Telegram. Plain lines are sent as text, ``/cmd args`` as commands,
and ``:``-commands press buttons of any message, follow links, pay invoices, send media
and switch between users (``:help`` lists them). Every bot message is shown with its
number and who it is for (``bot #12 → You>``), its buttons numbered (``[1 ✅ Save]``).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shlex
import sys
import threading
import zlib
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qs, urlsplit

from sandbox.accounts import UserAccount
from sandbox.samples import sample_face
from sandbox.users import SandboxUser
from sandbox.views import SentMessage

Write = Callable[[str], None]

HELP = """\
  text                   send a text message
  /cmd [args]            send a command
  :press <button>        press a button of the newest message that has it, by its text
                         (any case, emoji and punctuation left out, a part is enough)
  :press <n>             press button n of the newest message with buttons
  :press #12 <button|n>  press a button of bot message #12
  :open <link>           follow a link: an invoice link (pays it), or a bot link
                         t.me/<bot>?start=<payload> (sends /start <payload>)
  :pay                   pay the newest invoice you have not paid yet
  :pay #12               pay invoice #12 (an invoice message or a button with an invoice link)
  :as <name>             become another user (created on first use); :as alone lists them
  :lang <code>           change your Telegram language (en, ru, es...)
  :photo [path]          send a photo (a sample one without path)
  :doc <path>            send a file as a document
  :sticker               send a sticker
  :block / :unblock      block or unblock the bot
  :help / :quit"""

_TELEGRAM_HOSTS = frozenset({"t.me", "www.t.me", "telegram.me", "www.telegram.me"})


def console_available() -> bool:
    """A chat needs a person at a terminal: stdin to type on and stdout to read."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def render(message: SentMessage, recipient: str) -> str:
    """One bot message as terminal lines: its number, who it is for, its content and its
    buttons, numbered the way ``:press <n>`` counts them."""
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
            f" - :pay #{message.message_id} pays it]"
        )
    parts.extend(_button_rows(message))
    first, *more = [line for part in parts for line in part.splitlines() or [""]] or ["<empty>"]
    edited = " (edited)" if message.is_edit else ""
    lines = [f"bot #{message.message_id}{edited} → {recipient}> {first}"]
    lines.extend(f"     {line}" if line else "" for line in more)
    return "\n".join(lines)


def _button_rows(message: SentMessage) -> list[str]:
    markup = message.reply_markup or {}
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    numbered = iter(enumerate(message.buttons, 1))
    return [" ".join(_button_label(*next(numbered)) for _ in row) for row in rows]


def _button_label(number: int, button: dict[str, Any]) -> str:
    link = f" → {button['url']}" if "url" in button else ""
    return f"[{number} {button['text']}{link}]"


def _plain(text: str) -> str:
    """Text the way a person types it: lower case, without emoji or punctuation."""
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def _matching_buttons(message: SentMessage, wanted: str) -> list[int]:
    """Numbers of the buttons *wanted* names: its exact text or callback data, else its
    plain text, else a part of its plain text (the first kind that hits)."""
    key = _plain(wanted)
    tests: list[Callable[[dict[str, Any]], bool]] = [
        lambda button: wanted in (button["text"], button.get("callback_data")),
        lambda button: bool(key) and _plain(button["text"]) == key,
        lambda button: bool(key) and key in _plain(button["text"]),
    ]
    for test in tests:
        found = [number for number, button in enumerate(message.buttons, 1) if test(button)]
        if found:
            return found
    return []


def _bot_link(link: str) -> tuple[str, str | None] | None:
    """(bot username, start payload) of a t.me / tg://resolve link, None for other links."""
    parts = urlsplit(link if "://" in link else f"https://{link}")
    query = parse_qs(parts.query)
    if parts.scheme == "tg" and parts.netloc == "resolve":
        name = query.get("domain", [""])[0]
    elif parts.scheme in ("http", "https") and parts.netloc.lower() in _TELEGRAM_HOSTS:
        name = parts.path.strip("/")
    else:
        return None
    if not re.fullmatch(r"[A-Za-z0-9_]+", name):
        return None
    return name, query.get("start", [None])[0]


def _message_number(reference: str) -> int:
    if not reference.removeprefix("#").isdigit():
        raise ValueError(f"{reference!r} is not a message number like #12")
    return int(reference.removeprefix("#"))


def stable_user_id(name: str) -> int:
    """The same id for the same name on every run, so the bot's database knows the user
    again; far from the world's own ids and from the default console user's."""
    return 1_000_000_000 + zlib.crc32(name.casefold().encode()) % 1_000_000_000


def save_media(user: SandboxUser, message: SentMessage, folder: Path) -> Path | None:
    """Writes a newly sent photo or document to `folder`, so a person can open it."""
    if message.is_edit or not (message.photo or message.document):
        return None
    name = (message.document or {}).get("file_name") or "photo.jpg"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{user.id}-{message.message_id}-{Path(name).name}"
    path.write_bytes(user.file_bytes(message))
    return path


def _stdin_lines(stream: TextIO) -> asyncio.Queue[str | None]:
    """Read lines in a daemon thread so Ctrl+C never waits for Enter."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def pump() -> None:
        with contextlib.suppress(ValueError):  # the stream was closed: input is over
            for line in stream:
                loop.call_soon_threadsafe(queue.put_nowait, line.rstrip("\n"))
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=pump, daemon=True).start()
    return queue


async def run_console(
    user: SandboxUser,
    stream: TextIO = sys.stdin,
    write: Write = print,
    downloads: Path | None = None,
) -> None:
    """Chat as *user* (and others, with ``:as``) until EOF or ``:quit``; photos and files
    the bot sends are saved under *downloads* when given."""
    console = Console(user, write, downloads)
    write(
        f"Chatting with @{user.bot.username} as {user.account.first_name} (id {user.id}). "
        ":help lists what you can do."
    )
    lines = _stdin_lines(stream)
    try:
        while (line := await lines.get()) is not None:
            if line.strip() == ":quit":
                break
            try:
                await console.handle(line.strip())
            except (LookupError, ValueError, OSError) as exc:
                write(f"!! {exc}")
    finally:
        await console.close()


class Console:
    """The state of one terminal chat: who you are now, every user's chat being watched,
    messages waiting for users you are not viewing, and presses and payments under way."""

    def __init__(self, user: SandboxUser, write: Write, downloads: Path | None) -> None:
        self.user = user
        self.write = write
        self.downloads = downloads
        self.world = user.world
        self.views: dict[int, SandboxUser] = {user.id: user}
        self.unseen: dict[int, list[SentMessage]] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self._spawn(self._watch(user))
        for account in list(self.world.users.values()):
            self._view(account)

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in list(self.tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def handle(self, line: str) -> None:
        if not line:
            return
        if not line.startswith(":"):
            if line.startswith("/"):
                command, _, payload = line.partition(" ")
                await self.user.send_command(command, payload or None)
            else:
                await self.user.send_text(line)
            return
        command, _, argument = line[1:].partition(" ")
        argument = argument.strip()
        if command == "help":
            self.write(HELP)
        elif command == "press":
            await self._press(argument)
        elif command == "open":
            await self._open(argument)
        elif command == "pay":
            self._pay(argument)
        elif command == "as":
            self._switch(argument)
        elif command == "lang":
            self._set_language(argument)
        elif command == "photo":
            if argument:
                data = await asyncio.to_thread(Path(shlex.split(argument)[0]).read_bytes)
            else:
                data = sample_face()
            await self.user.send_photo(data)
        elif command == "doc":
            path = Path(shlex.split(argument)[0])
            await self.user.send_document(await asyncio.to_thread(path.read_bytes), path.name)
        elif command == "sticker":
            await self.user.send_sticker()
        elif command == "block":
            await self.user.block_bot()
        elif command == "unblock":
            await self.user.unblock_bot()
        else:
            self.write(f"!! unknown command :{command}; :help lists them")

    # --- buttons and links --------------------------------------------------------

    async def _press(self, argument: str) -> None:
        message, button = self._choose_button(argument)
        if "url" in button:
            await self._open(button["url"])
        elif button.get("pay"):
            self._spawn(self._report_payment(self.user, message))
        else:
            query_id = await self.user.press(message, button.get("callback_data") or button["text"])
            if query_id is not None:
                self._spawn(self._report_callback(self.user, query_id))

    def _choose_button(self, argument: str) -> tuple[SentMessage, dict[str, Any]]:
        if argument.startswith("#"):
            reference, _, wanted = argument.partition(" ")
            candidates = [self._bot_message(_message_number(reference))]
        else:
            wanted = argument
            candidates = [m for m in reversed(self.user.messages()) if m.buttons]
        wanted = wanted.strip()
        if not wanted:
            raise ValueError("which button? :press <text or number> or :press #12 <text or number>")
        if wanted.isdigit():  # a button number, or a number on a button: the newest only
            candidates = candidates[:1]
            if candidates and 0 < int(wanted) <= len(candidates[0].buttons):
                return candidates[0], candidates[0].buttons[int(wanted) - 1]
        for message in candidates:
            found = _matching_buttons(message, wanted)
            if len(found) == 1:
                return message, message.buttons[found[0] - 1]
            if found:
                choices = " ".join(_button_label(n, message.buttons[n - 1]) for n in found)
                raise LookupError(
                    f"{wanted!r} matches several buttons of #{message.message_id}: {choices};"
                    f" :press #{message.message_id} <number> picks one"
                )
        if not candidates:
            raise LookupError("no message with buttons yet")
        if not candidates[0].buttons:
            raise LookupError(f"#{candidates[0].message_id} has no buttons")
        newest = candidates[0]
        rows = " ".join(_button_rows(newest))
        raise LookupError(f"no button {wanted!r} found; #{newest.message_id} has {rows}")

    def _bot_message(self, number: int) -> SentMessage:
        record = self.user.log.get(number)
        if record is None or not record.from_bot:
            raise LookupError(f"no bot message #{number} in {self.user.account.first_name}'s chat")
        return SentMessage.latest(record)

    async def _open(self, link: str) -> None:
        """Follow a link as Telegram would: an invoice link opens the payment form, a bot
        link opens the chat and sends /start with its payload."""
        if not link:
            raise ValueError("usage: :open <link>")
        if link in self.world.payments.invoice_links:
            self._spawn(self._report_payment(self.user, link))
            return
        bot = self.user.bot
        target = _bot_link(link)
        if target is None:
            raise ValueError(
                f"{link} leads outside the sandbox; only invoice links and t.me links to"
                f" @{bot.username} open here"
            )
        name, payload = target
        if name.casefold() != bot.username.casefold():
            raise LookupError(f"@{name} is not in this sandbox; the bot here is @{bot.username}")
        account = self.user.account
        if payload is None and bot.id in account.started_bots - account.blocked_bots:
            self.write(f"-- (the chat with @{bot.username} is open already)")
            return
        await self.user.send_command("/start", payload)

    # --- payments -----------------------------------------------------------------

    def _pay(self, argument: str) -> None:
        if argument:
            number = _message_number(argument)
            target = self._invoice_on(self._bot_message(number))
            if target is None:
                raise LookupError(f"#{number} is neither an invoice nor has an invoice link")
        else:
            target = self._newest_unpaid_invoice()
            if target is None:
                raise LookupError("no invoice waiting to be paid")
        self._spawn(self._report_payment(self.user, target))

    def _invoice_on(self, message: SentMessage) -> SentMessage | str | None:
        """The invoice a message offers: itself, or the invoice link of one of its buttons."""
        if message.invoice:
            return message
        links = self.world.payments.invoice_links
        return next((b["url"] for b in message.buttons if b.get("url") in links), None)

    def _newest_unpaid_invoice(self) -> SentMessage | str | None:
        """An invoice counts as paid once this user paid the same payload after it was
        shown (Telegram lets an invoice be paid any number of times)."""
        payments = self.user.successful_payments()
        for message in reversed(self.user.messages()):
            target = self._invoice_on(message)
            if target is None:
                continue
            payload = self.user.invoice_of(target).payload
            if not any(
                paid["message_id"] > message.message_id
                and paid["successful_payment"]["invoice_payload"] == payload
                for paid in payments
            ):
                return target
        return None

    async def _report_payment(self, user: SandboxUser, target: SentMessage | str) -> None:
        invoice = user.invoice_of(target)
        try:
            result = await user.pay(target)
        except TimeoutError as exc:
            self.write(f"!! {exc}")
            return
        if result.ok:
            self.write(
                f"-- {user.account.first_name} paid {invoice.total_amount} {invoice.currency}"
                f" for {invoice.title}; charge id {result.charge_id}"
            )
        else:
            self.write(f"-- payment declined by the bot: {result.error_message}")

    async def _report_callback(self, user: SandboxUser, query_id: str) -> None:
        try:
            answer = await user.wait_for_callback_answer(query_id)
        except TimeoutError as exc:
            self.write(f"!! {exc}")
            return
        if answer.text:
            self.write(f"bot (popup) → {user.account.first_name}> {answer.text}")

    # --- users --------------------------------------------------------------------

    def _switch(self, name: str) -> None:
        if not name:
            listed = [
                self._describe(view) + (" [you]" if view is self.user else "")
                for view in self.views.values()
            ]
            self.write("users: " + ", ".join(listed))
            return
        view = self._view(self._account_named(name))
        self.user = view
        self.write(f"== you are {self._describe(view)} now")
        for message in self.unseen.pop(view.id, []):
            self._show(view, message)

    @staticmethod
    def _describe(view: SandboxUser) -> str:
        account = view.account
        return f"{account.first_name} (id {account.id}, {account.language_code or '-'})"

    def _account_named(self, name: str) -> UserAccount:
        wanted = name.casefold()
        for account in self.world.users.values():
            if account.first_name.casefold() == wanted:
                return account
        first_name = name[:1].upper() + name[1:]
        return self.world.add_user(stable_user_id(name), first_name=first_name, language_code="en")

    def _view(self, account: UserAccount) -> SandboxUser:
        view = self.views.get(account.id)
        if view is None:
            view = self.views[account.id] = SandboxUser(self.world, self.user.bot, account)
            self._spawn(self._watch(view))
        return view

    def _set_language(self, code: str) -> None:
        if not re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*", code):
            raise ValueError("usage: :lang <code>, e.g. :lang ru")
        self.user.account.language_code = code
        self.write(
            f"-- {self.user.account.first_name}'s Telegram language is {code} now;"
            " the bot sees it from the next message"
        )

    # --- what the bot sends -------------------------------------------------------

    async def _watch(self, view: SandboxUser) -> None:
        """Shows the bot's messages to *view* if it is the current user, else announces
        them and keeps them for when you switch to that user."""
        while True:
            message = await view.wait_for_message(timeout=None)
            if view is self.user:
                self._show(view, message)
                continue
            waiting = self.unseen.setdefault(view.id, [])
            waiting.append(message)
            plural = "s" if len(waiting) > 1 else ""
            self.write(
                f"({len(waiting)} new message{plural} for {view.account.first_name};"
                f" :as {view.account.first_name} shows them)"
            )

    def _show(self, view: SandboxUser, message: SentMessage) -> None:
        self.write(render(message, view.account.first_name))
        saved = save_media(view, message, self.downloads) if self.downloads else None
        if saved is not None:
            self.write(f"     saved to {saved}")

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
