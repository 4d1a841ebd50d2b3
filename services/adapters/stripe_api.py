"""What the bot asks of Stripe (only when STRIPE_* is configured): Checkout links for
packs and the plan, and switching a plan's renewal. What Stripe tells the bot back is
services/adapters/stripe_events.py.

Checkout sessions carry the profile twice (client_reference_id and metadata, which
subscriptions copy to their invoices), so the webhook can credit the right profile.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal
from uuid import UUID

import stripe
from stripe.params.checkout import (
    SessionCreateParams,
    SessionCreateParamsLineItemPriceData,
)

from services.errors import UserFacingError
from services.payments import PaymentService
from services.subscriptions import DEFAULT_PLAN, SubscriptionService

# Currencies Stripe counts in whole units (no cents).
ZERO_DECIMAL = frozenset(
    {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga"}
    | {"pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"}
)


@dataclass(frozen=True)
class StripeConfig:
    secret_key: str
    webhook_secret: str
    api_base: str | None = None


class StripeUnavailable(UserFacingError):
    """Stripe refused or could not be reached, or the product is not on sale; the user
    is asked to pay with Stars or try later."""

    key = "checkout_unavailable"
    log_level = logging.WARNING


def major_units(amount: int | None, currency: str | None) -> Decimal:
    """Stripe amounts are in minor units (cents) except for zero-decimal currencies."""
    value = Decimal(amount or 0)
    return value if (currency or "").lower() in ZERO_DECIMAL else value / 100


def stripe_client(config: StripeConfig) -> stripe.StripeClient:
    """The client both directions use (Stripe's own retries for network blips)."""
    return stripe.StripeClient(
        config.secret_key,
        base_addresses={"api": config.api_base} if config.api_base else None,
        max_network_retries=2,
    )


class StripeApi:
    def __init__(
        self, config: StripeConfig, payments: PaymentService, subscriptions: SubscriptionService
    ) -> None:
        self._payments = payments
        self._subscriptions = subscriptions
        self._client = stripe_client(config)

    async def checkout_pack(
        self, profile_id: UUID, telegram_id: int, pack_id: str, return_url: str
    ) -> str:
        """A Checkout link for one pack (the webhook credits it)."""
        pack = await self._payments.pack(pack_id)
        if pack is None or not pack.active:
            raise StripeUnavailable(f"no credit pack {pack_id} on sale")
        metadata = _metadata(profile_id, telegram_id, kind="pack", pack_id=pack.id)
        price = _price(pack.stripe_currency, pack.stripe_price_cents, pack.total_credits)
        return await self._checkout(profile_id, return_url, "payment", metadata, price)

    async def checkout_subscription(
        self, profile_id: UUID, telegram_id: int, return_url: str, plan_id: str = DEFAULT_PLAN
    ) -> str:
        """A Checkout link for the monthly plan; its invoices carry the profile too."""
        plan = await self._subscriptions.plan(plan_id)
        if plan is None or not plan.active:
            raise StripeUnavailable(f"no subscription plan {plan_id} on sale")
        metadata = _metadata(profile_id, telegram_id, kind="subscription", plan_id=plan.id)
        price = _price(plan.stripe_currency, plan.stripe_price_cents, plan.credits, monthly=True)
        return await self._checkout(profile_id, return_url, "subscription", metadata, price)

    async def _checkout(
        self,
        profile_id: UUID,
        return_url: str,
        mode: Literal["payment", "subscription"],
        metadata: dict[str, str],
        price: SessionCreateParamsLineItemPriceData,
    ) -> str:
        """A Checkout session whose metadata is copied onto what it creates (the payment
        intent, or the subscription and through it every invoice)."""
        params: SessionCreateParams = {
            "mode": mode,
            "client_reference_id": str(profile_id),
            "metadata": metadata,
            "line_items": [{"quantity": 1, "price_data": price}],
            "success_url": return_url,
            "cancel_url": return_url,
        }
        if mode == "payment":
            params["payment_intent_data"] = {"metadata": metadata}
        else:
            params["subscription_data"] = {"metadata": metadata}
        try:
            session = await self._client.v1.checkout.sessions.create_async(params=params)
        except stripe.StripeError as error:
            raise StripeUnavailable(f"Stripe refused a checkout session: {error}") from error
        if not session.url:
            raise StripeUnavailable(f"Stripe returned checkout session {session.id} without a url")
        return session.url

    async def set_renewal(self, provider_subscription_id: str, renews: bool) -> None:
        """Renewal off (cancel at the period's end) or on again at Stripe; the paid period
        stays. Only Stripe is told here: services/renewals.py records the switch, and
        customer.subscription.updated confirms it."""
        try:
            await self._client.v1.subscriptions.update_async(
                provider_subscription_id, params={"cancel_at_period_end": not renews}
            )
        except stripe.StripeError as error:
            raise StripeUnavailable(f"Stripe refused the renewal switch: {error}") from error


def _metadata(profile_id: UUID, telegram_id: int, **fields: str) -> dict[str, str]:
    return {"profile_id": str(profile_id), "telegram_id": str(telegram_id), **fields}


def _price(
    currency: str, cents: int, credits: int, *, monthly: bool = False
) -> SessionCreateParamsLineItemPriceData:
    """An inline Checkout price, so no Stripe product or price has to be set up first."""
    name = f"{credits} thumbnail credits" + (" every month" if monthly else "")
    price: SessionCreateParamsLineItemPriceData = {
        "currency": currency,
        "unit_amount": cents,
        "product_data": {"name": name},
    }
    if monthly:
        price["recurring"] = {"interval": "month"}
    return price
