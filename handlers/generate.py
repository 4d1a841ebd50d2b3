"""/generate: choose a mode, give what it needs, see the order (then handlers/charge.py).

The flow's state is a draft row in the database (services/drafts.py), so a restart in the
middle changes nothing for the user; which answer fills which part of the order is
services/orders.py's decision. Buttons carry the draft's token: a button from an older
draft is stale and says so.
"""

from __future__ import annotations

from uuid import UUID

from telegram import Update

from handlers import charge, edit, order_options, style
from handlers.i18n import Html, mode_name
from handlers.kit import ChatContext, keyboard, private_only
from handlers.stored_photos import send_face
from services.adapters.youtube import parse_video_id
from services.drafts import Draft
from services.faces import MAX_FACES, Face
from services.modes import MODES, PROMPT_MAX_CHARS, Step
from services.orders import Answered

#: The question each step asks (the face and confirm steps show more than words).
QUESTIONS = {
    Step.VIDEO: "ask_video",
    Step.TITLE: "ask_title",
    Step.STYLE: "ask_style",
}


@private_only
async def start_generate(update: Update, context: ChatContext) -> None:
    """A new order, or the one kept from before (say, while the user got credits)."""
    profile = await context.profile()
    await context.services.brand_kits.end(profile.id)  # the order's questions come next
    kept = await context.services.drafts.kept_order(profile.id)
    if kept is not None and kept.mode is not None:
        mode = mode_name(context.language, kept.mode)
        new_order = keyboard([(context.t("btn_new_order"), "gen:new")])
        await context.say("order_resumed", new_order, mode=mode)
        await ask_next(context, kept)
        return
    await ask_mode(context, await context.services.drafts.start(profile.id))


async def ask_mode(context: ChatContext, draft: Draft) -> None:
    costs = {t.type_key: t.cost_credits for t in await context.generation_types()}
    rows = [
        [(f"{mode_name(context.language, mode)} · {costs[mode]}", f"gen:mode:{draft.token}:{mode}")]
        for mode in MODES
        if mode in costs
    ]
    profile = await context.profile()
    await context.say("choose_mode", keyboard(*rows), credits=profile.credits)


async def on_callback(update: Update, context: ChatContext) -> None:
    """Every "gen:" button: the order's own, and the charging ones (handlers/charge.py)."""
    action, _, rest = context.data.removeprefix("gen:").partition(":")
    handler = _CALLBACKS.get(action) or charge.CALLBACKS.get(action) or edit.CALLBACKS.get(action)
    if handler is None:
        await context.alert("stale_button")
        return
    await handler(context, rest)


async def draft_for_button(context: ChatContext, token: str) -> Draft | None:
    """The draft a button belongs to, or None (and the user told) if it is stale."""
    draft = await context.services.drafts.current((await context.profile()).id)
    if draft is None or draft.token != token:
        await context.alert("stale_button")
        return None
    return draft


async def _on_mode(context: ChatContext, rest: str) -> None:
    token, _, mode = rest.partition(":")
    draft = await draft_for_button(context, token)
    if draft is None or mode not in MODES:
        return
    await context.query.answer()
    await context.remove_buttons()
    updated = await context.services.drafts.choose_mode(draft, mode)
    defaults = await context.services.brand_kits.order_defaults(draft.profile_id, mode)
    if updated is not None and defaults:  # "my style" on, the default face in a face mode
        updated = await context.services.drafts.update(updated, **defaults)
    if updated is not None:
        await context.say("mode_chosen", mode=mode_name(context.language, mode))
        await ask_next(context, updated)


async def ask_next(context: ChatContext, draft: Draft) -> None:
    """Asks for the draft's next missing input, or shows the order to confirm."""
    if draft.step is Step.PROMPT:
        await context.say("ask_prompt", max=PROMPT_MAX_CHARS)
    elif draft.step in QUESTIONS:
        await context.say(QUESTIONS[draft.step])
    elif draft.step is Step.FACE:
        await _ask_face(context, draft)
    elif draft.step is Step.CONFIRM and draft.mode is not None:
        await charge.ask_confirm(context, draft, draft.mode, await summary(context, draft))


async def _ask_face(context: ChatContext, draft: Draft) -> None:
    """Shows each saved face with a "use this one" button, or asks for a photo."""
    faces = await context.services.faces.list(draft.profile_id)
    if not faces:
        await context.say("ask_face_none")
        return
    await context.say("ask_face")
    for number, face in enumerate(faces, start=1):
        use = keyboard([(context.t("btn_use_face", n=number), f"gen:face:{draft.token}:{face.id}")])
        await send_face(context, face, context.t("face_caption", n=number), use)
    if len(faces) < MAX_FACES:
        new_face = keyboard([(context.t("btn_new_face"), f"gen:newface:{draft.token}")])
        await context.say("ask_face_or_new", new_face)


async def summary(context: ChatContext, draft: Draft) -> Html:
    """The order in a few lines, as the confirm message shows it."""
    lines = [context.t("summary_mode", mode=mode_name(context.language, draft.mode or ""))]
    if draft.prompt:
        lines.append(context.t("summary_prompt", prompt=draft.prompt))
    if draft.video_url:
        lines.append(context.t("summary_video", video=draft.video_title or draft.video_url))
    if draft.style_image_url and draft.style_url:
        lines.append(context.t("summary_style", style=draft.style_url))
    elif draft.style_image_url:
        lines.append(context.t("summary_style_picture"))
    if draft.face_image_id:
        faces = await context.services.faces.list(draft.profile_id)
        number = next((n for n, f in enumerate(faces, 1) if f.id == draft.face_image_id), 1)
        lines.append(context.t("summary_face", n=number))
    return Html("\n".join(lines))


