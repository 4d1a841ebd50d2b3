"""Charging for a thumbnail: the order to confirm, the confirm and regenerate buttons, and
the full-quality file.

A button carries the price it shows, and that is the price charged: if it changed, nothing
is charged and the new price is shown first. Confirming charges once per draft and a
regenerate once per result, however often the button is tapped; the job then runs in the
background (services/jobs.py) and its status message shows how it goes.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Awaitable, Callable
from uuid import UUID

from telegram.error import BadRequest

from handlers import order_options
from handlers.i18n import Html
from handlers.kit import ChatContext, keyboard
from services.drafts import Draft
from services.errors import InsufficientCredits, PriceChanged
from services.formats import format_of
from services.generation import GenerationInput

Callback = Callable[[ChatContext, str], Awaitable[None]]


async def ask_confirm(
    context: ChatContext, draft: Draft, mode: str, summary: Html, *, edit: bool = False
) -> None:
    """The order with its options, its price and the balance (`edit`: in place of the
    confirm message, after an option was chosen), or what to do when credits are short."""
    profile = await context.profile()
    cost = await context.services.catalog.cost_of(mode)
    if profile.credits < cost:
        await tell_insufficient(context, cost, profile.credits)
        return
    total = cost * draft.variants
    kit = await context.services.brand_kits.get(profile.id)
    lines: list[str] = [summary, *order_options.summary_lines(context, draft, profile, kit)]
    buttons = keyboard(
        [(context.t("btn_confirm", cost=total), f"gen:go:{draft.token}:{cost}:{draft.variants}")],
        *order_options.option_rows(context, draft, profile, kit),
        [(context.t("btn_cancel"), f"gen:cancel:{draft.token}")],
    )
    text = context.t("confirm", summary=Html("\n".join(lines)), cost=total, credits=profile.credits)
    if not edit:
        await context.reply(text, buttons)
        return
    with contextlib.suppress(BadRequest):  # "message is not modified": the same choice again
        await context.query.edit_message_text(text, reply_markup=buttons)


async def tell_insufficient(context: ChatContext, cost: int, credits: int) -> None:
    buttons = keyboard(
        [(context.t("btn_buy"), "buy:open")], [(context.t("btn_referral"), "menu:referral")]
    )
    await context.say("insufficient", buttons, cost=cost, credits=credits)


async def order_gone(context: ChatContext, token: str) -> None:
    """The confirm button of an order that is no longer the current one: a second tap
    (it is on its way) or the button of an order cancelled or replaced (expired)."""
    profile = await context.profile()
    generations = context.services.generations
    if await generations.requested(profile.id, f"draft:{token}") or await generations.requested(
        profile.id, f"draft:{token}:v0"
    ):
        await context.query.answer(context.t("already_running"))
    else:
        await context.alert("stale_button")


async def charge_order(context: ChatContext, draft: Draft, shown: str) -> bool:
    """Charges a complete order at the price its button showed; True if it started."""
    assert draft.mode is not None
    profile = await context.profile()
    shape = order_options.chosen_format(draft, profile)
    kit = await context.services.brand_kits.get(profile.id)
    request = GenerationInput(
        mode=draft.mode,
        prompt=draft.prompt,
        video_url=draft.video_url,
        style_url=draft.style_url,
        face_image_id=str(draft.face_image_id) if draft.face_image_id else None,
        video_title=draft.video_title,
        video_image_url=draft.video_image_url,
        style_image_url=draft.style_image_url,
        format=shape.key,
        brand=order_options.brand_of(draft, kit),
    )
    key, again = f"draft:{draft.token}", f"gen:go:{draft.token}"
    return await _charge(context, request, key, _shown(shown), again, draft.variants)


async def charge_request(
    context: ChatContext,
    request: GenerationInput,
    request_key: str,
    shown_cost: int,
    button_prefix: str,
) -> bool:
    """An order made outside /generate (an edit by instruction), charged and launched like
    a draft's; True if it started."""
    return await _charge(context, request, request_key, shown_cost, button_prefix)


