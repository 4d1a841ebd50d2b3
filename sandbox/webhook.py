"""Webhook delivery: POST each pending update, in order, to the bot's URL.

Like Telegram, an update stays pending until the webhook answers with a 2xx status;
failures are retried with backoff and reported through getWebhookInfo's
``last_error_date``/``last_error_message``. Plain ``http://`` URLs are accepted
because the receiver usually runs on localhost. Method calls returned in the webhook
response body are not executed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from sandbox.updates import UpdateQueue

_log = logging.getLogger(__name__)


@dataclass
class WebhookConfig:
    """setWebhook arguments plus the delivery error state."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    has_custom_certificate: bool = False
    last_error_date: int | None = None
    last_error_message: str | None = None


class WebhookDeliverer:
    """Background task draining one bot's update queue into its webhook."""

    def __init__(
        self,
        queue: UpdateQueue,
        config: WebhookConfig,
        session: aiohttp.ClientSession,
        *,
        request_timeout: float = 10.0,
        max_backoff: float = 1.0,
    ) -> None:
        self.queue = queue
        self.config = config
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=request_timeout)
        self._max_backoff = max_backoff
        self._task: asyncio.Task[None] | None = None
        self.delivered = 0

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def info(self) -> dict[str, Any]:
        """getWebhookInfo's result."""
        body: dict[str, Any] = {
            "url": self.config.url,
            "has_custom_certificate": self.config.has_custom_certificate,
            "pending_update_count": self.queue.pending_count,
            "max_connections": self.config.max_connections,
        }
        if self.config.ip_address:
            body["ip_address"] = self.config.ip_address
        if self.config.last_error_date is not None:
            body["last_error_date"] = self.config.last_error_date
            body["last_error_message"] = self.config.last_error_message
        allowed = self.queue.allowed_updates
        if allowed is not None:
            body["allowed_updates"] = allowed
        return body

    async def _run(self) -> None:
        failures = 0
        while True:
            update = self.queue.first()
            if update is None:
                await self.queue.changed.wait(None)
                continue
            error = await self._post(update)
            if error is None:
                self.queue.remove(update["update_id"])
                self.delivered += 1
                failures = 0
                continue
            failures += 1
            self.config.last_error_date = int(time.time())
            self.config.last_error_message = error
            _log.info("webhook delivery to %s failed: %s", self.config.url, error)
            await asyncio.sleep(min(self._max_backoff, 0.05 * 2**failures))

    async def _post(self, update: dict[str, Any]) -> str | None:
        """Deliver one update; the error message Telegram would show, or None."""
        headers = {}
        if self.config.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.config.secret_token
        try:
            async with self._session.post(
                self.config.url, json=update, headers=headers, timeout=self._timeout
            ) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientConnectionError:
            return "Connection refused"
        except aiohttp.ClientError as exc:
            return f"Failed to deliver: {exc}"
