"""A real python-telegram-bot Application polling the sandbox, driven by many users."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LabeledPrice, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    PreCheckoutQueryHandler,
    filters,
)

from sandbox import SandboxServer, SandboxUser

pytestmark = pytest.mark.asyncio(loop_scope="function")

MENU = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Generate", callback_data="gen")],
        [InlineKeyboardButton("Buy 10 (50⭐)", callback_data="buy")],
    ]
)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    referrer = context.args[0] if context.args else "none"
    await update.effective_message.reply_html(
        f"Hi <b>{update.effective_user.first_name}</b>! ref={referrer}", reply_markup=MENU
    )


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer()
    if query.data == "gen":
        await context.bot.send_chat_action(query.message.chat.id, "upload_photo")
        await query.edit_message_text("Generating…")
    else:
        await context.bot.send_invoice(
            query.message.chat.id,
            "10 thumbnails",
            "Pack",
            "pack10",
            "XTR",
            [LabeledPrice("Pack", 50)],
        )


async def pre_checkout(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.pre_checkout_query.answer(ok=True)


async def paid(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    payment = update.message.successful_payment
    await update.message.reply_text(f"Thanks! +10 credits ({payment.total_amount}⭐)")


@pytest_asyncio.fixture(loop_scope="function")
async def running_app(server: SandboxServer, token: str) -> AsyncIterator[Application]:
    app = (
        Application.builder()
        .token(token)
        .base_url(server.api_base_url)
        .base_file_url(server.file_base_url)
        .concurrent_updates(True)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(button))
    app.add_handler(PreCheckoutQueryHandler(pre_checkout))
    app.add_handler(MessageHandler(filters.SUCCESSFUL_PAYMENT, paid))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=5)
        yield app
        await app.updater.stop()
        await app.stop()


async def _journey(user: SandboxUser) -> None:
    await user.send_command("/start", f"ref{user.id}")
    menu = await user.wait_for_message()
    assert menu.text == f"Hi {user.account.first_name}! ref=ref{user.id}"
    await user.press(menu, "buy")  # by callback_data
    invoice = await user.wait_for_message(lambda m: m.invoice is not None)
    result = await user.pay(invoice)
    assert result.ok
    thanks = await user.wait_for_message()
    assert thanks.text == "Thanks! +10 credits (50⭐)"
    await user.press(menu, "Generate")  # by text
    edited = await user.wait_for_message(lambda m: m.is_edit)
    assert edited.text == "Generating…"
    assert edited.reply_markup is None  # edited without reply_markup: keyboard removed
    assert user.chat_actions() == ["upload_photo"]


async def test_fifty_users_at_once(server: SandboxServer, running_app: Application) -> None:
    users = [server.user(id=5000 + n, first_name=f"U{n}") for n in range(50)]
    await asyncio.wait_for(asyncio.gather(*(_journey(u) for u in users)), 20)
    answered = sum(len(u.answered_callbacks()) for u in users)
    assert answered == 100
    assert len(server.world.payments.charges) == 50


@pytest.mark.filterwarnings("ignore:.*retry_after.*")
async def test_rate_limited_application_rides_out_flood_limits(
    server: SandboxServer, token: str
) -> None:
    server.set_flood_limits(enabled=True, private_burst=2, private_per_second=20)
    app = (
        Application.builder()
        .token(token)
        .base_url(server.api_base_url)
        .rate_limiter(AIORateLimiter(overall_max_rate=0, max_retries=5))
        .build()
    )
    user = server.user(id=77)
    await user.send_text("hi")
    async with app:
        for index in range(6):
            await app.bot.send_message(user.id, f"n{index}")
    assert [m.text for m in user.messages()] == [f"n{i}" for i in range(6)]
    assert any(call.status == 429 for call in server.calls("sendMessage"))
