"""Replicate's webhooks: only a delivery signed with the account's secret, within five
minutes, is accepted and resolves the wait; with a webhook URL the generator finishes as soon
as the webhook comes, and still finishes by polling when the webhook never reaches it.

Signatures here come from the stand-in's own HMAC code, not the library's that the handler
uses, so the two implementations check each other.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import pytest
import replicate
from aiohttp import web

from services.adapters.db import Database
from services.generators.base import GenerationRequest
from services.generators.replicate_generator import ReplicateGenerator, ReplicateOptions
from services.generators.replicate_models import ReplicateModels
from services.generators.replicate_webhook import (
    PredictionWaiter,
    ReplicateWebhookEndpoint,
    WebhookSecret,
    handle_replicate_webhook,
)
from tests.replicate_fixtures import REPLICATE_TOKEN
from tests.standins.loopback import LoopbackServer
from tests.standins.replicate import (
    Delivery,
    ReplicateStandIn,
    WebhookSigning,
    new_secret,
    sign_webhook,
)

TOKEN = REPLICATE_TOKEN
SECRET = new_secret()
PAYLOAD = json.dumps({"id": "p1", "status": "succeeded", "output": ["https://x/y.jpg"]}).encode()


class RecordingWaiter(PredictionWaiter):
    """A PredictionWaiter that remembers what it was asked to resolve."""

    def __init__(self) -> None:
        super().__init__()
        self.resolved: list[tuple[str, bool]] = []

    def resolve(self, prediction_id: str, payload: Mapping[str, Any]) -> bool:
        delivered = super().resolve(prediction_id, payload)
        self.resolved.append((prediction_id, delivered))
        return delivered


class WebhookReceiver(LoopbackServer):
    """What the bot's web server will mount at POST /replicate/webhook."""

    def __init__(self, endpoint: ReplicateWebhookEndpoint) -> None:
        super().__init__()
        self.endpoint = endpoint
        self.statuses: list[int] = []

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/replicate/webhook", self._handle)

    async def _handle(self, request: web.Request) -> web.Response:
        status = await self.endpoint(await request.read(), request.headers)
        self.statuses.append(status)
        return web.Response(status=status)


def signed_headers(
    body: bytes = PAYLOAD, secret: str = SECRET, offset: int = 0, webhook_id: str = "msg_1"
) -> dict[str, str]:
    timestamp = int(time.time()) + offset
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign_webhook(secret, webhook_id, timestamp, body),
    }


# The handler on its own.


async def test_a_signed_webhook_resolves_the_waiting_prediction() -> None:
    waiter = PredictionWaiter()
    waiting = asyncio.create_task(waiter.wait("p1"))
    await asyncio.sleep(0)
    headers = {name.title(): value for name, value in signed_headers().items()}  # any case
    assert await handle_replicate_webhook(PAYLOAD, headers, SECRET, waiter) == 200
    async with asyncio.timeout(1):
        assert (await waiting)["status"] == "succeeded"


def _without(name: str) -> dict[str, str]:
    return {key: value for key, value in signed_headers().items() if key != name}


# Made when the test runs: a timestamp made at collection would age while other tests run.
FORGERIES: dict[str, Callable[[], dict[str, str]]] = {
    "wrong-secret": lambda: signed_headers(secret=new_secret()),
    "stale": lambda: signed_headers(offset=-360),
    "from-the-future": lambda: signed_headers(offset=+360),
    "tampered-body": lambda: signed_headers(body=PAYLOAD + b" "),
    "other-id": lambda: {**signed_headers(), "webhook-id": "msg_2"},
    "bad-timestamp": lambda: {**signed_headers(), "webhook-timestamp": "yesterday"},
    "bad-signature": lambda: {**signed_headers(), "webhook-signature": "v1,AAAA"},
    "no-version": lambda: {**signed_headers(), "webhook-signature": "garbage"},
    "unsigned": lambda: _without("webhook-signature"),
    "no-timestamp": lambda: _without("webhook-timestamp"),
    "no-headers": dict,
}


@pytest.mark.parametrize("forgery", FORGERIES)
async def test_a_forged_or_stale_webhook_is_refused_and_resolves_nothing(forgery: str) -> None:
    waiter = RecordingWaiter()
    headers = FORGERIES[forgery]()
    assert await handle_replicate_webhook(PAYLOAD, headers, SECRET, waiter) == 401
    assert waiter.resolved == []


async def test_a_webhook_within_the_window_either_way_is_accepted() -> None:
    for offset in (-240, 240):  # clocks differ a little
        waiter = RecordingWaiter()
        headers = signed_headers(offset=offset)
        assert await handle_replicate_webhook(PAYLOAD, headers, SECRET, waiter) == 200


