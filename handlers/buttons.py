"""Every button press is checked here before any handler sees it, and answered once.

Callback data comes back from the client as the user's Telegram app sends it: an old
version of the bot, a modified client or a bug can send anything up to 64 bytes. Group
-1 (`check_button`) lets through only data of a shape some button of this bot has
(`BUTTON_SHAPES`), on a message the bot can still act on; anything else gets the
"expired button" alert and goes no further. So handlers may parse the ints and UUIDs in
their data without guarding. Group 1 (`answer_if_unanswered`) stops the spinner of any
press its handler left unanswered; `AnswerTrackingBot` remembers which presses were
answered, so no query is answered twice.
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from telegram import CallbackQuery, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ExtBot

from handlers.kit import ChatContext
from handlers.menu import MENU
from services.brand_kits import POSITIONS, PRESETS
from services.generators.branding import CORNERS
from services.generators.fonts import FONTS
from services.modes import MODES

logger = logging.getLogger(__name__)

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_DRAFT_TOKEN = r"[A-Za-z0-9_-]{1,32}"  # secrets.token_urlsafe (services/drafts.py)
_ROW_ID = r"[1-9][0-9]{0,17}"  # a bigint identity, below 2^63
_HISTORY_PAGE = r"(?:0|[1-9][0-9]{0,3})"  # 0..9999
_PRODUCT_ID = r"[a-z][a-z0-9_]{0,31}"  # credit_packs_id_format (sql/008_payments.sql)
_COST = r"(?:0|[1-9][0-9]{0,5})"  # credits, as a button showed them
_TELEGRAM_ID = r"[1-9][0-9]{0,14}"
# An admin's action on a user's card: credits (+10, -10...), ban, unban.
_USER_ACTION = rf"(?:adj:{_TELEGRAM_ID}:[+-][1-9][0-9]{{0,6}}|(?:ban|unban):{_TELEGRAM_ID})"


def _one_of(names: Iterable[str]) -> str:
    return "(?:" + "|".join(re.escape(name) for name in names) + ")"


#: The exact shape of every button's callback data, by prefix.
BUTTON_SHAPES: dict[str, tuple[str, ...]] = {
    "menu": (_one_of(MENU),),
    "gen": (
        rf"mode:{_DRAFT_TOKEN}:{_one_of(MODES)}",
        rf"face:{_DRAFT_TOKEN}:{_UUID}",
        rf"(?:newface|cancel):{_DRAFT_TOKEN}",
        # the price shown (older buttons lack it) and the number of variants
        rf"go:{_DRAFT_TOKEN}(?::{_COST}(?::[1-4])?)?",
        rf"opt:{_DRAFT_TOKEN}:(?:f:(?:16x9|9x16|1x1)|n:[1-4]|b:[01]|c:face)",  # order_options.py
        rf"again:{_UUID}(?::{_COST})?",
        rf"(?:file|edit):{_UUID}",
        rf"editgo:{_DRAFT_TOKEN}:{_COST}",  # handlers/edit.py: an edit's token and price
        rf"editno:{_DRAFT_TOKEN}",
        r"new",
    ),
    "face": (rf"(?:save|skip):{_ROW_ID}", rf"del:{_UUID}"),
    "style": (  # handlers/style.py
        r"(?:colors|font|pos|logo|face|import|reset|cancel)",
        rf"colors:{_one_of(PRESETS)}",
        rf"font:{_one_of([*FONTS, 'auto'])}",
        rf"pos:{_one_of([*POSITIONS, 'auto'])}",
        rf"corner:{_one_of(CORNERS)}",
        rf"face:(?:none|{_UUID})",
        r"(?:logo:del|reset:yes)",
    ),
    "hist": (  # handlers/account.py: a page (of favourites), show, star (or flip)
        rf"page:{_HISTORY_PAGE}(?::fav)?",
        rf"show:{_UUID}",
        rf"fav:{_UUID}(?::[01])?",
    ),
    "buy": (r"open", rf"(?:pack|card):{_PRODUCT_ID}"),
    "sub": (r"(?:open|cancel|resume|card)",),
    "adm": (  # handlers/admin_menu.py
        r"(?:stats|audit|broadcast)",
        r"usage:(?:user|grant|revoke|refund|setcost|setmodel|mode|ban|unban|broadcast_stop)",
    ),
    "au": (rf"(?:ask|do):{_USER_ACTION}", r"no"),  # handlers/admin_users.py
    "ac": (rf"(?:apply|drop):{_ROW_ID}",),  # handlers/admin_catalog.py (/setmodel)
    "bc": (
        rf"(?:skip|cancel|resume):{_ROW_ID}",
        rf"(?:aud|go):{_ROW_ID}:(?:all|active|paying|lang:[a-z]{{2,8}})",
    ),
}

_VALID = re.compile(
    "|".join(
        rf"{re.escape(prefix)}:(?:{'|'.join(shapes)})" for prefix, shapes in BUTTON_SHAPES.items()
    ),
    re.ASCII,
)


def is_valid_button(data: str | None) -> bool:
    """True if `data` is exactly what one of the bot's buttons carries."""
    return data is not None and _VALID.fullmatch(data) is not None


def _actionable(query: CallbackQuery) -> bool:
    """Inline-message presses (no message) and messages too old for the bot to edit
    (an InaccessibleMessage: date 0, which PTB 22 may still hand over as a Message)
    cannot be acted on."""
    message = query.message
    return message is not None and message.is_accessible


async def check_button(update: Update, context: ChatContext) -> None:
    """Group -1: a press that does not parse, or that the bot cannot act on, gets the
    expired-button alert and stops here."""
    query = context.query
    if _actionable(query) and is_valid_button(query.data):
        return
    logger.debug("stale or foreign button press in update %s", update.update_id)
    try:
        await context.alert("stale_button")
    except TelegramError as error:
        logger.warning("could not answer stale button press %s: %s", query.id, error)
    raise ApplicationHandlerStop


async def answer_if_unanswered(update: Update, context: ChatContext) -> None:
    """Group 1: stops the spinner of a press no handler answered."""
    query = context.query
    if answered(context, query.id):
        return
    try:
        await query.answer()
    except TelegramError as error:
        logger.warning("could not answer button press %s: %s", query.id, error)


def answered(context: ChatContext, query_id: str) -> bool:
    """Whether the bot has already answered (or tried to answer) this query. A bot that
    does not keep track is assumed to have answered, so nothing is answered twice."""
    bot = context.bot
    return not isinstance(bot, AnswerTrackingBot) or bot.has_answered(query_id)


class AnswerTrackingBot(ExtBot[None]):
    """An ExtBot that remembers the newest callback queries it answered (bounded), so
    the fallback answer and the error handler never answer a query a second time."""

    REMEMBERED = 4096

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._answered: OrderedDict[str, None] = OrderedDict()

    def has_answered(self, query_id: str) -> bool:
        return query_id in self._answered

    async def answer_callback_query(
        self, callback_query_id: str, *args: Any, **kwargs: Any
    ) -> bool:
        """Counted as answered when tried: a failed answer is not retried either."""
        self._answered[callback_query_id] = None
        while len(self._answered) > self.REMEMBERED:
            self._answered.popitem(last=False)
        return await super().answer_callback_query(callback_query_id, *args, **kwargs)
