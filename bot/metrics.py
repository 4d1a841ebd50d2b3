"""Prometheus metrics, served at /metrics by the bot's web server.

What this process counts goes through prometheus-client; `python -m bot` runs it in the
library's multi-process mode (bot/metrics_dir.py), so the image pool's workers could add
to the same figures. What the whole bot has done is read from PostgreSQL when scraped
(at most every `DatabaseFigures.max_age` seconds): those series are the same on every
process, so aggregate them with max(), not sum().

Per process:
- `thumbbot_updates_total{kind}`: Telegram updates handled (message, callback_query, ...)
- `thumbbot_handler_seconds{handler}`: each handler's latency (its count: updates it handled)
- `thumbbot_errors_total{where,kind}`: handler exceptions by class (`where="handler"`),
  ERROR log lines by logger (`where="log"`)
- `thumbbot_refusals_total{key}`: requests refused with a message (catalog key)
- `thumbbot_http_requests_total{route,status}`: the web server's answers (webhooks, health)
- `thumbbot_provider_seconds{provider,outcome}`, `thumbbot_provider_errors_total{provider,kind}`:
  the image generator (replicate or local)
Whole bot (from the database):
- `thumbbot_generations{status}`: generation jobs by state; `thumbbot_generation_queue_depth`
  and `thumbbot_generation_queue_oldest_seconds`: the queue
- `thumbbot_update_intake_pending`, `thumbbot_update_intake_oldest_seconds`: webhook
  updates recorded and not handled yet
- `thumbbot_credit_movements_total{reason}`, `thumbbot_credits_moved_total{reason}`:
  ledger rows and credits (absolute) by kind (signup_bonus, generation_charge, payment...)
- `thumbbot_payments_total{provider,kind}`, `thumbbot_payments_refunded_total{provider,kind}`,
  `thumbbot_payments_amount_total{provider,currency}`
- `thumbbot_database_up`: whether those could be read
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, TypeHandler

from bot.log_setup import PAYMENT_ID, UPDATE_ID, USER, user_ref
from handlers.context import ChatContext, TelegramApp
from services.adapters.db import Database
from services.errors import UserFacingError
from services.generators.base import GenerationFailed, GenerationRequest, Generator
from services.generators.base import ProgressCallback as Progress

logger = logging.getLogger(__name__)

METRICS_PATH = "/metrics"
#: Before every other handler group (handlers/__init__.py starts at -3).
OBSERVE_GROUP = -100
_UPDATE_KINDS = ("message", "callback_query", "pre_checkout_query", "edited_message")

UPDATES = Counter("thumbbot_updates", "Telegram updates handled, by kind", ["kind"])
HANDLER_SECONDS = Histogram(
    "thumbbot_handler_seconds",
    "Time in each handler (the count is the updates it handled)",
    ["handler"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
ERRORS = Counter(
    "thumbbot_errors", "Errors, by where they happened and their kind", ["where", "kind"]
)
REFUSALS = Counter("thumbbot_refusals", "Requests refused with a message, by text key", ["key"])
HTTP_REQUESTS = Counter(
    "thumbbot_http_requests", "Answers of the bot's web server", ["route", "status"]
)
PROVIDER_SECONDS = Histogram(
    "thumbbot_provider_seconds",
    "Time the image generator took per image",
    ["provider", "outcome"],
    buckets=(0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0),
)
PROVIDER_ERRORS = Counter(
    "thumbbot_provider_errors", "Images the generator did not make, by why", ["provider", "kind"]
)


# --- Telegram updates ----------------------------------------------------------------


def instrument(application: TelegramApp) -> None:
    """Times every registered handler and counts its exceptions; a first handler group
    counts each update and names it (update id, hashed user, payment) for the log."""
    for handlers in application.handlers.values():
        for handler in handlers:
            _time_handler(handler)
    application.add_handler(TypeHandler(Update, _observe), group=OBSERVE_GROUP)


def _time_handler(handler: BaseHandler[Any, ChatContext, Any]) -> None:
    callback = handler.callback
    name = f"{callback.__module__.removeprefix('handlers.')}.{callback.__name__}"
    timer = HANDLER_SECONDS.labels(name)

    async def timed(update: object, context: ChatContext) -> Any:
        started = time.perf_counter()
        try:
            return await callback(update, context)
        except ApplicationHandlerStop:
            raise
        except UserFacingError as refusal:
            REFUSALS.labels(refusal.text_key).inc()
            raise
        except Exception as error:
            ERRORS.labels("handler", type(error).__name__).inc()
            raise
        finally:
            timer.observe(time.perf_counter() - started)

    timed.__name__ = callback.__name__
    handler.callback = timed


async def _observe(update: Update, _: ChatContext) -> None:
    kind = next((name for name in _UPDATE_KINDS if getattr(update, name) is not None), "other")
    UPDATES.labels(kind).inc()
    # Handlers of one update run in its task, one after another: what is set here is
    # seen by every log line they write.
    UPDATE_ID.set(update.update_id)
    if update.effective_user is not None:
        USER.set(user_ref(update.effective_user.id))
    message = update.effective_message
    if message is None:
        return
    payment = message.successful_payment or message.refunded_payment
    if payment is not None:
        PAYMENT_ID.set(payment.telegram_payment_charge_id)
        what = "payment" if payment is message.successful_payment else "refund"
        logger.info("Telegram reports a %s of %s %s", what, payment.total_amount, payment.currency)


# --- the generator and the log ----------------------------------------------------------


class MeasuredGenerator:
    """A Generator that times each image and counts the ones it could not make."""

    def __init__(self, inner: Generator, provider: str) -> None:
        self._inner = inner
        self._provider = provider

    async def generate(self, request: GenerationRequest, progress: Progress) -> bytes:
        started, outcome = time.perf_counter(), "made"
        try:
            return await self._inner.generate(request, progress)
        except GenerationFailed as failed:
            outcome = "failed"
            PROVIDER_ERRORS.labels(self._provider, failed.key).inc()
            raise
        except asyncio.CancelledError:
            outcome = "interrupted"
            raise
        except Exception as error:
            outcome = "error"
            PROVIDER_ERRORS.labels(self._provider, type(error).__name__).inc()
            raise
        finally:
            PROVIDER_SECONDS.labels(self._provider, outcome).observe(time.perf_counter() - started)


class ErrorLogCounter(logging.Handler):
    """Counts ERROR (and worse) log lines by the top package of their logger."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        ERRORS.labels("log", record.name.split(".")[0]).inc()


