"""The terminal chat: what a person types reaches the bot, and what the bot sends is
shown, numbered, with its buttons pressable on any message, its links followable and its
invoices payable, as any of several users; photos are saved where the person can open
them. The last test runs `python -m bot --console` in a pseudo-terminal: the chat stays clean and
the log goes to its file."""

from __future__ import annotations

import asyncio
import logging
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TextIO

import pytest
import pytest_asyncio
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LabeledPrice, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    PreCheckoutQueryHandler,
    filters,
)

from bot.log_setup import ChatNotice
from sandbox import SandboxServer, SandboxUser, sample_image
from sandbox.console import HELP, run_console, stable_user_id
from tests.test_bot_process import PROJECT_ROOT, bot_env, free_port

from .conftest import UpdateReader

pytestmark = pytest.mark.asyncio(loop_scope="function")

SUBSCRIPTION_PERIOD = 2592000


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


# --- a tiny real bot: buttons, invoices, an invoice link, deep links ---------------------

SAVE_MENU = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("✅ Save", callback_data="save")],
        [InlineKeyboardButton("Skip", callback_data="skip")],
    ]
)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greets with the user's name and language; `/start ref_<id>` tells that user."""
    user = update.effective_user
    payload = context.args[0] if context.args else "none"
    await update.effective_message.reply_text(
        f"Hi {user.first_name} ({user.language_code})! start={payload}", reply_markup=SAVE_MENU
    )
    if payload.startswith("ref_"):
        await context.bot.send_message(int(payload[4:]), f"{user.first_name} joined by your link")


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer(f"{query.data} on #{query.message.message_id}")
    await query.message.reply_text(f"you pressed {query.data} on #{query.message.message_id}")


