"""Telegram's failure modes, injected per method: what a bot must survive in production.

A fault applies to the next ``times`` calls of one method (optionally only calls whose
parameters match ``when``) and combines:

- ``error``: answer with this error (a 429 with ``retry_after``, a 5xx, a 400...);
- ``performed``: do the call first, so the error is a lost answer (Telegram sent the
  message but the bot hears 502), else the call is refused before anything happens;
- ``delay``: wait before answering (longer than the client's read timeout is a timeout);
- ``hold``: keep the answer until the test releases it (or kills the bot meanwhile).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import ApiError

ParamsFilter = Callable[[dict[str, Any]], bool]


@dataclass
class Fault:
    method: str
    error: ApiError | None = None
    performed: bool = False
    delay: float = 0.0
    times: int | None = 1  # None: until cleared
    when: ParamsFilter | None = None
    hold: Hold | None = None

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        return method.lower() == self.method.lower() and (self.when is None or self.when(params))

    async def answer(self) -> None:
        """What happens between the call (performed or not) and its answer."""
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.hold is not None:
            await self.hold.keep()
        if self.error is not None:
            raise self.error


@dataclass
class Hold:
    """Answers kept back until `release()`: a test waits for `count` of them, then
    acts (kills the bot, say) while the calls are in flight."""

    count: int = 0
    _released: asyncio.Event = field(default_factory=asyncio.Event)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def keep(self) -> None:
        async with self._changed:
            self.count += 1
            self._changed.notify_all()
        await self._released.wait()

    async def wait_for(self, count: int, within: float = 30.0) -> None:
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: self.count >= count)

    def release(self) -> None:
        self._released.set()


class Faults:
    """The faults in force on one server."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        self._faults.append(fault)
        return fault

    def clear(self) -> None:
        for fault in self._faults:
            if fault.hold is not None:
                fault.hold.release()
        self._faults.clear()

    def take(self, method: str, params: dict[str, Any]) -> Fault | None:
        """The first fault for this call, counted as used."""
        for fault in self._faults:
            if fault.matches(method, params):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                return fault
        return None
