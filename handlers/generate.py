"""/generate: choose a mode, give what it needs, confirm, watch it progress, get the image.

The flow's state is a draft row in the database (services/drafts.py), so a restart in the
middle changes nothing for the user. Buttons carry the draft's token: a button from an
older draft is stale and says so. Confirming charges once per draft, however often the
button is tapped; the rendering runs in a background task so other users never wait.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from uuid import UUID

from telegram import Update
from telegram.error import BadRequest

from handlers.common import (
    Context,
    button,
    callback_data,
    chat_of,
    current_profile,
    keyboard,
    lang,
    message_of,
    private_only,
    query_of,
    remove_buttons,
    reply,
    send_face,
    services,
    telegram_user,
    user_lock,
)
from handlers.i18n import Html, mode_name, t
from services.accounts import Profile
from services.adapters.youtube import VideoUnavailable, parse_video_id
from services.drafts import Draft
from services.errors import InsufficientCredits, PriceChanged, ProfileBanned
from services.faces import MAX_FACES, Face
from services.generation import GenerationInput
from services.images import ImageRejected
from services.modes import MODES, PROMPT_MAX_CHARS, PromptRejected, Step, clean_prompt
from services.references import ReadVideo

logger = logging.getLogger(__name__)


@private_only
async def start_generate(update: Update, context: Context) -> None:
    """A new order, or the one kept from before (say, while the user got credits)."""
    profile = await current_profile(update, context)
    kept = await services(context).drafts.current(profile.id)
    if kept is not None and kept.mode is not None:
        language = lang(update)
        await reply(
            update,
            t(language, "order_resumed", mode=mode_name(language, kept.mode)),
            keyboard([button(t(language, "btn_new_order"), "gen:new")]),
        )
        await ask_next(update, context, kept)
        return
    draft = await services(context).drafts.start(profile.id)
    await _ask_mode(update, context, profile, draft)


async def _ask_mode(update: Update, context: Context, profile: Profile, draft: Draft) -> None:
    language = lang(update)
    costs = {
        kind.type_key: kind.cost_credits
        for kind in await services(context).catalog.generation_types()
    }
    rows = [
        [button(f"{mode_name(language, mode)} · {costs[mode]}", f"gen:mode:{draft.token}:{mode}")]
        for mode in MODES
        if mode in costs
    ]
    await reply(update, t(language, "choose_mode", credits=profile.credits), keyboard(*rows))


async def on_callback(update: Update, context: Context) -> None:
    query, data = query_of(update), callback_data(update)
    action, _, rest = data.removeprefix("gen:").partition(":")
    handler = _CALLBACKS.get(action)
    if handler is None:
        await query.answer(t(lang(update), "stale_button"), show_alert=True)
        return
    await handler(update, context, rest)


async def _draft_for_button(update: Update, context: Context, token: str) -> Draft | None:
    """The draft a button belongs to, or None (and the user told) if it is stale."""
    query = query_of(update)
    profile = await current_profile(update, context)
    draft = await services(context).drafts.current(profile.id)
    if draft is None or draft.token != token:
        await query.answer(t(lang(update), "stale_button"), show_alert=True)
        return None
    return draft


async def _on_mode(update: Update, context: Context, rest: str) -> None:
    token, _, mode = rest.partition(":")
    draft = await _draft_for_button(update, context, token)
    if draft is None or mode not in MODES:
        return
    query = query_of(update)
    await query.answer()
    await remove_buttons(query)
    updated = await services(context).drafts.choose_mode(draft, mode)
    if updated is not None:
        await reply(update, t(lang(update), "mode_chosen", mode=mode_name(lang(update), mode)))
        await ask_next(update, context, updated)


async def ask_next(update: Update, context: Context, draft: Draft) -> None:
    """Asks for the draft's next missing input, or shows the order to confirm."""
    language = lang(update)
    if draft.step is Step.PROMPT:
        await reply(update, t(language, "ask_prompt", max=PROMPT_MAX_CHARS))
    elif draft.step is Step.VIDEO:
        await reply(update, t(language, "ask_video"))
    elif draft.step is Step.TITLE:
        await reply(update, t(language, "ask_title"))
    elif draft.step is Step.STYLE:
        await reply(update, t(language, "ask_style"))
    elif draft.step is Step.FACE:
        await _ask_face(update, context, draft)
    elif draft.step is Step.CONFIRM and draft.mode is not None:
        await _ask_confirm(update, context, draft, draft.mode)


