"""The Supabase account path: the real `supabase` library talks HTTP to a loopback
stand-in of the Auth admin API, which writes auth.users in the test database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from supabase_auth.errors import AuthApiError

from bot.settings import Settings
from bot.wiring import build_auth_users
from services.accounts import AccountService
from services.adapters.auth_users import SupabaseAuthUsers
from services.adapters.db import Database
from tests.conftest import ledger_sum
from tests.standins.supabase_auth import SupabaseAuthStandIn

# JWT-shaped like a real service role key; it only has to match the stand-in's.
SERVICE_KEY = "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c3RhbmQtaW4tc2lnbmF0dXJl"


@pytest.fixture
async def auth_server(migrated_conninfo: str) -> AsyncIterator[SupabaseAuthStandIn]:
    server = SupabaseAuthStandIn(migrated_conninfo, SERVICE_KEY, latency=0.02)
    await server.start()
    yield server
    await server.stop()


def supabase_settings(url: str, key: str = SERVICE_KEY) -> Settings:
    return Settings(_env_file=None, supabase_url=url, supabase_service_role_key=key)  # type: ignore[call-arg]


async def test_new_user_gets_a_supabase_account_and_a_profile(
    auth_server: SupabaseAuthStandIn, db: Database, new_user
):
    auth_users = await build_auth_users(supabase_settings(auth_server.url), db)
    assert isinstance(auth_users, SupabaseAuthUsers)
    accounts = AccountService(db, auth_users)
    user = new_user(username="grace", first_name="Grace")

    registration = await accounts.register(user)

    [request] = auth_server.requests
    assert "password" not in request
    assert request["email"] == f"telegram-{user.id}@users.telegram.invalid"
    assert request["email_confirm"] is True
    assert request["app_metadata"]["telegram_id"] == user.id
    assert request["user_metadata"] == {"username": "grace", "first_name": "Grace"}
    auth_row = await db.fetch_one(
        "SELECT * FROM auth.users WHERE id = %s", [registration.profile.id]
    )
    assert auth_row is not None
    assert registration.created is True
    assert registration.profile.credits == 50


async def test_returning_user_does_not_call_supabase_again(
    auth_server: SupabaseAuthStandIn, db: Database, new_user
):
    accounts = AccountService(db, await build_auth_users(supabase_settings(auth_server.url), db))
    user = new_user()
    await accounts.register(user)
    again = await accounts.register(user)
    assert again.created is False
    assert len(auth_server.requests) == 1


async def test_simultaneous_first_contacts_make_one_supabase_user(
    auth_server: SupabaseAuthStandIn, db: Database, new_user
):
    accounts = AccountService(db, await build_auth_users(supabase_settings(auth_server.url), db))
    user = new_user()

    registrations = await asyncio.gather(*(accounts.register(user) for _ in range(10)))

    assert sum(r.created for r in registrations) == 1
    profile_id = registrations[0].profile.id
    assert {r.profile.id for r in registrations} == {profile_id}
    assert (
        await db.fetch_value(
            "SELECT count(*) FROM auth.users WHERE email = %s",
            [f"telegram-{user.id}@users.telegram.invalid"],
        )
        == 1
    )
    assert await ledger_sum(db, profile_id) == 50


async def test_a_wrong_service_key_creates_nothing(
    auth_server: SupabaseAuthStandIn, db: Database, new_user
):
    wrong_key = SERVICE_KEY.replace("c3RhbmQ", "d3Jvbmc")
    accounts = AccountService(
        db, await build_auth_users(supabase_settings(auth_server.url, wrong_key), db)
    )
    user = new_user()

    with pytest.raises(AuthApiError) as refused:
        await accounts.register(user)

    assert refused.value.code == "bad_jwt"
    assert await accounts.find_by_telegram_id(user.id) is None
