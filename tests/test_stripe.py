"""Stripe, with STRIPE_* configured: Checkout links made by the real `stripe` library against
a loopback stand-in, and webhook events signed exactly as Stripe signs them, posted to the
bot's real web route. Each payment is credited once however often (and in whatever order)
its events arrive; anything not signed by our secret within 5 minutes is a 400 and moves
nothing; the user hears about web payments in their chat."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import aiohttp
import pytest
import stripe
from telegram.ext import Application

from bot.settings import Settings
from bot.stripe_webhook import STRIPE_WEBHOOK_PATH, stripe_webhook_route
from bot.telegram_app import build_application, start_polling, stop_bot
from bot.web import create_web_app, serving
from bot.wiring import build_services
from handlers.i18n import t
from sandbox.server import SandboxServer
from sandbox.users import SandboxUser
from sandbox.views import SentMessage
from services.accounts import Profile
from services.adapters.db import Database
from services.adapters.stripe_api import StripeApi, StripeUnavailable
from services.container import Services
from tests.conftest import ledger_sum
from tests.e2e.conftest import containing
from tests.standins.stripe import StripeStandIn, body_of, sign

# stripe's own httpx client posts bytes as `data=`, which httpx 0.28 deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")
WEBHOOK_SECRET = "whsec_test_0123456789abcdef0123456789abcdef"
SETTLE_SECONDS = 0.5
ADMIN_ID = 6_999_999  # told about card payments that did not match their price
_user_ids = itertools.count(7_000_000)


@dataclass
class StripeBot:
    """The bot with Stripe on: its chats in a sandbox, its web server with the webhook."""

    sandbox: SandboxServer
    services: Services
    application: Application  # type: ignore[type-arg]
    api: StripeStandIn
    webhook_url: str
    http: aiohttp.ClientSession

    @property
    def billing(self) -> StripeApi:
        assert self.services.stripe is not None
        return self.services.stripe

    async def deliver(self, event: dict[str, Any], *, secret: str = WEBHOOK_SECRET) -> int:
        body = body_of(event)
        return await self.post(body, sign(body, secret))

    async def post(self, body: bytes, signature: str | None) -> int:
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if signature is not None:
            headers["Stripe-Signature"] = signature
        async with self.http.post(self.webhook_url, data=body, headers=headers) as response:
            return response.status

    async def user(self) -> tuple[SandboxUser, Profile]:
        user = self.sandbox.user(next(_user_ids), first_name="Card", language_code="en")
        await user.send_command("/start")
        await user.wait_for_message(containing("Welcome"))
        profile = await self.services.accounts.find_by_telegram_id(user.id)
        assert profile is not None
        return user, profile

    async def balance(self, profile: Profile) -> int:
        credits = await self.services.credits.balance(profile.id)
        assert credits == await ledger_sum(self.services.db, profile.id)
        return credits

    async def session_for_pack(self, user: SandboxUser, profile: Profile, pack: str) -> str:
        url = await self.billing.checkout_pack(profile.id, user.id, pack, "https://t.me/x")
        return url.rsplit("/", 1)[-1]

    async def session_for_plan(self, user: SandboxUser, profile: Profile) -> str:
        url = await self.billing.checkout_subscription(profile.id, user.id, "https://t.me/x")
        return url.rsplit("/", 1)[-1]

    async def subscriber(self) -> tuple[SandboxUser, Profile, dict[str, Any], str]:
        """A user whose card subscription's checkout completed: (user, profile, the
        checkout.session.completed event, the subscription id)."""
        user, profile = await self.user()
        completed = self.api.completed(await self.session_for_plan(user, profile))
        assert await self.deliver(completed) == 200
        await user.wait_for_message(containing("You're subscribed"))
        return user, profile, completed, completed["data"]["object"]["subscription"]


@pytest.fixture(scope="module")
async def stripe_api() -> AsyncIterator[StripeStandIn]:
    standin = StripeStandIn()
    await standin.start()
    yield standin
    await standin.stop()


@pytest.fixture(scope="module")
async def stripe_bot(
    db: Database, stripe_api: StripeStandIn, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[StripeBot]:
    sandbox = SandboxServer()
    token = sandbox.register_bot("stripe_thumbs_bot", first_name="Thumbnail Bot")
    await sandbox.start()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=tmp_path_factory.mktemp("stripe-bot"),
        stripe_secret_key=stripe_api.api_key,
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=stripe_api.url,
        admin_ids=frozenset({ADMIN_ID}),
    )
    services = await build_services(settings, db)
    assert services.stripe_events is not None
    application = build_application(token, sandbox.url, services)
    await start_polling(application)
    route = stripe_webhook_route(application, services.stripe_events, services)
    try:
        async with (
            serving(create_web_app(db, [route]), 0, host="127.0.0.1") as port,
            aiohttp.ClientSession() as http,
        ):
            url = f"http://127.0.0.1:{port}{STRIPE_WEBHOOK_PATH}"
            yield StripeBot(sandbox, services, application, stripe_api, url, http)
    finally:
        await stop_bot(application)
        await sandbox.stop()


async def payment_rows(db: Database, profile: Profile) -> list[dict[str, Any]]:
    return await db.fetch_all(
        "SELECT * FROM payments WHERE profile_id = %s ORDER BY created_at", [profile.id]
    )


# --- Checkout links ------------------------------------------------------------------------


async def checkout_form(
    stripe_bot: StripeBot, user: SandboxUser, message: SentMessage, button: str, what: str
) -> dict[str, Any]:
    """Presses a card button; the form of the Checkout session its link opens."""
    await user.press(message, button)
    link = await user.wait_for_message(containing(f"Pay by card for {what}"))
    [url] = [b["url"] for b in link.buttons if "url" in b]
    return stripe_bot.api.sessions[url.rsplit("/", 1)[-1]]["form"]


async def test_buy_offers_card_links_tied_to_the_profile(stripe_bot: StripeBot):
    user, profile = await stripe_bot.user()
    await user.send_command("/buy")
    menu = await user.wait_for_message(containing("Credit packs"))
    assert "💳 330 credits – $4.99 by card" in menu.button_texts  # noqa: RUF001

    form = await checkout_form(stripe_bot, user, menu, "buy:card:pack_300", "330 credits")
    assert form["mode"] == "payment"
    assert form["client_reference_id"] == str(profile.id)
    expected = {
        "profile_id": str(profile.id),
        "telegram_id": str(user.id),
        "kind": "pack",
        "pack_id": "pack_300",
    }
    assert form["metadata"] == form["payment_intent_data"]["metadata"] == expected
    price = form["line_items"][0]["price_data"]
    assert (price["unit_amount"], price["currency"]) == ("499", "usd")
    assert form["success_url"] == "https://t.me/stripe_thumbs_bot"


async def test_the_plan_has_a_card_link_whose_subscription_carries_the_profile(
    stripe_bot: StripeBot,
):
    user, profile = await stripe_bot.user()
    await user.send_command("/subscription")
    offer = await user.wait_for_message(containing("don't have a plan"))
    form = await checkout_form(stripe_bot, user, offer, "sub:card", "the monthly plan")
    assert form["mode"] == "subscription"
    assert form["client_reference_id"] == str(profile.id)
    assert form["subscription_data"]["metadata"]["profile_id"] == str(profile.id)
    assert form["metadata"]["plan_id"] == "monthly_25images"
    price = form["line_items"][0]["price_data"]
    assert (price["unit_amount"], price["recurring"]) == ("399", {"interval": "month"})


async def test_a_wrong_api_key_is_refused(stripe_bot: StripeBot, stripe_api: StripeStandIn):
    client = stripe.StripeClient("sk_test_wrong", base_addresses={"api": stripe_api.url})
    with pytest.raises(stripe.AuthenticationError):
        await client.v1.checkout.sessions.create_async(params={"mode": "payment"})
    assert stripe_api.refused_keys[-1] == "Bearer sk_test_wrong"
    user, profile = await stripe_bot.user()
    with pytest.raises(StripeUnavailable):
        await stripe_bot.billing.checkout_pack(profile.id, user.id, "pack_gone", "https://t.me/x")


async def test_stripe_refusing_a_link_is_told_plainly_and_logged_as_a_warning(
    stripe_bot: StripeBot, stripe_api: StripeStandIn, caplog: pytest.LogCaptureFixture
):
    user, _ = await stripe_bot.user()
    await user.send_command("/buy")
    menu = await user.wait_for_message(containing("Credit packs"))
    right_key, stripe_api.api_key = stripe_api.api_key, "sk_test_rotated"  # our key is refused
    try:
        await user.press(menu, "buy:card:pack_300")
        await user.wait_for_message(containing(t("en", "checkout_unavailable")[:30]))
    finally:
        stripe_api.api_key = right_key
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r for r in caplog.records if r.levelno == logging.WARNING and "refused" in r.message]


# --- packs ---------------------------------------------------------------------------------


async def test_a_completed_checkout_credits_the_pack_once_and_tells_the_user(
    stripe_bot: StripeBot,
):
    user, profile = await stripe_bot.user()
    session = await stripe_bot.session_for_pack(user, profile, "pack_300")
    event = stripe_bot.api.completed(session)

    assert await stripe_bot.deliver(event) == 200

    told = await user.wait_for_message(containing("Payment received"))
    assert "+330 credits" in (told.text or "")
    assert await stripe_bot.balance(profile) == 380
    [row] = await payment_rows(stripe_bot.services.db, profile)
    assert (row["provider"], row["provider_payment_id"], row["stripe_payment_id"]) == (
        "stripe",
        session,
        session,
    )
    assert (row["amount"], row["currency"], row["credits_added"]) == (
        Decimal("4.99"),
        "usd",
        330,
    )
    assert row["details"]["payment_intent"] == event["data"]["object"]["payment_intent"]

    # A redelivery, and another event about the same session, change nothing.
    assert await stripe_bot.deliver(event) == 200
    again = stripe_bot.api.event(
        "checkout.session.async_payment_succeeded", event["data"]["object"]
    )
    assert await stripe_bot.deliver(again) == 200
    await asyncio.sleep(SETTLE_SECONDS)
    assert await stripe_bot.balance(profile) == 380
    assert sum("Payment received" in (m.text or "") for m in user.messages()) == 1


async def test_50_concurrent_deliveries_of_one_event_credit_once(stripe_bot: StripeBot):
    user, profile = await stripe_bot.user()
    event = stripe_bot.api.completed(await stripe_bot.session_for_pack(user, profile, "pack_100"))
    body = body_of(event)
    signature = sign(body, WEBHOOK_SECRET)

    statuses = await asyncio.gather(*(stripe_bot.post(body, signature) for _ in range(50)))

    assert set(statuses) <= {200, 409}
    assert 200 in statuses
    await user.wait_for_message(containing("Payment received"))
    await asyncio.sleep(SETTLE_SECONDS)
    assert await stripe_bot.balance(profile) == 150
    assert len(await payment_rows(stripe_bot.services.db, profile)) == 1
    assert sum("Payment received" in (m.text or "") for m in user.messages()) == 1
    assert await stripe_bot.post(body, signature) == 200  # processed: answered, not redone


# --- subscriptions -------------------------------------------------------------------------


async def subscription_row(db: Database, subscription_id: str) -> dict[str, Any]:
    row = await db.fetch_one(
        "SELECT * FROM subscriptions WHERE provider = 'stripe' AND provider_subscription_id = %s",
        [subscription_id],
    )
    assert row is not None
    return row


async def test_checkout_and_invoice_paid_credit_the_first_period_once_then_renewals(
    stripe_bot: StripeBot,
):
    user, profile, completed, subscription_id = await stripe_bot.subscriber()
    assert await stripe_bot.balance(profile) == 300
    row = await subscription_row(stripe_bot.services.db, subscription_id)
    assert (row["profile_id"], row["is_active"], row["plan_name"]) == (
        profile.id,
        True,
        "monthly_25images",
    )
    assert row["end_date"] > datetime.now(UTC) + timedelta(days=29)

    # Stripe also sends invoice.paid for the first invoice: the same period, no credit.
    first_invoice = stripe_bot.api.invoice_paid(
        subscription_id, billing_reason="subscription_create"
    )
    assert await stripe_bot.deliver(first_invoice) == 200
    assert await stripe_bot.balance(profile) == 300

    # A renewal: +250 and the period's end from the invoice line.
    next_end = int(time.time()) + 60 * 24 * 3600
    renewal = stripe_bot.api.invoice_paid(subscription_id, period_end=next_end)
    assert await stripe_bot.deliver(renewal) == 200
    await user.wait_for_message(containing("plan renewed", "+250"))
    assert await stripe_bot.balance(profile) == 550
    row = await subscription_row(stripe_bot.services.db, subscription_id)
    assert row["end_date"] == datetime.fromtimestamp(next_end, UTC)
    kinds = [
        (p["kind"], p["provider_payment_id"])
        for p in await payment_rows(stripe_bot.services.db, profile)
    ]
    assert kinds == [
        ("subscription", completed["data"]["object"]["invoice"]),
        ("subscription", renewal["data"]["object"]["id"]),
    ]


async def test_invoice_paid_before_checkout_completed_also_credits_once(stripe_bot: StripeBot):
    user, profile = await stripe_bot.user()
    completed = stripe_bot.api.completed(await stripe_bot.session_for_plan(user, profile))
    subscription_id = completed["data"]["object"]["subscription"]
    first_invoice = stripe_bot.api.invoice_paid(
        subscription_id, billing_reason="subscription_create"
    )

    assert await stripe_bot.deliver(first_invoice) == 200
    assert await stripe_bot.deliver(completed) == 200

    await user.wait_for_message(containing("You're subscribed"))
    await asyncio.sleep(SETTLE_SECONDS)
    assert await stripe_bot.balance(profile) == 300
    assert sum("subscribed" in (m.text or "") for m in user.messages()) == 1


async def test_cancel_then_deletion_ends_the_subscription(stripe_bot: StripeBot):
    user, profile, _, subscription_id = await stripe_bot.subscriber()

    # /subscription -> cancel renewal: Stripe is told (cancel at period end).
    await user.send_command("/subscription")
    status = await user.wait_for_message(containing("is active"))
    await user.press(status, "sub:cancel")
    await user.wait_for_message(containing("Renewal is off"))
    assert stripe_bot.api.subscription_updates[-1] == (
        subscription_id,
        {"cancel_at_period_end": "true"},
    )
    updated = stripe_bot.api.subscription_event(
        "customer.subscription.updated", subscription_id, cancel_at_period_end=True
    )
    assert await stripe_bot.deliver(updated) == 200
    row = await subscription_row(stripe_bot.services.db, subscription_id)
    assert (row["is_active"], row["canceled_at"] is not None) == (True, True)

    deleted = stripe_bot.api.subscription_event(
        "customer.subscription.deleted", subscription_id, status="canceled"
    )
    assert await stripe_bot.deliver(deleted) == 200
    await user.wait_for_message(containing("monthly plan has ended"))
    row = await subscription_row(stripe_bot.services.db, subscription_id)
    assert not row["is_active"]
    assert await stripe_bot.services.subscriptions.current(profile.id) is None
    assert await stripe_bot.balance(profile) == 300  # the paid period's credits stay


# --- refunds -------------------------------------------------------------------------------


async def test_charge_refunded_takes_the_credits_back_once(stripe_bot: StripeBot):
    user, profile = await stripe_bot.user()
    event = stripe_bot.api.completed(await stripe_bot.session_for_pack(user, profile, "pack_300"))
    assert await stripe_bot.deliver(event) == 200
    await user.wait_for_message(containing("Payment received"))
    payment_intent = event["data"]["object"]["payment_intent"]

    partial = stripe_bot.api.charge_refunded(payment_intent, 499, refunded_amount=100)
    assert await stripe_bot.deliver(partial) == 200
    assert await stripe_bot.balance(profile) == 380

    refunded = stripe_bot.api.charge_refunded(payment_intent, 499)
    assert await stripe_bot.deliver(refunded) == 200
    told = await user.wait_for_message(containing("payment was refunded"))
    assert "its 330 credits were taken back" in (told.text or "")
    assert await stripe_bot.balance(profile) == 50

    assert await stripe_bot.deliver(stripe_bot.api.charge_refunded(payment_intent, 499)) == 200
    await asyncio.sleep(SETTLE_SECONDS)
    assert await stripe_bot.balance(profile) == 50
    assert sum("refunded" in (m.text or "") for m in user.messages()) == 1


async def test_a_refunded_renewal_is_found_through_its_invoice(stripe_bot: StripeBot):
    """Charges no longer name their invoice; Stripe's invoice_payments list does."""
    _, profile, _, subscription_id = await stripe_bot.subscriber()
    renewal = stripe_bot.api.invoice_paid(subscription_id)
    assert await stripe_bot.deliver(renewal) == 200
    assert await stripe_bot.balance(profile) == 550

    payment_intent = stripe_bot.api.payment_intent_of(renewal["data"]["object"]["id"])
    assert await stripe_bot.deliver(stripe_bot.api.charge_refunded(payment_intent, 399)) == 200

    assert await stripe_bot.balance(profile) == 300
    [refunded] = [
        p for p in await payment_rows(stripe_bot.services.db, profile) if p["refunded_at"]
    ]
    assert refunded["provider_payment_id"] == renewal["data"]["object"]["id"]


