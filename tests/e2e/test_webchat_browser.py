"""The sandbox web chat in a real browser: Debian's Chromium, driven by Playwright.

The first test runs `python -m bot` as a person does on a fresh machine (no token, no
ADMIN_IDS) and uses the page it prints: /start, a thumbnail seen on the page, its
full-quality file opened, a credit pack bought in the payment sheet with the balance
going up, a second user joining through the first one's referral link, the first user
seeing the referral notice, and an admin command from the sandbox's default admin. It
saves screenshots to tmp/artifacts (TEST_ARTIFACTS_DIR) as it goes.

The second test draws crafted bot messages (a sandbox server and a bot client in this
process) and checks them the way a person would look at them: Telegram's formatting,
nothing of the bot's text taken as HTML, albums, edits in place, the chat action, a
reply keyboard, replies, drag and drop, and a group chat of two users.

Both skip, saying why, only when no browser can be had: `.ci/run` installs Debian's
`chromium` where apt-get is there and the Python package `playwright` comes with
requirements-dev.txt (its own browser download is never used)."""

from __future__ import annotations

import asyncio
import io
import os
import re
import shutil
import signal
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from aiohttp import web
from PIL import Image
from telegram import Bot, InputMediaPhoto, MessageEntity, ReplyKeyboardMarkup

from bot.web import serving
from sandbox import SandboxServer, sample_image
from sandbox.webchat import WebChat
from tests.test_bot_process import PROJECT_ROOT, assert_no_error_lines, free_port, start_bot

pytest.importorskip(
    "playwright.async_api", reason="Playwright for Python is not installed (requirements-dev.txt)"
)
from playwright.async_api import Browser, Locator, Page, async_playwright, expect


