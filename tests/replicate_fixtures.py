"""Fixtures for tests that talk to Replicate: the loopback stand-in and a real
`replicate.Client` pointed at it, built as the bot builds it (loaded by tests/conftest.py
as a plugin)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import replicate

from services.generators.replicate_generator import replicate_client
from tests.standins.replicate import ReplicateStandIn

REPLICATE_TOKEN = "r8_SECRET_test_token_never_logged"


@pytest.fixture
async def standin() -> AsyncIterator[ReplicateStandIn]:
    server = ReplicateStandIn(REPLICATE_TOKEN)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def client(standin: ReplicateStandIn) -> AsyncIterator[replicate.Client]:
    client = replicate_client(REPLICATE_TOKEN, standin.url)
    yield client
    await client._async_client.aclose()
