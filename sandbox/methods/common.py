"""The shared send pipeline of every message-producing method.

sendMessage, sendPhoto, sendDocument, sendMediaGroup and sendInvoice all resolve the
target chat, parse formatted text, validate reply markup and reply parameters, apply
flood limits and then store the message; this module does each of those steps once.
"""

from __future__ import annotations

from typing import Any

from sandbox.accounts import ChatInfo
from sandbox.chatlog import StoredMessage
from sandbox.entities import (
    EntityParseError,
    detect_entities,
    is_known_parse_mode,
    parse_formatted,
)
from sandbox.errors import bad_request
from sandbox.methods.registry import Call
from sandbox.validation import check_reply_markup


def target_chat(call: Call) -> ChatInfo:
    """The chat named by ``chat_id`` that this bot is allowed to write to."""
    chat = call.world.resolve_chat(call.params.raw("chat_id"))
    call.world.check_can_message(call.bot, chat)
    return chat


def format_text(
    text: str, parse_mode: str | None, explicit_entities: Any
) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities, from explicit entities or by parsing *parse_mode*."""
    if explicit_entities is not None:
        if not isinstance(explicit_entities, list) or not all(
            isinstance(e, dict) and {"type", "offset", "length"} <= e.keys()
            for e in explicit_entities
        ):
            raise bad_request("can't parse entities JSON object")
        return text, detect_entities(text, explicit_entities)
    if parse_mode and not is_known_parse_mode(parse_mode):
        raise bad_request("unsupported parse_mode")
    try:
        plain, entities = parse_formatted(text, parse_mode)
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    return plain, detect_entities(plain, entities)


def formatted_param(
    call: Call, field: str, mode_field: str, entities_field: str
) -> tuple[str | None, list[dict[str, Any]]]:
    """Read and format a text/caption argument together with its parse mode."""
    raw = call.params.get_str(field)
    if raw is None:
        return None, []
    explicit = call.params.get_json(entities_field, error="can't parse entities JSON object")
    return format_text(raw, call.params.get_str(mode_field), explicit)


def with_text(content: dict[str, Any], key: str, text: str | None, entities: list[Any]) -> None:
    """Put text/caption and its entities into a message body (omitting empty ones)."""
    if text:
        content[key] = text
        if entities:
            content[f"{key}_entities" if key == "caption" else "entities"] = entities


def reply_markup(call: Call) -> dict[str, Any] | None:
    error = "can't parse reply keyboard markup JSON object"
    return check_reply_markup(call.params.get_json("reply_markup", error=error))


def replied_message(call: Call, chat: ChatInfo) -> dict[str, Any] | None:
    """The message named by reply_parameters / reply_to_message_id, as a snapshot."""
    parameters = call.params.get_json(
        "reply_parameters", error="can't parse reply parameters JSON object"
    )
    if isinstance(parameters, dict):
        message_id = parameters.get("message_id")
        allow_missing = bool(parameters.get("allow_sending_without_reply"))
    else:
        message_id = call.params.get_int("reply_to_message_id")
        allow_missing = call.params.get_bool("allow_sending_without_reply")
    if message_id is None:
        return None
    target = call.world.log(call.bot.id, chat.id).get(int(message_id))
    if target is None:
        if allow_missing:
            return None
        raise bad_request("message to be replied not found")
    snapshot = target.snapshot()
    snapshot.pop("reply_to_message", None)
    return snapshot


def send(
    call: Call,
    chat: ChatInfo,
    content: dict[str, Any],
    *,
    markup: dict[str, Any] | None = None,
    reply_to: dict[str, Any] | None = None,
    source_text: str | None = None,
    extra: dict[str, Any] | None = None,
) -> StoredMessage:
    """Store a bot message (after the caller checked flood limits)."""
    body = dict(content)
    if reply_to is not None:
        body["reply_to_message"] = reply_to
    if call.params.get_bool("protect_content"):
        body["has_protected_content"] = True
    thread = call.params.get_int("message_thread_id")
    if thread is not None:
        body["message_thread_id"] = thread
    if markup is not None and "inline_keyboard" in markup:
        body["reply_markup"] = markup
    return call.world.new_message(
        call.bot,
        chat,
        call.bot.user_object(),
        body,
        reply_markup=markup,
        source_text=source_text,
        parse_mode=call.params.get_str("parse_mode"),
        extra=dict(extra or {}),
    )


def check_flood(call: Call, chat: ChatInfo, count: int = 1) -> None:
    call.world.flood.check(call.bot.id, chat.id, chat.type, count)