async def buy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/buy <name>` sends an invoice for that pack."""
    name = context.args[0]
    await update.effective_message.reply_invoice(
        f"Pack {name}", "Credits", f"pack-{name}", "XTR", [LabeledPrice(name, 10)]
    )


async def subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    link = await context.bot.create_invoice_link(
        "Monthly",
        "250 credits a month",
        "plan",
        "XTR",
        [LabeledPrice("Monthly", 199)],
        subscription_period=SUBSCRIPTION_PERIOD,
    )
    button = InlineKeyboardButton("⭐ Subscribe for 199", url=link)
    help_link = InlineKeyboardButton("Help", url="https://example.com/help")
    await update.effective_message.reply_text(
        "Subscribe?", reply_markup=InlineKeyboardMarkup([[button], [help_link]])
    )


async def pre_checkout(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.pre_checkout_query.answer(ok=True)


async def paid(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    payment = update.message.successful_payment
    kind = "subscription" if payment.is_recurring else "one-off"
    await update.message.reply_text(f"thanks for {payment.invoice_payload} ({kind})")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = update.effective_user
    await update.message.reply_text(f"{user.first_name} said {update.message.text}")


@pytest_asyncio.fixture(loop_scope="function")
async def tiny_bot(server: SandboxServer, token: str) -> AsyncIterator[Application]:
    app = (
        Application.builder()
        .token(token)
        .base_url(server.api_base_url)
        .base_file_url(server.file_base_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("buy", buy))
    app.add_handler(CommandHandler("subscribe", subscribe))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_handler(PreCheckoutQueryHandler(pre_checkout))
    app.add_handler(MessageHandler(filters.SUCCESSFUL_PAYMENT, paid))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=5)
        yield app
        await app.updater.stop()
        await app.stop()


class Terminal:
    """The console as a person sees it: type a line, then expect what shows next."""

    def __init__(self, keyboard: TextIO) -> None:
        self.keyboard = keyboard
        self.shown: list[str] = []
        self.read = 0

    def type(self, line: str) -> None:
        self.keyboard.write(line + "\n")

    async def expect(self, fragment: str) -> str:
        """The first line after the last expected one that contains *fragment*."""
        for _ in range(250):
            for index in range(self.read, len(self.shown)):
                if fragment in self.shown[index]:
                    self.read = index + 1
                    return self.shown[index]
            await asyncio.sleep(0.02)
        raise AssertionError(f"never showed {fragment!r}; showed {self.shown[self.read :]}")

    async def ask(self, line: str, fragment: str) -> str:
        self.type(line)
        return await self.expect(fragment)


@pytest_asyncio.fixture(loop_scope="function")
async def terminal(
    tiny_bot: Application, user: SandboxUser, tmp_path: Path
) -> AsyncIterator[Terminal]:
    typed, keyboard = keyboard_pipe()
    with typed, keyboard:
        screen = Terminal(keyboard)
        console = asyncio.create_task(run_console(user, typed, screen.shown.append, tmp_path))
        await screen.expect("Chatting with @thumbs_bot as Ann")
        yield screen
        screen.type(":quit")
        await asyncio.wait_for(console, 5)


async def test_messages_and_buttons_are_numbered(terminal: Terminal) -> None:
    menu = await terminal.ask("/start", "Hi Ann (en)! start=none")
    assert menu == "bot #2 → Ann> Hi Ann (en)! start=none\n     [1 ✅ Save]\n     [2 Skip]"


async def test_a_button_of_an_older_message_is_pressed_by_plain_text_or_number(
    terminal: Terminal,
) -> None:
    await terminal.ask("/start", "bot #2 → Ann> Hi Ann")
    await terminal.ask("/start", "bot #4 → Ann> Hi Ann")

    await terminal.ask(":press #2 save", "bot (popup) → Ann> save on #2")
    await terminal.expect("you pressed save on #2")
    await terminal.ask(":press #2 2", "you pressed skip on #2")
    await terminal.ask(":press SAVE!", "you pressed save on #4")  # newest with such a button
    await terminal.ask(":press 2", "you pressed skip on #4")
    await terminal.ask(":press ✅ Save", "you pressed save on #4")
    await terminal.ask(":press sk", "you pressed skip on #4")  # a part is enough


async def test_a_button_that_is_not_there_gets_an_answer_listing_the_choices(
    terminal: Terminal,
) -> None:
    assert await terminal.ask(":press save", "!!") == "!! no message with buttons yet"
    await terminal.ask("/start", "bot #2 → Ann>")
    missing = await terminal.ask(":press buy", "!!")
    assert missing == "!! no button 'buy' found; #2 has [1 ✅ Save] [2 Skip]"
    assert "no button '3' found" in await terminal.ask(":press 3", "!!")
    await terminal.ask("hello", "Ann said hello")
    assert await terminal.ask(":press #3 save", "!!") == "!! no bot message #3 in Ann's chat"
    assert await terminal.ask(":press #4 save", "!!") == "!! #4 has no buttons"
    assert "which button?" in await terminal.ask(":press #2", "!!")


async def test_an_ambiguous_button_asks_for_a_number(
    terminal: Terminal, tiny_bot: Application, user: SandboxUser
) -> None:
    await terminal.ask("hi", "Ann said hi")
    twins = [
        InlineKeyboardButton("Save one", callback_data="a"),
        InlineKeyboardButton("Save all", callback_data="b"),
    ]
    await tiny_bot.bot.send_message(user.id, "which?", reply_markup=InlineKeyboardMarkup([twins]))
    await terminal.expect("[1 Save one] [2 Save all]")

    ambiguous = await terminal.ask(":press save", "!!")
    assert ambiguous == (
        "!! 'save' matches several buttons of #3: [1 Save one] [2 Save all];"
        " :press #3 <number> picks one"
    )
    await terminal.ask(":press save all", "you pressed b on #3")


async def test_a_number_past_the_buttons_is_looked_up_on_them(
    terminal: Terminal, tiny_bot: Application, user: SandboxUser
) -> None:
    await terminal.ask("hi", "Ann said hi")
    packs = [
        [InlineKeyboardButton("⭐ 100 credits - 100 ⭐", callback_data="p100")],
        [InlineKeyboardButton("⭐ 330 credits - 275 ⭐", callback_data="p330")],
    ]
    await tiny_bot.bot.send_message(user.id, "packs", reply_markup=InlineKeyboardMarkup(packs))
    await terminal.expect("[2 ⭐ 330 credits - 275 ⭐]")

    await terminal.ask(":press 330", "you pressed p330 on #3")
    await terminal.ask(":press 1", "you pressed p100 on #3")


async def test_pay_pays_the_newest_open_invoice_then_the_older_one(terminal: Terminal) -> None:
    await terminal.ask("/buy small", "[invoice Pack small: 10 XTR - :pay #2 pays it]")
    await terminal.ask("/buy big", "[invoice Pack big: 10 XTR - :pay #4 pays it]")

    await terminal.ask(":pay", "-- Ann paid 10 XTR for Pack big; charge id stx")
    await terminal.expect("thanks for pack-big (one-off)")
    await terminal.ask(":pay", "-- Ann paid 10 XTR for Pack small")
    await terminal.expect("thanks for pack-small (one-off)")
    assert await terminal.ask(":pay", "!!") == "!! no invoice waiting to be paid"

    await terminal.ask(":pay #2", "-- Ann paid 10 XTR for Pack small")  # asked for: again
    await terminal.expect("thanks for pack-small (one-off)")
    assert "is neither an invoice" in await terminal.ask(":pay #6", "!!")


async def test_the_same_pack_bought_again_is_an_open_invoice_again(terminal: Terminal) -> None:
    await terminal.ask("/buy small", "bot #2")
    await terminal.ask(":pay", "-- Ann paid")
    await terminal.expect("thanks for pack-small")
    await terminal.ask("/buy small", "bot #6")
    await terminal.ask(":pay", "-- Ann paid")
    await terminal.expect("thanks for pack-small")
    assert await terminal.ask(":pay", "!!") == "!! no invoice waiting to be paid"


async def test_an_invoice_link_button_shows_its_link_and_pressing_it_pays(
    terminal: Terminal, server: SandboxServer
) -> None:
    offer = await terminal.ask("/subscribe", "Subscribe?")
    (link,) = server.world.payments.invoice_links
    assert f"[1 ⭐ Subscribe for 199 → {link}]" in offer
    assert "[2 Help → https://example.com/help]" in offer

    await terminal.ask(":press subscribe", "-- Ann paid 199 XTR for Monthly")
    await terminal.expect("thanks for plan (subscription)")
    (charge,) = server.world.payments.charges.values()
    assert charge.expiration_date is not None
    assert await terminal.ask(":pay", "!!") == "!! no invoice waiting to be paid"
    outside = await terminal.ask(":press help", "!!")
    assert outside.startswith("!! https://example.com/help leads outside the sandbox")


async def test_pay_and_open_pay_an_invoice_link_too(
    terminal: Terminal, server: SandboxServer
) -> None:
    await terminal.ask("/subscribe", "Subscribe?")
    await terminal.ask(":pay", "-- Ann paid 199 XTR for Monthly")
    await terminal.expect("thanks for plan (subscription)")
    (link,) = server.world.payments.invoice_links
    await terminal.ask(f":open {link}", "-- Ann paid 199 XTR for Monthly")
    await terminal.expect("thanks for plan (subscription)")
    assert len(server.world.payments.charges) == 2


async def test_another_user_follows_a_referral_link_and_the_referrer_is_told(
    terminal: Terminal, user: SandboxUser
) -> None:
    await terminal.ask("/start", "bot #2 → Ann> Hi Ann (en)! start=none")

    alice_id = stable_user_id("alice")
    became = await terminal.ask(":as alice", "== you are")
    assert became == f"== you are Alice (id {alice_id}, en) now"
    await terminal.ask(f":open https://t.me/thumbs_bot?start=ref_{user.id}", "bot #2 → Alice>")
    await terminal.expect("(1 new message for Ann; :as Ann shows them)")
    await terminal.ask("hi", "bot #4 → Alice> Alice said hi")

    listed = await terminal.ask(":as", "users:")
    assert listed == f"users: Ann (id {user.id}, en), Alice (id {alice_id}, en) [you]"
    await terminal.ask(":as ann", "== you are Ann")
    await terminal.expect("bot #3 → Ann> Alice joined by your link")

    await terminal.ask(":as Alice", "== you are Alice")  # the same Alice again
    opened = await terminal.ask(":open t.me/thumbs_bot", "--")
    assert opened == "-- (the chat with @thumbs_bot is open already)"
    assert "not in this sandbox" in await terminal.ask(":open https://t.me/other_bot", "!!")


async def test_lang_changes_the_language_the_bot_sees(terminal: Terminal) -> None:
    await terminal.ask(":lang ru", "-- Ann's Telegram language is ru now")
    await terminal.ask("/start", "Hi Ann (ru)!")
    assert "usage: :lang" in await terminal.ask(":lang", "!!")


async def test_help_lists_every_command(terminal: Terminal) -> None:
    shown = await terminal.ask(":help", ":quit")
    assert shown == HELP
    for command in (":press", ":open", ":pay", ":as", ":lang", ":photo", ":doc", ":sticker"):
        assert command in shown
    assert "unknown command :nope" in await terminal.ask(":nope", "!!")


# --- python -m bot in a terminal ---------------------------------------------------------

_LOG_LINE = re.compile(r"\b(DEBUG|INFO|WARNING|ERROR|CRITICAL)\b|Traceback")


class PseudoTerminal:
    """`python -m bot --console` with a pseudo-terminal as its stdin, stdout and stderr, as
    when a person runs it in a terminal window."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "--console"],
            cwd=workdir,
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
        )
        os.close(slave)
        self.screen = ""

    def expect(self, fragment: str, within: float = 90) -> None:
        deadline = time.monotonic() + within
        while fragment not in self.screen:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"the terminal never showed {fragment!r}:\n{self.screen}"
            if select.select([self.master], [], [], min(remaining, 0.5))[0]:
                try:
                    self.screen += os.read(self.master, 65536).decode(errors="replace")
                except OSError:  # the process closed the terminal
                    assert fragment in self.screen, self.screen

    def type(self, line: str) -> None:
        os.write(self.master, (line + "\n").encode())

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
        os.close(self.master)


def chat_in_a_terminal(workdir: Path) -> PseudoTerminal:
    """Starts the bot in a terminal, types /start, waits for the menu, types :quit."""
    environment = {**bot_env(workdir / "data", free_port()), "PYTHONPATH": str(PROJECT_ROOT)}
    terminal = PseudoTerminal(workdir, environment)
    try:
        terminal.expect("Chatting with @thumbnail_sandbox_bot as You")
        terminal.type("/start")
        terminal.expect("bot #2 → You>")
        terminal.expect("[1 ")
        terminal.type(":quit")
        terminal.process.wait(timeout=60)
    except AssertionError as failure:
        log = (workdir / "data" / "logs" / "bot.log").read_text()
        raise AssertionError(f"{failure}\nbot.log:\n{log}") from None
    finally:
        terminal.close()
    return terminal


async def test_the_terminal_shows_the_chat_and_the_log_goes_to_its_file(tmp_path: Path) -> None:
    terminal = await asyncio.to_thread(chat_in_a_terminal, tmp_path)

    log_file = tmp_path / "data" / "logs" / "bot.log"
    assert terminal.screen.startswith(f"Sandbox mode: the bot's log is in {log_file}")
    assert terminal.process.returncode == 0, terminal.screen
    log_lines = [line for line in terminal.screen.splitlines() if _LOG_LINE.search(line)]
    assert not log_lines, terminal.screen
    log = log_file.read_text()
    assert " INFO bot.runtime: bot @thumbnail_sandbox_bot is running" in log
    assert "stopped cleanly" in log


async def test_serious_errors_show_in_the_chat_as_one_short_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logger = logging.Logger("a library")
    logger.addHandler(ChatNotice(Path("data/logs/bot.log")))
    logger.warning("slow answer")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logger.exception("update failed")
    logger.error("and again")
    assert capsys.readouterr().out == "!! something went wrong, see data/logs/bot.log\n"
