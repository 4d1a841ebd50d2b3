"""A bot's pending updates, consumed by long polling or by the webhook deliverer.

Semantics follow the Bot API: update ids increase by one; ``getUpdates(offset=N)``
confirms (forgets) every update below N; a negative offset keeps only the last |N|;
``allowed_updates`` filters updates created after it was set; a second concurrent
getUpdates terminates the first with 409 Conflict. A persistent world journals every
queued update and every confirmation, so unconfirmed updates and the update id counter
survive a restart, as they do on Telegram's side.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sandbox.errors import conflict
from sandbox.waiting import Notifier

if TYPE_CHECKING:
    from sandbox.persistence import Journal

#: Types delivered when allowed_updates is unset or empty (Telegram's default).
_OPT_IN_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class UpdateQueue:
    """Pending updates of one bot plus the long-polling wait logic."""

    def __init__(
        self, first_update_id: int = 1, *, journal: Journal | None = None, owner: str = ""
    ) -> None:
        self._pending: deque[dict[str, Any]] = deque()
        self._next_id = first_update_id
        self._journal = journal
        self._owner = owner  # the bot's token, naming this queue in the journal
        self._allowed: frozenset[str] | None = None
        self._poll_generation = 0
        self._closed = False
        self.changed = Notifier()

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    @property
    def next_update_id(self) -> int:
        return self._next_id

    def pending(self) -> list[dict[str, Any]]:
        return list(self._pending)

    @property
    def allowed_updates(self) -> list[str] | None:
        return sorted(self._allowed) if self._allowed is not None else None

    def set_allowed(self, allowed: Iterable[str] | None) -> None:
        """Apply allowed_updates; ``None`` keeps the previous setting, ``[]`` resets it."""
        if allowed is None:
            return
        chosen = frozenset(allowed)
        self._allowed = chosen or None

    def accepts(self, update_type: str) -> bool:
        if self._allowed is None:
            return update_type not in _OPT_IN_TYPES
        return update_type in self._allowed

    def push(self, update_type: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        """Queue ``{"update_id": ..., update_type: payload}``; ``None`` if filtered out."""
        if not self.accepts(update_type):
            return None
        return self.push_raw({update_type: payload})

    def push_raw(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue any JSON object as it is, past allowed_updates (what an older or
        misbehaving Bot API server might send), with the next update id: a given
        update_id is replaced, since offsets need integers."""
        queued = {**update, "update_id": self._next_id}
        self._next_id += 1
        self._pending.append(queued)
        if self._journal is not None:
            self._journal.update(self._owner, queued)
        self.changed.notify()
        return queued

    def restore(self, update: dict[str, Any]) -> None:
        """Queue a replayed update with its own id."""
        self.skip_to(update["update_id"] + 1)
        self._pending.append(update)

    def skip_to(self, next_update_id: int) -> None:
        """Continue numbering at *next_update_id* at least: ids never repeat."""
        self._next_id = max(self._next_id, next_update_id)

    def first(self) -> dict[str, Any] | None:
        """Oldest pending update (the webhook deliverer sends them in order)."""
        return self._pending[0] if self._pending else None

    def remove(self, update_id: int) -> None:
        """Forget a delivered update."""
        if self._pending and self._pending[0]["update_id"] == update_id:
            self._pending.popleft()
        else:
            self._pending = deque(u for u in self._pending if u["update_id"] != update_id)
        self._forgotten([update_id])

    def drop_pending(self) -> None:
        """deleteWebhook/setWebhook with drop_pending_updates=True."""
        self._forgotten([u["update_id"] for u in self._pending])
        self._pending.clear()

    def confirm(self, offset: int | None) -> None:
        """Forget updates below *offset*; a negative offset keeps the last ``-offset``."""
        if offset is None:
            return
        confirmed = []
        if offset < 0:
            while len(self._pending) > -offset:
                confirmed.append(self._pending.popleft()["update_id"])
        else:
            while self._pending and self._pending[0]["update_id"] < offset:
                confirmed.append(self._pending.popleft()["update_id"])
        self._forgotten(confirmed)

    def _forgotten(self, update_ids: list[int]) -> None:
        if update_ids and self._journal is not None:
            self._journal.updates_gone(self._owner, update_ids)

    def terminate_pollers(self) -> None:
        """Make a waiting getUpdates fail with 409 (e.g. a webhook was just set)."""
        self._poll_generation += 1
        self.changed.notify()

    def close(self) -> None:
        """Release waiting pollers with an empty result (server shutdown)."""
        self._closed = True
        self.changed.notify()

    async def poll(
        self,
        offset: int | None,
        limit: int,
        timeout: float,  # noqa: ASYNC109 - getUpdates' own parameter
    ) -> list[dict[str, Any]]:
        """getUpdates: return pending updates at once, or wait up to *timeout* seconds."""
        self._poll_generation += 1
        generation = self._poll_generation
        self.changed.notify()  # wakes an older poller so it can see it was superseded
        self.confirm(offset)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise conflict(
                    "terminated by other getUpdates request; "
                    "make sure that only one bot instance is running"
                )
            if self._pending or self._closed:
                return list(self._pending)[:limit]
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            await self.changed.wait(remaining)
