"""Raw updates for the bad-input tests and the fuzz: what a Telegram client, an older Bot
API server or a hostile user could make the bot receive, pushed straight into the
sandbox's update queue (SandboxServer.push_raw_update) past allowed_updates.

Queries are opened in the sandbox first, so the bot's answers to them are accepted
exactly as Telegram would accept them (once)."""

from __future__ import annotations

from typing import Any

from sandbox.server import SandboxServer
from sandbox.users import SandboxUser

#: Field values of "message is too old to act on" (the Bot API's InaccessibleMessage).
INACCESSIBLE = "inaccessible"


def user_message(user: SandboxUser, content: dict[str, Any]) -> dict[str, Any]:
    """A message from `user` in their chat, numbered like a real one (the sandbox does
    not keep it: the bot never reads a user's message back)."""
    log = user.world.log(user.bot.id, user.chat.id)
    return {
        "message_id": log.next_message_id(),
        "from": user.account.user_object(),
        "chat": user.chat.chat_object(),
        "date": user.world.now(),
        **content,
    }


def callback_query(
    sandbox: SandboxServer,
    user: SandboxUser,
    data: str | None,
    message: dict[str, Any] | str | None,
) -> dict[str, Any]:
    """A press of a button carrying `data` on `message` (a bot message's snapshot,
    INACCESSIBLE, or None for a button of an inline message)."""
    query = sandbox.world.queries.open(
        "callback_query", user.bot.id, user.id, user.chat_id, {"data": data}
    )
    payload: dict[str, Any] = {
        "id": query.id,
        "from": user.account.user_object(),
        "chat_instance": str(user.chat_id),
    }
    if data is not None:
        payload["data"] = data
    if message == INACCESSIBLE:
        payload["message"] = {"chat": user.chat.chat_object(), "message_id": 1, "date": 0}
    elif isinstance(message, dict):
        payload["message"] = message
    else:
        payload["inline_message_id"] = f"inline-{query.id}"
    return payload


def pre_checkout_query(
    sandbox: SandboxServer, user: SandboxUser, payload: str, currency: str, amount: int
) -> dict[str, Any]:
    query = sandbox.world.queries.open("pre_checkout_query", user.bot.id, user.id, user.chat_id)
    return {
        "id": query.id,
        "from": user.account.user_object(),
        "currency": currency,
        "total_amount": amount,
        "invoice_payload": payload,
    }


def callback_answers(sandbox: SandboxServer, query_id: str) -> list[dict[str, Any]]:
    """Every answerCallbackQuery call for one query (Telegram accepts only the first)."""
    return [
        call.params
        for call in sandbox.calls("answerCallbackQuery")
        if str(call.params.get("callback_query_id")) == query_id
    ]
