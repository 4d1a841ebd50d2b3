"""sendMessage, the editMessage* family and message deletion."""

from __future__ import annotations

import copy
from typing import Any

from sandbox.chatlog import StoredMessage
from sandbox.errors import bad_request
from sandbox.methods.common import (
    check_flood,
    formatted_param,
    replied_message,
    reply_markup,
    send,
    target_chat,
    with_text,
)
from sandbox.methods.registry import Call, method
from sandbox.validation import check_caption, check_text

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def _link_preview(call: Call) -> dict[str, Any] | None:
    """link_preview_options, or its legacy form disable_web_page_preview."""
    preview = call.params.get_json(
        "link_preview_options", error="can't parse link preview options JSON object"
    )
    if isinstance(preview, dict):
        return preview
    if call.params.get_bool("disable_web_page_preview"):
        return {"is_disabled": True}
    return None


@method("sendMessage")
async def send_message(call: Call) -> dict[str, Any]:
    chat = target_chat(call)
    raw = call.params.get_str("text", required="message text is empty")
    text, entities = formatted_param(call, "text", "parse_mode", "entities")
    assert text is not None
    check_text(text)
    markup = reply_markup(call)
    reply_to = replied_message(call, chat)
    content: dict[str, Any] = {}
    with_text(content, "text", text, entities)
    preview = _link_preview(call)
    if preview is not None:
        content["link_preview_options"] = preview
    check_flood(call, chat)
    return send(call, chat, content, markup=markup, reply_to=reply_to, source_text=raw).snapshot()


def _editable(call: Call) -> StoredMessage:
    """The bot message an edit call targets."""
    if call.params.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = call.world.resolve_chat(call.params.raw("chat_id"))
    call.world.check_can_message(call.bot, chat)
    message_id = call.params.get_int("message_id", required="message identifier is not specified")
    message = call.world.log(call.bot.id, chat.id).get(message_id)
    if message is None:
        raise bad_request("message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return message


def _apply_edit(
    call: Call,
    message: StoredMessage,
    changes: dict[str, Any],
    removed: tuple[str, ...],
    source_text: str | None = None,
) -> dict[str, Any]:
    """Replace content and markup, keeping history; 400 if nothing changed.

    As in Telegram, omitting reply_markup in an edit removes the inline keyboard.
    """
    markup = reply_markup(call)
    current = _without_edit_date(message.data)
    updated = copy.deepcopy(current)
    for key in removed:
        updated.pop(key, None)
    updated.update(changes)
    updated.pop("reply_markup", None)
    if markup is not None and "inline_keyboard" in markup:
        updated["reply_markup"] = markup
    if updated == current:
        raise bad_request(_NOT_MODIFIED)
    message.history.append(message.snapshot())
    updated["edit_date"] = call.world.now()
    message.data = updated
    message.reply_markup = markup
    if source_text is not None:
        message.source_text = source_text
        message.parse_mode = call.params.get_str("parse_mode")
    call.world.log(call.bot.id, message.chat_id).record("edited", message)
    return message.snapshot()


def _without_edit_date(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "edit_date"}


@method("editMessageText")
async def edit_message_text(call: Call) -> dict[str, Any]:
    message = _editable(call)
    if "text" not in message.data:
        raise bad_request("there is no text in the message to edit")
    raw = call.params.get_str("text", required="message text is empty")
    text, entities = formatted_param(call, "text", "parse_mode", "entities")
    assert text is not None
    check_text(text)
    changes: dict[str, Any] = {}
    with_text(changes, "text", text, entities)
    preview = _link_preview(call)
    if preview is not None:
        changes["link_preview_options"] = preview
    return _apply_edit(call, message, changes, ("text", "entities"), source_text=raw)


@method("editMessageCaption")
async def edit_message_caption(call: Call) -> dict[str, Any]:
    message = _editable(call)
    if not any(key in message.data for key in ("photo", "document", "video", "animation")):
        raise bad_request("there is no caption in the message to edit")
    caption, entities = formatted_param(call, "caption", "parse_mode", "caption_entities")
    check_caption(caption or "")
    changes: dict[str, Any] = {}
    with_text(changes, "caption", caption, entities)
    source = call.params.get_str("caption") or ""
    return _apply_edit(call, message, changes, ("caption", "caption_entities"), source)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(call: Call) -> dict[str, Any]:
    message = _editable(call)
    return _apply_edit(call, message, {}, ())


def _deletable(call: Call, chat_id: int, message_id: int) -> StoredMessage:
    message = call.world.log(call.bot.id, chat_id).get(message_id)
    if message is None:
        raise bad_request("message to delete not found")
    return message


def _delete(call: Call, message: StoredMessage) -> None:
    call.world.log(call.bot.id, message.chat_id).delete(message)


@method("deleteMessage")
async def delete_message(call: Call) -> bool:
    chat = call.world.resolve_chat(call.params.raw("chat_id"))
    message_id = call.params.get_int("message_id", required="message identifier is not specified")
    assert message_id is not None
    _delete(call, _deletable(call, chat.id, message_id))
    return True


@method("deleteMessages")
async def delete_messages(call: Call) -> bool:
    chat = call.world.resolve_chat(call.params.raw("chat_id"))
    ids = call.params.get_json("message_ids", error="can't parse message identifiers")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message identifiers are not specified")
    log = call.world.log(call.bot.id, chat.id)
    for message_id in ids:
        message = log.get(int(message_id))
        if message is not None:
            _delete(call, message)
    return True