def _shown(cost: str) -> int | None:
    """The price a button showed; None for a button from before buttons carried it."""
    return int(cost) if cost else None


async def _charge(
    context: ChatContext,
    request: GenerationInput,
    request_key: str,
    shown_cost: int | None,
    button_prefix: str,
    count: int = 1,
) -> bool:
    """Charges the price the user was shown and launches the generation (`count` > 1:
    that many variants, all charged or none, with one status message); a repeated
    request key launches nothing. If the price is not the one shown (it changed, or the
    button never showed it), nothing is charged: the current price is shown with a
    button (`button_prefix` and the price) to go on at that price."""
    generations = context.services.generations
    if shown_cost is None:
        cost = await context.services.catalog.cost_of(request.type_key)
        await _offer_at_price(context, cost, button_prefix, count)
        return False
    profile = await context.profile()
    chat_id = context.chat.id
    try:
        if count > 1:
            batch = await generations.start_batch(
                profile.id, request, request_key, chat_id, count, shown_cost
            )
            created, total, balance = batch.created, batch.cost * count, batch.balance
        else:
            single = await generations.start(profile.id, request, request_key, chat_id, shown_cost)
            created, total, balance = single.created, single.cost, single.balance
    except PriceChanged as changed:
        await _offer_at_price(context, changed.cost or 0, button_prefix, count)
        return False
    except InsufficientCredits as short:
        await context.query.answer()
        await tell_insufficient(context, short.needed or 0, short.balance or 0)
        return False
    if not created:
        await context.query.answer(context.t("already_running"))
        return False
    await context.query.answer(context.t("charged", cost=total, credits=balance))
    with contextlib.suppress(BadRequest):  # the order's buttons are decoration by now
        await context.remove_buttons()
    if count > 1:
        status = await context.say("status_variants_queued", n=count)
        await generations.attach_batch_status_message(batch.batch_id, status.message_id)
    else:
        status = await context.say("status_queued")
        await generations.attach_status_message(single.generation_id, status.message_id)
    return True


async def _offer_at_price(
    context: ChatContext, cost: int, button_prefix: str, count: int = 1
) -> None:
    """Nothing was charged: the current price (of every variant: `count`), and a button
    to go on at it."""
    profile = await context.profile()
    await context.query.answer()
    data = f"{button_prefix}:{cost}" + (f":{count}" if count > 1 else "")
    go_on = keyboard([(context.t("btn_confirm", cost=cost * count), data)])
    await context.say("price_check", go_on, cost=cost * count, credits=profile.credits)


async def _on_again(context: ChatContext, rest: str) -> None:
    """Regenerate: the same request with a new variation, charged again at the price on
    the button (once per tap target: tapping the same result's button twice charges
    once)."""
    generation_id, _, shown = rest.partition(":")
    async with context.user_lock():
        profile = await context.profile()
        previous = await context.services.generations.input_of(profile.id, UUID(generation_id))
        if previous is None:
            await context.alert("stale_button")
            return
        request = dataclasses.replace(previous, variation=previous.variation + 1)
        key, again = f"again:{generation_id}", f"gen:again:{generation_id}"
        await _charge(context, request, key, _shown(shown), again)


async def _on_file(context: ChatContext, generation_id: str) -> None:
    generations = context.services.generations
    result = await generations.result((await context.profile()).id, UUID(generation_id))
    if result is None:
        await context.alert("stale_button")
        return
    await context.query.answer()
    shape = format_of(result.input.format)
    await context.chat.send_document(
        await generations.load_result(result),
        filename=f"thumbnail-{generation_id[:8]}.jpg",
        caption=context.t("full_quality_caption", width=shape.width, height=shape.height),
    )


#: The "gen:" buttons this module answers (handlers/generate.py dispatches them).
CALLBACKS: dict[str, Callback] = {"again": _on_again, "file": _on_file}
