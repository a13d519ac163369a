"""Fixtures shared across test packages."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from openrealtime.engines.local.piper import PiperSynthesizer
from tests.local_stack import require_local_stack


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def piper() -> AsyncIterator[PiperSynthesizer]:
    """A started Piper (the joe voice), to speak test questions; loaded once per run."""
    require_local_stack()
    engine = PiperSynthesizer()
    await engine.start()
    yield engine
    await engine.aclose()
