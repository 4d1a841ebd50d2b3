"""Edit by instruction in the chat: ✏️ Edit under a thumbnail (or a reply to any message
that shows one) names the thumbnail, the creator says what to change, and the bot shows
back what it will change, plainly what it will not, and the price. ✅ charges it like any
order (handlers/charge.py), and the edit goes through the same queue, progress, delivery
and refund as every thumbnail. What is understood is services/edits.py's decision.
"""

from __future__ import annotations

from uuid import UUID

from handlers import charge
from handlers.i18n import Html, t
from handlers.kit import ChatContext, keyboard
from services.edits import Proposal
from services.errors import InputRejected
from services.generation import GenerationInput
from services.generators.edits import EDIT_TYPE, Change, parse_instruction


async def _on_edit(context: ChatContext, generation_id: str) -> None:
    """✏️ Edit: the creator's next message says what to change in this thumbnail."""
    profile = await context.profile()
    if not await context.services.edits.ask(profile.id, UUID(generation_id)):
        await context.alert("stale_button")
        return
    await context.query.answer()
    await context.say("edit_ask", examples=context.t("edit_examples"))


async def take_instruction(context: ChatContext) -> bool:
    """A text that is an edit instruction: a reply to a message showing one of the
    creator's thumbnails, or the answer to ✏️ Edit. False for any other text."""
    profile = await context.profile()
    message = context.message
    target = None
    if message.reply_to_message is not None:
        target = await context.services.generations.shown_in(
            profile.id, context.chat.id, message.reply_to_message.message_id
        )
    if target is None:
        target = await context.services.edits.listening(profile.id)
    if target is None:
        return False
    await _propose(context, target, message.text or "")
    return True


async def _propose(context: ChatContext, generation_id: UUID, text: str) -> None:
    """What the instruction will change, with the price and a confirm button; or, if none
    of it can be applied, a friendly word and examples (nothing offered or charged)."""
    profile = await context.profile()
    examples = context.t("edit_examples")
    try:
        proposal = await context.services.edits.propose(profile.id, generation_id, text)
    except InputRejected as rejected:
        await context.say(rejected.key, examples=examples, **rejected.params)
        return
    if proposal.token is None:
        await context.say("edit_nothing", instruction=proposal.instruction, examples=examples)
        return
    cost = await context.services.catalog.cost_of(EDIT_TYPE)
    buttons = keyboard(
        [(context.t("btn_edit_confirm", cost=cost), f"gen:editgo:{proposal.token}:{cost}")],
        [(context.t("btn_cancel"), f"gen:editno:{proposal.token}")],
    )
    text = context.t(
        "edit_confirm",
        changes=_planned(context.language, proposal),
        skipped=_skipped(context.language, proposal.applied.skipped),
        cost=cost,
        credits=profile.credits,
    )
    await context.reply(text, buttons)


def _planned(language: str, proposal: Proposal) -> Html:
    applied = proposal.applied
    lines = [_described(language, change) for change in applied.changes]
    lines += [t(language, "edit_change_model", phrase=phrase) for phrase in applied.model_phrases]
    return Html("\n".join(f"• {line}" for line in lines))


def _skipped(language: str, phrases: tuple[str, ...]) -> Html:
    if not phrases:
        return Html("")
    return Html("\n\n" + t(language, "edit_skipped", phrases=_phrases(language, phrases)))


def _described(language: str, change: Change) -> Html:
    return t(language, f"edit_change_{change.kind}", detail=change.detail)


def _phrases(language: str, phrases: tuple[str, ...]) -> Html:
    return Html(", ".join(t(language, "edit_phrase", phrase=phrase) for phrase in phrases))


async def _on_go(context: ChatContext, rest: str) -> None:
    """✅ Edit: charged at the price the button showed, once per offer however often it
    is tapped (the offer's token is the request key)."""
    token, _, shown = rest.partition(":")
    edits, generations = context.services.edits, context.services.generations
    async with context.user_lock():
        profile = await context.profile()
        request = await edits.order(profile.id, token)
        key = f"edit:{token}"
        if request is None:
            if await generations.requested(profile.id, key):
                await context.query.answer(context.t("already_running"))
            else:
                await context.alert("stale_button")
            return
        prefix = f"gen:editgo:{token}"
        if await charge.charge_request(context, request, key, int(shown), prefix):
            await edits.close(profile.id, token)


async def _on_cancel(context: ChatContext, token: str) -> None:
    if not await context.services.edits.close((await context.profile()).id, token):
        await context.alert("stale_button")
        return
    await context.query.answer()
    await context.remove_buttons()
    await context.say("edit_cancelled")


def edit_note(language: str, request: GenerationInput) -> Html | None:
    """An edit's caption lines: what its newest instruction changed and, plainly, what it
    could not; None for a thumbnail that is not an edit."""
    if not request.instructions:
        return None
    plan = parse_instruction(request.instructions[-1])
    skipped = request.edit_skipped or ()
    done = [_described(language, c) for c in plan.understood if c.phrase not in skipped]
    done += [
        t(language, "edit_phrase", phrase=phrase)
        for phrase in plan.not_understood
        if phrase not in skipped
    ]
    lines = []
    if done:
        lines.append(t(language, "edit_caption_changed", changes=Html(", ".join(done))))
    if skipped:
        lines.append(t(language, "edit_caption_skipped", phrases=_phrases(language, skipped)))
    return Html("\n".join(lines)) if lines else None


#: The "gen:" buttons this module answers (handlers/generate.py dispatches them).
CALLBACKS: dict[str, charge.Callback] = {"edit": _on_edit, "editgo": _on_go, "editno": _on_cancel}
