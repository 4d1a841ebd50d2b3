"""A tiny broadcast primitive for "wake me when something changed".

Long polling, ``wait_for_message`` and the payment flow all wait for state changes made
by other coroutines on the same loop. Each waiter re-checks its own condition after a
wake-up, so one notifier per queue/chat is enough and spurious wake-ups are harmless.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Notifier:
    """Edge-triggered broadcast: every :meth:`notify` wakes all current waiters."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake everyone currently waiting; later waiters wait for the next notify."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float | None) -> bool:  # noqa: ASYNC109
        """Wait for the next notify; ``False`` if *timeout* seconds passed first."""
        event = self._event
        try:
            async with asyncio.timeout(timeout):
                await event.wait()
        except TimeoutError:
            return False
        return True

    async def wait_for(
        self,
        check: Callable[[], T | None],
        timeout: float | None,  # noqa: ASYNC109 - callers pass their deadline through
    ) -> T:
        """Return the first non-``None`` result of *check*, re-evaluated on every notify.

        Raises :class:`TimeoutError` if nothing turned up within *timeout* seconds.
        """
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            value = check()
            if value is not None:
                return value
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                raise TimeoutError
            await self.wait(remaining)
