"""Builds the services from the settings: which backend each one uses is decided here."""

from __future__ import annotations

from supabase import AsyncClient, AsyncClientOptions, acreate_client

from bot.settings import Settings
from services.accounts import AccountService
from services.auth_users import AuthUsers, LocalAuthUsers, SupabaseAuthUsers
from services.catalog import CatalogService
from services.container import Services
from services.credits import CreditService
from services.db import Database
from services.drafts import DraftService
from services.faces import FaceService
from services.generation import GenerationService, VideoLookup
from services.generators.base import Generator
from services.generators.local_renderer import LocalRenderer
from services.referrals import ReferralService
from services.storage import LocalStorage
from services.youtube import YouTubeClient


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


async def build_services(
    settings: Settings,
    db: Database,
    *,
    generator: Generator | None = None,
    videos: VideoLookup | None = None,
) -> Services:
    """Everything the handlers use. Tests pass their own generator or video lookup to
    point them at loopback stand-ins; the bot uses the configured ones."""
    storage = LocalStorage(settings.data_dir / "files")
    credits = CreditService(db)
    faces = FaceService(db, storage)
    videos = videos or YouTubeClient()
    generations = GenerationService(
        db, credits, faces, storage, generator or LocalRenderer(), videos
    )
    return Services(
        db=db,
        accounts=AccountService(db, await build_auth_users(settings, db)),
        referrals=ReferralService(db),
        credits=credits,
        catalog=CatalogService(db),
        faces=faces,
        drafts=DraftService(db),
        generations=generations,
        videos=videos,
    )
