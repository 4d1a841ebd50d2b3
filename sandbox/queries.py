"""Queries a bot must answer: callback queries and pre-checkout queries.

Both are opened by a user action, answered once by the bot through the API
(answerCallbackQuery / answerPreCheckoutQuery) and may be awaited by the user side.
Answering an unknown or already answered query gives Telegram's "query is too old"
error, which is what a bot sees when it answers twice or too late.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import bad_request
from sandbox.waiting import Notifier

_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


@dataclass
class PendingQuery:
    """An open or answered query; ``answer`` holds the bot's arguments once answered."""

    id: str
    kind: str
    bot_id: int
    user_id: int
    chat_id: int | None
    context: dict[str, Any] = field(default_factory=dict)
    answer: dict[str, Any] | None = None


class QueryBook:
    """All queries of the sandbox, keyed by their id."""

    def __init__(self) -> None:
        self._queries: dict[str, PendingQuery] = {}
        self.changed = Notifier()

    def open(
        self,
        kind: str,
        bot_id: int,
        user_id: int,
        chat_id: int | None,
        context: dict[str, Any] | None = None,
    ) -> PendingQuery:
        query_id = str(secrets.randbits(63))
        query = PendingQuery(query_id, kind, bot_id, user_id, chat_id, dict(context or {}))
        self._queries[query_id] = query
        return query

    def answer(self, kind: str, bot_id: int, query_id: str | None, answer: dict[str, Any]) -> None:
        """Record the bot's answer; a query can be answered once."""
        query = self._queries.get(query_id or "")
        if query is None or query.kind != kind or query.bot_id != bot_id or query.answer:
            raise bad_request(_TOO_OLD)
        query.answer = answer
        self.changed.notify()

    async def wait_answer(self, query_id: str, timeout: float) -> dict[str, Any]:  # noqa: ASYNC109
        """The bot's answer; TimeoutError if it does not come in time."""
        query = self._queries[query_id]
        return await self.changed.wait_for(lambda: query.answer, timeout)

    def forget_answered(self) -> None:
        """Drops answered queries (a late second answer then gets "query is too old"
        as before), so long runs stay bounded."""
        self._queries = {key: q for key, q in self._queries.items() if q.answer is None}

    def answered(self, kind: str, bot_id: int, chat_id: int) -> list[PendingQuery]:
        """Answered queries of one chat, oldest first."""
        return [
            q
            for q in self._queries.values()
            if q.kind == kind and q.bot_id == bot_id and q.chat_id == chat_id and q.answer
        ]
