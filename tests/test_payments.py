"""Packs, subscription periods and refunds in the database: each provider payment credits
once however often it arrives, a refund takes back at most what is left, once, and plans
run out on time. Every test checks the ledger still sums to the balance."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from services.accounts import AccountService, Profile
from services.adapters.db import Database
from services.credits import CreditService, PaymentProvider
from services.errors import InvalidArgument, PaymentNotFound
from services.payments import (
    MAX_PAYLOAD_BYTES,
    CheckoutRefused,
    InvoicePayload,
    PaymentService,
    ProductKind,
)
from services.subscriptions import DEFAULT_PLAN, Lapse, PeriodPaid, SubscriptionService
from tests.conftest import ledger_sum

STARS = PaymentProvider.TELEGRAM_STARS
STRIPE = PaymentProvider.STRIPE


@pytest.fixture(scope="module")
def payments(db: Database) -> PaymentService:
    return PaymentService(db)


@pytest.fixture(scope="module")
def subscriptions(db: Database) -> SubscriptionService:
    return SubscriptionService(db)


@pytest.fixture
async def profile(accounts: AccountService, new_user) -> Profile:
    return (await accounts.register(new_user(first_name="Payer"))).profile


def charge_id() -> str:
    return f"stx{uuid.uuid4().hex}"


def stripe_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


async def pay_period(
    subscriptions: SubscriptionService,
    profile: Profile,
    provider: PaymentProvider,
    payment_id: str,
    subscription_id: str | None = None,
    period_end: datetime | None = None,
) -> PeriodPaid:
    """One paid period of the monthly plan, priced as each provider charges it."""
    amount, currency = (Decimal(199), "XTR") if provider is STARS else (Decimal("3.99"), "usd")
    return await subscriptions.record_payment(
        profile.id,
        DEFAULT_PLAN,
        provider,
        payment_id,
        amount,
        currency,
        provider_subscription_id=subscription_id,
        period_end=period_end,
    )


def assert_stars_pack_row(
    row: dict[str, Any], charge: str | None, pack_id: str, *, stars: int, credits: int
) -> None:
    """What the payments row of a pack bought with Telegram Stars records."""
    assert (row["provider"], row["provider_payment_id"], row["amount"], row["currency"]) == (
        "telegram_stars",
        charge,
        stars,
        "XTR",
    )
    assert (row["credits_added"], row["kind"], row["details"]["pack_id"]) == (
        credits,
        "pack",
        pack_id,
    )


async def assert_ledger_matches(db: Database, credits: CreditService, profile: Profile) -> int:
    balance = await credits.balance(profile.id)
    assert await ledger_sum(db, profile.id) == balance
    return balance


# --- the catalogue -----------------------------------------------------------------------


async def test_three_packs_with_bonuses_and_the_monthly_plan(payments, subscriptions, db):
    packs = await payments.packs()
    assert [(p.id, p.credits, p.bonus_credits) for p in packs] == [
        ("pack_100", 100, 0),
        ("pack_300", 300, 30),
        ("pack_1000", 1000, 150),
    ]
    assert all(p.price_stars > 0 and p.stripe_price_cents > 0 for p in packs)
    plan = await subscriptions.plan(DEFAULT_PLAN)
    assert plan is not None
    rule = await db.fetch_value("SELECT credits FROM credit_rules WHERE rule = %s", [plan.id])
    assert plan.credits == rule == 250
    assert plan.period_days == 30


def test_invoice_payloads_round_trip_and_fit_telegram():
    payload = InvoicePayload(ProductKind.SUBSCRIPTION, "monthly_25images", uuid.uuid4())
    encoded = payload.encode()
    assert len(encoded.encode()) <= MAX_PAYLOAD_BYTES
    assert InvoicePayload.parse(encoded) == payload
    for foreign in ("", "pack:pack_100", "pack:Pack!:abc", f"gift:pack_100:{uuid.uuid4().hex}"):
        assert InvoicePayload.parse(foreign) is None


# --- buying packs ------------------------------------------------------------------------


async def test_a_pack_credits_its_credits_and_bonus_once(payments, credits, db, profile):
    charge = charge_id()
    purchase = await payments.purchase_pack(profile.id, "pack_300", STARS, charge, 275, "XTR")

    assert (purchase.credited, purchase.credits, purchase.balance) == (True, 330, 380)
    row = await db.fetch_one("SELECT * FROM payments WHERE id = %s", [purchase.payment_id])
    assert row is not None
    assert_stars_pack_row(row, charge, "pack_300", stars=275, credits=330)

    again = await payments.purchase_pack(profile.id, "pack_300", STARS, charge, 275, "XTR")
    assert (again.credited, again.payment_id, again.credits, again.balance) == (
        False,
        purchase.payment_id,
        330,
        380,
    )
    assert await assert_ledger_matches(db, credits, profile) == 380


async def test_50_concurrent_duplicates_of_a_payment_credit_once(payments, credits, db, profile):
    charge = charge_id()
    results = await asyncio.gather(
        *(
            payments.purchase_pack(profile.id, "pack_100", STARS, charge, 100, "XTR")
            for _ in range(50)
        )
    )
    assert sum(result.credited for result in results) == 1
    assert {result.payment_id for result in results} == {results[0].payment_id}
    assert await assert_ledger_matches(db, credits, profile) == 150
    rows = await db.fetch_value(
        "SELECT count(*) FROM credit_ledger WHERE profile_id = %s AND reason = 'payment'",
        [profile.id],
    )
    assert rows == 1


async def test_an_unknown_pack_credits_nothing(payments, credits, db, profile):
    with pytest.raises(InvalidArgument):
        await payments.purchase_pack(profile.id, "pack_42", STARS, charge_id(), 42, "XTR")
    assert await assert_ledger_matches(db, credits, profile) == 50
    assert (
        await db.fetch_value("SELECT count(*) FROM payments WHERE profile_id = %s", [profile.id])
        == 0
    )


# --- pre-checkout ------------------------------------------------------------------------


async def test_pre_checkout_decisions(payments, subscriptions, db, profile):
    pack = InvoicePayload(ProductKind.PACK, "pack_100", profile.id).encode()
    plan = InvoicePayload(ProductKind.SUBSCRIPTION, DEFAULT_PLAN, profile.id).encode()
    me = profile.telegram_id
    assert me is not None

    async def refusal(payload: str, telegram_id: int, currency: str, amount: int) -> str | None:
        try:
            await payments.check_stars_checkout(payload, telegram_id, currency, amount)
        except CheckoutRefused as refused:
            return refused.key.removeprefix("precheckout_")
        return None

    assert await refusal(pack, me, "XTR", 100) is None
    assert await refusal(plan, me, "XTR", 199) is None
    assert await refusal(pack, me, "XTR", 99) == "price_changed"
    assert await refusal(pack, me, "USD", 100) == "price_changed"
    assert await refusal(pack, me + 1, "XTR", 100) == "wrong_account"
    assert await refusal("junk", me, "XTR", 100) == "unknown_product"
    gone = InvoicePayload(ProductKind.PACK, "pack_gone", profile.id).encode()
    assert await refusal(gone, me, "XTR", 100) == "unknown_product"

    await pay_period(subscriptions, profile, STARS, charge_id())
    assert await refusal(plan, me, "XTR", 199) == "already_subscribed"

    await db.execute("UPDATE profiles SET is_banned = true WHERE id = %s", [profile.id])
    assert await refusal(pack, me, "XTR", 100) == "banned"


# --- refunds -----------------------------------------------------------------------------


async def test_a_full_refund_takes_the_credits_back_once(payments, credits, db, profile):
    purchase = await payments.purchase_pack(profile.id, "pack_300", STARS, charge_id(), 275, "XTR")

    refund = await payments.refund(purchase.payment_id, "test")

    assert (refund.taken, refund.shortfall, refund.balance, refund.already) == (330, 0, 50, False)
    row = await db.fetch_one("SELECT * FROM payments WHERE id = %s", [purchase.payment_id])
    assert row is not None
    assert row["refunded_at"] is not None
    assert (row["credits_refunded"], row["refund_shortfall"]) == (330, 0)
    entry = (await credits.ledger(profile.id, 1))[0]
    assert (entry.delta, entry.reason, entry.reference) == (
        -330,
        "payment_refund",
        str(purchase.payment_id),
    )

    again = await payments.refund(purchase.payment_id, "test")
    assert (again.taken, again.shortfall, again.balance, again.already) == (330, 0, 50, True)
    assert await assert_ledger_matches(db, credits, profile) == 50


async def test_a_refund_after_spending_takes_what_is_left(payments, credits, db, profile):
    purchase = await payments.purchase_pack(profile.id, "pack_100", STARS, charge_id(), 100, "XTR")
    await credits.admin_adjust(profile.id, -120, "spent on thumbnails", 1)  # 150 -> 30

    refund = await payments.refund(purchase.payment_id)

    assert (refund.credits_added, refund.taken, refund.shortfall, refund.balance) == (
        100,
        30,
        70,
        0,
    )
    assert await assert_ledger_matches(db, credits, profile) == 0


async def test_a_refund_with_nothing_left_moves_nothing_but_is_recorded(
    payments, credits, db, profile
):
    purchase = await payments.purchase_pack(profile.id, "pack_100", STARS, charge_id(), 100, "XTR")
    await credits.admin_adjust(profile.id, -150, "spent everything", 1)

    refund = await payments.refund(purchase.payment_id)

    assert (refund.taken, refund.shortfall, refund.balance, refund.already) == (0, 100, 0, False)
    assert (await payments.refund(purchase.payment_id)).already
    assert await assert_ledger_matches(db, credits, profile) == 0


async def test_concurrent_refunds_of_one_payment_move_credits_once(payments, credits, db, profile):
    purchase = await payments.purchase_pack(profile.id, "pack_300", STARS, charge_id(), 275, "XTR")

    results = await asyncio.gather(*(payments.refund(purchase.payment_id) for _ in range(20)))

    assert sum(not result.already for result in results) == 1
    assert await assert_ledger_matches(db, credits, profile) == 50


async def test_refunding_an_unknown_payment_is_refused(payments):
    with pytest.raises(PaymentNotFound):
        await payments.refund(uuid.uuid4())


async def test_payments_are_found_by_any_id_an_admin_may_paste(payments, profile):
    charge = charge_id()
    purchase = await payments.purchase_pack(profile.id, "pack_100", STARS, charge, 100, "XTR")
    session = f"cs_{uuid.uuid4().hex}"
    card = await payments.purchase_pack(
        profile.id, "pack_100", STRIPE, session, 1.99, "usd", {"payment_intent": f"pi_{charge}"}
    )

    for reference in (str(purchase.payment_id), charge, f"  {charge}  "):
        found = await payments.find(reference)
        assert found is not None
        assert found.id == purchase.payment_id
    found = await payments.find(f"pi_{charge}")
    assert found is not None
    assert found.id == card.payment_id
    by_intent = await payments.find_by_payment_intent(f"pi_{charge}")
    assert by_intent is not None
    assert by_intent.id == card.payment_id
    assert await payments.find("nothing-like-it") is None


# --- subscriptions -----------------------------------------------------------------------


async def test_first_payment_and_renewals_extend_the_subscription(
    subscriptions, credits, db, profile
):
    first = charge_id()
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    paid = await pay_period(subscriptions, profile, STARS, first, first, expires)
    assert (paid.credited, paid.credits, paid.balance, paid.end_date) == (True, 250, 300, expires)
    current = await subscriptions.current(profile.id)
    assert current is not None
    assert (current.provider_subscription_id, current.is_active, current.renews) == (
        first,
        True,
        True,
    )
    assert current.end_date == expires

    # A Stars renewal names no subscription: the profile's latest one is extended.
    renewal_charge = charge_id()
    renewal = await pay_period(
        subscriptions, profile, STARS, renewal_charge, period_end=expires + timedelta(days=30)
    )
    assert (renewal.subscription_id, renewal.balance) == (paid.subscription_id, 550)
    assert renewal.end_date == expires + timedelta(days=30)

    # Without a period end a payment adds the plan's 30 days to the paid-up end.
    third = await pay_period(subscriptions, profile, STARS, charge_id())
    assert third.end_date == expires + timedelta(days=60)

    # Redelivered payments change nothing, the end date included.
    for again in (first, renewal_charge):
        duplicate = await pay_period(subscriptions, profile, STARS, again, period_end=expires)
        assert (duplicate.credited, duplicate.subscription_id) == (False, paid.subscription_id)
        assert duplicate.end_date == expires + timedelta(days=60)
    assert await assert_ledger_matches(db, credits, profile) == 50 + 3 * 250
    rows = await db.fetch_value(
        "SELECT count(*) FROM subscriptions WHERE profile_id = %s", [profile.id]
    )
    assert rows == 1
    linked = await db.fetch_value(
        "SELECT count(*) FROM payments WHERE subscription_id = %s", [paid.subscription_id]
    )
    assert linked == 3


async def test_50_concurrent_duplicates_of_a_period_credit_once(
    subscriptions, credits, db, profile
):
    invoice, subscription = stripe_id("in"), stripe_id("sub")
    results = await asyncio.gather(
        *(pay_period(subscriptions, profile, STRIPE, invoice, subscription) for _ in range(50))
    )
    assert sum(result.credited for result in results) == 1
    assert await assert_ledger_matches(db, credits, profile) == 300


async def test_someone_elses_subscription_id_is_refused_and_nothing_moves(
    subscriptions, credits, accounts, new_user, db, profile
):
    other = (await accounts.register(new_user())).profile
    shared = stripe_id("sub")
    await pay_period(subscriptions, other, STRIPE, stripe_id("in"), shared)
    with pytest.raises(InvalidArgument):
        await pay_period(subscriptions, profile, STRIPE, stripe_id("in"), shared)
    assert await assert_ledger_matches(db, credits, profile) == 50


async def test_cancel_keeps_the_period_and_expiry_ends_it_once(subscriptions, db, profile):
    first = charge_id()
    end = datetime.now(UTC) + timedelta(days=30)
    await pay_period(subscriptions, profile, STARS, first, first, end)
    change = await subscriptions.update(STARS, first, renews=False)
    assert change is not None
    assert (change.is_active, change.ended_now, change.canceled_at is not None) == (
        True,
        False,
        True,
    )

    # Controlled time (the row's end moves into the past; other tests' rows stay as they
    # are): nothing lapses within the grace after the end, then it lapses exactly once.
    async def ended_ago(hours: int) -> list[Lapse]:
        await db.execute(
            "UPDATE subscriptions SET end_date = now() - make_interval(hours => %s)"
            " WHERE provider_subscription_id = %s",
            [hours, first],
        )
        return [x for x in await subscriptions.expire_lapsed() if x.profile_id == profile.id]

    assert await ended_ago(1) == []
    assert await subscriptions.current(profile.id) is not None
    lapsed = await ended_ago(3)
    assert [(x.plan_name, x.still_subscribed) for x in lapsed] == [(DEFAULT_PLAN, False)]
    assert await ended_ago(3) == []
    assert await subscriptions.current(profile.id) is None


async def test_a_lapse_while_another_plan_runs_says_so(subscriptions, db, profile):
    old = charge_id()
    await pay_period(subscriptions, profile, STARS, old, old)
    await pay_period(subscriptions, profile, STRIPE, stripe_id("in"), stripe_id("sub"))
    await db.execute(
        "UPDATE subscriptions SET end_date = now() - interval '1 day'"
        " WHERE provider_subscription_id = %s",
        [old],
    )
    lapsed = [x for x in await subscriptions.expire_lapsed() if x.profile_id == profile.id]
    assert [x.still_subscribed for x in lapsed] == [True]


async def test_a_provider_ending_a_subscription(subscriptions, profile):
    sub = stripe_id("sub")
    await pay_period(subscriptions, profile, STRIPE, stripe_id("in"), sub)
    ended = await subscriptions.update(STRIPE, sub, renews=False, ended=True)
    assert ended is not None
    assert ended.ended_now
    again = await subscriptions.update(STRIPE, sub, renews=False, ended=True)
    assert again is not None
    assert not again.ended_now
    assert await subscriptions.update(STRIPE, "sub_unknown", ended=True) is None
    assert await subscriptions.current(profile.id) is None


async def test_refunding_the_latest_period_ends_the_plan(
    subscriptions, payments, credits, db, profile
):
    first = charge_id()
    paid = await pay_period(subscriptions, profile, STARS, first, first)
    refund = await payments.refund(paid.payment_id)
    assert (refund.taken, refund.balance) == (250, 50)
    assert await subscriptions.current(profile.id) is None
    assert await assert_ledger_matches(db, credits, profile) == 50


# --- Stripe event claims -----------------------------------------------------------------


async def test_a_stripe_event_is_claimed_once_and_retried_after_a_failure(db):
    event = f"evt_{uuid.uuid4().hex}"
    claim = "SELECT claim_stripe_event(%s, 'invoice.paid', 60)"
    states = await asyncio.gather(*(db.fetch_value(claim, [event]) for _ in range(20)))
    assert sorted(set(states)) == ["busy", "claimed"]
    assert states.count("claimed") == 1

    await db.execute("SELECT finish_stripe_event(%s, false, 'failed')", [event])
    assert await db.fetch_value(claim, [event]) == "claimed"
    await db.execute("SELECT finish_stripe_event(%s, true, 'done')", [event])
    assert await db.fetch_value(claim, [event]) == "processed"
    attempts = await db.fetch_value("SELECT attempts FROM stripe_events WHERE id = %s", [event])
    assert attempts == 2


# --- the price check (sql/011) -----------------------------------------------------------

PRICE_CASES = {
    # name: (provider, pack, amount, currency, reason, credits)
    "1 star for the 1,150-credit pack": (STARS, "pack_1000", 1, "XTR", "underpaid", 0),
    "stars counted as dollars": (STARS, "pack_1000", 850, "USD", "currency", 0),
    "more stars than the price": (STARS, "pack_1000", 900, "XTR", "overpaid", 1150),
    "a card paying less": (STRIPE, "pack_300", Decimal("1.99"), "usd", "underpaid", 0),
    "a card in euros": (STRIPE, "pack_300", Decimal("4.99"), "eur", "currency", 0),
}
EXPECTED_PRICES = {"pack_1000": (Decimal(850), "XTR"), "pack_300": (Decimal("4.99"), "usd")}


@pytest.mark.parametrize("case", list(PRICE_CASES))
async def test_a_payment_that_does_not_match_the_price_credits_only_what_it_paid_for(
    case: str, payments, credits, db, profile, caplog: pytest.LogCaptureFixture
):
    provider, pack_id, amount, currency, reason, credited = PRICE_CASES[case]
    payment_id = charge_id() if provider is STARS else stripe_id("cs")

    purchase = await payments.purchase_pack(
        profile.id, pack_id, provider, payment_id, amount, currency
    )
    again = await payments.purchase_pack(
        profile.id, pack_id, provider, payment_id, amount, currency
    )

    assert (purchase.credited, purchase.credits, purchase.balance) == (
        True,
        credited,
        50 + credited,
    )
    assert purchase.mismatch is not None
    expected_amount, expected_currency = EXPECTED_PRICES[pack_id]
    assert (purchase.mismatch.reason.value, purchase.mismatch.credits_added) == (reason, credited)
    assert (purchase.mismatch.expected_amount, purchase.mismatch.expected_currency) == (
        expected_amount,
        expected_currency,
    )
    assert (again.credited, again.payment_id, again.balance) == (
        False,
        purchase.payment_id,
        50 + credited,
    )
    assert again.mismatch is not None
    assert again.mismatch.reason == purchase.mismatch.reason
    # What an accountant sees: one payment with what arrived and why it credited what it did.
    [row] = await db.fetch_all("SELECT * FROM payments WHERE profile_id = %s", [profile.id])
    assert (row["amount"], row["currency"], row["credits_added"]) == (amount, currency, credited)
    due = 1150 if pack_id == "pack_1000" else 330
    assert row["details"]["mismatch"] == {
        "reason": reason,
        "expected_amount": float(expected_amount) if provider is STRIPE else int(expected_amount),
        "expected_currency": expected_currency,
        "credits_due": due,
    }
    ledger = await db.fetch_value(
        "SELECT count(*) FROM credit_ledger WHERE profile_id = %s AND reason = 'payment'",
        [profile.id],
    )
    assert ledger == (1 if credited else 0)
    assert await assert_ledger_matches(db, credits, profile) == 50 + credited
    warnings = [r for r in caplog.records if str(purchase.payment_id) in r.getMessage()]
    assert [r.levelname for r in warnings] == ["WARNING"]  # once, not for the redelivery


async def test_the_exact_price_records_no_mismatch(payments, db, profile):
    purchase = await payments.purchase_pack(profile.id, "pack_300", STARS, charge_id(), 275, "XTR")
    card = await payments.purchase_pack(
        profile.id, "pack_300", STRIPE, stripe_id("cs"), Decimal("4.99"), "usd"
    )
    assert purchase.mismatch is None
    assert card.mismatch is None
    details = await db.fetch_all("SELECT details FROM payments WHERE profile_id = %s", [profile.id])
    assert ["mismatch" in row["details"] for row in details] == [False, False]


async def test_an_underpaid_period_credits_nothing_and_starts_no_plan(
    subscriptions, credits, db, profile
):
    charge = charge_id()
    paid = await subscriptions.record_payment(
        profile.id, DEFAULT_PLAN, STARS, charge, 1, "XTR", provider_subscription_id=charge
    )

    assert (paid.credited, paid.credits, paid.balance, paid.subscription_id) == (True, 0, 50, None)
    assert paid.mismatch is not None
    assert (paid.mismatch.reason.value, paid.mismatch.credits_due) == ("underpaid", 250)
    assert await subscriptions.current(profile.id) is None
    row = await db.fetch_one("SELECT * FROM payments WHERE provider_payment_id = %s", [charge])
    assert row is not None
    assert (row["credits_added"], row["subscription_id"]) == (0, None)
    assert row["details"]["mismatch"]["reason"] == "underpaid"
    assert await assert_ledger_matches(db, credits, profile) == 50


@contextlib.asynccontextmanager
async def plan_priced(db: Database, stars: int) -> AsyncIterator[None]:
    """The plan's Stars price changed for a while (restored after, for other tests)."""
    before = await db.fetch_value(
        "SELECT price_stars FROM subscription_plans WHERE id = %s", [DEFAULT_PLAN]
    )
    await db.execute(
        "UPDATE subscription_plans SET price_stars = %s WHERE id = %s", [stars, DEFAULT_PLAN]
    )
    try:
        yield
    finally:
        await db.execute(
            "UPDATE subscription_plans SET price_stars = %s WHERE id = %s", [before, DEFAULT_PLAN]
        )


