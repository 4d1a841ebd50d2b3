"""Bot identity and profile: getMe, commands, descriptions, menu button, logOut/close.

Commands and texts are stored per (scope, language_code) exactly as Telegram keys them;
get* returns what was set for that exact key.
"""

from __future__ import annotations

import json
from typing import Any

from sandbox.errors import bad_request
from sandbox.methods.registry import Call, method
from sandbox.validation import check_commands

_DEFAULT_MENU_BUTTON = {"type": "commands"}


def _scope_key(call: Call) -> tuple[str, str]:
    scope = call.params.get_json("scope", error="can't parse BotCommandScope JSON object")
    scope = scope if isinstance(scope, dict) else {"type": "default"}
    return json.dumps(scope, sort_keys=True), call.params.get_str("language_code") or ""


@method("getMe")
async def get_me(call: Call) -> dict[str, Any]:
    return call.bot.me()


@method("setMyCommands")
async def set_my_commands(call: Call) -> bool:
    commands = check_commands(
        call.params.get_json("commands", error="can't parse commands JSON object") or []
    )
    call.bot.commands[_scope_key(call)] = commands
    return True


@method("getMyCommands")
async def get_my_commands(call: Call) -> list[dict[str, Any]]:
    return call.bot.commands.get(_scope_key(call), [])


@method("deleteMyCommands")
async def delete_my_commands(call: Call) -> bool:
    call.bot.commands.pop(_scope_key(call), None)
    return True


def _profile_text(name: str, field: str, limit: int) -> None:
    """Register setMy<Name>/getMy<Name> for a per-language profile text."""

    @method(f"setMy{name}")
    async def setter(call: Call) -> bool:
        value = call.params.get_str(field) or ""
        if len(value) > limit:
            raise bad_request(f"{field} is too long")
        call.bot.profile_texts[(field, call.params.get_str("language_code") or "")] = value
        return True

    @method(f"getMy{name}")
    async def getter(call: Call) -> dict[str, str]:
        key = (field, call.params.get_str("language_code") or "")
        default = call.bot.first_name if field == "name" else ""
        return {field: call.bot.profile_texts.get(key, default)}


_profile_text("Name", "name", 64)
_profile_text("Description", "description", 512)
_profile_text("ShortDescription", "short_description", 120)


@method("setChatMenuButton")
async def set_chat_menu_button(call: Call) -> bool:
    button = call.params.get_json("menu_button", error="can't parse menu button JSON object")
    call.bot.menu_buttons[call.params.get_int("chat_id")] = button or _DEFAULT_MENU_BUTTON
    return True


@method("getChatMenuButton")
async def get_chat_menu_button(call: Call) -> dict[str, Any]:
    chat_id = call.params.get_int("chat_id")
    buttons = call.bot.menu_buttons
    return buttons.get(chat_id) or buttons.get(None) or _DEFAULT_MENU_BUTTON


@method("logOut", "close")
async def log_out(call: Call) -> bool:
    return True
