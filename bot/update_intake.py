"""Taking updates in: one update python-telegram-bot cannot read (an older self-hosted
Bot API server sending a `poll` without its required fields, a shape this version does
not know) is skipped and logged once, never allowed to stop the updates behind it.

Polling: `Bot.get_updates` parses a whole batch at once and raises for all of it if one
update is unreadable, so the Updater would ask for the same offset forever. The
getUpdates HTTP client below replaces each unreadable update with a bare
`{"update_id": N}` before PTB parses the batch, so the offset still moves past it (no
handler serves an empty update). Webhook mode uses `parse_update` directly.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, Update
from telegram.request import HTTPXRequest

logger = logging.getLogger(__name__)

_MAX_LOGGED_ERROR = 200

JSONDict = dict[str, Any]


def update_id_of(data: object) -> int | None:
    """The update's id if `data` looks like an update at all (a JSON object with an
    integer update_id), else None."""
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    if isinstance(update_id, bool) or not isinstance(update_id, int):
        return None
    return update_id


def parse_update(data: JSONDict, bot: Bot | None) -> Update | None:
    """The Update, or None (logged once at WARNING, without a traceback) if this version
    of python-telegram-bot cannot read it."""
    try:
        return Update.de_json(data, bot)
    except Exception as error:
        kinds = sorted(key for key in data if key != "update_id")
        logger.warning(
            "skipped update %s (%s) that python-telegram-bot cannot read: %s: %s",
            data.get("update_id"),
            ", ".join(kinds) or "empty",
            type(error).__name__,
            str(error)[:_MAX_LOGGED_ERROR],
        )
        return None


def readable_batch(result: list[Any]) -> list[JSONDict]:
    """getUpdates' result with each unreadable update replaced by `{"update_id": N}`;
    an entry without an update id cannot move the offset and is dropped."""
    batch: list[JSONDict] = []
    for item in result:
        update_id = update_id_of(item)
        if update_id is None:
            logger.warning("dropped a getUpdates entry without an update_id: %.200r", item)
            continue
        batch.append(item if parse_update(item, None) is not None else {"update_id": update_id})
    return batch


class SkippingUpdatesRequest(HTTPXRequest):
    """The HTTP client for getUpdates only (`ApplicationBuilder.get_updates_request`, a
    documented extension point). It parses answers through `parse_json_payload`, the
    documented hook for that, so a batch's unreadable updates are skipped before PTB
    reads them; every other answer passes through unchanged."""

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        answer = HTTPXRequest.parse_json_payload(payload)
        if isinstance(answer.get("result"), list):
            answer["result"] = readable_batch(answer["result"])
        return answer
