"""Stripe posts its events to {PUBLIC_URL}/stripe/webhook (mounted only when STRIPE_* is
set). The endpoint verifies each event on the raw body before anything is touched
(services/adapters/stripe_billing.py); users hear in their chat when a web payment lands, and the
admins when one did not match its price."""

from __future__ import annotations

from aiohttp import web
from telegram.ext import Application

from bot.notifiers import TelegramAdminNotifier, TelegramPaymentNotifier
from bot.web import provider_webhook_route
from services.accounts import AccountService
from services.adapters.stripe_billing import StripeBilling
from services.drafts import DraftService

STRIPE_WEBHOOK_PATH = "/stripe/webhook"


def stripe_webhook_route(
    application: Application,  # type: ignore[type-arg]
    billing: StripeBilling,
    accounts: AccountService,
    drafts: DraftService,
    admin_ids: frozenset[int] = frozenset(),
) -> web.RouteDef:
    notify = TelegramPaymentNotifier(application.bot, accounts, drafts)
    alert = TelegramAdminNotifier(application.bot, accounts, admin_ids)
    return provider_webhook_route(STRIPE_WEBHOOK_PATH, billing.webhook_endpoint(notify, alert))