# --- what is not from Stripe ---------------------------------------------------------------


def from_the_future(body: bytes) -> tuple[bytes, str | None]:
    return body, sign(body, WEBHOOK_SECRET, timestamp=int(time.time()) + 3600)


def forged(body: bytes) -> tuple[bytes, str | None]:
    return body, f"t={int(time.time())},v1={'0' * 64}"


def tampered(body: bytes) -> tuple[bytes, str | None]:
    signature = sign(body, WEBHOOK_SECRET)
    return body.replace(b'"pack_100"', b'"pack_1000"'), signature


def stale(body: bytes) -> tuple[bytes, str | None]:
    return body, sign(body, WEBHOOK_SECRET, timestamp=int(time.time()) - 301)


def other_secret(body: bytes) -> tuple[bytes, str | None]:
    return body, sign(body, "whsec_someone_else")


def unsigned(body: bytes) -> tuple[bytes, str | None]:
    return body, None


def garbled(body: bytes) -> tuple[bytes, str | None]:
    return body, "this is not a signature"


@pytest.mark.parametrize(
    "attack",
    [forged, tampered, stale, from_the_future, other_secret, unsigned, garbled],
    ids=lambda f: f.__name__,
)
async def test_unverified_payloads_are_refused_and_credit_nothing(stripe_bot: StripeBot, attack):
    user, profile = await stripe_bot.user()
    event = stripe_bot.api.completed(await stripe_bot.session_for_pack(user, profile, "pack_100"))
    body, signature = attack(body_of(event))

    assert await stripe_bot.post(body, signature) == 400

    assert await stripe_bot.balance(profile) == 50
    assert await payment_rows(stripe_bot.services.db, profile) == []
    seen = await stripe_bot.services.db.fetch_value(
        "SELECT count(*) FROM stripe_events WHERE id = %s", [event["id"]]
    )
    assert seen == 0


