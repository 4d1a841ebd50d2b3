"""The services one bot process runs with, built by bot/wiring.py and handed to handlers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from services.accounts import AccountService
from services.adapters.db import Database
from services.adapters.storage import Storage
from services.adapters.stripe_api import StripeApi
from services.adapters.stripe_events import StripeEvents
from services.audit import AuditService
from services.brand_kits import BrandKitService
from services.catalog import CatalogService
from services.credits import CreditService
from services.drafts import DraftService
from services.edits import EditService
from services.faces import FaceService
from services.generation import Doorbell, GenerationService, VideoLookup
from services.orders import OrderService
from services.payments import PaymentService
from services.references import ReferenceService
from services.referrals import ReferralService
from services.subscriptions import SubscriptionService
from services.user_locks import UserLockService

# A provider webhook as the web server calls it: (raw body, headers) -> HTTP status.
WebhookEndpoint = Callable[[bytes, Mapping[str, str]], Awaitable[int]]


@dataclass(frozen=True)
class Services:
    db: Database
    accounts: AccountService
    audit: AuditService
    referrals: ReferralService
    credits: CreditService
    catalog: CatalogService
    faces: FaceService
    drafts: DraftService
    generations: GenerationService
    edits: EditService  # edit by instruction
    videos: VideoLookup
    references: ReferenceService
    orders: OrderService
    doorbell: Doorbell
    storage: Storage
    payments: PaymentService
    subscriptions: SubscriptionService
    brand_kits: BrandKitService  # /style
    user_locks: UserLockService  # one tap of a user's at a time, across processes
    generator_webhook: WebhookEndpoint | None = None
    stripe: StripeApi | None = None  # None: Stripe is not configured (Stars only)
    stripe_events: StripeEvents | None = None  # its webhook, configured with it
    admin_ids: frozenset[int] = frozenset()  # Telegram ids allowed the admin commands
