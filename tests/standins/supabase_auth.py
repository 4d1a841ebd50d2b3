"""A loopback stand-in for the Supabase Auth admin API (GoTrue), for tests.

It answers `POST /auth/v1/admin/users` the way Supabase does: it checks the service role
key in both the `apikey` and `Authorization` headers, refuses a taken email with 422
`email_exists`, and writes the user into `auth.users` of the test database, because on
Supabase the Auth server and the database are the same Postgres.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import psycopg
from aiohttp import web
from psycopg.types.json import Jsonb

from tests.standins.loopback import LoopbackServer

API_VERSION_HEADERS = {"X-Supabase-Api-Version": "2024-01-01"}


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response(
        {"code": code, "message": message}, status=status, headers=API_VERSION_HEADERS
    )


class SupabaseAuthStandIn(LoopbackServer):
    def __init__(self, conninfo: str, service_key: str, latency: float = 0.0) -> None:
        super().__init__()
        self.conninfo = conninfo
        self.service_key = service_key
        self.latency = latency
        self.requests: list[dict[str, Any]] = []

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/auth/v1/admin/users", self._create_user)

    async def _create_user(self, request: web.Request) -> web.Response:
        authorized = (
            request.headers.get("apikey") == self.service_key
            and request.headers.get("Authorization") == f"Bearer {self.service_key}"
        )
        if not authorized:
            return _error(401, "bad_jwt", "invalid JWT: unable to parse or verify signature")
        body = await request.json()
        self.requests.append(body)
        email = body.get("email")
        if not email:
            return _error(422, "validation_failed", "Unable to validate email address")
        await asyncio.sleep(self.latency)
        user_id = uuid.uuid4()
        now = datetime.now(UTC)
        async with await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True) as conn:
            cursor = await conn.execute(
                """
                INSERT INTO auth.users
                       (id, email, raw_app_meta_data, raw_user_meta_data, created_at)
                VALUES (%s, %s, %s, %s, %s)
                ON CONFLICT (email) DO NOTHING RETURNING id
                """,
                [
                    user_id,
                    email,
                    Jsonb(body.get("app_metadata", {})),
                    Jsonb(body.get("user_metadata", {})),
                    now,
                ],
            )
            if await cursor.fetchone() is None:
                return _error(
                    422,
                    "email_exists",
                    "A user with this email address has already been registered",
                )
        confirmed = now.isoformat() if body.get("email_confirm") else None
        return web.json_response(
            {
                "id": str(user_id),
                "aud": "authenticated",
                "role": "authenticated",
                "email": email,
                "email_confirmed_at": confirmed,
                "app_metadata": body.get("app_metadata", {}),
                "user_metadata": body.get("user_metadata", {}),
                "identities": [],
                "created_at": now.isoformat(),
                "updated_at": now.isoformat(),
                "is_anonymous": False,
            },
            headers=API_VERSION_HEADERS,
        )
