"""The variants of one order in the database (sql/019): charged all or nothing, each its
own row, ledger line and refund; delivered once, as a batch, never member by member."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from services.accounts import AccountService, Profile
from services.adapters.db import Database
from services.adapters.storage import LocalStorage
from services.adapters.youtube import YouTubeClient
from services.credits import CreditService
from services.errors import InsufficientCredits, PriceChanged
from services.faces import FaceService
from services.generation import BatchCharge, Doorbell, GenerationInput, GenerationService
from services.generators.local_renderer import LocalRenderer
from tests.conftest import ledger_sum

REQUEST = GenerationInput(mode="text_to_thumbnail", prompt="I built a cabin alone")
CHAT = 77


@pytest.fixture
async def profile(accounts: AccountService, new_user) -> Profile:
    return (await accounts.register(new_user(first_name="Vera"))).profile


@pytest.fixture
def generations(db: Database, credits: CreditService, tmp_path: Path) -> GenerationService:
    storage = LocalStorage(tmp_path)
    return GenerationService(
        db,
        credits,
        FaceService(db, storage),
        storage,
        LocalRenderer(),
        YouTubeClient(),
        Doorbell(),
    )


async def members(db: Database, batch_id: uuid.UUID) -> list[dict]:
    return await db.fetch_all(
        "SELECT id, variant_index, credit_cost, request_key, input, telegram_chat_id,"
        " status, delivered_at, delivery_method FROM generations"
        " WHERE batch_id = %s ORDER BY variant_index",
        [batch_id],
    )


async def charged(generations: GenerationService, profile: Profile, n: int = 4) -> BatchCharge:
    return await generations.start_batch(
        profile.id, REQUEST, f"draft:{uuid.uuid4().hex[:8]}", CHAT, n, 10
    )


async def test_each_variant_is_its_own_charged_generation(
    db: Database, generations: GenerationService, profile: Profile
):
    batch = await generations.start_batch(profile.id, REQUEST, "draft:tok1", CHAT, 4, 10)

    assert (batch.cost, batch.balance, batch.created) == (10, 10, True)
    rows = await members(db, batch.batch_id)
    assert [row["id"] for row in rows] == list(batch.generation_ids)
    assert [row["variant_index"] for row in rows] == [0, 1, 2, 3]
    assert [row["input"].get("variation", 0) for row in rows] == [0, 1, 2, 3]
    assert [row["request_key"] for row in rows] == [f"draft:tok1:v{i}" for i in range(4)]
    assert {row["credit_cost"] for row in rows} == {10}
    assert {row["telegram_chat_id"] for row in rows} == {CHAT}
    charges = await db.fetch_all(
        "SELECT reference FROM credit_ledger"
        " WHERE profile_id = %s AND reason = 'generation_charge'",
        [profile.id],
    )
    assert sorted(row["reference"] for row in charges) == sorted(
        str(i) for i in batch.generation_ids
    )
    assert await ledger_sum(db, profile.id) == 10


async def test_a_second_tap_charges_nothing(
    db: Database, generations: GenerationService, profile: Profile
):
    first = await generations.start_batch(profile.id, REQUEST, "draft:tok2", CHAT, 2, 10)
    again = await generations.start_batch(profile.id, REQUEST, "draft:tok2", CHAT, 2, 10)

    assert not again.created
    assert (again.batch_id, again.generation_ids) == (first.batch_id, first.generation_ids)
    assert again.balance == 30 == await ledger_sum(db, profile.id)


async def test_credits_for_some_variants_charge_none(
    db: Database, generations: GenerationService, profile: Profile
):
    await generations.start_batch(profile.id, REQUEST, "draft:tok3", CHAT, 2, 10)  # 30 left

    with pytest.raises(InsufficientCredits) as short:
        await generations.start_batch(profile.id, REQUEST, "draft:tok4", CHAT, 4, 10)

    assert (short.value.balance, short.value.needed) == (30, 40)  # the order's total
    assert await ledger_sum(db, profile.id) == 30
    assert (
        await db.fetch_value("SELECT count(*) FROM generations WHERE profile_id = %s", [profile.id])
        == 2
    )
    assert not await generations.requested(profile.id, "draft:tok4:v0")


async def test_the_price_shown_is_the_price_charged(
    db: Database, generations: GenerationService, profile: Profile
):
    with pytest.raises(PriceChanged) as changed:
        await generations.start_batch(profile.id, REQUEST, "draft:tok5", CHAT, 3, 8)

    assert changed.value.cost == 10
    assert await ledger_sum(db, profile.id) == 50


async def begin(db: Database, batch_id: uuid.UUID, worker: str, lease: int = 30) -> str:
    return str(
        await db.fetch_value("SELECT begin_batch_delivery(%s, %s, %s)", [batch_id, worker, lease])
    )


async def test_a_batch_is_delivered_once_when_its_last_member_finished(
    db: Database, credits: CreditService, generations: GenerationService, profile: Profile
):
    batch = await charged(generations, profile, 3)
    made, broken, late = batch.generation_ids

    await credits.complete_generation(made, "local://made.jpg")
    refund = await credits.fail_generation(broken, "the model refused it")
    assert (refund.refunded, refund.balance) == (10, 30)  # only this variant came back
    assert await begin(db, batch.batch_id, "w1") == "pending"
    # A member is never delivered alone, by its worker or by the sweep.
    assert await db.fetch_value("SELECT begin_delivery(%s, 'w1', 30)", [made]) == "batch"
    swept = await db.fetch_all("SELECT id FROM claim_undelivered('w1', 30, 100, 0)")
    assert not {row["id"] for row in swept} & set(batch.generation_ids)

    await credits.complete_generation(late, "local://late.jpg")
    assert await begin(db, batch.batch_id, "w1") == "send"
    assert await begin(db, batch.batch_id, "w2") == "busy"
    await db.execute("SELECT abandon_batch_delivery(%s, 'w1')", [batch.batch_id])  # a 429
    assert await begin(db, batch.batch_id, "w2") == "send"
    assert await db.fetch_value("SELECT finish_batch_delivery(%s, 'sent')", [batch.batch_id])
    assert not await db.fetch_value("SELECT finish_batch_delivery(%s, 'sent')", [batch.batch_id])

    assert await begin(db, batch.batch_id, "w3") == "done"
    rows = await members(db, batch.batch_id)
    assert all(row["delivered_at"] is not None for row in rows)
    assert {row["delivery_method"] for row in rows} == {"sent"}
    assert await ledger_sum(db, profile.id) == 30


async def test_an_album_whose_send_may_have_happened_is_resumed_not_resent(
    db: Database, credits: CreditService, generations: GenerationService, profile: Profile
):
    batch = await charged(generations, profile, 2)
    for generation_id in batch.generation_ids:
        await credits.complete_generation(generation_id, "local://x.jpg")

    assert await begin(db, batch.batch_id, "w1", lease=0) == "send"  # then w1 died

    assert await begin(db, batch.batch_id, "w2") == "resume"


async def test_the_sweep_claims_finished_batches_after_their_grace(
    db: Database, credits: CreditService, generations: GenerationService, profile: Profile
):
    running = await charged(generations, profile, 2)
    finished = await charged(generations, profile, 2)
    await credits.complete_generation(running.generation_ids[0], "local://a.jpg")
    for generation_id in finished.generation_ids:
        await credits.complete_generation(generation_id, "local://b.jpg")

    in_grace = await db.fetch_all("SELECT id FROM claim_undelivered_batches('w1', 30, 100, 60)")
    assert finished.batch_id not in {row["id"] for row in in_grace}
    await db.execute(
        "UPDATE generations SET completed_at = completed_at - interval '2 minutes'"
        " WHERE batch_id = ANY(%s)",
        [[running.batch_id, finished.batch_id]],
    )
    claimed = {
        row["id"]
        for row in await db.fetch_all("SELECT id FROM claim_undelivered_batches('w1', 30, 100, 60)")
    }
    assert finished.batch_id in claimed
    assert running.batch_id not in claimed
    assert await begin(db, finished.batch_id, "w1") == "send"  # the sweep's own lease
