"""Accounts (Telegram user -> auth user + profile) and referrals, on the local auth path."""

from __future__ import annotations

import asyncio

import pytest

from services.accounts import AccountService
from services.adapters.db import Database
from services.credits import CreditService
from services.referrals import (
    ReferralService,
    ReferralStatus,
    code_from_start_payload,
    referral_link,
)
from tests.conftest import ledger_sum


async def test_first_contact_creates_account_with_start_grant(
    accounts: AccountService, credits: CreditService, db: Database, new_user
):
    user = new_user(username="ada", first_name="Ada", language_code="en")
    registration = await accounts.register(user)

    profile = registration.profile
    assert registration.created is True
    assert registration.referral is None
    assert (profile.telegram_id, profile.credits, profile.username) == (user.id, 50, "ada")
    assert len(profile.referral_code) == 8
    auth_user = await db.fetch_one("SELECT * FROM auth.users WHERE id = %s", [profile.id])
    assert auth_user is not None
    assert auth_user["email"] == f"telegram-{user.id}@users.telegram.invalid"
    assert auth_user["raw_app_meta_data"]["telegram_id"] == user.id
    [entry] = await credits.ledger(profile.id)
    assert (entry.delta, entry.reason, entry.balance_after) == (50, "signup_bonus", 50)


async def test_returning_user_keeps_balance_and_refreshes_names(
    accounts: AccountService, credits: CreditService, new_user
):
    user = new_user(username="old", first_name="Old")
    first = await accounts.register(user)
    await credits.charge_generation(first.profile.id, "text_to_thumbnail")

    renamed = type(user)(id=user.id, username="new", first_name="New", language_code="de")
    again = await accounts.register(renamed)

    assert again.created is False
    assert again.profile.id == first.profile.id
    assert again.profile.credits == 40
    assert (again.profile.username, again.profile.language_code) == ("new", "de")


async def test_simultaneous_first_contacts_create_one_account(
    accounts: AccountService, db: Database, new_user
):
    user = new_user()
    registrations = await asyncio.gather(*(accounts.register(user) for _ in range(25)))

    assert sum(r.created for r in registrations) == 1
    assert len({r.profile.id for r in registrations}) == 1
    profile_id = registrations[0].profile.id
    assert await ledger_sum(db, profile_id) == 50
    auth_users = await db.fetch_value(
        "SELECT count(*) FROM auth.users WHERE email = %s",
        [f"telegram-{user.id}@users.telegram.invalid"],
    )
    assert auth_users == 1


async def test_referral_pays_the_referrer_once(
    accounts: AccountService, referrals: ReferralService, db: Database, new_user
):
    referrer = (await accounts.register(new_user())).profile

    joined = await accounts.register(new_user(), referral_code=referrer.referral_code.lower())

    outcome = joined.referral
    assert outcome is not None
    assert outcome.status is ReferralStatus.APPLIED
    assert (outcome.referrer_id, outcome.referrer_telegram_id, outcome.referrer_credits) == (
        referrer.id,
        referrer.telegram_id,
        80,
    )
    assert joined.profile.credits == 50
    assert joined.profile.referred_by == referrer.referral_code
    assert joined.profile.referred_by_profile_id == referrer.id
    assert await ledger_sum(db, referrer.id) == 80
    stats = await referrals.stats(referrer.id)
    assert (stats.joined, stats.credits_earned) == (1, 30)


async def test_referral_after_the_user_already_existed_is_refused(
    accounts: AccountService, db: Database, new_user
):
    referrer = (await accounts.register(new_user())).profile
    user = new_user()
    await accounts.register(user)

    again = await accounts.register(user, referral_code=referrer.referral_code)

    assert again.referral is not None
    assert again.referral.status is ReferralStatus.NOT_NEW_USER
    assert again.profile.referred_by is None
    assert await ledger_sum(db, referrer.id) == 50


async def test_unknown_code_is_a_no_op(accounts: AccountService, new_user):
    joined = await accounts.register(new_user(), referral_code="NOPE2345")
    assert joined.referral is not None
    assert joined.referral.status is ReferralStatus.UNKNOWN_CODE
    assert joined.created is True
    assert joined.profile.credits == 50


async def test_code_of_a_deleted_user_is_unknown(accounts: AccountService, db: Database, new_user):
    gone = (await accounts.register(new_user())).profile
    await db.execute("DELETE FROM auth.users WHERE id = %s", [gone.id])
    assert (
        await db.fetch_value("SELECT count(*) FROM credit_ledger WHERE profile_id = %s", [gone.id])
        == 0
    )

    joined = await accounts.register(new_user(), referral_code=gone.referral_code)

    assert joined.referral is not None
    assert joined.referral.status is ReferralStatus.UNKNOWN_CODE


async def _query(conn, sql: str, params: list) -> dict:
    row = await (await conn.execute(sql, params)).fetchone()
    assert row is not None
    return row


async def _create_profile(conn, telegram_id: int) -> dict:
    auth = await _query(conn, "INSERT INTO auth.users DEFAULT VALUES RETURNING id", [])
    return await _query(
        conn, "SELECT * FROM create_profile(%s, %s, NULL, NULL, NULL)", [auth["id"], telegram_id]
    )


async def test_self_and_double_referral_inside_one_signup(db: Database, new_user):
    """A new user cannot refer themselves, and a second code in the same signup is refused."""
    async with db.transaction() as conn:
        referrer = await _create_profile(conn, new_user().id)
    async with db.transaction() as conn:
        created = await _create_profile(conn, new_user().id)
        apply = "SELECT * FROM apply_referral(%s, %s)"
        own = await _query(conn, apply, [created["profile_id"], created["referral_code"]])
        first = await _query(conn, apply, [created["profile_id"], referrer["referral_code"]])
        second = await _query(conn, apply, [created["profile_id"], referrer["referral_code"]])

    assert own["status"] == ReferralStatus.SELF_REFERRAL
    assert first["status"] == ReferralStatus.APPLIED
    assert second["status"] == ReferralStatus.ALREADY_REFERRED
    assert await ledger_sum(db, referrer["profile_id"]) == 80


async def test_many_friends_joining_at_once_pay_the_referrer_for_each(
    accounts: AccountService, db: Database, new_user
):
    referrer = (await accounts.register(new_user())).profile
    friends = [new_user() for _ in range(40)]

    # Each friend taps the link several times at once.
    await asyncio.gather(
        *(
            accounts.register(f, referral_code=referrer.referral_code)
            for f in friends
            for _ in range(3)
        )
    )

    assert await ledger_sum(db, referrer.id) == 50 + 40 * 30
    assert (
        await db.fetch_value("SELECT count(*) FROM referrals WHERE referrer_id = %s", [referrer.id])
        == 40
    )


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ("ref_ABCD2345", "ABCD2345"),
        ("ref-abcd2345", "ABCD2345"),
        ("ABCD2345", "ABCD2345"),
        (None, None),
        ("", None),
        ("ref_", None),
        ("ref_AB CD", None),
        ("x" * 65, None),
        ("ref_<script>", None),
    ],
)
def test_code_from_start_payload(payload: str | None, code: str | None):
    assert code_from_start_payload(payload) == code


def test_referral_link():
    assert referral_link("thumbs_bot", "ABCD2345") == "https://t.me/thumbs_bot?start=ref_ABCD2345"
