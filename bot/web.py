"""The bot's own web server: health, and the webhooks (Telegram, Stripe, Replicate),
/healthz, /readyz (bot/health.py) and /metrics (bot/metrics.py) that bot/runtime.py mounts
for the configuration. Every answer is counted (thumbbot_http_requests_total)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from aiohttp import web

from bot.metrics import count_requests
from services.adapters.db import Database
from services.container import WebhookEndpoint

logger = logging.getLogger(__name__)

DATABASE_KEY = web.AppKey("database", Database)


async def health(request: web.Request) -> web.Response:
    """200 when the database answers, 503 otherwise; for load balancers and humans."""
    try:
        await request.app[DATABASE_KEY].fetch_value("SELECT 1")
    except Exception:
        logger.exception("health check: database unreachable")
        return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


def provider_webhook_route(path: str, endpoint: WebhookEndpoint) -> web.RouteDef:
    """A provider's webhook: the endpoint gets the raw body (signatures are computed on
    it) and decides the status."""

    async def receive(request: web.Request) -> web.Response:
        return web.Response(status=await endpoint(await request.read(), request.headers))

    return web.post(path, receive)


def create_web_app(db: Database, routes: Iterable[web.RouteDef] = ()) -> web.Application:
    app = web.Application(middlewares=[count_requests])
    app[DATABASE_KEY] = db
    app.router.add_get("/health", health)
    app.router.add_routes(list(routes))
    return app


@asynccontextmanager
async def serving(app: web.Application, port: int, host: str = "0.0.0.0") -> AsyncIterator[int]:
    """Serves the app while the block runs; yields the bound port (0 picks a free one)."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
        bound = runner.addresses[0][1]  # a socket address: (host, port, ...)
        logger.info("web server on port %d", bound)
        yield bound
    finally:
        await runner.cleanup()
