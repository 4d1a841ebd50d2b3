"""Telegram's flood limits as token buckets, off unless switched on.

Telegram documents roughly one message per second per private chat (short bursts are
tolerated), 20 messages per minute per group and about 30 messages per second overall
per bot. Exceeding them yields ``429 Too Many Requests: retry after N``. The limits are
off by default so functional tests run at full speed; turn them on per server to test
a bot's rate limiting (e.g. PTB's ``AIORateLimiter``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from sandbox.errors import too_many_requests


@dataclass
class FloodLimits:
    """Rates and burst sizes; ``enabled=False`` disables all checks."""

    enabled: bool = False
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: float = 20.0
    group_burst: int = 20
    global_per_second: float = 30.0
    global_burst: int = 30


class _Bucket:
    """Classic token bucket: *capacity* tokens, refilled at *rate* per second."""

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.updated = now

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def wait_time(self, cost: float) -> float:
        """Seconds until *cost* tokens are available (0 if they are now)."""
        # A batch larger than the bucket (a 10-item album in a private chat) is allowed
        # once the bucket is full; its surplus then delays the following messages.
        missing = min(cost, self.capacity) - self.tokens
        return 0.0 if missing <= 0 else missing / self.rate


class FloodControl:
    """Per-bot global bucket plus one bucket per (bot, chat)."""

    def __init__(
        self, limits: FloodLimits | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits or FloodLimits()
        self._clock = clock
        self._buckets: dict[tuple[int, int | None], _Bucket] = {}

    def configure(self, limits: FloodLimits) -> None:
        """Replace the limits and forget all accumulated usage."""
        self.limits = limits
        self._buckets.clear()

    def check(self, bot_id: int, chat_id: int, chat_type: str, count: int = 1) -> None:
        """Consume *count* messages' worth of quota or raise 429 with retry_after."""
        if not self.limits.enabled:
            return
        now = self._clock()
        buckets = [
            self._bucket(
                (bot_id, None), self.limits.global_per_second, self.limits.global_burst, now
            ),
            self._chat_bucket(bot_id, chat_id, chat_type, now),
        ]
        for bucket in buckets:
            bucket.refill(now)
        wait = max(bucket.wait_time(count) for bucket in buckets)
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)))
        for bucket in buckets:
            bucket.tokens -= count

    def _chat_bucket(self, bot_id: int, chat_id: int, chat_type: str, now: float) -> _Bucket:
        if chat_type == "private":
            rate, burst = self.limits.private_per_second, self.limits.private_burst
        else:
            rate, burst = self.limits.group_per_minute / 60.0, self.limits.group_burst
        return self._bucket((bot_id, chat_id), rate, burst, now)

    def _bucket(
        self, key: tuple[int, int | None], rate: float, burst: float, now: float
    ) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(rate, burst, now)
        return bucket
