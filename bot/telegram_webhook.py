"""Webhook mode (PUBLIC_URL set): Telegram posts updates to {PUBLIC_URL}/telegram.

Each request must carry the secret token we registered with setWebhook; anything else is
refused before it is parsed, so forged updates never reach a handler. An update is
answered 200 only once it is recorded in PostgreSQL (bot/durable_intake.py), where any
bot process may take it; while the process stops, or the database cannot take it, the
answer is 503 and Telegram delivers it again.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from aiohttp import web

from bot.durable_intake import DurableIntake
from bot.telegram_app import publish_and_start
from bot.update_intake import parse_update, update_id_of
from handlers.context import TelegramApp
from handlers.gate import SERVED_UPDATES
from services.adapters.db import TRANSIENT_ERRORS

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_secret(bot_token: str) -> str:
    """A stable secret derived from the bot token (Telegram allows [A-Za-z0-9_-]{1,256})."""
    return hmac.new(bot_token.encode(), b"telegram-webhook", hashlib.sha256).hexdigest()


def telegram_webhook_route(intake: DurableIntake, secret: str) -> web.RouteDef:
    async def receive(request: web.Request) -> web.Response:
        if not intake.accepting:
            return web.Response(status=503, text="stopping")
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
            logger.warning("refused a Telegram webhook call without the right secret")
            return web.Response(status=403)
        try:
            body = await request.json()
        except ValueError:  # not JSON, or not UTF-8
            return web.Response(status=400)
        if update_id_of(body) is None:
            logger.warning("refused a Telegram webhook body that is not an update")
            return web.Response(status=400)
        # An update this PTB cannot read is acknowledged (logged once), so Telegram
        # does not redeliver it forever.
        update = parse_update(body, intake.bot)
        if update is not None:
            try:
                await intake.record(body, update)
            except TRANSIENT_ERRORS as error:
                logger.warning(
                    "update %s not taken: database unreachable: %s", update.update_id, error
                )
                return web.Response(status=503, text="database unreachable")
        return web.Response()

    return web.post(WEBHOOK_PATH, receive)


async def start_webhook(application: TelegramApp, public_url: str) -> None:
    """Starts processing updates and tells Telegram where to send them."""
    await publish_and_start(application)
    await application.bot.set_webhook(
        f"{public_url}{WEBHOOK_PATH}",
        secret_token=webhook_secret(application.bot.token),
        allowed_updates=SERVED_UPDATES,
    )