async def test_a_timestamp_within_the_tolerance_ahead_is_accepted(stripe_bot: StripeBot):
    """Clocks differ a little; 299 s ahead is within the 300 s tolerance."""
    user, profile = await stripe_bot.user()
    event = stripe_bot.api.completed(await stripe_bot.session_for_pack(user, profile, "pack_100"))
    body = body_of(event)

    signature = sign(body, WEBHOOK_SECRET, timestamp=int(time.time()) + 299)
    assert await stripe_bot.post(body, signature) == 200

    await user.wait_for_message(containing("Payment received"))
    assert await stripe_bot.balance(profile) == 150


async def test_a_card_payment_below_the_price_is_recorded_and_reported(stripe_bot: StripeBot):
    admin = stripe_bot.sandbox.user(ADMIN_ID, first_name="Admin", language_code="en")
    await admin.send_command("/start")
    await admin.wait_for_message(containing("Welcome"))
    user, profile = await stripe_bot.user()
    event = stripe_bot.api.completed(await stripe_bot.session_for_pack(user, profile, "pack_300"))
    event["data"]["object"]["amount_total"] = 100  # $1.00 for the $4.99 pack

    assert await stripe_bot.deliver(event) == 200
    assert await stripe_bot.deliver(event) == 200  # redelivered: nothing more

    told = await user.wait_for_message(containing("less than the price"))
    assert "$1.00" in (told.text or "")
    assert "$4.99" in (told.text or "")
    assert await stripe_bot.balance(profile) == 50
    [row] = await payment_rows(stripe_bot.services.db, profile)
    assert (row["amount"], row["currency"], row["credits_added"]) == (Decimal("1.00"), "usd", 0)
    assert row["details"]["mismatch"]["reason"] == "underpaid"
    alert = await admin.wait_for_message(containing("Payment mismatch", str(user.id)))
    assert str(row["id"]) in (alert.text or "")
    assert "paid $1.00 for pack_300, priced $4.99; credited 0 of 330" in (alert.text or "")
    await asyncio.sleep(SETTLE_SECONDS)
    assert sum("less than the price" in (m.text or "") for m in user.messages()) == 1


async def test_a_signed_body_that_is_not_an_event_is_refused(stripe_bot: StripeBot):
    body = b"not json at all"
    assert await stripe_bot.post(body, sign(body, WEBHOOK_SECRET)) == 400
    body = json.dumps({"hello": "world"}).encode()
    assert await stripe_bot.post(body, sign(body, WEBHOOK_SECRET)) == 400


async def test_events_we_do_not_handle_are_acknowledged(stripe_bot: StripeBot):
    event = stripe_bot.api.event("customer.created", {"id": "cus_test_1", "object": "customer"})
    assert await stripe_bot.deliver(event) == 200
    outcome = await stripe_bot.services.db.fetch_value(
        "SELECT outcome FROM stripe_events WHERE id = %s AND processed_at IS NOT NULL",
        [event["id"]],
    )
    assert outcome.startswith("ignored")


async def test_without_stripe_settings_there_is_no_stripe(db: Database, tmp_path):
    settings = Settings(_env_file=None, data_dir=tmp_path, stripe_secret_key="sk_test_only")  # type: ignore[call-arg]
    assert not settings.stripe_enabled
    assert (await build_services(settings, db)).stripe is None