def _chromium() -> str | None:
    candidates = (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium")
    return next((path for path in candidates if path and Path(path).is_file()), None)


CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium here (Debian's `chromium` package; .ci/run installs it with apt-get)",
)
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS_DIR") or PROJECT_ROOT / "tmp" / "artifacts")
STEP = 15_000  # ms a step may take on a slow machine; they take well under a second here


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        await launched.close()


def watch(page: Page) -> list[str]:
    """Script errors of the page and anything it logs as an error, to assert none."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("dialog", lambda dialog: problems.append(f"a dialog opened: {dialog.message}"))
    return problems


async def screenshot(page: Page, name: str) -> None:
    """A test artifact: what the chat looked like at this step."""
    await asyncio.to_thread(ARTIFACTS.mkdir, parents=True, exist_ok=True)
    await page.screenshot(path=ARTIFACTS / name)


async def say(page: Page, text: str) -> None:
    await page.fill("#text", text)
    await page.keyboard.press("Enter")


def bot_message(page: Page, fragment: str) -> Locator:
    """The newest message from the bot (or another user) that contains `fragment`."""
    return page.locator("#messages .row.in").filter(has_text=fragment).last


async def number_in(page: Page, fragment: str, pattern: str) -> int:
    """A number a bot message shows, once the message is there."""
    message = bot_message(page, fragment)
    await expect(message).to_be_visible(timeout=STEP)
    found = re.search(pattern, await message.inner_text())
    assert found, await message.inner_text()
    return int(found.group(1))


async def wait_for_line(log: Path, prefix: str, process: asyncio.subprocess.Process) -> str:
    """The rest of the line starting with `prefix` once the bot printed it."""
    for _ in range(1200):
        output = await asyncio.to_thread(log.read_text, errors="replace")
        for line in output.splitlines():
            if line.startswith(prefix):
                return line.removeprefix(prefix).strip()
        assert process.returncode is None, output
        await asyncio.sleep(0.1)
    raise AssertionError(f"the bot never printed {prefix!r}:\n{output}")


async def test_the_sandbox_chat_in_a_browser(
    browser: Browser, tmp_path: Path, create_database: Callable[[], str]
) -> None:
    log = tmp_path / "bot.log"
    environment = {"DATABASE_URL": create_database(), "ADMIN_IDS": ""}
    process = await start_bot(tmp_path, free_port(), env=environment, log=log)
    try:
        url = await wait_for_line(
            log, "Sandbox mode: chat with the bot in your browser at ", process
        )
        context = await browser.new_context(viewport={"width": 1280, "height": 1000})
        page = await context.new_page()
        problems = watch(page)
        await use_the_chat(page, url)
        assert not problems, problems
        await context.close()
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=60)
    output = await asyncio.to_thread(log.read_text)
    assert process.returncode == 0, output
    assert "stopped cleanly" in output
    assert_no_error_lines(output)


async def use_the_chat(page: Page, url: str) -> None:
    # Open the page: the banner says what this is; the sandbox's first user is an admin.
    await page.goto(url)
    banner = page.locator("#banner")
    await expect(banner).to_contain_text("Local sandbox")
    await expect(banner).to_contain_text("no real payments")
    you = page.locator('#users .entry[data-user-id="1000"]')
    await expect(you).to_contain_text("You")
    await expect(you.locator(".badge.admin")).to_be_visible()

    # /start: the welcome, with its bold balance drawn in bold.
    await say(page, "/start")
    welcome = bot_message(page, "Welcome, You")
    await expect(welcome.locator(".text b")).to_have_text("50", timeout=STEP)

    # A thumbnail, made through the buttons, shown on the page.
    await welcome.locator(".key", has_text="New thumbnail").click()
    await (
        bot_message(page, "What kind of thumbnail")
        .locator(".key", has_text="From a description")
        .click(timeout=STEP)
    )
    await expect(bot_message(page, "Describe your video")).to_be_visible(timeout=STEP)
    await say(page, "I built a log cabin alone in 30 days")
    await page.locator("#messages .key", has_text="Generate").last.click(timeout=STEP)
    result = bot_message(page, "Here's your thumbnail")
    thumbnail = result.locator("img.photo")
    await expect(thumbnail).to_be_visible(timeout=STEP)
    await page.wait_for_function(
        "image => image.complete && image.naturalWidth > 0", arg=await thumbnail.element_handle()
    )

    # Its full-quality file: a document in the chat that opens as a 1280x720 JPEG.
    await result.locator(".key", has_text="Full-quality").click(timeout=STEP)
    document = page.locator("#messages .document-name").last
    await expect(document).to_be_visible(timeout=STEP)
    async with page.context.expect_page() as opened:
        await document.click()
    tab = await opened.value
    await tab.wait_for_load_state()
    shown = await tab.evaluate(
        "() => [document.images[0].naturalWidth, document.images[0].naturalHeight]"
    )
    assert shown == [1280, 720]
    response = await page.request.get(tab.url)
    assert response.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(await response.body())) as image:
        assert (image.format, image.size) == ("JPEG", (1280, 720))
    await tab.close()
    await expect(page.locator("#toast")).to_be_hidden(timeout=STEP)  # "10 credits used..."
    await screenshot(page, "webchat.png")

    # A pack bought in the payment sheet: the balance goes up by the pack's credits.
    await say(page, "/buy")
    before = await number_in(page, "Credit packs", r"You have (\d+) credits")
    await bot_message(page, "Credit packs").locator(".key", has_text="100 credits").click()
    await page.locator("#messages .invoice .pay").last.click(timeout=STEP)
    sheet = page.locator("#payment")
    await expect(sheet).to_be_visible()
    await expect(sheet).to_contain_text("no real Stars are spent")
    await expect(page.locator("#payment-total")).to_have_text("⭐ 100")
    await page.locator("#payment-pay").click()
    await expect(sheet).to_be_hidden(timeout=STEP)
    after = await number_in(page, "Payment received", r"Your balance is (\d+)")
    assert after == before + 100
    await expect(page.locator("#messages .service").last).to_contain_text("You paid ⭐ 100")

    # A second user joins through the first one's referral link.
    await say(page, "/referral")
    link = bot_message(page, "Invite friends").locator(".text a", has_text="?start=ref_")
    await link.click(timeout=STEP)
    await expect(page.locator("#open-as")).to_be_visible()
    await page.fill("#open-as-new input[name=name]", "Alice")
    await page.locator("#open-as-new button").click()
    await expect(page.locator("#users .entry.current")).to_contain_text("Alice", timeout=STEP)
    await expect(bot_message(page, "Welcome, Alice")).to_be_visible(timeout=STEP)
    await expect(bot_message(page, "joined through a friend's invite")).to_be_visible(timeout=STEP)
    # Alice's command menu has no admin commands.
    await page.locator("#menu-button").click()
    await expect(page.locator("#commands")).to_contain_text("/referral")
    await expect(page.locator("#commands")).not_to_contain_text("/stats")
    await page.keyboard.press("Escape")
    await page.locator("#text").click()

    # The first user has a new message (a badge) and it is the referral notice.
    await expect(you.locator(".badge.unread")).to_be_visible(timeout=STEP)
    await you.click()
    notice = bot_message(page, "Alice joined through your invite link")
    await expect(notice).to_be_visible(timeout=STEP)

    # An admin command from the admin's command menu.
    await page.locator("#menu-button").click()
    await page.locator("#commands .command-item", has_text="/stats").click()
    await expect(bot_message(page, "Stats")).to_contain_text("Users", timeout=STEP)
    await screenshot(page, "webchat-admin.png")


async def test_bot_text_is_drawn_as_telegram_draws_it_and_never_as_html(
    browser: Browser,
) -> None:
    async with SandboxServer() as server:
        token = server.register_bot("render_bot", first_name="Render Bot")
        you = server.user(1000, first_name="You")
        await you.send_command("/start")
        app = web.Application()
        WebChat(server, default_user=1000).mount(app)
        async with (
            serving(app, 0, host="127.0.0.1") as port,
            Bot(token, base_url=server.api_base_url, base_file_url=server.file_base_url) as bot,
        ):
            page = await browser.new_page(viewport={"width": 1100, "height": 900})
            problems = watch(page)
            await page.goto(f"http://127.0.0.1:{port}/")
            await draw_and_check(page, bot, server)
            assert await page.evaluate("() => window.pwned") is None
            assert not problems, problems
            await page.close()


async def draw_and_check(page: Page, bot: Bot, server: SandboxServer) -> None:
    messages = page.locator("#messages")
    await expect(messages).to_contain_text("/start", timeout=STEP)

    # Telegram's formatting; text that looks like HTML stays text.
    await bot.send_message(
        1000,
        "<b>bold <i>bold italic</i></b> <u>under</u> <s>struck</s> "
        "<tg-spoiler>secret</tg-spoiler> <code>a &lt; b</code>\n"
        '<pre><code class="language-python">print("hi")</code></pre>'
        "<blockquote>quoted</blockquote>"
        '<a href="https://example.com/page">a link</a> '
        "&lt;script&gt;window.pwned = 1&lt;/script&gt; "
        '&lt;img src=x onerror="window.pwned = 2"&gt; /help',
        parse_mode="HTML",
    )
    text = page.locator("#messages .row.in .text").last
    await expect(text.locator("b")).to_have_text("bold bold italic", timeout=STEP)
    await expect(text.locator("b i")).to_have_text("bold italic")
    await expect(text.locator("u")).to_have_text("under")
    await expect(text.locator("s")).to_have_text("struck")
    await expect(text.locator("code").first).to_have_text("a < b")
    await expect(text.locator('pre[data-language="python"]')).to_have_text('print("hi")')
    await expect(text.locator("blockquote")).to_have_text("quoted")
    await expect(text.locator('a[href="https://example.com/page"]')).to_have_text("a link")
    await expect(text.locator("a.command").last).to_have_text("/help")
    await expect(text).to_contain_text('<script>window.pwned = 1</script> <img src=x onerror="')
    assert await text.locator("script, img").count() == 0
    spoiler = text.locator(".spoiler")
    await expect(spoiler).not_to_have_class(re.compile("revealed"))
    await spoiler.click()
    await expect(spoiler).to_have_class(re.compile("revealed"))

    # A link to somewhere no link may lead is no link.
    link = MessageEntity(MessageEntity.TEXT_LINK, 0, 8, url="javascript:window.pwned=3")
    await bot.send_message(1000, "click me", entities=[link])
    bad = page.locator("#messages .row.in .text").last.locator(".bad-link")
    await expect(bad).to_have_text("click me", timeout=STEP)
    assert await page.locator("#messages a[href^='javascript']").count() == 0

    # An album is one bubble; a chat action shows in the header; an edit changes in place.
    await bot.send_media_group(
        1000, [InputMediaPhoto(sample_image(640, 360)), InputMediaPhoto(sample_image(360, 640))]
    )
    await expect(page.locator("#messages .album img.photo")).to_have_count(2, timeout=STEP)
    await bot.send_chat_action(1000, "typing")
    await expect(page.locator("#chat-status")).to_have_text("Render Bot is typing…", timeout=STEP)
    working = await bot.send_message(1000, "Working…")
    await expect(bot_message(page, "Working…")).to_be_visible(timeout=STEP)
    await expect(page.locator("#chat-status")).to_have_text("bot")
    rows = await page.locator("#messages .row").count()
    await bot.edit_message_text("Done ✅", 1000, working.message_id)
    await expect(bot_message(page, "Done ✅").locator(".meta")).to_contain_text("edited")
    assert await page.locator("#messages .row").count() == rows

    # A reply keyboard: its button says its text, and a one-time keyboard goes away.
    keyboard = ReplyKeyboardMarkup([["Yes", "No"]], one_time_keyboard=True)
    question = await bot.send_message(1000, "Pick one", reply_markup=keyboard)
    await page.locator("#reply-keyboard .key", has_text="Yes").click(timeout=STEP)
    await expect(page.locator("#messages .row.out").last).to_have_text(re.compile("^Yes"))
    await expect(page.locator("#reply-keyboard")).to_be_hidden()

    # A reply; what a user types is text too.
    await bot_message(page, "Pick one").locator(".bubble").dblclick()
    await expect(page.locator("#reply-bar")).to_contain_text("Pick one")
    await say(page, "<b>not bold</b>")
    mine = page.locator("#messages .row.out").last
    await expect(mine.locator(".quote")).to_contain_text("Pick one", timeout=STEP)
    await expect(mine.locator(".text")).to_have_text("<b>not bold</b>")
    assert await mine.locator(".text b").count() == 0
    replied = server.user(1000).log.messages[max(server.user(1000).log.messages)]
    assert replied.data["reply_to_message"]["message_id"] == question.message_id

    # Drag and drop sends a file.
    await page.evaluate(
        """() => {
            const data = new DataTransfer();
            data.items.add(new File(["hello"], "notes.txt", {type: "text/plain"}));
            document.getElementById("chat").dispatchEvent(
                new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
        }"""
    )
    await expect(page.locator("#messages .row.out .document-name").last).to_have_text(
        "notes.txt", timeout=STEP
    )

    # A group with two users: each sees the other's messages under their name.
    await page.fill("#new-group input[name=title]", "Creators")
    await page.locator("#new-group button").click()
    await expect(page.locator("#chat-title")).to_have_text("Creators", timeout=STEP)
    await say(page, "hello group")
    await expect(page.locator("#messages .row.out")).to_have_text(re.compile("hello group"))
    await page.fill("#new-user input[name=name]", "Bob")
    await page.locator("#new-user button").click()
    await expect(page.locator("#users .entry.current")).to_contain_text("Bob", timeout=STEP)
    await expect(page.locator("#chat-title")).to_have_text("Creators")
    from_you = page.locator("#messages .row.in").filter(has_text="hello group")
    await expect(from_you.locator(".sender")).to_have_text("You", timeout=STEP)
    await say(page, "hi from Bob")
    await expect(page.locator("#messages .row.out")).to_have_text(re.compile("hi from Bob"))
