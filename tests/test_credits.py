"""Charging, completing, failing and refunding generations; payments; admin adjustments.

Every test checks what an accountant would: balances, ledger rows, and that the ledger
of a profile still sums to its balance."""

from __future__ import annotations

import asyncio
import uuid

import psycopg
import pytest

from services.accounts import AccountService, Profile
from services.adapters.db import Database
from services.catalog import CatalogService
from services.credits import PaymentProvider
from services.errors import (
    GenerationNotFound,
    InsufficientCredits,
    InvalidArgument,
    InvalidGenerationState,
    ProfileBanned,
    ProfileNotFound,
    UnknownGenerationType,
)
from tests.conftest import ledger_sum


@pytest.fixture
async def profile(accounts: AccountService, new_user) -> Profile:
    return (await accounts.register(new_user(first_name="Ada"))).profile


async def generation_row(db: Database, generation_id: uuid.UUID) -> dict:
    row = await db.fetch_one("SELECT * FROM generations WHERE id = %s", [generation_id])
    assert row is not None
    return row


async def test_charge_takes_the_cost_and_queues_the_generation(credits, db, profile):
    charge = await credits.charge_generation(profile.id, "text_to_thumbnail", {"prompt": "cats"})

    assert (charge.cost, charge.balance, charge.created) == (10, 40, True)
    row = await generation_row(db, charge.generation_id)
    assert row["status"] == "queued"
    assert row["credit_cost"] == 10
    assert row["input"] == {"prompt": "cats"}
    entries = await credits.ledger(profile.id)
    assert (entries[0].delta, entries[0].reason, entries[0].reference) == (
        -10,
        "generation_charge",
        str(charge.generation_id),
    )
    assert await ledger_sum(db, profile.id) == await credits.balance(profile.id) == 40


async def test_charge_refused_when_short_changes_nothing(credits, db, profile):
    await credits.charge_generation(profile.id, "your_face")
    await credits.charge_generation(profile.id, "your_face")

    with pytest.raises(InsufficientCredits) as refused:
        await credits.charge_generation(profile.id, "your_face")

    assert (refused.value.balance, refused.value.needed) == (10, 20)
    assert await credits.balance(profile.id) == 10
    count = await db.fetch_value(
        "SELECT count(*) FROM generations WHERE profile_id = %s", [profile.id]
    )
    assert count == 2


async def test_charge_refusals(credits, db, profile):
    with pytest.raises(UnknownGenerationType):
        await credits.charge_generation(profile.id, "no_such_mode")
    with pytest.raises(ProfileNotFound):
        await credits.charge_generation(uuid.uuid4(), "text_to_thumbnail")
    await db.execute("UPDATE profiles SET is_banned = true WHERE id = %s", [profile.id])
    with pytest.raises(ProfileBanned):
        await credits.charge_generation(profile.id, "text_to_thumbnail")
    assert await credits.balance(profile.id) == 50


async def test_request_key_charges_a_repeated_request_once(credits, profile):
    first = await credits.charge_generation(
        profile.id, "text_to_thumbnail", request_key="confirm:1"
    )
    again = await credits.charge_generation(
        profile.id, "text_to_thumbnail", request_key="confirm:1"
    )

    assert again.generation_id == first.generation_id
    assert (first.created, again.created) == (True, False)
    assert await credits.balance(profile.id) == 40


async def test_concurrent_double_taps_with_one_request_key_charge_once(credits, db, profile):
    charges = await asyncio.gather(
        *(
            credits.charge_generation(profile.id, "text_to_thumbnail", request_key="tap")
            for _ in range(20)
        )
    )
    assert len({charge.generation_id for charge in charges}) == 1
    assert sum(charge.created for charge in charges) == 1
    assert await credits.balance(profile.id) == 40 == await ledger_sum(db, profile.id)


