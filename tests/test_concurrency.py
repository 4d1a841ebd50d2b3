"""Hundreds of simultaneous money moves on one profile: nothing lost, nothing given twice."""

from __future__ import annotations

import asyncio
import contextlib

from services.accounts import AccountService
from services.adapters.db import Database
from services.credits import CreditService, PaymentProvider
from services.errors import InsufficientCredits
from tests.conftest import ledger_sum


async def test_500_concurrent_charges_on_credit_for_10(
    accounts: AccountService, credits: CreditService, db: Database, new_user
):
    profile = (await accounts.register(new_user())).profile
    await credits.admin_adjust(profile.id, 50, "top up to exactly 100 credits", 1)  # 10 x cost 10

    async def attempt() -> bool:
        try:
            await credits.charge_generation(profile.id, "text_to_thumbnail")
        except InsufficientCredits:
            return False
        return True

    outcomes = await asyncio.gather(*(attempt() for _ in range(500)))

    assert sum(outcomes) == 10
    assert await credits.balance(profile.id) == 0
    assert await ledger_sum(db, profile.id) == 0
    generations = await db.fetch_value(
        "SELECT count(*) FROM generations WHERE profile_id = %s", [profile.id]
    )
    charges = await db.fetch_value(
        "SELECT count(*) FROM credit_ledger WHERE profile_id = %s AND reason = 'generation_charge'",
        [profile.id],
    )
    assert generations == charges == 10


async def test_mixed_concurrent_moves_keep_the_ledger_exact(
    accounts: AccountService, credits: CreditService, db: Database, new_user
):
    """Charges, refunds, payments and grants interleaved on one profile."""
    profile = (await accounts.register(new_user())).profile
    first = [await credits.charge_generation(profile.id, "text_to_thumbnail") for _ in range(5)]

    async def pay(n: int) -> None:
        payment_id = f"mixed-{profile.id}-{n % 10}"  # each id delivered 10 times
        await credits.credit_payment(profile.id, PaymentProvider.STRIPE, payment_id, 1, "usd", 7)

    async def charge() -> None:
        with contextlib.suppress(InsufficientCredits):
            await credits.charge_generation(profile.id, "text_to_thumbnail")

    tasks = [pay(n) for n in range(100)]
    tasks += [charge() for _ in range(100)]
    tasks += [
        credits.fail_generation(g.generation_id, "retry storm") for g in first for _ in range(10)
    ]
    await asyncio.gather(*tasks)

    balance = await credits.balance(profile.id)
    assert balance == await ledger_sum(db, profile.id)
    charged = await db.fetch_value(
        "SELECT count(*) FROM generations WHERE profile_id = %s", [profile.id]
    )
    # 50 signup + 5 refunds x 10 + 10 distinct payments x 7 - 10 per generation charged.
    assert balance == 50 + 50 + 70 - 10 * charged
    assert balance >= 0