async def _ask_face(update: Update, context: Context, draft: Draft) -> None:
    """Shows each saved face with a "use this one" button, or asks for a photo."""
    language = lang(update)
    faces = await services(context).faces.list(draft.profile_id)
    if not faces:
        await reply(update, t(language, "ask_face_none"))
        return
    await reply(update, t(language, "ask_face"))
    for number, face in enumerate(faces, start=1):
        use = keyboard(
            [button(t(language, "btn_use_face", n=number), f"gen:face:{draft.token}:{face.id}")]
        )
        await send_face(update, context, face, t(language, "face_caption", n=number), use)
    if len(faces) < MAX_FACES:
        await reply(
            update,
            t(language, "ask_face_or_new"),
            keyboard([button(t(language, "btn_new_face"), f"gen:newface:{draft.token}")]),
        )


async def _ask_confirm(update: Update, context: Context, draft: Draft, mode: str) -> None:
    language = lang(update)
    profile = await current_profile(update, context)
    cost = await services(context).catalog.cost_of(mode)
    summary = await _summary(update, context, draft, mode)
    if profile.credits < cost:
        await _tell_insufficient(update, cost, profile.credits)
        return
    await reply(
        update,
        t(language, "confirm", summary=summary, cost=cost, credits=profile.credits),
        keyboard(
            [button(t(language, "btn_confirm", cost=cost), f"gen:go:{draft.token}:{cost}")],
            [button(t(language, "btn_cancel"), f"gen:cancel:{draft.token}")],
        ),
    )


async def _summary(update: Update, context: Context, draft: Draft, mode: str) -> Html:
    language = lang(update)
    lines = [t(language, "summary_mode", mode=mode_name(language, mode))]
    if draft.prompt:
        lines.append(t(language, "summary_prompt", prompt=draft.prompt))
    if draft.video_url:
        lines.append(t(language, "summary_video", video=draft.video_title or draft.video_url))
    if draft.style_image_url:
        if draft.style_url:
            lines.append(t(language, "summary_style", style=draft.style_url))
        else:
            lines.append(t(language, "summary_style_picture"))
    if draft.face_image_id:
        faces = await services(context).faces.list(draft.profile_id)
        number = next((n for n, f in enumerate(faces, 1) if f.id == draft.face_image_id), 1)
        lines.append(t(language, "summary_face", n=number))
    return Html("\n".join(lines))


async def _tell_insufficient(update: Update, cost: int, credits: int) -> None:
    language = lang(update)
    await reply(
        update,
        t(language, "insufficient", cost=cost, credits=credits),
        keyboard(
            [button(t(language, "btn_buy"), "buy:open")],
            [button(t(language, "btn_referral"), "menu:referral")],
        ),
    )


async def on_text(update: Update, context: Context) -> None:
    """Text in a private chat: the answer to the draft's question, or a pointer."""
    message = message_of(update)
    language = lang(update)
    profile = await current_profile(update, context)
    draft = await services(context).drafts.current(profile.id)
    if draft is None:
        await _point_to_generate(update, message.text)
        return
    waiting = {
        Step.MODE: "flow_waiting_mode",
        Step.FACE: "flow_waiting_face",
        Step.CONFIRM: "flow_waiting_confirm",
    }
    if draft.step in waiting:
        await reply(update, t(language, waiting[draft.step]))
        return
    try:
        changes = await _answer_for(update, context, draft.step, message.text)
    except PromptRejected as rejected:
        await reply(update, t(language, rejected.key, **rejected.params))
        return
    if changes is None:
        return
    updated = await services(context).drafts.update(draft, **changes)
    if updated is not None:
        await ask_next(update, context, updated)


async def _answer_for(
    update: Update, context: Context, step: Step, text: str
) -> dict[str, str | None] | None:
    """The draft fields a text sets at this step; None if it was refused (and said why)."""
    if step is Step.PROMPT:
        return {"prompt": clean_prompt(text)}
    if step is Step.STYLE:
        return await _style_link(update, context, text)
    if parse_video_id(text) is None and _looks_like_link(text):
        await reply(update, t(lang(update), "not_youtube_link"))
        return None
    video = await _read_video(update, context, text)
    if video is not None:
        return {
            "video_url": video.url,
            "video_title": video.title,
            "video_image_url": video.image_url,
        }
    if parse_video_id(text) is not None:
        return None  # a video nobody can use; the reason was given
    if step is Step.TITLE:
        return {"video_title": clean_prompt(text)}
    return {"prompt": clean_prompt(text)}  # a typed title instead of a link


def _looks_like_link(text: str) -> bool:
    lowered = text.lower()
    return "http://" in lowered or "https://" in lowered or "www." in lowered


