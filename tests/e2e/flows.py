"""Whole chat flows a test drives as a user, written once."""

from __future__ import annotations

from sandbox.users import SandboxUser
from tests.e2e.conftest import containing, with_button


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