# --- the web server ---------------------------------------------------------------------


@web.middleware
async def count_requests(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Counts every answer by its route (the registered path, so ids in paths add no
    series) and status."""
    resource = request.match_info.route.resource
    route = resource.canonical if resource is not None else "other"
    try:
        response = await handler(request)
    except web.HTTPException as answer:
        HTTP_REQUESTS.labels(route, str(answer.status)).inc()
        raise
    HTTP_REQUESTS.labels(route, str(response.status)).inc()
    return response


_FIGURES = """
SELECT 'generations' AS what, status AS a, NULL AS b, count(*)::float8 AS n, NULL::float8 AS v
  FROM generations GROUP BY status
UNION ALL
SELECT 'queue', NULL, NULL, count(*), extract(epoch FROM now() - min(created_at))
  FROM generations WHERE status = 'queued'
UNION ALL
SELECT 'intake', NULL, NULL, count(*), extract(epoch FROM now() - min(received_at))
  FROM telegram_updates WHERE done_at IS NULL
UNION ALL
SELECT 'credits', reason, NULL, count(*), sum(abs(delta)) FROM credit_ledger GROUP BY reason
UNION ALL
SELECT 'payments', provider, kind, count(*), count(refunded_at) FROM payments
 GROUP BY provider, kind
UNION ALL
SELECT 'paid', provider, COALESCE(currency, ''), count(*), sum(amount) FROM payments
 GROUP BY provider, currency
"""


class DatabaseFigures(Collector):
    """The bot's figures from PostgreSQL, read at most every `max_age` seconds (the
    ledger and job counts are index-only scans, still not free on millions of rows)."""

    def __init__(self, db: Database, max_age: float = 15.0) -> None:
        self._db = db
        self.max_age = max_age
        self._rows: list[dict[str, Any]] = []
        self._up = False
        self._read_at = -max_age
        self._lock = asyncio.Lock()

    async def refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._read_at < self.max_age:
                return
            try:
                self._rows = await self._db.fetch_all(_FIGURES)
                self._up = True
            except Exception as error:
                logger.warning("metrics: the database figures could not be read: %s", error)
                self._up = False
            self._read_at = time.monotonic()

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("thumbbot_database_up", "Whether the database figures were read")
        up.add_metric([], 1.0 if self._up else 0.0)
        yield up
        if not self._up:
            return
        by = self._by_kind()
        statuses = GaugeMetricFamily(
            "thumbbot_generations", "Generation jobs by state", labels=["status"]
        )
        for row in by["generations"]:
            statuses.add_metric([row["a"]], row["n"])
        yield statuses
        yield from self._queue(
            by["queue"],
            "thumbbot_generation_queue_depth",
            "thumbbot_generation_queue_oldest_seconds",
            "generation jobs waiting for a worker",
        )
        yield from self._queue(
            by["intake"],
            "thumbbot_update_intake_pending",
            "thumbbot_update_intake_oldest_seconds",
            "webhook updates recorded and not handled yet",
        )
        rows = CounterMetricFamily(
            "thumbbot_credit_movements", "Ledger rows by kind", labels=["reason"]
        )
        moved = CounterMetricFamily(
            "thumbbot_credits_moved", "Credits moved (absolute) by kind", labels=["reason"]
        )
        for row in by["credits"]:
            rows.add_metric([row["a"]], row["n"])
            moved.add_metric([row["a"]], row["v"] or 0.0)
        yield rows
        yield moved
        payments = CounterMetricFamily(
            "thumbbot_payments", "Payments credited", labels=["provider", "kind"]
        )
        refunded = CounterMetricFamily(
            "thumbbot_payments_refunded", "Payments refunded", labels=["provider", "kind"]
        )
        for row in by["payments"]:
            payments.add_metric([row["a"], row["b"]], row["n"])
            refunded.add_metric([row["a"], row["b"]], row["v"] or 0.0)
        yield payments
        yield refunded
        amount = CounterMetricFamily(
            "thumbbot_payments_amount",
            "Amounts paid (Stars, or the currency's units)",
            labels=["provider", "currency"],
        )
        for row in by["paid"]:
            amount.add_metric([row["a"], row["b"]], float(row["v"] or 0.0))
        yield amount

    def _by_kind(self) -> dict[str, list[dict[str, Any]]]:
        kinds = ("generations", "queue", "intake", "credits", "payments", "paid")
        found: dict[str, list[dict[str, Any]]] = {kind: [] for kind in kinds}
        for row in self._rows:
            found[row["what"]].append(row)
        return found

    @staticmethod
    def _queue(
        rows: list[dict[str, Any]], size_name: str, age_name: str, what: str
    ) -> Iterator[Metric]:
        depth = GaugeMetricFamily(size_name, f"How many {what}")
        oldest = GaugeMetricFamily(age_name, f"Age of the oldest of the {what}")
        row: dict[str, Any] = rows[0] if rows else {"n": 0.0, "v": None}
        depth.add_metric([], float(row["n"]))
        oldest.add_metric([], float(row["v"] or 0.0))
        yield depth
        yield oldest


def _process_registry() -> CollectorRegistry:
    """This process's metrics: in multi-process mode, from the files of every process
    that shares the directory; otherwise the library's default registry."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def metrics_route(figures: DatabaseFigures) -> web.RouteDef:
    database = CollectorRegistry(auto_describe=True)
    database.register(figures)

    async def scrape(_: web.Request) -> web.Response:
        await figures.refresh()
        body = generate_latest(_process_registry()) + generate_latest(database)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return web.get(METRICS_PATH, scrape)