async def _read_video(update: Update, context: Context, text: str) -> ReadVideo | None:
    """The YouTube video the text links to, as read now (None if there is no link, or
    it is private or deleted, which the user is told). One that YouTube did not name
    comes back without a title, and the next step asks for it."""
    profile = await current_profile(update, context)
    try:
        video = await services(context).references.read_video(profile.id, text)
    except VideoUnavailable as unavailable:
        await reply(update, t(lang(update), unavailable.key))
        return None
    if video is not None and video.title:
        await reply(update, t(lang(update), "video_found", title=video.title))
    return video


async def _style_link(update: Update, context: Context, text: str) -> dict[str, str | None] | None:
    """A link to the video whose thumbnail to follow. When its thumbnail cannot be read
    the user is asked for a screenshot of it: the style is never silently dropped."""
    language = lang(update)
    if parse_video_id(text) is None:
        key = "not_youtube_link" if _looks_like_link(text) else "style_not_link"
        await reply(update, t(language, key))
        return None
    video = await _read_video(update, context, text)
    if video is None:
        return None
    if video.image_url is None:
        await reply(update, t(language, "style_unreadable"))
        return None
    await reply(update, t(language, "style_found"))
    return {"style_url": video.url, "style_image_url": video.image_url}


async def use_style_picture(update: Update, context: Context, draft: Draft, data: bytes) -> None:
    """A picture sent at the style step: the thumbnail whose style to follow."""
    language = lang(update)
    try:
        url = await services(context).references.keep_picture(draft.profile_id, data)
    except ImageRejected as rejected:
        await reply(update, t(language, rejected.key, **rejected.params))
        return
    updated = await services(context).drafts.update(draft, style_url=None, style_image_url=url)
    if updated is not None:
        await reply(update, t(language, "style_picture_saved"))
        await ask_next(update, context, updated)


async def _point_to_generate(update: Update, text: str) -> None:
    language = lang(update)
    key = "youtube_link_hint" if parse_video_id(text) else "stray_message"
    await reply(
        update, t(language, key), keyboard([button(t(language, "btn_generate"), "menu:generate")])
    )


async def use_face(update: Update, context: Context, draft: Draft, face: Face) -> None:
    """A face chosen (or freshly uploaded) for the draft's face step."""
    updated = await services(context).drafts.update(draft, face_image_id=face.id)
    if updated is not None:
        await ask_next(update, context, updated)


async def _on_face(update: Update, context: Context, rest: str) -> None:
    token, _, face_id = rest.partition(":")
    draft = await _draft_for_button(update, context, token)
    if draft is None:
        return
    query = query_of(update)
    face = await services(context).faces.get(draft.profile_id, UUID(face_id))
    if face is None:
        await query.answer(t(lang(update), "face_gone"), show_alert=True)
        return
    await query.answer()
    await remove_buttons(query)
    await use_face(update, context, draft, face)


async def _on_new_face(update: Update, context: Context, token: str) -> None:
    draft = await _draft_for_button(update, context, token)
    if draft is None:
        return
    query = query_of(update)
    await query.answer()
    await reply(update, t(lang(update), "ask_face_none"))


async def _on_cancel(update: Update, context: Context, token: str) -> None:
    query = query_of(update)
    profile = await current_profile(update, context)
    if not await services(context).drafts.clear(profile.id, token):
        await query.answer(t(lang(update), "stale_button"), show_alert=True)
        return
    await query.answer()
    await remove_buttons(query)
    await reply(update, t(lang(update), "cancel_done"))


async def cancel(update: Update, context: Context) -> None:
    """/cancel: leaves any flow. Nothing has been charged before confirming."""
    profile = await current_profile(update, context)
    cleared = await services(context).drafts.clear(profile.id)
    await reply(update, t(lang(update), "cancel_done" if cleared else "cancel_nothing"))


async def _on_confirm(update: Update, context: Context, rest: str) -> None:
    token, _, shown = rest.partition(":")
    query = query_of(update)
    async with user_lock(telegram_user(update).id):
        profile = await current_profile(update, context)
        draft = await services(context).drafts.current(profile.id)
        if draft is None or draft.token != token or draft.mode is None:
            # A second tap of this order's button, or the button of an order that was
            # cancelled or replaced: only the first is "on it".
            started = await services(context).generations.requested(profile.id, f"draft:{token}")
            key = "already_running" if started else "stale_button"
            await query.answer(t(lang(update), key), show_alert=not started)
            return
        if draft.step is not Step.CONFIRM:  # its face was deleted meanwhile
            await query.answer()
            await ask_next(update, context, draft)
            return
        request = GenerationInput(
            mode=draft.mode,
            prompt=draft.prompt,
            video_url=draft.video_url,
            style_url=draft.style_url,
            face_image_id=str(draft.face_image_id) if draft.face_image_id else None,
            video_title=draft.video_title,
            video_image_url=draft.video_image_url,
            style_image_url=draft.style_image_url,
        )
        started = await _charge(
            update, context, profile, request, f"draft:{token}", _shown(shown), f"gen:go:{token}"
        )
        if started:
            await services(context).drafts.clear(profile.id, token)


