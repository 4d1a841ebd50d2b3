"""Builds the services from the settings: which backend each one uses is decided here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.metrics import MeasuredGenerator
from bot.settings import Settings
from services.accounts import AccountService
from services.adapters.auth_users import AuthUsers, LocalAuthUsers, SupabaseAuthUsers
from services.adapters.db import Database
from services.adapters.storage import LocalStorage, Storage
from services.adapters.stripe_api import StripeApi, StripeConfig
from services.adapters.stripe_events import StripeEvents
from services.adapters.youtube import YouTubeClient
from services.audit import AuditService
from services.brand_kits import BrandKitService
from services.catalog import CatalogService
from services.container import Services, WebhookEndpoint
from services.credits import CreditService
from services.drafts import DraftService
from services.edits import EditService
from services.faces import FaceService
from services.generation import Doorbell, GenerationService, VideoLookup
from services.generators.base import Generator
from services.generators.editing import EditingGenerator
from services.generators.local_renderer import LocalRenderer
from services.generators.prediction_log import PredictionLog
from services.generators.replicate_generator import (
    ReplicateGenerator,
    ReplicateOptions,
    replicate_client,
)
from services.generators.replicate_models import ReplicateModels
from services.generators.replicate_webhook import (
    PredictionWaiter,
    ReplicateWebhookEndpoint,
    WebhookSecret,
)
from services.orders import OrderService
from services.payments import PaymentService
from services.references import ReferenceService
from services.referrals import ReferralService
from services.subscriptions import SubscriptionService
from services.user_locks import UserLockService

if TYPE_CHECKING:  # Supabase's libraries take 0.2 s to import: only a configured run does
    from supabase import AsyncClient


async def supabase_client(settings: Settings) -> AsyncClient:
    """A service-role client: no session to persist or refresh, it acts as the server."""
    from supabase import AsyncClientOptions, acreate_client

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


async def build_storage(settings: Settings) -> Storage:
    """Supabase Storage (private buckets, made if missing) when Supabase is configured;
    otherwise files under DATA_DIR/files."""
    if settings.supabase_enabled:
        from services.adapters.supabase_storage import SupabaseStorage

        storage = SupabaseStorage(await supabase_client(settings))
        await storage.ensure_buckets()
        return storage
    return LocalStorage(settings.data_dir / "files")


REPLICATE_WEBHOOK_PATH = "/replicate/webhook"


def build_generator(settings: Settings, db: Database) -> tuple[Generator, WebhookEndpoint | None]:
    """Replicate when REPLICATE_API_TOKEN is set (with webhooks when PUBLIC_URL is set),
    else the offline local renderer."""
    if settings.replicate_api_token is None:
        return LocalRenderer(), None
    client = replicate_client(
        settings.replicate_api_token.get_secret_value(), settings.replicate_base_url
    )
    models, log = ReplicateModels(db), PredictionLog(db)
    if not settings.public_url:
        return ReplicateGenerator(client, models, log=log), None
    waiter = PredictionWaiter()
    options = ReplicateOptions(webhook_url=f"{settings.public_url}{REPLICATE_WEBHOOK_PATH}")
    endpoint = ReplicateWebhookEndpoint(WebhookSecret(client), waiter)
    return ReplicateGenerator(client, models, options, waiter, log), endpoint


def build_stripe(
    settings: Settings, db: Database, payments: PaymentService, subscriptions: SubscriptionService
) -> tuple[StripeApi, StripeEvents] | tuple[None, None]:
    """Stripe Checkout and its webhook only when both STRIPE_* secrets are set: digital
    goods sold inside Telegram must be paid in Stars, so card links are opt-in."""
    secret_key, webhook_secret = settings.stripe_secret_key, settings.stripe_webhook_secret
    if secret_key is None or webhook_secret is None:
        return None, None
    config = StripeConfig(
        secret_key.get_secret_value(), webhook_secret.get_secret_value(), settings.stripe_api_base
    )
    return (
        StripeApi(config, payments, subscriptions),
        StripeEvents(config, db, payments, subscriptions),
    )


async def build_services(
    settings: Settings,
    db: Database,
    *,
    generator: Generator | None = None,
    videos: VideoLookup | None = None,
) -> Services:
    """Everything the handlers use. Tests pass their own generator or video lookup to
    point them at loopback stand-ins; the bot uses the configured ones."""
    storage = await build_storage(settings)
    credits = CreditService(db)
    faces = FaceService(db, storage)
    videos = videos or YouTubeClient()
    doorbell = Doorbell()
    configured, generator_webhook = build_generator(settings, db)
    inner = generator or configured
    editing = EditingGenerator(inner, model_edits=isinstance(inner, ReplicateGenerator))
    measured = MeasuredGenerator(editing, "replicate" if editing.model_edits else "local")
    generations = GenerationService(db, credits, faces, storage, measured, videos, doorbell)
    payments, subscriptions = PaymentService(db), SubscriptionService(db)
    drafts, references = DraftService(db), ReferenceService(videos, storage)
    stripe_api, stripe_events = build_stripe(settings, db, payments, subscriptions)
    return Services(
        db=db,
        accounts=AccountService(db, await build_auth_users(settings, db)),
        audit=AuditService(db),
        referrals=ReferralService(db),
        credits=credits,
        catalog=CatalogService(db),
        faces=faces,
        drafts=drafts,
        generations=generations,
        edits=EditService(db, generations, model_edits=editing.model_edits),
        videos=videos,
        references=references,
        orders=OrderService(drafts, references),
        doorbell=doorbell,
        storage=storage,
        payments=payments,
        subscriptions=subscriptions,
        brand_kits=BrandKitService(db, storage, faces),
        user_locks=UserLockService(db),
        generator_webhook=generator_webhook,
        stripe=stripe_api,
        stripe_events=stripe_events,
        admin_ids=settings.admin_ids,
    )
