"""Harnesses whose traces are held to :mod:`openrealtime.testing.invariants` when a test ends."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from openrealtime.testing.invariants import check_trace

from .harness import Harness

__all__ = ["Make", "check_trace", "traced"]

Make = Callable[..., Harness]
"""Makes a harness (the :class:`Harness` keyword arguments) whose trace is checked."""


@contextlib.asynccontextmanager
async def traced() -> AsyncIterator[Make]:
    """Make harnesses; when the block ends, close them and check every trace."""
    made: list[Harness] = []

    def make(**kwargs: Any) -> Harness:
        harness = Harness(**kwargs)
        made.append(harness)
        return harness

    try:
        yield make
    finally:
        for harness in made:
            await harness.close()
    for harness in made:
        check_trace(harness.wire(), harness.dialect)
