"""Variants through the real bot: an order of n variants is charged as n generations at
once (all or none), they run in parallel, and arrive once, together: one album, then one
message with a row of buttons per variant. A variant that fails refunds only itself; an
album whose answer Telegram lost is never sent twice, and the user still hears of it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from uuid import UUID

import pytest

from bot.settings import Settings
from bot.wiring import build_services
from handlers.i18n import t
from sandbox.faults import Fault
from sandbox.server import SandboxServer
from sandbox.users import SandboxUser
from sandbox.views import SentMessage
from services.adapters.db import Database
from services.adapters.migrations import apply_migrations
from services.adapters.storage import THUMBNAILS_BUCKET
from services.container import Services
from services.generation import GenerationInput
from tests.conftest import ledger_sum
from tests.e2e.conftest import (
    ADMIN_ID,
    RunningBot,
    containing,
    eventually,
    image_size,
    with_button,
)
from tests.e2e.flows import choose_mode, give_inputs, press_starting_with, profile_of, started
from tests.standins.replicate import ReplicateStandIn, Script
from tests.standins.youtube import jpeg

BUTTONS_LINE = "variants above"  # the buttons message under the album (en)


async def order_variants(user: SandboxUser, n: int, prompt: str) -> SentMessage:
    """/start, /generate, a description, n variants chosen: the confirm message."""
    await started(user)
    await choose_mode(user, "text_to_thumbnail")
    await give_inputs(user, "text_to_thumbnail", prompt)
    order = await user.wait_for_message(with_button("Generate"))
    await press_starting_with(user, order, f"{n}\N{MULTIPLICATION SIGN}")
    await user.wait_for_message(with_button(f"Generate ({10 * n} credits)"))
    return order


async def receive_variants(user: SandboxUser, within: float = 30) -> SentMessage:
    return await user.wait_for_message(containing(BUTTONS_LINE), timeout=within)


def album(user: SandboxUser) -> list[SentMessage]:
    """The photos of albums (the YouTube preview that follows one is a photo too)."""
    return [m for m in user.messages() if m.photo is not None and m.data.get("media_group_id")]


def media_group_calls(sandbox: SandboxServer, user: SandboxUser) -> int:
    return sum(
        1
        for call in sandbox.calls("sendMediaGroup")
        if str(call.params.get("chat_id")) == str(user.id)
    )


def of_chat(user: SandboxUser) -> Callable[[dict], bool]:
    return lambda params: str(params.get("chat_id")) == str(user.id)


async def batch_rows(db: Database, profile_id: UUID) -> list[dict]:
    return await db.fetch_all(
        "SELECT id, batch_id, variant_index, status, refunded_at, delivered_at, delivery_method"
        " FROM generations WHERE profile_id = %s ORDER BY variant_index",
        [profile_id],
    )


async def delivered_as(db: Database, profile_id: UUID, method: str) -> None:
    """Waits until every variant of the user's order is recorded delivered that way."""

    async def recorded() -> bool:
        rows = await batch_rows(db, profile_id)
        return bool(rows) and {row["delivery_method"] for row in rows} == {method}

    await eventually(recorded)


async def test_two_variants_arrive_as_one_album_and_one_buttons_message(
    sandbox: SandboxServer, new_chat_user, chat_services: Services
):
    user = new_chat_user("Vic")
    order = await order_variants(user, 2, "I built a cabin alone")

    # A double tap charges once.
    await asyncio.gather(
        press_starting_with(user, order, "Generate"), press_starting_with(user, order, "Generate")
    )
    buttons = await receive_variants(user)

    photos = album(user)
    assert len(photos) == 2
    assert len({photo.data.get("media_group_id") for photo in photos}) == 1  # one album
    assert media_group_calls(sandbox, user) == 1
    assert [image_size(user.file_bytes(photo)) for photo in photos] == [(1280, 720)] * 2
    assert user.file_bytes(photos[0]) != user.file_bytes(photos[1])  # different variants
    assert "Variant 1" in (photos[0].caption or "")
    assert "Variant 2" in (photos[1].caption or "")

    profile = await profile_of(chat_services, user)
    rows = await batch_rows(chat_services.db, profile.id)
    assert [row["variant_index"] for row in rows] == [0, 1]
    assert len({row["batch_id"] for row in rows}) == 1
    assert profile.credits == 30 == await ledger_sum(chat_services.db, profile.id)
    ids = [row["id"] for row in rows]
    assert [
        [b["callback_data"] for b in row] for row in buttons.reply_markup["inline_keyboard"]
    ] == [[f"gen:file:{i}", f"gen:edit:{i}", f"gen:again:{i}:10"] for i in ids]

    async def delivered_and_remembered() -> bool:
        rows = await batch_rows(chat_services.db, profile.id)
        shown = await chat_services.db.fetch_all(
            "SELECT message_id, generation_id FROM result_messages WHERE chat_id = %s",
            [user.chat_id],
        )
        return all(row["delivery_method"] == "sent" for row in rows) and {
            (s["message_id"], s["generation_id"]) for s in shown
        } == {(photo.message_id, i) for photo, i in zip(photos, ids, strict=True)}

    await eventually(delivered_and_remembered)
    assert any(m.text == t("en", "status_done") for m in user.messages())
    # Then both side by side, as YouTube shows them (one picture, not an album).
    preview = await user.wait_for_message(containing(t("en", "preview_caption")), timeout=20)
    assert preview.photo is not None
    assert not preview.data.get("media_group_id")

    await press_starting_with(user, buttons, "📎 2")
    document = await user.wait_for_message(lambda m: m.document is not None)
    second = await chat_services.generations.result(profile.id, ids[1])
    assert second is not None
    assert user.file_bytes(document) == await chat_services.generations.load_result(second)