async def test_a_renewal_may_pay_the_price_its_subscription_started_at(
    subscriptions, credits, accounts, new_user, db, profile
):
    first = charge_id()
    started = await pay_period(subscriptions, profile, STARS, first, first)
    newcomer = (await accounts.register(new_user())).profile

    async with plan_priced(db, 249):
        # Telegram keeps charging a subscriber the 199 they agreed to.
        renewal = await pay_period(subscriptions, profile, STARS, charge_id())
        # Less than that is still too little, and does not extend the plan.
        short = await subscriptions.record_payment(
            profile.id, DEFAULT_PLAN, STARS, charge_id(), 150, "XTR"
        )
        # Someone subscribing now pays the new price.
        late = await pay_period(subscriptions, newcomer, STARS, charge_id())

    assert started.mismatch is None
    assert (renewal.mismatch, renewal.credits, renewal.subscription_id) == (
        None,
        250,
        started.subscription_id,
    )
    assert short.mismatch is not None
    assert (short.mismatch.reason.value, short.mismatch.expected_amount) == ("underpaid", 199)
    assert (short.credits, short.balance) == (0, 550)
    current = await subscriptions.current(profile.id)
    assert current is not None
    assert current.end_date == renewal.end_date
    assert late.mismatch is not None
    assert (late.mismatch.reason.value, late.mismatch.expected_amount, late.credits) == (
        "underpaid",
        249,
        0,
    )
    assert await assert_ledger_matches(db, credits, profile) == 550
