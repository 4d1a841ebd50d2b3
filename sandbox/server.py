"""The HTTP face of the sandbox: Bot API routes, the response envelope, file downloads.

``SandboxServer`` serves ``/bot<token>/<method>`` (GET or POST with any body encoding)
and ``/file/bot<token>/<file_path>``, so python-telegram-bot works unchanged with::

    Bot(token, base_url=server.api_base_url, base_file_url=server.file_base_url)

It is also the entry point for tests: register bots, create users and groups, toggle
flood limits, inject failures and inspect the call log. With a ``data_dir`` the world
survives restarts, kill -9 included (see persistence.py).
"""

from __future__ import annotations

import logging
import socket
import time
from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from sandbox.accounts import BotAccount, ChatInfo
from sandbox.errors import ApiError, not_found
from sandbox.faults import Fault, Faults, Hold, ParamsFilter
from sandbox.flood import FloodLimits
from sandbox.methods import METHODS, Call, Described
from sandbox.params import MAX_REQUEST_BYTES, read_params
from sandbox.payments import ApiRecord
from sandbox.state import World
from sandbox.users import SandboxUser

_log = logging.getLogger("sandbox")

#: Oldest calls are forgotten beyond this, so long benchmark runs stay bounded.
MAX_LOGGED_CALLS = 100_000


@dataclass(frozen=True)
class ApiCall:
    """One request to the Bot API, for assertions and benchmarks."""

    method: str
    bot_id: int
    params: dict[str, Any]
    status: int
    description: str | None
    started: float
    duration: float