async def test_one_valid_signature_among_several_is_enough() -> None:
    headers = signed_headers()
    headers["webhook-signature"] = f"v1,AAAA {headers['webhook-signature']}"
    waiter = RecordingWaiter()
    assert await handle_replicate_webhook(PAYLOAD, headers, SECRET, waiter) == 200
    assert waiter.resolved == [("p1", False)]


@pytest.mark.parametrize(
    "body", [b"not json", b"[1, 2]", b'{"status": "succeeded"}', b'{"id": 7}', b"\xff\xfe"]
)
async def test_a_signed_but_unreadable_payload_is_a_bad_request(body: bytes) -> None:
    waiter = RecordingWaiter()
    assert await handle_replicate_webhook(body, signed_headers(body), SECRET, waiter) == 400
    assert waiter.resolved == []
    assert await handle_replicate_webhook(b"", signed_headers(b""), SECRET, waiter) == 400


async def test_an_early_webhook_waits_for_its_waiter_within_bounds() -> None:
    waiter = PredictionWaiter(remember=2)
    assert waiter.resolve("a", {"id": "a"}) is False
    waiter.resolve("b", {"id": "b"})
    waiter.resolve("c", {"id": "c"})  # "a" is forgotten: at most two are kept
    async with asyncio.timeout(1):
        assert await waiter.wait("c") == {"id": "c"}
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await waiter.wait("a")
    assert waiter._waiting == {}  # a timed-out wait leaves nothing behind


# Through the generator.


@pytest.fixture
def waiter() -> RecordingWaiter:
    return RecordingWaiter()


@pytest.fixture
async def receiver(
    client: replicate.Client, waiter: RecordingWaiter
) -> AsyncIterator[WebhookReceiver]:
    server = WebhookReceiver(ReplicateWebhookEndpoint(WebhookSecret(client), waiter))
    await server.start()
    yield server
    await server.stop()


def webhook_generator(
    client: replicate.Client,
    db: Database,
    receiver: WebhookReceiver,
    waiter: PredictionWaiter,
    fallback_poll: float,
) -> ReplicateGenerator:
    options = ReplicateOptions(
        timeout=10.0,
        webhook_url=f"{receiver.url}/replicate/webhook",
        webhook_poll_interval=fallback_poll,
        backoff=0.01,
    )
    return ReplicateGenerator(client, ReplicateModels(db), options, waiter)


def text_request() -> GenerationRequest:
    return GenerationRequest(uuid.uuid4(), "text_to_thumbnail", prompt="Ten hours of rain")


async def noop(fraction: float, stage: str) -> None:
    return None


async def test_the_webhook_finishes_the_wait(
    db: Database,
    standin: ReplicateStandIn,
    client: replicate.Client,
    receiver: WebhookReceiver,
    waiter: RecordingWaiter,
) -> None:
    generator = webhook_generator(client, db, receiver, waiter, fallback_poll=30.0)
    await generator.generate(text_request(), noop)  # well within the 10 s timeout
    await generator.generate(text_request(), noop)
    first, second = (call.prediction_id for call in standin.creates)
    assert standin.creates[0].webhook == f"{receiver.url}/replicate/webhook"
    assert standin.creates[0].events_filter == ["completed"]
    assert standin.deliveries == [Delivery(first, 200), Delivery(second, 200)]
    assert {prediction_id for prediction_id, _ in waiter.resolved} == {first, second}
    assert standin.polls[first] <= 1  # one read after the webhook, no polling meanwhile
    assert standin.secret_reads == 1  # the signing secret is fetched once


@pytest.mark.parametrize(
    "signing",
    [
        pytest.param(WebhookSigning(secret=new_secret()), id="re-signed-with-another-secret"),
        pytest.param(WebhookSigning(clock_offset=-600), id="stale"),
    ],
)
async def test_a_rejected_webhook_resolves_nothing_and_polling_still_finishes(
    signing: WebhookSigning,
    db: Database,
    standin: ReplicateStandIn,
    client: replicate.Client,
    receiver: WebhookReceiver,
    waiter: RecordingWaiter,
) -> None:
    standin.signing = signing
    generator = webhook_generator(client, db, receiver, waiter, fallback_poll=0.2)
    await generator.generate(text_request(), noop)
    async with asyncio.timeout(2):
        await standin.delivered.wait()  # the delivery races the fallback poll
    assert receiver.statuses == [401]
    assert waiter.resolved == []
    assert standin.polls[standin.creates[0].prediction_id or ""] >= 1


async def test_without_the_signing_secret_the_webhook_is_asked_again_later(
    standin: ReplicateStandIn,
) -> None:
    wrong = replicate.Client(api_token="r8_wrong", base_url=standin.url)
    try:
        endpoint = ReplicateWebhookEndpoint(WebhookSecret(wrong), RecordingWaiter())
        assert await endpoint(PAYLOAD, signed_headers()) == 503  # Replicate retries it
    finally:
        await wrong._async_client.aclose()
