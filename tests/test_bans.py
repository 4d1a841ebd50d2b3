"""Bans and modes switched off, in the database (sql/014): what a ban refunds and refuses,
and that an order for a mode switched off is never charged."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from services.accounts import AccountService, TelegramUser
from services.adapters.db import Database
from services.bans import BanResult, BanService
from services.catalog import CatalogService
from services.credits import CreditService
from services.errors import InvalidGenerationState, ModeDisabled, ProfileBanned
from services.referrals import ReferralStatus
from tests.conftest import ledger_sum

ADMIN = 4_242_001
TEXT = {"mode": "text_to_thumbnail", "prompt": "a test"}


async def audit_of(db: Database, action: str, telegram_id: int | None) -> list[dict[str, object]]:
    return await db.fetch_all(
        "SELECT before, after FROM admin_audit"
        " WHERE action = %s AND arguments->>'telegram_id' = %s ORDER BY id",
        [action, str(telegram_id)],
    )


async def test_a_ban_refunds_queued_and_running_work_once_and_refuses_charges(
    db: Database,
    accounts: AccountService,
    credits: CreditService,
    new_user: Callable[..., TelegramUser],
) -> None:
    profile = (await accounts.register(new_user())).profile
    bans = BanService(db)
    await credits.charge_generation(profile.id, "text_to_thumbnail", TEXT)  # queued
    running = await credits.charge_generation(profile.id, "text_to_thumbnail", TEXT)
    await db.execute(
        "UPDATE generations SET status = 'running' WHERE id = %s", [running.generation_id]
    )

    assert await bans.ban(profile.id, "fraud", ADMIN) == BanResult(False, 2, 20)
    assert await bans.ban(profile.id, "fraud, again", ADMIN) == BanResult(True, 0, 0)

    with pytest.raises(InvalidGenerationState):  # the worker's result is not kept
        await credits.complete_generation(running.generation_id, "file:///late.jpg")
    statuses = await db.fetch_all(
        "SELECT status, failure_key FROM generations WHERE profile_id = %s", [profile.id]
    )
    assert statuses == [{"status": "failed", "failure_key": "account_banned"}] * 2
    assert await credits.balance(profile.id) == 50 == await ledger_sum(db, profile.id)
    with pytest.raises(ProfileBanned):
        await credits.charge_generation(profile.id, "text_to_thumbnail", TEXT)
    assert (await accounts.get(profile.id)).is_banned
    audits = await audit_of(db, "ban", profile.telegram_id)
    assert [row["after"] for row in audits] == [
        {"banned": True, "refunded_generations": 2, "refunded_credits": 20},
        {"banned": True, "refunded_generations": 0, "refunded_credits": 0},
    ]

    assert await bans.unban(profile.id, ADMIN)
    assert not await bans.unban(profile.id, ADMIN)
    again = await credits.charge_generation(profile.id, "text_to_thumbnail", TEXT)
    await credits.fail_generation(again.generation_id, "test over")  # leave no work queued
    assert await credits.balance(profile.id) == 50


async def test_a_banned_users_link_pays_no_referral_bonus(
    db: Database, accounts: AccountService, new_user: Callable[..., TelegramUser]
) -> None:
    referrer = (await accounts.register(new_user())).profile
    bans = BanService(db)
    await bans.ban(referrer.id, "spam", ADMIN)

    joined = await accounts.register(new_user(), referrer.referral_code)
    assert joined.referral is not None
    assert joined.referral.status is ReferralStatus.UNKNOWN_CODE
    assert (await accounts.get(referrer.id)).credits == 50

    await bans.unban(referrer.id, ADMIN)
    joined = await accounts.register(new_user(), referrer.referral_code)
    assert joined.referral is not None
    assert joined.referral.status is ReferralStatus.APPLIED
    assert (await accounts.get(referrer.id)).credits == 80


async def test_a_mode_switched_off_is_not_offered_and_never_charged(
    db: Database,
    accounts: AccountService,
    credits: CreditService,
    catalog: CatalogService,
    new_user: Callable[..., TelegramUser],
) -> None:
    profile = (await accounts.register(new_user())).profile
    before = await credits.charge_generation(profile.id, "text_to_thumbnail", TEXT, "key-1")
    await credits.fail_generation(before.generation_id, "test over")
    try:
        assert await catalog.set_active("text_to_thumbnail", False, ADMIN)
        with pytest.raises(ModeDisabled):
            await credits.charge_generation(profile.id, "text_to_thumbnail", TEXT, "key-2", 10)
        offered = [kind.type_key for kind in await catalog.generation_types()]
        listed = [kind.type_key for kind in await catalog.generation_types(include_off=True)]
        assert "text_to_thumbnail" not in offered
        assert "text_to_thumbnail" in listed
        # A request charged while the mode was on is still that request, not a new charge.
        replay = await credits.charge_generation(profile.id, "text_to_thumbnail", TEXT, "key-1")
        assert (replay.generation_id, replay.created) == (before.generation_id, False)
        assert await credits.balance(profile.id) == 50 == await ledger_sum(db, profile.id)
    finally:
        assert not await catalog.set_active("text_to_thumbnail", True, ADMIN)