class SandboxServer:
    """A loopback Telegram Bot API server plus the act-as-user entry points.

    Bots must be registered with :meth:`register_bot` unless ``auto_register_bots`` is
    set, in which case any well-formed token (``<digits>:<secret>``) creates its bot on
    first use. Unknown tokens get 401 Unauthorized. ``data_dir`` makes the world
    persistent: what was there when the last server on that directory stopped (or was
    killed) is there again, and ``register_bot`` returns a known bot's token.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        flood_limits: FloodLimits | None = None,
        auto_register_bots: bool = False,
        data_dir: Path | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.world = World(
            flood_limits=flood_limits, auto_register_bots=auto_register_bots, data_dir=data_dir
        )
        self.api_calls: deque[ApiCall] = deque(maxlen=MAX_LOGGED_CALLS)
        self._default_token: str | None = None
        self._users: dict[tuple[int, int], SandboxUser] = {}
        self.faults = Faults()
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    # --- lifecycle ------------------------------------------------------------------

    async def start(self) -> SandboxServer:
        """Bind (port 0 picks a free port) and start serving."""
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._http = aiohttp.ClientSession()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self

    async def stop(self) -> None:
        """Release long polls, stop webhook delivery, close the listener and the journal
        (a stopped persistent server is not restarted: make a new one)."""
        for bot in self.world.bots.values():
            bot.updates.close()
            if bot.webhook is not None:
                await bot.webhook.stop()
                bot.webhook = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._http is not None:
            await self._http.close()
            self._http = None
        self.world.close()

    async def __aenter__(self) -> SandboxServer:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base_url(self) -> str:
        """Value for PTB's ``base_url`` (the token is appended by the client)."""
        return f"{self.url}/bot"

    @property
    def file_base_url(self) -> str:
        """Value for PTB's ``base_file_url``."""
        return f"{self.url}/file/bot"

    # --- world setup ----------------------------------------------------------------

    def register_bot(
        self,
        username: str = "sandbox_bot",
        *,
        token: str | None = None,
        first_name: str | None = None,
        privacy_mode: bool = True,
    ) -> str:
        """Create a bot and return its token; the first bot becomes the default one. A
        persistent world returns the token of the bot it knows under *username*."""
        bot = self.world.register_bot(
            token=token, username=username, first_name=first_name, privacy_mode=privacy_mode
        )
        self._default_token = self._default_token or bot.token
        return bot.token

    def bot(self, token: str | None = None) -> BotAccount:
        """A registered bot (the default one without *token*)."""
        token = token or self._default_token or next(iter(self.world.bots), None)
        if token is None or token not in self.world.bots:
            raise LookupError("no bot registered; call register_bot() first")
        return self.world.bots[token]

    def user(
        self,
        id: int | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        is_premium: bool | None = None,
        *,
        bot: str | None = None,
    ) -> SandboxUser:
        """A user in their private chat with *bot* (default bot if omitted).

        Calling it again with the same id returns the same handle; given profile
        fields update the account.
        """
        account_bot = self.bot(bot)
        existing = self.world.users.get(id) if id is not None else None
        profile = {
            "first_name": first_name,
            "last_name": last_name,
            "username": username,
            "language_code": language_code,
            "is_premium": is_premium,
        }
        profile = {k: v for k, v in profile.items() if v is not None}
        if existing is None:
            profile.setdefault("first_name", "Test")
        account = self.world.add_user(id, **profile)
        key = (account_bot.id, account.id)
        if key not in self._users:
            self._users[key] = SandboxUser(self.world, account_bot, account)
        return self._users[key]

    def group(
        self,
        id: int | None = None,
        title: str = "Sandbox group",
        *,
        username: str | None = None,
        type: str | None = None,
    ) -> ChatInfo:
        """A group chat (ids starting with -100 are supergroups) the bots are in."""
        return self.world.add_group(id, title, chat_type=type, username=username)

    def push_raw_update(self, update: dict[str, Any], bot: str | None = None) -> dict[str, Any]:
        """Queue a raw update for *bot* (default bot if omitted), however malformed, past
        allowed_updates; it gets the next update id (a given ``update_id`` is replaced)."""
        return self.bot(bot).updates.push_raw(update)

    def set_flood_limits(self, limits: FloodLimits | None = None, **changes: Any) -> FloodLimits:
        """Replace flood limits, e.g. ``set_flood_limits(enabled=True)``."""
        chosen = replace(limits or self.world.flood.limits, **changes)
        self.world.flood.configure(chosen)
        return chosen

    def advance_time(self, seconds: int) -> None:
        """Move the sandbox clock (message dates, subscription expiry) forward."""
        self.world.time_offset += seconds
        self.world.commit()

    # --- inspection and fault injection -----------------------------------------------

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """Logged API calls, optionally of one method (case-insensitive)."""
        if method is None:
            return list(self.api_calls)
        return [c for c in self.api_calls if c.method.lower() == method.lower()]

    def fail_next(
        self,
        method: str,
        error_code: int = 500,
        description: str = "Internal Server Error",
        *,
        times: int | None = 1,
        retry_after: int | None = None,
        performed: bool = False,
        delay: float = 0.0,
        when: ParamsFilter | None = None,
    ) -> Fault:
        """Make the next *times* calls of *method* (None: all, until `faults.clear()`)
        fail with the given error; `performed` does the call first, so only the answer
        is an error (Telegram sent it, the bot hears 5xx)."""
        error = ApiError(error_code, description, retry_after=retry_after)
        return self.faults.add(Fault(method, error, performed, delay, times, when))

    def hold(
        self, method: str, *, performed: bool = True, when: ParamsFilter | None = None
    ) -> Hold:
        """Keep back the answers of *method* calls (done first when `performed`) until
        the returned hold is released: the moment to kill a bot mid-call."""
        hold = Hold()
        self.faults.add(Fault(method, performed=performed, times=None, when=when, hold=hold))
        return hold

    def file_bytes(self, file_id: str) -> bytes:
        stored = self.world.files.get(file_id)
        if stored is None:
            raise LookupError(f"unknown file_id {file_id!r}")
        return stored.data

    @property
    def refunds(self) -> list[ApiRecord]:
        """refundStarPayment calls that succeeded."""
        return list(self.world.payments.refunds)

    @property
    def subscription_edits(self) -> list[ApiRecord]:
        """editUserStarSubscription calls that succeeded."""
        return list(self.world.payments.subscription_edits)

    # --- HTTP -----------------------------------------------------------------------

    async def _handle_method(self, request: web.Request) -> web.Response:
        started = time.monotonic()
        name = request.match_info["method"]
        bot_id = 0
        bot: BotAccount | None = None
        summary: dict[str, Any] = {}
        try:
            bot = self.world.authenticate(request.match_info["token"])
            bot_id = bot.id
            handler = METHODS.get(name.lower())
            if handler is None:
                raise not_found("method not found")
            params = await read_params(request)
            summary = params.summary()
            fault = self.faults.take(name, summary)
            if fault is not None and not fault.performed:
                await fault.answer()
            assert self._http is not None
            result = await handler(Call(self.world, bot, params, self._http))
            if fault is not None and fault.performed:
                self._record(name, bot_id, summary, 200, "performed", started)
                await fault.answer()
        except ApiError as error:
            self._record(name, bot_id, summary, error.error_code, error.description, started)
            return web.json_response(error.payload(), status=error.error_code)
        except ConnectionResetError:
            # The bot gave up on the call (a cancelled task, a killed process): normal.
            self._record(name, bot_id, summary, 499, "client closed the request", started)
            return web.Response(status=499)
        except Exception:
            _log.exception("sandbox: %s failed", name)
            self._record(name, bot_id, summary, 500, "internal error", started)
            body = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
            return web.json_response(body, status=500)
        finally:
            self.world.commit(bot)  # on disk before the answer leaves
        body = {"ok": True, "result": result}
        if isinstance(result, Described):
            body = {"ok": True, "result": result.result, "description": result.description}
        self._record(name, bot_id, summary, 200, None, started)
        return web.json_response(body)

    def _record(
        self,
        method: str,
        bot_id: int,
        params: dict[str, Any],
        status: int,
        description: str | None,
        started: float,
    ) -> None:
        duration = time.monotonic() - started
        _log.info("bot %s %s -> %s %s", bot_id, method, status, description or "")
        self.api_calls.append(
            ApiCall(method, bot_id, params, status, description, started, duration)
        )

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        try:
            self.world.authenticate(request.match_info["token"])
        except ApiError as error:
            return web.json_response(error.payload(), status=error.error_code)
        stored = self.world.files.by_path(request.match_info["path"])
        if stored is None:
            return web.json_response(not_found("file not found").payload(), status=404)
        content_type = stored.mime_type or (
            "image/jpeg" if stored.kind == "photo" else "application/octet-stream"
        )
        return web.Response(body=stored.data, headers={"Content-Type": content_type})