async def test_credits_for_fewer_variants_charge_nothing(new_chat_user, chat_services: Services):
    user = new_chat_user("Short")
    order = await order_variants(user, 4, "Four of them please")
    profile = await profile_of(chat_services, user)
    await chat_services.credits.admin_adjust(profile.id, -20, "spent elsewhere", ADMIN_ID)  # 30

    await press_starting_with(user, order, "Generate")

    refusal = await user.wait_for_message(containing("Not enough credits"))
    assert "costs 40 and you have 30" in (refusal.text or "")  # the order's total
    profile = await profile_of(chat_services, user)
    assert profile.credits == 30 == await ledger_sum(chat_services.db, profile.id)
    assert await batch_rows(chat_services.db, profile.id) == []


# AIORateLimiter retries a 429 three times and logs an ERROR when it gives up.
@pytest.mark.expect_errors("Rate limit hit after maximum")
async def test_an_album_refused_with_429_is_sent_once_later(
    sandbox: SandboxServer, new_chat_user, chat_services: Services
):
    """The fourth 429 reaches the worker: certainly not sent, so the delivery is given
    up and the sweep sends the album again, once."""
    user = new_chat_user("Flood")
    order = await order_variants(user, 2, "Flood limits everywhere")
    sandbox.fail_next(
        "sendMediaGroup",
        429,
        "Too Many Requests: retry after 1",
        times=4,
        retry_after=1,
        when=of_chat(user),
    )
    try:
        await press_starting_with(user, order, "Generate")
        await receive_variants(user)
        await asyncio.sleep(1.0)  # anything sent twice would arrive meanwhile
    finally:
        sandbox.faults.clear()

    assert len(album(user)) == 2
    refused = [
        call
        for call in sandbox.calls("sendMediaGroup")
        if call.status == 429 and of_chat(user)(call.params)
    ]
    assert len(refused) == 4
    assert media_group_calls(sandbox, user) == 5
    assert not any(m.text == t("en", "status_variants_ready") for m in user.messages())
    profile = await profile_of(chat_services, user)
    await delivered_as(chat_services.db, profile.id, "sent")


async def test_an_album_whose_answer_timed_out_is_not_sent_again(
    sandbox: SandboxServer, new_chat_user, chat_services: Services
):
    user = new_chat_user("Lost")
    order = await order_variants(user, 3, "The answer got lost")
    # PTB's read timeout is 5 s: the album is in the chat, the bot hears TimedOut.
    sandbox.faults.add(Fault("sendMediaGroup", performed=True, delay=6, when=of_chat(user)))
    ready = t("en", "status_variants_ready")
    try:
        await press_starting_with(user, order, "Generate")
        status = await user.wait_for_message(containing(ready), timeout=30)
        await asyncio.sleep(1.0)
    finally:
        sandbox.faults.clear()

    assert len(album(user)) == 3
    assert media_group_calls(sandbox, user) == 1
    assert not any(BUTTONS_LINE in (m.text or "") for m in user.messages())
    profile = await profile_of(chat_services, user)
    rows = await batch_rows(chat_services.db, profile.id)
    assert [b["callback_data"] for b in status.reply_markup["inline_keyboard"][0]] == [
        f"hist:show:{row['id']}" for row in rows
    ]
    await delivered_as(chat_services.db, profile.id, "resumed")
    await press_starting_with(user, status, "🖼 2")
    shown = await user.wait_for_message(lambda m: m.photo is not None and not m.is_edit)
    assert user.file_bytes(shown) == user.file_bytes(album(user)[1])


