"""Our server for the kit's tests: in-process, on free ports, with an API key."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from openrealtime.engines.registry import ModelRegistry
from openrealtime.server import ServerConfig
from openrealtime.server.app.runner import ServerURL, running

API_KEY = "sk-kit-tests-0123456789"

collect_ignore = ["sample_project"]
"""A user's project, run by pytest in a subprocess (test_plugin.py), not collected here."""


def config(pace: float) -> ServerConfig:
    """The scripted engine at ``pace``, behind :data:`API_KEY`."""
    return ServerConfig(models=ModelRegistry.default(options={"pace": pace}), api_keys=(API_KEY,))


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def fast_server() -> AsyncIterator[ServerURL]:
    """Our server, speaking as fast as it can."""
    async with running(config(0)) as url:
        yield url


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def paced_server() -> AsyncIterator[ServerURL]:
    """Our server, speaking in real time (so a response is still running when a user acts)."""
    async with running(config(1.0)) as url:
        yield url


RELAY_KEY = "sk-kit-relay-0123456789"


def relay_config(upstream: str, dialect: str = "ga") -> ServerConfig:
    """A relay to ``upstream`` (our server, :data:`API_KEY`), behind :data:`RELAY_KEY`."""
    from openrealtime.server.relay import RelaySettings

    relay = RelaySettings.parse(upstream, api_key=API_KEY, dialect=dialect)
    return ServerConfig(models=ModelRegistry(), api_keys=(RELAY_KEY,), relay=relay)
