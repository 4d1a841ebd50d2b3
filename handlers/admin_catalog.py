"""Admin commands for the catalogue (ADMIN_IDS only): /setcost <type> <credits>,
/mode <type> on|off and /setmodel <type> <model> [input template as JSON]. The checks and
the audit are services/catalog.py's and sql/014's; a refusal reaches handlers/errors.py.

/setmodel is shown back first (the model, and the template as it will be sent) with
Apply and Cancel buttons; only Apply changes the mode, once."""

from __future__ import annotations

import json
import re

from telegram import Update

from handlers.admin import admin_button, admin_only
from handlers.kit import ChatContext, keyboard
from services.catalog import MAX_COST

_CREDITS = re.compile(r"[0-9]{1,7}")
_SWITCH = {"on": True, "off": False}


@admin_only
async def setcost(update: Update, context: ChatContext) -> None:
    args = context.args or []
    if len(args) != 2 or not _CREDITS.fullmatch(args[1]):
        await context.say("admin_usage_setcost", max=MAX_COST)
        return
    before, after = await context.services.catalog.set_cost(args[0], int(args[1]), context.user.id)
    await context.say("admin_cost_set", type=args[0], before=before, after=after)


@admin_only
async def mode(update: Update, context: ChatContext) -> None:
    args = context.args or []
    if len(args) != 2 or args[1].lower() not in _SWITCH:
        await context.say("admin_usage_mode")
        return
    active = _SWITCH[args[1].lower()]
    await context.services.catalog.set_active(args[0], active, context.user.id)
    await context.say("admin_mode_on" if active else "admin_mode_off", type=args[0])


@admin_only
async def setmodel(update: Update, context: ChatContext) -> None:
    """The template is the rest of the message after the model, spaces and all."""
    parts = (context.message.text or "").split(maxsplit=3)
    if len(parts) < 3:
        await context.say("admin_usage_setmodel")
        return
    template = parts[3] if len(parts) == 4 else None
    proposal = await context.services.catalog.propose_model(
        parts[1], parts[2], template, context.user.id
    )
    buttons = keyboard(
        [
            (context.t("btn_admin_apply"), f"ac:apply:{proposal.id}"),
            (context.t("btn_cancel"), f"ac:drop:{proposal.id}"),
        ]
    )
    await context.say(
        "admin_model_preview",
        buttons,
        type=proposal.type_key,
        before=proposal.current_model or "-",
        model=proposal.model,
        template=json.dumps(proposal.input_template, indent=2, ensure_ascii=False),
    )


@admin_button
async def on_button(update: Update, context: ChatContext) -> None:
    """Apply or Cancel under a /setmodel preview; a second press changes nothing."""
    decision, _, proposal_id = context.data.removeprefix("ac:").partition(":")
    apply = decision == "apply"
    decided = await context.services.catalog.decide_model(int(proposal_id), apply, context.user.id)
    await context.query.answer()
    await context.remove_buttons()
    if decided.previous_outcome is not None:
        await context.say("admin_proposal_decided")
        return
    await context.say(
        "admin_model_applied" if apply else "admin_model_cancelled",
        type=decided.type_key,
        model=decided.model,
    )
