"""The main menu's buttons lead to the same places as the commands."""

from __future__ import annotations

from telegram import Update

from handlers import account, faces, generate, start
from handlers.kit import ChatContext, Handler

MENU: dict[str, Handler] = {
    "generate": generate.start_generate,
    "faces": faces.list_faces,
    "balance": account.balance,
    "referral": account.referral,
    "help": start.show_help,
}


async def on_menu(update: Update, context: ChatContext) -> None:
    target = MENU.get(context.data.removeprefix("menu:"))
    if target is None:
        await context.alert("stale_button")
        return
    await context.query.answer()
    await target(update, context)


async def on_unknown_button(update: Update, context: ChatContext) -> None:
    """A button no handler knows (from an old version of the bot): say so."""
    await context.alert("stale_button")
