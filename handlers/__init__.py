"""Telegram handlers, one module per area. `register` adds them all to an Application."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    PreCheckoutQueryHandler,
    TypeHandler,
    filters,
)

from handlers import (
    account,
    admin,
    admin_broadcast,
    admin_catalog,
    admin_menu,
    admin_users,
    buttons,
    buy,
    faces,
    gate,
    generate,
    menu,
    stars,
    start,
    style,
    subscription,
)
from handlers.context import SERVICES_KEY
from handlers.errors import on_error
from handlers.i18n import CATALOGS, DEFAULT_LANGUAGE, t
from services.container import Services

logger = logging.getLogger(__name__)

COMMANDS = [
    ("start", start.start),
    ("generate", generate.start_generate),
    ("faces", faces.list_faces),
    ("style", style.show_style),
    ("balance", account.balance),
    ("profile", account.profile),
    ("history", account.history),
    ("referral", account.referral),
    ("buy", buy.buy),
    ("subscription", subscription.show),
    ("cancel", generate.cancel),
    ("help", start.show_help),
    ("terms", start.terms),
    ("paysupport", start.paysupport),
]
# Not in the published menu; non-admins get the unknown-command answer.
ADMIN_COMMANDS = [("refund", admin.refund), ("grant", admin.grant), ("revoke", admin.revoke)]
ADMIN_COMMANDS += [
    ("admin", admin_menu.admin_menu),
    ("stats", admin_menu.stats),
    ("audit", admin_menu.audit),
]
ADMIN_COMMANDS += [
    ("user", admin_users.user),
    ("ban", admin_users.ban),
    ("unban", admin_users.unban),
    ("setcost", admin_catalog.setcost),
    ("setmodel", admin_catalog.setmodel),
    ("mode", admin_catalog.mode),
]
ADMIN_COMMANDS += [
    ("broadcast", admin_broadcast.broadcast),
    ("broadcast_stop", admin_broadcast.stop),
]


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Group -2 drops updates the bot does not serve, group -1 stops malformed or stale
    button presses, group 0 is the handlers, group 1 answers presses left unanswered."""
    private = filters.ChatType.PRIVATE
    app.add_handler(TypeHandler(Update, gate.admit), group=-2)
    app.add_handler(CallbackQueryHandler(buttons.check_button), group=-1)
    app.add_handler(CallbackQueryHandler(buttons.answer_if_unanswered), group=1)
    # Group -1: an admin composing a broadcast; their text or photo stops there.
    composing = private & (filters.PHOTO | (filters.TEXT & ~filters.COMMAND))
    app.add_handler(MessageHandler(composing, admin_broadcast.compose), group=-1)
    for name, callback in COMMANDS + ADMIN_COMMANDS:
        app.add_handler(CommandHandler(name, callback))
    app.add_handler(PreCheckoutQueryHandler(stars.on_pre_checkout))
    app.add_handler(MessageHandler(filters.SUCCESSFUL_PAYMENT, stars.on_successful_payment))
    app.add_handler(
        MessageHandler(filters.StatusUpdate.REFUNDED_PAYMENT, stars.on_refunded_payment)
    )
    app.add_handler(CallbackQueryHandler(menu.on_menu, pattern=r"^menu:"))
    app.add_handler(CallbackQueryHandler(generate.on_callback, pattern=r"^gen:"))
    app.add_handler(CallbackQueryHandler(faces.on_face_callback, pattern=r"^face:"))
    app.add_handler(CallbackQueryHandler(style.on_callback, pattern=r"^style:"))
    app.add_handler(CallbackQueryHandler(account.on_history_callback, pattern=r"^hist:"))
    app.add_handler(CallbackQueryHandler(buy.on_buy_callback, pattern=r"^buy:"))
    app.add_handler(CallbackQueryHandler(subscription.on_callback, pattern=r"^sub:"))
    app.add_handler(CallbackQueryHandler(admin_menu.on_button, pattern=r"^adm:"))
    app.add_handler(CallbackQueryHandler(admin_users.on_button, pattern=r"^au:"))
    app.add_handler(CallbackQueryHandler(admin_catalog.on_button, pattern=r"^ac:"))
    app.add_handler(CallbackQueryHandler(admin_broadcast.on_callback, pattern=r"^bc:"))
    app.add_handler(CallbackQueryHandler(menu.on_unknown_button))
    app.add_handler(MessageHandler(private & filters.PHOTO, faces.on_photo))
    app.add_handler(MessageHandler(private & filters.Document.ALL, faces.on_document))
    app.add_handler(MessageHandler(private & filters.Sticker.ALL, faces.on_sticker))
    app.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, generate.on_text))
    app.add_handler(MessageHandler(filters.COMMAND, start.unknown_command))
    app.add_handler(MessageHandler(private & ~filters.StatusUpdate.ALL, start.stray_message))
    app.add_error_handler(on_error)


async def publish_commands(app: Application) -> None:  # type: ignore[type-arg]
    """The command menu, in every language we speak: everyone's, and for each admin (a
    chat scope) the same followed by the admin commands, which nobody else sees."""
    for language in CATALOGS:
        code = None if language == DEFAULT_LANGUAGE else language
        await app.bot.set_my_commands(_menu(language, COMMANDS), language_code=code)
    services: Services = app.bot_data[SERVICES_KEY]
    for admin_id in sorted(services.admin_ids):
        await _publish_admin_menu(app, admin_id)


def _menu(language: str, commands: Iterable[tuple[str, object]]) -> list[BotCommand]:
    return [BotCommand(name, t(language, f"cmd_{name}")) for name, _ in commands]


async def _publish_admin_menu(app: Application, admin_id: int) -> None:  # type: ignore[type-arg]
    """Telegram knows a chat only once its user has started the bot: until then it
    answers "chat not found", which must not stop the bot from starting."""
    scope = BotCommandScopeChat(admin_id)
    for language in CATALOGS:
        code = None if language == DEFAULT_LANGUAGE else language
        commands = _menu(language, COMMANDS + ADMIN_COMMANDS)
        try:
            await app.bot.set_my_commands(commands, scope=scope, language_code=code)
        except BadRequest as error:
            logger.warning("no admin command menu for admin %s: %s", admin_id, error.message)
            return
