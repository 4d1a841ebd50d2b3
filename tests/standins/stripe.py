"""A loopback stand-in for Stripe's API, for tests of the real `stripe` library, and the
webhook events Stripe would send about what happened there.

Point the bot at it with STRIPE_API_BASE=standin.url and STRIPE_SECRET_KEY=standin.api_key.
It checks the bearer key like Stripe (401 with Stripe's error body otherwise) and reads
form-encoded bodies with bracketed keys exactly as the library sends them:

- `POST /v1/checkout/sessions` answers an open session with a checkout `url`;
- `POST /v1/subscriptions/{id}` (cancel_at_period_end) answers the updated subscription;
- `GET /v1/invoice_payments?payment[type]=payment_intent&payment[payment_intent]=...`.

Event builders (`completed`, `invoice_paid`, `subscription_event`, `charge_refunded`)
return event dicts shaped like Stripe's current API (invoices name their subscription under
parent.subscription_details; charges no longer name an invoice); `sign` signs a body the
way Stripe does, with its own HMAC code rather than the library's.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from tests.standins.loopback import LoopbackServer

API_VERSION = "2026-10-28.endive"
PERIOD_SECONDS = 30 * 24 * 3600


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header: t=<ts>,v1=<hex HMAC-SHA256 of "<ts>.<body>">."""
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{ts}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={ts},v1={digest}"