async def test_variants_whose_worker_died_before_delivering_are_delivered_by_the_sweep(
    new_chat_user, chat_services: Services
):
    user = new_chat_user("Sweep")
    await started(user)
    profile = await profile_of(chat_services, user)
    request = GenerationInput(mode="text_to_thumbnail", prompt="Made, then the worker died")
    batch = await chat_services.generations.start_batch(
        profile.id, request, f"test:{user.id}", user.chat_id, 2, 10
    )
    # What a worker leaves when it dies right after the last variant was made: both
    # pictures stored and the variants succeeded a while ago, nothing sent.
    for n, generation_id in enumerate(batch.generation_ids):
        path = f"{profile.id}/{generation_id}.jpg"
        picture = jpeg(1280, 720, (40 * n, 90, 200))
        url = await chat_services.storage.put(THUMBNAILS_BUCKET, path, picture, "image/jpeg")
        await chat_services.credits.complete_generation(generation_id, url)
    await chat_services.db.execute(
        "UPDATE generations SET completed_at = now() - interval '1 minute' WHERE batch_id = %s",
        [batch.batch_id],
    )

    await receive_variants(user)

    assert len(album(user)) == 2
    await delivered_as(chat_services.db, profile.id, "sent")
    assert profile.credits - 20 == await ledger_sum(chat_services.db, profile.id)


@dataclass
class ReplicateBot:
    sandbox: SandboxServer
    token: str
    services: Services
    replicate: ReplicateStandIn


@pytest.fixture(scope="module")
async def replicate_bot(
    sandbox: SandboxServer,
    create_database: Callable[[], str],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[ReplicateBot]:
    """A second bot, on its own database, that makes thumbnails with Replicate (the real
    library against the loopback stand-in), so one prediction of four can fail."""
    conninfo = create_database()
    await apply_migrations(conninfo)
    db = Database(conninfo, min_size=2, max_size=20)
    await db.open()
    replicate = ReplicateStandIn()
    await replicate.start()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=tmp_path_factory.mktemp("replicate-bot-data"),
        replicate_api_token=replicate.token,
        replicate_base_url=replicate.url,
    )
    services = await build_services(settings, db)
    token = sandbox.register_bot("thumbs_variants_bot")
    bot = RunningBot(token, sandbox.url, services)
    await bot.start()
    try:
        yield ReplicateBot(sandbox, token, services, replicate)
    finally:
        await bot.stop()
        await replicate.stop()
        await db.close()


async def test_a_variant_that_fails_refunds_only_itself(replicate_bot: ReplicateBot):
    replicate_bot.replicate.upcoming = [Script(outcome="nsfw")]  # the first of four
    user = replicate_bot.sandbox.user(4_700_001, first_name="Quad", bot=replicate_bot.token)
    services = replicate_bot.services
    order = await order_variants(user, 4, "Four takes on my cabin")

    await press_starting_with(user, order, "Generate")
    buttons = await receive_variants(user, within=40)

    photos = album(user)
    assert len(photos) == 3
    assert len({photo.data.get("media_group_id") for photo in photos}) == 1
    profile = await profile_of(services, user)
    rows = await batch_rows(services.db, profile.id)
    failed = [row for row in rows if row["status"] == "failed"]
    assert len(failed) == 1
    assert failed[0]["refunded_at"] is not None
    number = failed[0]["variant_index"] + 1
    text = buttons.text or ""
    assert f"Variant {number} couldn't be made" in text
    assert "10 credits are back" in text
    assert len(buttons.reply_markup["inline_keyboard"]) == 3
    assert f"📎 {number}" not in buttons.button_texts
    assert profile.credits == 20 == await ledger_sum(services.db, profile.id)
    refunds = await services.db.fetch_all(
        "SELECT reference FROM credit_ledger"
        " WHERE profile_id = %s AND reason = 'generation_refund'",
        [profile.id],
    )
    assert [row["reference"] for row in refunds] == [str(failed[0]["id"])]
    assert len(replicate_bot.replicate.creates) == 4  # the four ran at once, each once
