"""Engine kinds for tests: engines that count their starts and closes, or fail to load."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

from openrealtime.engines import EngineBase, ResponderOutput, ResponseRequest, TextDelta
from openrealtime.engines.registry import register_kind

__all__ = ["CountingResponder", "LifeLog", "counting_kind", "unique_kind"]

_NAMES = itertools.count()


def unique_kind(prefix: str) -> str:
    """A kind name no other test registered."""
    return f"{prefix}-{next(_NAMES)}"


class LifeLog:
    """What happened to the engines of one test, in order."""

    def __init__(self) -> None:
        self.events: list[str] = []


class CountingResponder(EngineBase):
    """Says ``options["reply"]``; logs its build, start and close."""

    def __init__(self, options: Mapping[str, Any], log: LifeLog) -> None:
        self.options = dict(options)
        self.log = log
        self.started = 0
        self.closed = 0
        log.events.append("built")

    async def start(self) -> None:
        self.started += 1
        self.log.events.append("started")

    async def aclose(self) -> None:
        self.closed += 1
        self.log.events.append("closed")

    async def respond(self, request: ResponseRequest) -> AsyncIterator[ResponderOutput]:
        yield TextDelta(str(self.options.get("reply", "ok")))


def counting_kind(log: LifeLog, *, build_seconds: float = 0.0) -> str:
    """A kind whose responder is a :class:`CountingResponder`; the rest is scripted."""
    from openrealtime.engines.kinds import engine_kind

    scripted = engine_kind("scripted")
    name = unique_kind("counting")

    def responder(options: Mapping[str, Any]) -> CountingResponder:
        time.sleep(build_seconds)  # a slow import or load, in the factory's thread
        return CountingResponder(options, log)

    register_kind(
        name,
        roles={**scripted.roles, "responder": responder},
        option_keys={"responder": ("reply",)},
    )
    return name
