"""Replicate's "prediction completed" webhooks: verified, then handed to whoever waits.

Replicate signs webhooks the Standard Webhooks way (`webhook-id`, `webhook-timestamp`,
`webhook-signature` = "v1,<base64 HMAC-SHA256 of id.timestamp.body>" keyed with the
base64-decoded part of the account's "whsec_..." secret). replicate 1.0.7 implements that
check in `Webhooks.validate` (constant-time comparison); we use it with a 5-minute window
either way, so a captured delivery cannot be replayed later.

A verified webhook resolves the in-process `PredictionWaiter`. In a deployment of several
processes the webhook may reach another one: the generator keeps polling slowly, so nothing
depends on the webhook arriving where the generation runs.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import httpx
from replicate.client import Client
from replicate.exceptions import ReplicateError
from replicate.webhook import Webhooks, WebhookSigningSecret, WebhookValidationError

logger = logging.getLogger(__name__)

TOLERANCE_SECONDS = 300
Payload = Mapping[str, Any]


class PredictionWaiter:
    """Futures keyed by prediction id, resolved by verified webhooks, in one event loop.

    A webhook that arrives before anyone waits (a fast model; a poll in between) is kept,
    a bounded number of them, and handed to the next `wait` for that id."""

    def __init__(self, remember: int = 1024) -> None:
        self._waiting: dict[str, set[asyncio.Future[Payload]]] = {}
        self._early: OrderedDict[str, Payload] = OrderedDict()
        self._remember = remember

    def resolve(self, prediction_id: str, payload: Payload) -> bool:
        """Delivers a prediction's webhook payload; True if someone was waiting for it."""
        delivered = False
        for future in self._waiting.pop(prediction_id, set()):
            if not future.done():
                future.set_result(payload)
                delivered = True
        if not delivered:
            self._early[prediction_id] = payload
            self._early.move_to_end(prediction_id)
            while len(self._early) > self._remember:
                self._early.popitem(last=False)
        return delivered

    async def wait(self, prediction_id: str) -> Payload:
        """The prediction's webhook payload, when it comes; bound it with asyncio.timeout."""
        early = self._early.pop(prediction_id, None)
        if early is not None:
            return early
        future: asyncio.Future[Payload] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(prediction_id, set()).add(future)
        try:
            return await future
        finally:
            waiters = self._waiting.get(prediction_id)
            if waiters is not None:
                waiters.discard(future)
                if not waiters:
                    del self._waiting[prediction_id]

    def forget(self, prediction_id: str) -> None:
        """Drops a payload kept for a prediction that is finished with."""
        self._early.pop(prediction_id, None)


class WebhookRejected(Exception):
    """The webhook is not signed by our secret, or not within the time window."""


def verify_webhook(
    body: bytes, headers: Mapping[str, str], secret: str, tolerance: int = TOLERANCE_SECONDS
) -> None:
    """Raises WebhookRejected unless `body` was signed with `secret` less than `tolerance`
    seconds ago or ahead (clock skew); UnicodeDecodeError if the body is not UTF-8."""
    text = body.decode("utf-8")
    lowered = {name.lower(): value for name, value in headers.items()}
    try:
        Webhooks.validate(
            headers=lowered,
            body=text,
            secret=WebhookSigningSecret(key=secret),
            tolerance=tolerance,
        )
    except (WebhookValidationError, ValueError) as error:
        # Only the class name: the library's messages may quote the secret.
        raise WebhookRejected(type(error).__name__) from None


async def handle_replicate_webhook(
    body: bytes, headers: Mapping[str, str], secret: str, waiter: PredictionWaiter
) -> int:
    """The HTTP status to answer a webhook with: 200 accepted (whether or not this process
    waits for it), 400 unreadable payload, 401 bad or stale signature."""
    if not body:
        return 400
    try:
        verify_webhook(body, headers, secret)
    except UnicodeDecodeError:
        return 400
    except WebhookRejected as rejected:
        logger.warning("rejected a Replicate webhook (%s)", rejected)
        return 401
    try:
        payload = json.loads(body)
    except ValueError:
        return 400
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), str) or not payload["id"]:
        return 400
    waiter.resolve(payload["id"], payload)
    return 200


class WebhookSecret:
    """The account's webhook signing secret, fetched from Replicate once and kept."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._key: str | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        if self._key is None:
            async with self._lock:
                if self._key is None:
                    secret = await self._client.webhooks.default.async_secret()
                    self._key = secret.key
        return self._key


class ReplicateWebhookEndpoint:
    """What `POST /replicate/webhook` calls: `status = await endpoint(body, headers)`."""

    def __init__(self, secret: WebhookSecret, waiter: PredictionWaiter) -> None:
        self._secret = secret
        self._waiter = waiter

    async def __call__(self, body: bytes, headers: Mapping[str, str]) -> int:
        try:
            key = await self._secret.get()
        except (ReplicateError, httpx.HTTPError) as error:
            # Replicate retries a failed delivery; the generator's polling covers it meanwhile.
            logger.error("cannot read the Replicate webhook secret: %s", type(error).__name__)
            return 503
        return await handle_replicate_webhook(body, headers, key, self._waiter)
