"""Supabase's public API roles (anon, authenticated) can neither read nor write any table,
nor move money; only the bot (owner / service_role) can."""

from __future__ import annotations

import psycopg
import pytest

from services.adapters.db import Database

PUBLIC_ROLES = ["anon", "authenticated"]
MONEY_FUNCTIONS = {
    "create_profile": "SELECT * FROM create_profile(gen_random_uuid(), 1, NULL, NULL, NULL)",
    "apply_referral": "SELECT * FROM apply_referral(gen_random_uuid(), 'CODE')",
    "charge_generation": "SELECT * FROM charge_generation(gen_random_uuid(), 'text_to_thumbnail')",
    "complete_generation": "SELECT * FROM complete_generation(gen_random_uuid(), 'x')",
    "fail_generation": "SELECT * FROM fail_generation(gen_random_uuid(), 'x')",
    "credit_payment": "SELECT * FROM credit_payment(gen_random_uuid(), 'stripe', 'x', 1, 'usd', 1)",
    "admin_adjust_credits": "SELECT admin_adjust_credits(gen_random_uuid(), 5, 'x', 1)",
    "upsert_generation_type": "SELECT upsert_generation_type('free', 'Free', 0)",
    "move_credits": "SELECT move_credits(gen_random_uuid(), 5, 'admin_grant', NULL)",
    "purchase_pack": (
        "SELECT * FROM purchase_pack(gen_random_uuid(), 'pack_100', 'stripe', 'x', 1, 'usd')"
    ),
    "record_subscription_payment": (
        "SELECT * FROM record_subscription_payment("
        "gen_random_uuid(), 'monthly_25images', 'stripe', 'sub', 'in', 1, 'usd')"
    ),
    "refund_payment": "SELECT * FROM refund_payment(gen_random_uuid())",
    "update_subscription": "SELECT * FROM update_subscription('stripe', 'sub', false, true)",
    "expire_subscriptions": "SELECT * FROM expire_subscriptions()",
    "claim_stripe_event": "SELECT claim_stripe_event('evt', 'charge.refunded')",
    "finish_stripe_event": "SELECT finish_stripe_event('evt', true, 'x')",
}


async def public_tables(db: Database) -> list[str]:
    rows = await db.fetch_all(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    )
    return [row["tablename"] for row in rows]


async def run_as(conninfo: str, role: str, statement: str) -> None:
    """Runs one statement as `role`, the way PostgREST does for API requests."""
    async with await psycopg.AsyncConnection.connect(conninfo) as conn, conn.transaction():
        await conn.execute(f"SET LOCAL ROLE {role}")
        await conn.execute(statement)


async def test_every_public_table_has_row_level_security(db: Database):
    tables = await public_tables(db)
    assert {"profiles", "generations", "payments", "credit_ledger", "schema_migrations"} <= set(
        tables
    )
    rows = await db.fetch_all(
        """
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind = 'r' AND NOT c.relrowsecurity
        """
    )
    assert rows == []
    open_policies = await db.fetch_all(
        "SELECT tablename, policyname, roles FROM pg_policies WHERE schemaname = 'public' "
        "AND roles && ARRAY['anon', 'authenticated', 'public']::name[]"
    )
    assert open_policies == []


@pytest.mark.parametrize("role", PUBLIC_ROLES)
async def test_public_roles_cannot_read_or_write_tables(db: Database, migrated_conninfo: str, role):
    for table in await public_tables(db):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            await run_as(migrated_conninfo, role, f"SELECT * FROM public.{table} LIMIT 1")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            await run_as(migrated_conninfo, role, f"INSERT INTO public.{table} DEFAULT VALUES")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            await run_as(migrated_conninfo, role, f"DELETE FROM public.{table}")


@pytest.mark.parametrize("role", PUBLIC_ROLES)
@pytest.mark.parametrize("function", sorted(MONEY_FUNCTIONS))
async def test_public_roles_cannot_execute_money_functions(migrated_conninfo: str, role, function):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        await run_as(migrated_conninfo, role, MONEY_FUNCTIONS[function])


async def test_service_role_reads_through_its_policy(migrated_conninfo: str, db: Database):
    async with await psycopg.AsyncConnection.connect(migrated_conninfo) as conn, conn.transaction():
        await conn.execute("SET LOCAL ROLE service_role")
        cursor = await conn.execute("SELECT count(*) FROM generation_types")
        row = await cursor.fetchone()
    assert row is not None
    assert row[0] >= 6
