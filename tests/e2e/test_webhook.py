"""Webhook mode (PUBLIC_URL): the Bot API posts updates to /telegram with our secret,
they go through PostgreSQL (bot/durable_intake.py) to the handlers; forged posts are
refused and reach no handler."""

from __future__ import annotations

import aiohttp

from bot.durable_intake import DurableIntake, IntakeOptions
from bot.telegram_app import build_application, stop_bot
from bot.telegram_webhook import (
    SECRET_HEADER,
    WEBHOOK_PATH,
    start_webhook,
    telegram_webhook_route,
    webhook_secret,
)
from bot.web import create_web_app, serving
from sandbox.server import SandboxServer
from services.container import Services
from tests.e2e.conftest import containing

FORGED_USER_ID = 4_900_666  # nobody else's id: the test checks no profile appears for it


def forged_start_update() -> dict:
    return {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": FORGED_USER_ID, "type": "private"},
            "from": {"id": FORGED_USER_ID, "is_bot": False, "first_name": "Mallory"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def test_updates_arrive_by_webhook_and_forgeries_are_refused(
    sandbox: SandboxServer, chat_services: Services
):
    token = sandbox.register_bot("thumbs_webhook_bot")
    application = build_application(token, sandbox.url, chat_services)
    intake = DurableIntake(chat_services.db, application)
    route = telegram_webhook_route(intake, webhook_secret(token))
    async with serving(create_web_app(chat_services.db, [route]), 0, "127.0.0.1") as port:
        url = f"http://127.0.0.1:{port}"
        await start_webhook(application, url)
        intake.start()
        try:
            user = sandbox.user(4_900_001, first_name="Webby", bot=token)
            await user.send_command("/start")
            await user.wait_for_message(containing("Welcome, Webby"))

            async with aiohttp.ClientSession() as http:
                for headers in ({}, {SECRET_HEADER: "guess"}):
                    async with http.post(
                        f"{url}{WEBHOOK_PATH}", json=forged_start_update(), headers=headers
                    ) as response:
                        assert response.status == 403
                async with http.post(
                    f"{url}{WEBHOOK_PATH}",
                    data=b"{not json",
                    headers={SECRET_HEADER: webhook_secret(token)},
                ) as response:
                    assert response.status == 400
        finally:
            await intake.drain()
            await stop_bot(application)

    assert await chat_services.accounts.find_by_telegram_id(FORGED_USER_ID) is None


async def test_a_stop_refuses_new_updates_and_hands_back_one_still_running(
    sandbox: SandboxServer, chat_services: Services
):
    """Past the grace, an update still running is handed back for another process to take
    at once (its attempt not counted), and the webhook answers 503 meanwhile."""
    token = sandbox.register_bot("thumbs_drain_bot")
    application = build_application(token, sandbox.url, chat_services)
    intake = DurableIntake(chat_services.db, application, IntakeOptions(grace_seconds=0.5))
    secret = webhook_secret(token)
    route = telegram_webhook_route(intake, secret)
    user = sandbox.user(4_900_002, first_name="Slow", bot=token)
    held = sandbox.hold(
        "sendMessage", when=lambda params: str(params.get("chat_id")) == str(user.id)
    )
    async with serving(create_web_app(chat_services.db, [route]), 0, "127.0.0.1") as port:
        url = f"http://127.0.0.1:{port}"
        await start_webhook(application, url)
        intake.start()
        try:
            await user.send_command("/start")
            await held.wait_for(1)
            await intake.drain()
            async with (
                aiohttp.ClientSession() as http,
                http.post(
                    f"{url}{WEBHOOK_PATH}",
                    json=forged_start_update(),
                    headers={SECRET_HEADER: secret},
                ) as response,
            ):
                assert response.status == 503
        finally:
            sandbox.faults.clear()
            await stop_bot(application)

    row = await chat_services.db.fetch_one(
        "SELECT claimed_by, lease_until, attempts, done_at FROM telegram_updates WHERE bot_id = %s",
        [intake.bot_id],
    )
    assert row == {"claimed_by": None, "lease_until": None, "attempts": 0, "done_at": None}
