"""The engine pool: built and started once per kind, role and options; closed by it."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Mapping
from typing import Any

import pytest

from openrealtime.engines import CancelSignal, EngineState
from openrealtime.engines.pool import EnginePool, EngineStartError
from openrealtime.engines.registry import register_kind
from openrealtime.engines.scripted import EnergyVad

from .kinds import CountingResponder, LifeLog, counting_kind, unique_kind


async def test_one_engine_per_kind_role_and_options() -> None:
    log = LifeLog()
    kind = counting_kind(log)
    pool = EnginePool()
    first = await pool.acquire(kind, "responder", {"reply": "a", "pace": 0})
    again = await pool.acquire(kind, "responder", {"pace": 1, "reply": "a"})  # pace: not read
    other = await pool.acquire(kind, "responder", {"reply": "b"})
    assert first is again
    assert other is not first
    assert isinstance(first, CountingResponder)
    assert first.started == 1
    assert set(pool.states()) == {f"{kind}.responder", f"{kind}.responder#2"}


async def test_concurrent_acquires_share_one_start() -> None:
    log = LifeLog()
    kind = counting_kind(log, build_seconds=0.05)
    pool = EnginePool()
    engines = await asyncio.gather(*(pool.acquire(kind, "responder", {}) for _ in range(5)))
    assert all(engine is engines[0] for engine in engines)
    assert log.events == ["built", "started"]


async def test_a_slow_factory_runs_off_the_event_loop() -> None:
    kind = counting_kind(LifeLog(), build_seconds=0.5)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.ensure_future(tick())
    try:
        await EnginePool().acquire(kind, "responder", {})
    finally:
        ticker.cancel()
    assert ticks >= 20  # the loop kept turning while the factory slept for 0.5 s


async def test_a_failure_is_one_line_remembered_and_reported() -> None:
    calls = 0

    def broken(options: Mapping[str, Any]) -> CountingResponder:
        nonlocal calls
        calls += 1
        raise RuntimeError("the weights are\nnot there")

    kind = unique_kind("broken")
    register_kind(kind, roles={"responder": broken})
    pool = EnginePool()
    for _ in range(2):
        with pytest.raises(EngineStartError) as caught:
            await pool.acquire(kind, "responder", {})
        assert str(caught.value) == f"{kind}.responder: RuntimeError: the weights are not there"
    assert calls == 1
    assert pool.states() == {
        f"{kind}.responder": EngineState("failed", "RuntimeError: the weights are not there")
    }


async def test_an_engine_of_the_wrong_role_is_refused() -> None:
    kind = unique_kind("wrong")
    register_kind(
        kind, roles={"synthesizer": lambda options: CountingResponder(options, LifeLog())}
    )
    with pytest.raises(EngineStartError, match="CountingResponder is not a synthesizer"):
        await EnginePool().acquire(kind, "synthesizer", {})


async def test_aclose_closes_what_it_started_last_first_once() -> None:
    log = LifeLog()
    kind = counting_kind(log)
    pool = EnginePool()
    a = await pool.acquire(kind, "responder", {"reply": "a"})
    b = await pool.acquire(kind, "responder", {"reply": "b"})
    await pool.aclose()
    await pool.aclose()
    assert isinstance(a, CountingResponder)
    assert isinstance(b, CountingResponder)
    assert (a.closed, b.closed) == (1, 1)
    assert log.events == ["built", "started", "built", "started", "closed", "closed"]
    assert set(pool.states().values()) == {EngineState("closed")}
    with pytest.raises(EngineStartError, match="closed"):
        await pool.acquire(kind, "responder", {})


class _SlowStart(EnergyVad):
    def __init__(self) -> None:
        super().__init__()
        self.closed = False

    async def start(self) -> None:
        await asyncio.sleep(0.2)

    async def aclose(self) -> None:
        self.closed = True


async def test_aclose_waits_for_a_start_in_progress_then_closes_it() -> None:
    engine = _SlowStart()
    kind = unique_kind("slow")
    register_kind(kind, roles={"vad": lambda options: engine})
    pool = EnginePool()
    acquiring = asyncio.ensure_future(pool.acquire(kind, "vad", {}))
    await asyncio.sleep(0.05)
    assert pool.states() == {f"{kind}.vad": EngineState("starting")}
    await pool.aclose()
    assert engine.closed
    with pytest.raises(EngineStartError, match="closed"):
        await acquiring


async def test_the_cancel_signal_reaches_threads_and_waiters() -> None:
    signal = CancelSignal()
    stopped = threading.Event()
    produced = 0

    def generate() -> None:
        nonlocal produced
        while not signal.cancelled:
            produced += 1
            time.sleep(0.005)
        stopped.set()

    worker = threading.Thread(target=generate)
    worker.start()
    waiter = asyncio.ensure_future(signal.wait())
    await asyncio.sleep(0.05)
    assert not waiter.done()
    threading.Timer(0.01, signal.cancel).start()  # set from another thread
    await asyncio.wait_for(waiter, 1)
    assert stopped.wait(1)
    worker.join()
    count = produced
    signal.cancel()  # again: nothing changes
    assert signal.cancelled
    await signal.wait()  # returns at once once set
    assert produced == count
