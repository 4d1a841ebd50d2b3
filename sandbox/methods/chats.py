"""Chat-level calls: getChat, getChatMember, sendChatAction, answerCallbackQuery."""

from __future__ import annotations

from typing import Any

from sandbox.chatlog import ChatActionRecord
from sandbox.errors import bad_request
from sandbox.methods.common import target_chat
from sandbox.methods.registry import Call, method
from sandbox.validation import check_callback_answer_text, check_chat_action

_ALL_GIFTS = {
    "unlimited_gifts": True,
    "limited_gifts": True,
    "unique_gifts": True,
    "premium_subscription": True,
    "gifts_from_channels": True,
}


@method("getChat")
async def get_chat(call: Call) -> dict[str, Any]:
    chat = call.world.resolve_chat(call.params.raw("chat_id"))
    return {
        **chat.chat_object(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": _ALL_GIFTS,
    }


@method("getChatMember")
async def get_chat_member(call: Call) -> dict[str, Any]:
    chat = call.world.resolve_chat(call.params.raw("chat_id"))
    user_id = call.params.get_int("user_id", required="user not found")
    if user_id == call.bot.id:
        return {"status": "member", "user": call.bot.user_object()}
    user = call.world.users.get(user_id or 0)
    if user is None or (chat.type == "private" and chat.id != user.id):
        raise bad_request("user not found")
    status = "kicked" if chat.type == "private" and call.bot.id in user.blocked_bots else "member"
    body: dict[str, Any] = {"status": status, "user": user.user_object()}
    if status == "kicked":
        body["until_date"] = 0
    return body


@method("sendChatAction")
async def send_chat_action(call: Call) -> bool:
    chat = target_chat(call)
    action = check_chat_action(call.params.get_str("action"))
    log = call.world.log(call.bot.id, chat.id)
    log.actions.append(ChatActionRecord(action, call.world.now()))
    log.changed.notify()
    return True


@method("answerCallbackQuery")
async def answer_callback_query(call: Call) -> bool:
    text = call.params.get_str("text")
    check_callback_answer_text(text)
    answer = {
        "text": text,
        "show_alert": call.params.get_bool("show_alert"),
        "url": call.params.get_str("url"),
        "cache_time": call.params.get_int("cache_time") or 0,
        "date": call.world.now(),
    }
    call.world.queries.answer(
        "callback_query", call.bot.id, call.params.get_str("callback_query_id"), answer
    )
    return True