def decode_form(body: str) -> dict[str, Any]:
    """`a[b][0][c]=x` pairs into nested dicts and lists, as Stripe's API reads them."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        path = re.findall(r"[^\[\]]+", key)
        node: dict[str, Any] = root
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return _lists(root)


def _lists(node: Any) -> Any:
    """Dicts keyed 0..n-1 become lists."""
    if not isinstance(node, dict):
        return node
    converted = {key: _lists(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def _new_id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


class StripeStandIn(LoopbackServer):
    """Everything received is recorded for assertions."""

    def __init__(self, api_key: str = "sk_test_standin") -> None:
        super().__init__()
        self.api_key = api_key
        self.sessions: dict[str, dict[str, Any]] = {}  # id -> {"session", "form"}
        self.session_requests: list[dict[str, Any]] = []
        self.subscription_updates: list[tuple[str, dict[str, Any]]] = []
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.invoice_of_payment_intent: dict[str, str] = {}
        self.refused_keys: list[str] = []

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/checkout/sessions", self._create_session)
        app.router.add_post("/v1/subscriptions/{id}", self._update_subscription)
        app.router.add_get("/v1/invoice_payments", self._invoice_payments)

    # --- the API -----------------------------------------------------------------------

    def _authorized(self, request: web.Request) -> web.Response | None:
        given = request.headers.get("Authorization", "")
        if given == f"Bearer {self.api_key}":
            return None
        self.refused_keys.append(given)
        error = {
            "error": {
                "type": "invalid_request_error",
                "message": "Invalid API Key provided: " + given.removeprefix("Bearer ")[:12],
            }
        }
        return web.json_response(error, status=401)

    async def _create_session(self, request: web.Request) -> web.Response:
        refused = self._authorized(request)
        if refused is not None:
            return refused
        form = decode_form(await request.text())
        self.session_requests.append(form)
        item = form["line_items"][0]
        price = item["price_data"]
        session_id = _new_id("cs")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": form["mode"],
            "status": "open",
            "payment_status": "unpaid",
            "client_reference_id": form.get("client_reference_id"),
            "metadata": form.get("metadata") or {},
            "amount_total": int(price["unit_amount"]) * int(item.get("quantity", 1)),
            "currency": price["currency"],
            "success_url": form.get("success_url"),
            "cancel_url": form.get("cancel_url"),
            "customer": None,
            "invoice": None,
            "payment_intent": None,
            "subscription": None,
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
            "livemode": False,
        }
        self.sessions[session_id] = {"session": session, "form": form}
        return web.json_response(session)

    async def _update_subscription(self, request: web.Request) -> web.Response:
        refused = self._authorized(request)
        if refused is not None:
            return refused
        subscription_id = request.match_info["id"]
        form = decode_form(await request.text())
        self.subscription_updates.append((subscription_id, form))
        known = self.subscriptions.get(subscription_id)
        if known is None:
            error = {"error": {"type": "invalid_request_error", "code": "resource_missing"}}
            return web.json_response(error, status=404)
        known["cancel_at_period_end"] = form.get("cancel_at_period_end") == "true"
        return web.json_response(known)

    async def _invoice_payments(self, request: web.Request) -> web.Response:
        refused = self._authorized(request)
        if refused is not None:
            return refused
        payment_intent = request.query.get("payment[payment_intent]", "")
        invoice = self.invoice_of_payment_intent.get(payment_intent)
        data = []
        if invoice is not None:
            data.append(
                {
                    "id": _new_id("inpay"),
                    "object": "invoice_payment",
                    "invoice": invoice,
                    "payment": {"type": "payment_intent", "payment_intent": payment_intent},
                    "status": "paid",
                }
            )
        body = {"object": "list", "data": data, "has_more": False, "url": "/v1/invoice_payments"}
        return web.json_response(body)

    # --- events --------------------------------------------------------------------------

    @staticmethod
    def event(event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": _new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "type": event_type,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "data": {"object": obj},
        }

    def completed(self, session_id: str) -> dict[str, Any]:
        """checkout.session.completed for a paid session; a subscription session gets its
        subscription and first invoice, like Stripe creates them."""
        stored = self.sessions[session_id]
        session = dict(stored["session"], status="complete", payment_status="paid")
        session["customer"] = _new_id("cus")
        if session["mode"] == "subscription":
            subscription_id = _new_id("sub")
            session["subscription"] = subscription_id
            session["invoice"] = _new_id("in")
            metadata = (stored["form"].get("subscription_data") or {}).get("metadata") or {}
            self.subscriptions[subscription_id] = {
                "id": subscription_id,
                "object": "subscription",
                "status": "active",
                "cancel_at_period_end": False,
                "cancel_at": None,
                "metadata": metadata,
                "customer": session["customer"],
                "first_invoice": session["invoice"],
                "amount": session["amount_total"],
                "currency": session["currency"],
            }
        else:
            session["payment_intent"] = _new_id("pi")
        stored["session"] = session
        return self.event("checkout.session.completed", session)

    def invoice_paid(
        self,
        subscription_id: str,
        *,
        invoice_id: str | None = None,
        billing_reason: str = "subscription_cycle",
        period_end: int | None = None,
    ) -> dict[str, Any]:
        """invoice.paid for a period of a subscription (its first invoice by default when
        billing_reason is subscription_create)."""
        subscription = self.subscriptions[subscription_id]
        if invoice_id is None and billing_reason == "subscription_create":
            invoice_id = subscription["first_invoice"]
        invoice_id = invoice_id or _new_id("in")
        end = period_end or int(time.time()) + PERIOD_SECONDS
        payment_intent = _new_id("pi")
        self.invoice_of_payment_intent[payment_intent] = invoice_id
        invoice = {
            "id": invoice_id,
            "object": "invoice",
            "billing_reason": billing_reason,
            "status": "paid",
            "amount_paid": subscription["amount"],
            "currency": subscription["currency"],
            "customer": subscription["customer"],
            "parent": {
                "type": "subscription_details",
                "subscription_details": {
                    "subscription": subscription_id,
                    "metadata": subscription["metadata"],
                },
            },
            "lines": {
                "object": "list",
                "data": [{"period": {"start": end - PERIOD_SECONDS, "end": end}}],
            },
        }
        return self.event("invoice.paid", invoice)

    def payment_intent_of(self, invoice_id: str) -> str:
        return next(pi for pi, inv in self.invoice_of_payment_intent.items() if inv == invoice_id)

    def subscription_event(
        self, event_type: str, subscription_id: str, **changes: Any
    ) -> dict[str, Any]:
        subscription = self.subscriptions[subscription_id]
        subscription.update(changes)
        return self.event(event_type, dict(subscription))

    def charge_refunded(
        self, payment_intent: str, amount: int, *, refunded_amount: int | None = None
    ) -> dict[str, Any]:
        refunded = amount if refunded_amount is None else refunded_amount
        charge = {
            "id": _new_id("ch"),
            "object": "charge",
            "amount": amount,
            "amount_refunded": refunded,
            "refunded": refunded >= amount,
            "payment_intent": payment_intent,
            "currency": "usd",
        }
        return self.event("charge.refunded", charge)


def body_of(event: dict[str, Any]) -> bytes:
    """An event as Stripe posts it (pretty-printed JSON; the signature covers these bytes)."""
    return json.dumps(event, indent=2).encode()
