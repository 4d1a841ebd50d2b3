"""Whole chat flows a test drives as a user, written once."""

from __future__ import annotations

from handlers.i18n import t
from sandbox.server import SandboxServer
from sandbox.users import SandboxUser
from tests.e2e.conftest import containing, with_button
from tests.standins.replicate import ReplicateStandIn


def replicate_bot_env(
    sandbox: SandboxServer, token: str, conninfo: str, replicate: ReplicateStandIn, lease: int
) -> dict[str, str]:
    """The environment of a `python -m bot` process that talks to the sandbox, its own
    database and the Replicate stand-in, with a short job lease."""
    return {
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_URL": sandbox.url,
        "DATABASE_URL": conninfo,
        "REPLICATE_API_TOKEN": replicate.token,
        "REPLICATE_BASE_URL": replicate.url,
        "GENERATION_LEASE_SECONDS": str(lease),
    }


async def order_text_thumbnail(user: SandboxUser, prompt: str, within: float = 60) -> None:
    """/start, /generate, the text mode, a description, confirm: one charged job."""
    await user.send_command("/start")
    await user.wait_for_message(containing("Welcome"), timeout=within)
    await user.send_command("/generate")
    chooser = await user.wait_for_message(containing("What kind of thumbnail"), timeout=within)
    await user.press(chooser, chooser.buttons[0]["callback_data"])
    await user.wait_for_message(containing("Describe your video"), timeout=within)
    await user.send_text(prompt)
    order = await user.wait_for_message(with_button("Generate"), timeout=within)
    await user.press(order, order.buttons[0]["callback_data"])


def photos(user: SandboxUser) -> int:
    """How many photos the bot sent this user: a duplicate delivery shows here."""
    return sum(1 for message in user.messages() if message.photo is not None)


def told_ready(user: SandboxUser) -> bool:
    """The status message says the thumbnail is ready (a delivery resumed, not re-sent)."""
    ready = t("en", "status_ready")
    return any(message.text == ready for message in user.messages())
