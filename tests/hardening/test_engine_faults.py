"""Engines that raise, hang or crawl: the response ends ``failed``, the session goes on.

Socket-free on the virtual clock (the engine watch counts session time), then once
over a real socket with the real clock. After every fault the session answers a text
turn, and nothing the fault started is left running: no task, no engine thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import websockets

from openrealtime.audio.b64 import b64encode
from openrealtime.engines import EngineBase, EngineError, ResponseRequest, TextDelta
from openrealtime.engines.registry import ModelRegistry
from openrealtime.engines.scripted import scripted_engines
from openrealtime.server import EngineTimeouts, ServerConfig, SessionOptions, VirtualClock
from openrealtime.server.app.runner import running

from ..server.core_checks import DIALECTS, assert_text_turn_works
from ..server.dialects import Dialect, configure, user_text
from ..server.harness import Harness, speech

Behaviour = Callable[[ResponseRequest, VirtualClock], AsyncIterator[Any]]


class _Responder(EngineBase):
    """A responder whose behaviour a test gives; the scripted one once it is done."""

    def __init__(self, behaviour: Behaviour, clock: VirtualClock, fallback: Any) -> None:
        self.behaviour, self.clock, self.fallback, self.calls = behaviour, clock, fallback, 0

    def respond(self, request: ResponseRequest) -> AsyncIterator[Any]:
        self.calls += 1
        if self.calls > 1:
            return self.fallback.respond(request)
        return self.behaviour(request, self.clock)


async def raises_engine_error(request: ResponseRequest, clock: VirtualClock) -> AsyncIterator[Any]:
    yield TextDelta("Half a")
    raise EngineError("The model server went away.", code="upstream_unavailable")


async def raises_a_bug(request: ResponseRequest, clock: VirtualClock) -> AsyncIterator[Any]:
    raise ZeroDivisionError("a bug in the engine")
    yield


async def hangs(request: ResponseRequest, clock: VirtualClock) -> AsyncIterator[Any]:
    await asyncio.Event().wait()
    yield


async def crawls(request: ResponseRequest, clock: VirtualClock) -> AsyncIterator[Any]:
    yield TextDelta("One")
    await clock.sleep(40)
    yield TextDelta(" two")


async def slow_but_steady(request: ResponseRequest, clock: VirtualClock) -> AsyncIterator[Any]:
    for word in ("One", " two", " three"):
        await clock.sleep(20)
        yield TextDelta(word)


def spins(stopped: threading.Event) -> Behaviour:
    """A generation in a thread that ignores task cancellation, but not its cancel signal."""

    async def behaviour(request: ResponseRequest, clock: VirtualClock) -> AsyncIterator[Any]:
        def spin() -> None:
            while not request.cancel.cancelled:
                time.sleep(0.005)
            stopped.set()

        await asyncio.to_thread(spin)
        yield TextDelta("never")

    return behaviour


async def fault(
    dialect: Dialect, behaviour: Behaviour, timeouts: EngineTimeouts | None = None
) -> tuple[Harness, Any]:
    """A text response from ``behaviour``; the harness and its ``response.done``."""
    options = SessionOptions(engine_timeouts=timeouts or EngineTimeouts())
    h = Harness(dialect=dialect, options=options)
    h.engines = dataclasses.replace(
        h.engines, responder=_Responder(behaviour, h.clock, h.engines.responder)
    )
    await h.start()
    await h.send(configure(dialect, text=True))
    await h.send(user_text("Hello"))
    await h.send({"type": "response.create"})
    await h.settle()
    return h, h.of_type("response.done")[-1].response


def failed_with(code: str, message: str | None = None) -> dict[str, Any]:
    error = {"type": "server_error", "code": code}
    return {"type": "failed", "error": error if message is None else {**error, "message": message}}


def timed_out(limit: int = 30, what: str = "output") -> dict[str, Any]:
    return failed_with("engine_timeout", f"The engines gave no {what} for {limit} s.")


@pytest.mark.spec("3.9.5")
@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    ("behaviour", "details"),
    [
        (raises_engine_error, failed_with("upstream_unavailable", "The model server went away.")),
        (raises_a_bug, failed_with("engine_error")),
    ],
    ids=["engine-error", "bug"],
)
async def test_an_engine_that_raises(
    dialect: Dialect, behaviour: Behaviour, details: dict[str, Any]
) -> None:
    h, done = await fault(dialect, behaviour)
    assert done.status == "failed"
    assert done.status_details.to_dict() == details
    assert "error" not in h.types()
    await assert_text_turn_works(h)
    await h.close()


@pytest.mark.spec("3.9.9")
@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("behaviour", [hangs, crawls], ids=["hangs", "crawls"])
async def test_an_engine_that_goes_quiet_times_out(dialect: Dialect, behaviour: Behaviour) -> None:
    tasks_before = len(asyncio.all_tasks())
    h, done = await fault(dialect, behaviour)
    what = "output" if behaviour is hangs else "further output"
    assert done.status_details.to_dict() == timed_out(30, what)
    assert h.clock.monotonic() >= 30
    assert "error" not in h.types()
    # The failed response left nothing running but the session's expiry timer.
    assert len(asyncio.all_tasks()) == tasks_before + 1
    await assert_text_turn_works(h)
    await h.close()


@pytest.mark.spec("3.9.9")
async def test_a_slow_engine_within_the_limits_completes() -> None:
    h, done = await fault("ga", slow_but_steady)
    assert done.status == "completed"
    assert done.output[0].content[0].text == "One two three"
    await h.close()


@pytest.mark.spec("3.9.9")
async def test_engine_timeouts_are_configurable() -> None:
    h, done = await fault("ga", hangs, EngineTimeouts(first_output=5.0))
    assert done.status_details.to_dict() == timed_out(5)
    assert 5 <= h.clock.monotonic() < 30
    await h.close()


@pytest.mark.spec("3.9.9")
async def test_without_a_limit_a_hang_lasts_until_the_client_cancels() -> None:
    options = SessionOptions(engine_timeouts=EngineTimeouts(first_output=None))
    async with Harness(options=options) as h:
        h.engines = dataclasses.replace(
            h.engines, responder=_Responder(hangs, h.clock, h.engines.responder)
        )
        await h.send(configure("ga", text=True))
        await h.send({"type": "response.create"})
        await h.advance(600)
        assert h.of_type("response.created")
        assert not h.of_type("response.done")
        await h.send({"type": "response.cancel"})
        await h.settle()
        assert h.of_type("response.done")[-1].response.status == "cancelled"


@pytest.mark.spec("3.9.9")
async def test_a_timed_out_engine_thread_is_told_to_stop() -> None:
    stopped = threading.Event()
    h, done = await fault("ga", spins(stopped))
    assert done.status_details.to_dict() == timed_out()
    assert await asyncio.to_thread(stopped.wait, 5)
    await h.close()


class _HangingSynthesizer(EngineBase):
    async def synthesize(self, text: AsyncIterator[str], **options: Any) -> AsyncIterator[Any]:
        async for _piece in text:
            await asyncio.Event().wait()
        yield


@pytest.mark.spec("3.9.9")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_synthesizer_that_hangs(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        h.engines = dataclasses.replace(h.engines, synthesizer=_HangingSynthesizer())
        await h.send(configure(dialect, text=False))
        await h.send(user_text("Hello"))
        await h.send({"type": "response.create"})
        await h.settle()
        done = h.of_type("response.done")[-1].response
        assert done.status_details.to_dict() == timed_out(30, "further output")
        assert "error" not in h.types()


class _HangingTranscriber(EngineBase):
    async def transcribe(self, request: Any) -> AsyncIterator[Any]:
        await asyncio.Event().wait()
        yield


@pytest.mark.spec("3.9.9")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_transcriber_that_hangs(dialect: Dialect) -> None:
    h = Harness(dialect=dialect)
    h.engines = dataclasses.replace(h.engines, transcriber=_HangingTranscriber())
    await h.start()
    await h.send(configure(dialect, text=True))
    transcription = {"model": "whisper-1"}
    if dialect == "ga":
        session = {"type": "realtime", "audio": {"input": {"transcription": transcription}}}
    else:
        session = {"input_audio_transcription": transcription}
    await h.send({"type": "session.update", "session": session})
    item = {
        "type": "message",
        "role": "user",
        "content": [{"type": "input_audio", "audio": b64encode(speech("Hi"))}],
    }
    await h.send({"type": "conversation.item.create", "item": item})
    await h.send({"type": "response.create"})
    await h.settle()
    (failed,) = h.of_type("conversation.item.input_audio_transcription.failed")
    assert (failed.error.code, failed.error.message) == (
        "engine_timeout",
        "The transcriber gave no output for 60 s.",
    )
    # The response waiting on the transcript went on without it.
    assert h.of_type("response.done")[-1].response.status == "completed"
    await assert_text_turn_works(h)
    await h.close()


class _WireHang(EngineBase):
    def __init__(self, fallback: Any) -> None:
        self.fallback, self.calls = fallback, 0

    def respond(self, request: ResponseRequest) -> AsyncIterator[Any]:
        self.calls += 1
        return self.fallback.respond(request) if self.calls > 1 else hangs(request, VirtualClock())


@pytest.mark.spec("3.9.9")
async def test_over_a_socket_a_hung_engine_fails_in_time_and_the_session_goes_on() -> None:
    engines = scripted_engines(pace=0)
    engines = dataclasses.replace(engines, responder=_WireHang(engines.responder))
    timeouts = EngineTimeouts(first_output=0.3, between_outputs=0.3)
    config = ServerConfig(
        models=ModelRegistry.with_engines(engines), session=SessionOptions(engine_timeouts=timeouts)
    )
    async with running(config) as url, websockets.connect(url.realtime()) as ws:

        async def until(kind: str) -> dict[str, Any]:
            async with asyncio.timeout(5):
                while True:
                    event: dict[str, Any] = json.loads(await ws.recv())
                    if event["type"] == kind:
                        return event

        await until("session.created")
        await ws.send(json.dumps(configure("ga", text=True)))
        await ws.send(json.dumps(user_text("Hello")))
        sent = time.monotonic()
        await ws.send(json.dumps({"type": "response.create"}))
        done = await until("response.done")
        assert done["response"]["status_details"] == failed_with(
            "engine_timeout", "The engines gave no output for 0.3 s."
        )
        assert 0.3 <= time.monotonic() - sent < 3
        await ws.send(json.dumps({"type": "response.create"}))
        done = await until("response.done")
        assert done["response"]["status"] == "completed"