async def test_complete_stores_output_and_is_idempotent(credits, db, profile):
    charge = await credits.charge_generation(profile.id, "text_to_thumbnail")

    assert await credits.complete_generation(charge.generation_id, "local://thumbs/1.jpg") is False
    assert await credits.complete_generation(charge.generation_id, "local://thumbs/1.jpg") is True

    row = await generation_row(db, charge.generation_id)
    assert (row["status"], row["output_image_url"]) == ("succeeded", "local://thumbs/1.jpg")
    assert row["completed_at"] is not None
    with pytest.raises(InvalidGenerationState):
        await credits.fail_generation(charge.generation_id, "too late")
    assert await credits.balance(profile.id) == 40


async def test_complete_refusals(credits, profile):
    charge = await credits.charge_generation(profile.id, "text_to_thumbnail")
    with pytest.raises(InvalidArgument):
        await credits.complete_generation(charge.generation_id, "  ")
    with pytest.raises(GenerationNotFound):
        await credits.complete_generation(uuid.uuid4(), "local://x.jpg")


async def test_fail_refunds_exactly_once(credits, db, profile):
    charge = await credits.charge_generation(profile.id, "face_youtube")

    refund = await credits.fail_generation(charge.generation_id, "model error")
    again = await credits.fail_generation(charge.generation_id, "model error")

    assert (refund.refunded, refund.balance, refund.already) == (20, 50, False)
    assert (again.refunded, again.balance, again.already) == (0, 50, True)
    row = await generation_row(db, charge.generation_id)
    assert (row["status"], row["error"]) == ("failed", "model error")
    refunds = [e for e in await credits.ledger(profile.id) if e.reason == "generation_refund"]
    assert len(refunds) == 1
    with pytest.raises(InvalidGenerationState):
        await credits.complete_generation(charge.generation_id, "local://late.jpg")
    with pytest.raises(GenerationNotFound):
        await credits.fail_generation(uuid.uuid4(), "x")


async def test_concurrent_failures_refund_once(credits, db, profile):
    charge = await credits.charge_generation(profile.id, "your_face")
    refunds = await asyncio.gather(
        *(credits.fail_generation(charge.generation_id, "crash") for _ in range(50))
    )
    assert sum(r.refunded for r in refunds) == 20
    assert await credits.balance(profile.id) == 50 == await ledger_sum(db, profile.id)


async def test_payment_is_credited_once(credits, db, profile):
    first = await credits.credit_payment(
        profile.id, PaymentProvider.TELEGRAM_STARS, "charge-1", 100, "XTR", 100
    )
    replay = await credits.credit_payment(
        profile.id, PaymentProvider.TELEGRAM_STARS, "charge-1", 100, "XTR", 100
    )

    assert (first.credited, first.balance) == (True, 150)
    assert (replay.credited, replay.balance, replay.payment_id) == (False, 150, first.payment_id)
    row = await db.fetch_one("SELECT * FROM payments WHERE id = %s", [first.payment_id])
    assert row is not None
    assert (row["provider"], row["credits_added"], row["currency"]) == (
        "telegram_stars",
        100,
        "XTR",
    )
    assert row["stripe_payment_id"] is None


async def test_stripe_payment_fills_the_seed_column(credits, db, profile):
    paid = await credits.credit_payment(
        profile.id, PaymentProvider.STRIPE, "cs_test_1", 9.99, "usd", 300, details={"x": 1}
    )
    row = await db.fetch_one("SELECT * FROM payments WHERE id = %s", [paid.payment_id])
    assert row is not None
    assert row["stripe_payment_id"] == "cs_test_1"
    assert str(row["amount"]) == "9.99"


async def test_one_payment_replayed_50_times_concurrently_credits_once(credits, db, profile):
    results = await asyncio.gather(
        *(
            credits.credit_payment(
                profile.id, PaymentProvider.STRIPE, "evt_replayed", 5, "usd", 300
            )
            for _ in range(50)
        )
    )
    assert sum(result.credited for result in results) == 1
    assert await credits.balance(profile.id) == 350 == await ledger_sum(db, profile.id)
    count = await db.fetch_value(
        "SELECT count(*) FROM payments WHERE provider_payment_id = 'evt_replayed'"
    )
    assert count == 1


