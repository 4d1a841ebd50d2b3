"""The bot's own web server: health now; Telegram and Stripe webhooks plug in here."""

from __future__ import annotations

import logging

from aiohttp import web

from services.db import Database

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


def create_web_app(db: Database) -> web.Application:
    app = web.Application()
    app[DATABASE_KEY] = db
    app.router.add_get("/health", health)
    return app
