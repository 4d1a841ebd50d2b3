"""The method table: Bot API method name -> async handler.

Method names are case-insensitive in the Bot API, so they are stored lower-cased.
Handlers get a :class:`Call` and return the ``result`` value of the response envelope
(or :class:`Described` to add Telegram's optional ``description``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from sandbox.accounts import BotAccount
from sandbox.params import Params
from sandbox.state import World


@dataclass
class Call:
    """One API request: who is calling, with which arguments, in which world."""

    world: World
    bot: BotAccount
    params: Params
    http: aiohttp.ClientSession


@dataclass(frozen=True)
class Described:
    """A result with the ``description`` Telegram adds to some answers."""

    result: Any
    description: str


Handler = Callable[[Call], Awaitable[Any]]
METHODS: dict[str, Handler] = {}


def method(*names: str) -> Callable[[Handler], Handler]:
    """Register a handler under one or more Bot API method names."""

    def register(handler: Handler) -> Handler:
        for name in names:
            METHODS[name.lower()] = handler
        return handler

    return register
