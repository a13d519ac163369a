"""The process-wide engine pool: each engine is built and started once, and closed by it.

``await pool.acquire(kind, role, options)`` returns a started engine, shared by every
model that asks for the same kind, role and options (the options the kind says the
role reads), so a language model that two model names use loads once. Building runs
the kind's factory in a worker thread and then awaits the engine's ``start()``, so
neither holds the event loop. Concurrent acquires of one engine wait for the same
start. A failure is remembered: asking again raises the same one-line
:class:`EngineStartError`. ``await pool.aclose()`` closes what the pool started.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .base import EngineState, Lifecycle, Role
from .kinds import ROLE_PROTOCOLS, engine_kind

__all__ = ["EnginePool", "EngineStartError", "one_line"]

Progress = Callable[[str, EngineState], None]
"""Hears each engine's name and new state as it moves (``starting``, ``ready``, ``failed``)."""


class EngineStartError(RuntimeError):
    """An engine could not be built or started; ``str()`` is one line naming it."""


def one_line(exc: BaseException) -> str:
    """An exception as one line: its message, prefixed by its type unless it is a usual one."""
    message = " ".join(str(exc).split())
    if isinstance(exc, ValueError | ImportError | OSError | EngineStartError) and message:
        return message
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _frozen(value: Any) -> str:
    """A canonical text of JSON-like options, so equal options make equal keys."""
    return json.dumps(value, sort_keys=True, default=repr, separators=(",", ":"))


@dataclass
class _Slot:
    name: str
    state: EngineState = field(default_factory=lambda: EngineState("starting"))
    engine: Lifecycle | None = None
    ready: asyncio.Future[Lifecycle] | None = None
    builder: asyncio.Task[None] | None = None


class EnginePool:
    """Started engines by ``(kind, role, options)``; one pool serves a whole process."""

    def __init__(self) -> None:
        self._slots: dict[tuple[str, Role, str], _Slot] = {}
        self._closed = False

    async def acquire(
        self,
        kind: str,
        role: Role,
        options: Mapping[str, Any],
        *,
        progress: Progress | None = None,
    ) -> Lifecycle:
        """The started engine of ``kind`` for ``role``; raises :class:`EngineStartError`.

        The engine implements ``role``'s interface (checked once it is built).
        """
        if self._closed:
            raise EngineStartError("the engine pool is closed")
        engine_kind_ = engine_kind(kind)
        own = engine_kind_.options_for(role, options)
        key = (kind, role, _frozen(own))
        slot = self._slots.get(key)
        if slot is None:
            loop = asyncio.get_running_loop()
            slot = _Slot(self._new_name(kind, role), ready=loop.create_future())
            self._slots[key] = slot
            # A task of its own: a caller that gives up does not leave the others waiting.
            slot.builder = loop.create_task(self._build(slot, kind, role, own, progress))
        assert slot.ready is not None
        return await asyncio.shield(slot.ready)

    def states(self) -> dict[str, EngineState]:
        """Every engine's state, by name: ``kind.role``, numbered (``#2``) when repeated."""
        return {slot.name: slot.state for slot in self._slots.values()}

    async def aclose(self) -> None:
        """Close every engine the pool started, the last started first; idempotent."""
        self._closed = True
        builders = [slot.builder for slot in self._slots.values() if slot.builder is not None]
        if builders:
            await asyncio.gather(*builders, return_exceptions=True)
        for slot in reversed(list(self._slots.values())):
            engine, slot.engine = slot.engine, None
            if engine is None:
                continue
            try:
                await engine.aclose()
            except Exception as exc:
                slot.state = EngineState("failed", f"closing: {one_line(exc)}")
            else:
                slot.state = EngineState("closed")

    async def _build(
        self,
        slot: _Slot,
        kind: str,
        role: Role,
        options: dict[str, Any],
        progress: Progress | None,
    ) -> None:
        assert slot.ready is not None
        self._report(slot, EngineState("starting"), progress)
        factory = engine_kind(kind).factory(role)
        try:
            engine = await asyncio.to_thread(factory, options)
            if not isinstance(engine, ROLE_PROTOCOLS[role]):
                raise EngineStartError(
                    f"{type(engine).__name__} is not a {role} ({ROLE_PROTOCOLS[role].__name__})"
                )
            slot.engine = engine
            await engine.start()
            if self._closed:
                raise EngineStartError("the engine pool closed while it started")
        except Exception as exc:
            error = EngineStartError(f"{slot.name}: {one_line(exc)}")
            self._report(slot, EngineState("failed", one_line(exc)), progress)
            slot.ready.set_exception(error)
            # Consumed here too, so a failure nobody else awaits is not reported as lost.
            slot.ready.exception()
            return
        self._report(slot, EngineState("ready"), progress)
        slot.ready.set_result(engine)

    def _new_name(self, kind: str, role: Role) -> str:
        base = f"{kind}.{role}"
        taken = {slot.name for slot in self._slots.values()}
        if base not in taken:
            return base
        number = 2
        while f"{base}#{number}" in taken:
            number += 1
        return f"{base}#{number}"

    @staticmethod
    def _report(slot: _Slot, state: EngineState, progress: Progress | None) -> None:
        slot.state = state
        if progress is not None:
            progress(slot.name, state)
