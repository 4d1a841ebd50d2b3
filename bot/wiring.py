"""Builds the services from the settings: which backend each one uses is decided here."""

from __future__ import annotations

from dataclasses import dataclass

from supabase import AsyncClient, AsyncClientOptions, acreate_client

from bot.settings import Settings
from services.accounts import AccountService
from services.auth_users import AuthUsers, LocalAuthUsers, SupabaseAuthUsers
from services.catalog import CatalogService
from services.credits import CreditService
from services.db import Database
from services.referrals import ReferralService


async def supabase_client(settings: Settings) -> AsyncClient:
    """A service-role client: no session to persist or refresh, it acts as the server."""
    url, key = settings.supabase_url, settings.supabase_service_role_key
    if not url or key is None:
        raise ValueError("SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY are both required")
    return await acreate_client(
        url,
        key.get_secret_value(),
        AsyncClientOptions(auto_refresh_token=False, persist_session=False),
    )


async def build_auth_users(settings: Settings, db: Database) -> AuthUsers:
    if settings.supabase_enabled:
        return SupabaseAuthUsers(await supabase_client(settings), db)
    return LocalAuthUsers(db)


@dataclass(frozen=True)
class Services:
    db: Database
    accounts: AccountService
    referrals: ReferralService
    credits: CreditService
    catalog: CatalogService


async def build_services(settings: Settings, db: Database) -> Services:
    return Services(
        db=db,
        accounts=AccountService(db, await build_auth_users(settings, db)),
        referrals=ReferralService(db),
        credits=CreditService(db),
        catalog=CatalogService(db),
    )
