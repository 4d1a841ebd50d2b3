"""Telegram-like rejections surfacing as PTB errors, and flood limits as RetryAfter."""

from __future__ import annotations

import datetime as dtm

import pytest
import pytest_asyncio
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, RetryAfter

from sandbox import SandboxServer, SandboxUser, sample_image

from .conftest import UpdateReader

pytestmark = pytest.mark.asyncio(loop_scope="function")


def _seconds(value: int | dtm.timedelta) -> float:
    """PTB reports retry_after as int or timedelta depending on its settings."""
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@pytest_asyncio.fixture(loop_scope="function")
async def started(user: SandboxUser, updates: UpdateReader) -> SandboxUser:
    await user.send_command("/start")
    await updates.next()
    return user


async def test_length_limits(bot: Bot, started: SandboxUser) -> None:
    await bot.send_message(started.id, "x" * 4096)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(started.id, "x" * 4097)
    # The limit applies after entity parsing: markup does not count.
    await bot.send_message(started.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(started.id, "   ")
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(started.id, sample_image(64, 64), caption="c" * 1025)


async def test_callback_data_limit_counts_bytes(bot: Bot, started: SandboxUser) -> None:
    fits = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="x" * 64)]])
    await bot.send_message(started.id, "fits", reply_markup=fits)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("no", callback_data="é" * 33)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(started.id, "too long", reply_markup=too_long)


@pytest.mark.parametrize(
    ("text", "parse_mode", "error"),
    [
        ("<b>bold", "HTML", 'find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", "HTML", 'expected "</i>", found "</b>"'),
        ("2 < 3", "HTML", 'unsupported start tag ""'),
        ("<br>", "HTML", 'unsupported start tag "br"'),
        ("Tom & Jerry", "HTML", "unsupported html entity"),
        ("<span>x</span>", "HTML", 'must have class "tg-spoiler"'),
        ("Price: 5.00!", "MarkdownV2", "character '.' is reserved"),
        ("*bold", "MarkdownV2", "can't find end of bold entity at byte offset 0"),
        ("_italic", "Markdown", "can't find end of the entity starting at byte offset 0"),
    ],
)
async def test_unparsable_entities(
    bot: Bot, started: SandboxUser, text: str, parse_mode: str, error: str
) -> None:
    with pytest.raises(BadRequest, match="Can't parse entities") as caught:
        await bot.send_message(started.id, text, parse_mode=parse_mode)
    assert error in caught.value.message.lower()


async def test_well_formed_markup_is_accepted(bot: Bot, started: SandboxUser) -> None:
    html = (
        "<b>b</b> <i>i</i> <u>u</u> <s>s</s> <tg-spoiler>p</tg-spoiler> "
        '<span class="tg-spoiler">q</span> <a href="https://t.me/x?a=1&amp;b=2">link</a> '
        '<code>c</code> <pre><code class="language-python">print(1)</code></pre> '
        "<blockquote expandable>quote</blockquote> &lt;tag&gt; &#128512;"
    )
    sent = await bot.send_message(started.id, html, parse_mode="HTML")
    kinds = [e.type for e in sent.entities]
    assert kinds == [
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "spoiler",
        "text_link",
        "code",
        "pre",
        "expandable_blockquote",
    ]
    assert sent.entities[6].url == "https://t.me/x?a=1&b=2"
    assert sent.entities[8].language == "python"
    assert sent.text.endswith("<tag> 😀")
    v2 = await bot.send_message(
        started.id, r"*Price* 5\.00 [site](https://ex.com/a\)b)", parse_mode="MarkdownV2"
    )
    assert v2.text == "Price 5.00 site"
    assert v2.entities[1].url == "https://ex.com/a)b"


_IGNORE_RETRY_AFTER_TYPE = pytest.mark.filterwarnings("ignore:.*retry_after.*")


@_IGNORE_RETRY_AFTER_TYPE
async def test_flood_limits_raise_retry_after(
    bot: Bot, server: SandboxServer, started: SandboxUser
) -> None:
    for index in range(20):  # off by default
        await bot.send_message(started.id, f"fast {index}")
    server.set_flood_limits(enabled=True, private_burst=3)
    for index in range(3):
        await bot.send_message(started.id, f"burst {index}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(started.id, "one too many")
    assert _seconds(caught.value.retry_after) >= 1


@_IGNORE_RETRY_AFTER_TYPE
async def test_group_flood_limit(bot: Bot, server: SandboxServer) -> None:
    group = server.group(title="Busy")
    server.set_flood_limits(enabled=True)
    for index in range(20):
        await bot.send_message(group.id, f"msg {index}")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(group.id, "21st in a minute")
    assert _seconds(caught.value.retry_after) >= 2
