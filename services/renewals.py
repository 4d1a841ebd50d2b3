"""Switching a plan's renewal off and on again; the paid period stays either way.

Two systems hold the switch: the provider, which charges the next period (Telegram for
Stars, Stripe for cards), and our record, which /subscription shows. They change in that
order, because the provider's state is the one that costs the user money:

- the provider refuses or cannot be reached: nothing is recorded, the user is told the
  change failed, and the screen still shows the state that is still true;
- the provider switched: the record follows, retried while the database is unreachable
  (`persistently`). Should it still fail, the record lags behind the provider until the
  next event about the plan: Stripe's customer.subscription.updated brings it in line;
  for Stars, Telegram sends nothing, so the plan shows the old switch until the user
  switches again, the period ends (the expiry job) or a renewal is paid.
"""

from __future__ import annotations

import logging
from uuid import UUID

from services.adapters.db import persistently
from services.adapters.stripe_api import StripeApi, StripeUnavailable
from services.credits import PaymentProvider
from services.errors import UserFacingError
from services.payments import StarsApi, StarsRefused
from services.subscriptions import SubscriptionChange, SubscriptionService

logger = logging.getLogger(__name__)


class RenewalNotChanged(UserFacingError):
    """The provider did not switch the renewal; nothing changed."""

    key = "subscription_change_failed"


class RenewalService:
    def __init__(
        self, subscriptions: SubscriptionService, stars: StarsApi, stripe: StripeApi | None
    ) -> None:
        self._subscriptions = subscriptions
        self._stars = stars
        self._stripe = stripe  # None: Stripe is not configured

    async def switch(
        self, profile_id: UUID, telegram_id: int, *, renews: bool
    ) -> SubscriptionChange | None:
        """Turns renewal of the profile's running plan on or off: the recorded change, or
        None when there is nothing to switch (no plan, or it is so already).
        RenewalNotChanged when the provider did not switch it."""
        current = await self._subscriptions.current(profile_id)
        if current is None or current.renews == renews:
            return None
        if current.provider is None or current.provider_subscription_id is None:
            return None
        provider = PaymentProvider(current.provider)
        provider_id = current.provider_subscription_id
        try:
            if provider is PaymentProvider.TELEGRAM_STARS:
                await self._stars.set_renewal(telegram_id, provider_id, renews)
            elif self._stripe is not None:
                await self._stripe.set_renewal(provider_id, renews)
            else:
                raise RenewalNotChanged(f"Stripe is off; cannot switch plan {current.id}")
        except (StarsRefused, StripeUnavailable) as error:
            logger.exception("could not change renewal of subscription %s", current.id)
            raise RenewalNotChanged(str(error)) from error
        return await persistently(
            lambda: self._subscriptions.update(provider, provider_id, renews=renews)
        )