async def on_text(update: Update, context: ChatContext) -> None:
    """Text in a private chat: the answer to the draft's question, or a pointer."""
    if await style.take_text(context):  # colours /style asked for
        return
    if await edit.take_instruction(context):  # a reply to a thumbnail, or after ✏️ Edit
        return
    text = context.message.text or ""
    draft = await context.services.drafts.current((await context.profile()).id)
    if draft is None:
        await _point_to_generate(context, text)
        return
    await _go_on(context, await context.services.orders.answer_text(draft, text))


async def use_style_picture(context: ChatContext, draft: Draft, data: bytes) -> None:
    """A picture sent at the style step: the thumbnail whose style to follow."""
    await _go_on(context, await context.services.orders.use_style_picture(draft, data))


async def use_face(context: ChatContext, draft: Draft, face: Face) -> None:
    """A face chosen (or freshly uploaded) for the draft's face step."""
    updated = await context.services.drafts.update(draft, face_image_id=face.id)
    if updated is not None:
        await ask_next(context, updated)


async def _go_on(context: ChatContext, answered: Answered) -> None:
    for note in answered.notes:
        await context.say(note.key, **note.params)
    if answered.draft is not None:
        await ask_next(context, answered.draft)


async def _point_to_generate(context: ChatContext, text: str) -> None:
    key = "youtube_link_hint" if parse_video_id(text) else "stray_message"
    await context.say(key, keyboard([(context.t("btn_generate"), "menu:generate")]))


async def _on_face(context: ChatContext, rest: str) -> None:
    token, _, face_id = rest.partition(":")
    draft = await draft_for_button(context, token)
    if draft is None:
        return
    face = await context.services.faces.get(draft.profile_id, UUID(face_id))
    if face is None:
        await context.alert("face_gone")
        return
    await context.query.answer()
    await context.remove_buttons()
    await use_face(context, draft, face)


async def _on_new_face(context: ChatContext, token: str) -> None:
    if await draft_for_button(context, token) is None:
        return
    await context.query.answer()
    await context.say("ask_face_none")


async def _on_cancel(context: ChatContext, token: str) -> None:
    if not await context.services.drafts.clear((await context.profile()).id, token):
        await context.alert("stale_button")
        return
    await context.query.answer()
    await context.remove_buttons()
    await context.say("cancel_done")


async def cancel(update: Update, context: ChatContext) -> None:
    """/cancel: leaves any flow. Nothing has been charged before confirming."""
    profile = await context.profile()
    edited = await context.services.edits.forget(profile.id)
    cleared = await context.services.drafts.clear(profile.id) or edited
    if await context.services.brand_kits.end(profile.id) and not cleared:
        await context.say("style_cancelled")
        return
    await context.say("cancel_done" if cleared else "cancel_nothing")


async def _on_go(context: ChatContext, rest: str) -> None:
    """Confirm: charges the order at the price its button showed, once per order."""
    token, _, price = rest.partition(":")
    shown, _, count = price.partition(":")
    async with context.user_lock():
        draft = await context.services.drafts.current((await context.profile()).id)
        if draft is None or draft.token != token or draft.mode is None:
            await charge.order_gone(context, token)
        elif draft.step is not Step.CONFIRM or count not in ("", str(draft.variants)):
            # its face was deleted meanwhile, or the button showed other options
            await context.query.answer()
            await ask_next(context, draft)
        elif await charge.charge_order(context, draft, shown):
            await context.services.drafts.clear(draft.profile_id, token)


async def _on_option(context: ChatContext, rest: str) -> None:
    """A choice on the confirm screen (shape, variants): the screen shows it in place."""
    token, _, choice = rest.partition(":")
    changes = order_options.parse_option(choice)
    draft = await draft_for_button(context, token)
    if draft is None or draft.mode is None or changes is None:
        return
    profile = await context.profile()
    variants = changes.get("variants", draft.variants)
    cost = await context.services.catalog.cost_of(draft.mode)
    if cost * variants > profile.credits:
        await context.alert(
            "variants_short", n=variants, cost=cost * variants, credits=profile.credits
        )
        return
    updated = await context.services.drafts.update(draft, **changes)
    if updated is None:
        await context.alert("stale_button")
        return
    if "format" in changes:
        await context.services.drafts.remember_format(profile.id, changes["format"])
    await context.query.answer()
    if updated.step is not Step.CONFIRM:  # "another face" than the default one
        await context.remove_buttons()
        await ask_next(context, updated)
        return
    await charge.ask_confirm(
        context, updated, draft.mode, await summary(context, updated), edit=True
    )


async def _on_new(context: ChatContext, _: str) -> None:
    await context.query.answer()
    await ask_mode(context, await context.services.drafts.start((await context.profile()).id))


_CALLBACKS = {
    "mode": _on_mode,
    "face": _on_face,
    "newface": _on_new_face,
    "go": _on_go,
    "opt": _on_option,
    "cancel": _on_cancel,
    "new": _on_new,
}
