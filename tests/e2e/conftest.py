"""Servers shared by the end-to-end tests: real sockets on 127.0.0.1, no API keys.

Two servers live for the whole test session (in the session's event loop): one that
speaks as fast as it can (pace 0) and one that speaks in real time (pace 1.0), whose
story reply starts with a long word so a test has time to interrupt it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from openrealtime.engines.registry import ModelRegistry
from openrealtime.engines.scripted import Script, scripted_engines
from openrealtime.server import ServerConfig
from openrealtime.server.app.runner import ServerURL, running

STORY = "Tell me a story."
STORY_REPLY = "Onceuponatimeinalandfaraway there lived a dragon."
"""The paced server's reply to :data:`STORY`: its first word is 27 characters, 1.62 s."""

STORY_SCRIPT = Script.model_validate({"rules": [{"match": STORY, "reply": STORY_REPLY}]})


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def fast_url() -> AsyncIterator[ServerURL]:
    """A server whose scripted speech streams as fast as possible."""
    async with running(ServerConfig(models=ModelRegistry.default(options={"pace": 0}))) as url:
        yield url


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def paced_url() -> AsyncIterator[ServerURL]:
    """A server whose scripted speech streams in real time."""
    engines = scripted_engines(STORY_SCRIPT, pace=1.0)
    async with running(ServerConfig(models=ModelRegistry.with_engines(engines))) as url:
        yield url
