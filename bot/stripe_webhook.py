"""Stripe posts its events to {PUBLIC_URL}/stripe/webhook (mounted only when STRIPE_* is
set). The endpoint verifies each event on the raw body before anything is touched
(services/adapters/stripe_events.py); users hear in their chat when a web payment lands,
and the admins when one did not match its price."""

from __future__ import annotations

from aiohttp import web

from bot.notifiers import TelegramAdminNotifier, TelegramPaymentNotifier
from bot.web import provider_webhook_route
from handlers.context import TelegramApp
from services.adapters.stripe_events import StripeEvents
from services.container import Services

STRIPE_WEBHOOK_PATH = "/stripe/webhook"


def stripe_webhook_route(
    application: TelegramApp, events: StripeEvents, services: Services
) -> web.RouteDef:
    notify = TelegramPaymentNotifier(application.bot, services.accounts, services.drafts)
    alert = TelegramAdminNotifier(application.bot, services.accounts, services.admin_ids)
    return provider_webhook_route(STRIPE_WEBHOOK_PATH, events.webhook_endpoint(notify, alert))