def _shown(cost: str) -> int | None:
    """The price a button showed; None for a button from before buttons carried it."""
    return int(cost) if cost else None


async def _charge(
    update: Update,
    context: Context,
    profile: Profile,
    request: GenerationInput,
    request_key: str,
    shown_cost: int | None,
    button_prefix: str,
) -> bool:
    """Charges the price the user was shown and launches the generation; a repeated
    request key launches nothing. If the price is not the one shown (it changed, or the
    button never showed it), nothing is charged: the current price is shown with a
    button (`button_prefix` and the price) to go on at that price."""
    query, chat = query_of(update), chat_of(update)
    language = lang(update)
    if shown_cost is None:
        cost = await services(context).catalog.cost_of(request.mode)
        await _offer_at_price(update, profile, cost, button_prefix)
        return False
    try:
        charge = await services(context).generations.start(
            profile.id, request, request_key, chat.id, shown_cost
        )
    except PriceChanged as changed:
        await _offer_at_price(update, profile, changed.cost or 0, button_prefix)
        return False
    except InsufficientCredits as short:
        await query.answer()
        await _tell_insufficient(update, short.needed or 0, short.balance or 0)
        return False
    except ProfileBanned:
        await query.answer(t(language, "banned"), show_alert=True)
        return False
    if not charge.created:
        await query.answer(t(language, "already_running"))
        return False
    await query.answer(t(language, "charged", cost=charge.cost, credits=charge.balance))
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(None)
    status = await chat.send_message(t(language, "status_queued"))
    await services(context).generations.attach_status_message(
        charge.generation_id, status.message_id
    )
    return True


async def _offer_at_price(update: Update, profile: Profile, cost: int, button_prefix: str) -> None:
    """Nothing was charged: the current price, and a button to go on at it."""
    language = lang(update)
    await query_of(update).answer()
    await reply(
        update,
        t(language, "price_check", cost=cost, credits=profile.credits),
        keyboard([button(t(language, "btn_confirm", cost=cost), f"{button_prefix}:{cost}")]),
    )


async def _on_again(update: Update, context: Context, rest: str) -> None:
    """Regenerate: the same request with a new variation, charged again at the price on
    the button (once per tap target: tapping the same result's button twice charges
    once)."""
    generation_id, _, shown = rest.partition(":")
    query = query_of(update)
    async with user_lock(telegram_user(update).id):
        profile = await current_profile(update, context)
        previous = await services(context).generations.input_of(profile.id, UUID(generation_id))
        if previous is None:
            await query.answer(t(lang(update), "stale_button"), show_alert=True)
            return
        request = dataclasses.replace(previous, variation=previous.variation + 1)
        await _charge(
            update,
            context,
            profile,
            request,
            f"again:{generation_id}",
            _shown(shown),
            f"gen:again:{generation_id}",
        )


async def _on_file(update: Update, context: Context, generation_id: str) -> None:
    query, chat = query_of(update), chat_of(update)
    profile = await current_profile(update, context)
    generations = services(context).generations
    result = await generations.result(profile.id, UUID(generation_id))
    if result is None:
        await query.answer(t(lang(update), "stale_button"), show_alert=True)
        return
    await query.answer()
    await chat.send_document(
        await generations.load_result(result),
        filename=f"thumbnail-{generation_id[:8]}.jpg",
        caption=t(lang(update), "full_quality_caption"),
    )


async def _on_new(update: Update, context: Context, _: str) -> None:
    query = query_of(update)
    await query.answer()
    profile = await current_profile(update, context)
    draft = await services(context).drafts.start(profile.id)
    await _ask_mode(update, context, profile, draft)


_CALLBACKS = {
    "mode": _on_mode,
    "face": _on_face,
    "newface": _on_new_face,
    "go": _on_confirm,
    "cancel": _on_cancel,
    "again": _on_again,
    "file": _on_file,
    "new": _on_new,
}
