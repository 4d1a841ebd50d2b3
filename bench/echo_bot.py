"""A bare python-telegram-bot echo bot: the reference the bot's /balance latency is
measured against (bench/balance_latency.py).

It is built as bot/telegram_app.py builds the real bot, less everything the bot does: the
same AIORateLimiter, HTTP connection pool, concurrent updates and long polling, and one
handler that sends each text back. Run as `python -m bench.echo_bot` with
TELEGRAM_BOT_TOKEN and TELEGRAM_API_URL set; Ctrl+C (SIGINT) stops it.
"""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, MessageHandler, filters
from telegram.request import HTTPXRequest


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await message.reply_text(message.text)


def main() -> None:
    api_url = os.environ["TELEGRAM_API_URL"]
    application = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(f"{api_url}/bot")
        .base_file_url(f"{api_url}/file/bot")
        .request(HTTPXRequest(connection_pool_size=64))
        .get_updates_request(HTTPXRequest(connection_pool_size=1))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(64)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(timeout=10, allowed_updates=["message"])


if __name__ == "__main__":
    main()