async def test_payment_refusals(credits, profile):
    stars = PaymentProvider.TELEGRAM_STARS
    with pytest.raises(InvalidArgument):
        await credits.credit_payment(profile.id, stars, " ", 1, "XTR", 1)
    with pytest.raises(InvalidArgument):
        await credits.credit_payment(profile.id, stars, "neg", 1, "XTR", -5)
    with pytest.raises(ProfileNotFound):
        await credits.credit_payment(uuid.uuid4(), stars, "ghost", 1, "XTR", 1)
    assert await credits.balance(profile.id) == 50


async def test_admin_grant_and_revoke_need_a_reason(credits, db, profile):
    assert await credits.admin_adjust(profile.id, 25, "apology for an outage", 42) == 75
    assert await credits.admin_adjust(profile.id, -70, "chargeback", 42) == 5
    with pytest.raises(InsufficientCredits):
        await credits.admin_adjust(profile.id, -6, "too much", 42)
    with pytest.raises(InvalidArgument):
        await credits.admin_adjust(profile.id, 10, "   ", 42)
    with pytest.raises(InvalidArgument):
        await credits.admin_adjust(profile.id, 0, "nothing", 42)
    with pytest.raises(ProfileNotFound):
        await credits.admin_adjust(uuid.uuid4(), 10, "ghost", 42)

    grant, revoke = (await credits.ledger(profile.id))[1::-1]
    assert (grant.reason, grant.note, grant.reference) == (
        "admin_grant",
        "apology for an outage",
        "admin:42",
    )
    assert (revoke.reason, revoke.delta) == ("admin_revoke", -70)
    assert await ledger_sum(db, profile.id) == 5


async def test_upsert_generation_type(catalog: CatalogService, credits, profile):
    changed = await catalog.upsert_generation_type("promo_mode", "Promo", 5)
    assert changed.cost_credits == 5
    changed = await catalog.upsert_generation_type("promo_mode", "Promo mode", 7)
    assert (changed.display_name, changed.cost_credits) == ("Promo mode", 7)
    assert (await credits.charge_generation(profile.id, "promo_mode")).cost == 7
    with pytest.raises(InvalidArgument):
        await catalog.upsert_generation_type("promo_mode", "Promo", -1)
    with pytest.raises(InvalidArgument):
        await catalog.upsert_generation_type("Bad Key!", "x", 1)


async def test_seed_modes_and_costs(catalog: CatalogService):
    costs = {t.type_key: t.cost_credits for t in await catalog.generation_types()}
    assert {k: v for k, v in costs.items() if k != "promo_mode"} == {
        "text_to_thumbnail": 10,
        "youtube_thumbnail": 20,
        "your_face": 20,
        "face_youtube": 20,
        "top_youtube_style": 20,
        "top_youtube_style_face": 20,
        "edit_thumbnail": 10,  # an edit by instruction (sql/022), not one of the modes
    }


async def test_a_bare_balance_update_without_ledger_row_cannot_commit(db, profile):
    with pytest.raises(psycopg.errors.CheckViolation):
        await db.execute("UPDATE profiles SET credits = credits + 1000 WHERE id = %s", [profile.id])
    assert await db.fetch_value("SELECT credits FROM profiles WHERE id = %s", [profile.id]) == 50


async def test_ledger_rows_cannot_be_forged_edited_or_deleted(db, profile):
    with pytest.raises(psycopg.errors.CheckViolation):
        await db.execute(
            "INSERT INTO credit_ledger (profile_id, delta, balance_after, reason) "
            "VALUES (%s, 5, 5, 'admin_grant')",
            [profile.id],
        )
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        await db.execute("UPDATE credit_ledger SET delta = 500 WHERE profile_id = %s", [profile.id])
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        await db.execute("DELETE FROM credit_ledger WHERE profile_id = %s", [profile.id])
    with pytest.raises(psycopg.errors.CheckViolation):
        await db.execute("UPDATE profiles SET credits = -1 WHERE id = %s", [profile.id])
    assert await ledger_sum(db, profile.id) == 50
