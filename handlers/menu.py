"""The main menu's buttons lead to the same places as the commands."""

from __future__ import annotations

from telegram import Update

from handlers import account, faces, generate, start
from handlers.common import (
    Context,
    Handler,
    callback_data,
    lang,
    query_of,
)
from handlers.i18n import t

MENU: dict[str, Handler] = {
    "generate": generate.start_generate,
    "faces": faces.list_faces,
    "balance": account.balance,
    "referral": account.referral,
    "help": start.show_help,
}


async def on_menu(update: Update, context: Context) -> None:
    query, data = query_of(update), callback_data(update)
    target = MENU.get(data.removeprefix("menu:"))
    if target is None:
        await query.answer(t(lang(update), "stale_button"), show_alert=True)
        return
    await query.answer()
    await target(update, context)


async def on_unknown_button(update: Update, context: Context) -> None:
    """A button no handler knows (from an old version of the bot): say so."""
    query = query_of(update)
    await query.answer(t(lang(update), "stale_button"), show_alert=True)
