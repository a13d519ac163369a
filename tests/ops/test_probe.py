"""The latency probe: off by default; on, it times exactly the frames that reach the wire."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections import Counter
from typing import Any

import pytest
import websockets

from openrealtime.engines.registry import ModelRegistry
from openrealtime.engines.scripted import Script, scripted_engines, speak
from openrealtime.engines.scripted.script import Actions
from openrealtime.protocol import ga
from openrealtime.server import ServerConfig
from openrealtime.server.app.runner import running
from openrealtime.server.latency import DELTA_TYPES, LatencyProbe, created_metric
from openrealtime.server.transport.probe import FrameMarks

from .test_backpressure import LIMIT, LONG_REPLY, RawClient
from .wire import TEXT_TURN, TIMEOUT

CREATED_BY_REQUEST = created_metric("response.create")
CREATED_BY_VAD = created_metric("input_audio_buffer.append")


class StepClock:
    """A clock that reads what the test set."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def text_delta(delta: str = "Hi") -> ga.ResponseOutputTextDeltaEvent:
    return ga.ResponseOutputTextDeltaEvent(
        event_id="event_1",
        response_id="resp_1",
        item_id="item_1",
        output_index=0,
        content_index=0,
        delta=delta,
    )


def response_created() -> ga.ResponseCreatedEvent:
    return ga.ResponseCreatedEvent.model_construct(event_id="event_2")  # only its type matters


def test_the_probe_is_off_by_default() -> None:
    assert ServerConfig().probe is None


def test_a_sample_runs_from_its_start_to_now_and_drain_empties_the_probe() -> None:
    clock = StepClock()
    probe = LatencyProbe(clock)
    clock.now = 10.25
    probe.record("m", 10.0)
    probe.record("m", 10.125)
    assert probe.drain() == {"m": [0.25, 0.125]}
    assert probe.drain() == {}


def test_past_max_samples_the_probe_drops_and_counts() -> None:
    probe = LatencyProbe(StepClock(), max_samples=2)
    for _ in range(3):
        probe.record("m", 0.0)
    assert probe.drain() == {"m": [0.0, 0.0]}
    assert probe.dropped == 1
    probe.record("m", 0.0)
    assert probe.drain() == {"m": [0.0]}


def test_deltas_are_timed_from_emission_and_response_created_from_the_client_frame() -> None:
    clock = StepClock()
    marks = FrameMarks(LatencyProbe(clock))
    clock.now = 5.0
    assert marks.timing(text_delta()) == ("response.output_text.delta", 5.0)
    # A response.created that no client frame caused (a timer's) is not timed.
    assert marks.timing(response_created()) is None
    with marks.handling("response.create", 4.5):
        assert marks.timing(response_created()) == (CREATED_BY_REQUEST, 4.5)
        assert marks.timing(ga.InputAudioBufferClearedEvent(event_id="event_3")) is None
    assert marks.timing(response_created()) is None


def test_a_mark_is_recorded_when_its_own_frame_is_sent() -> None:
    clock = StepClock()
    probe = LatencyProbe(clock)
    marks = FrameMarks(probe)
    timed = "".join(["{", '"type":"a"', "}"])
    twin = "".join(["{", '"type":"a"', "}"])
    assert timed == twin
    assert timed is not twin
    marks.queued(timed, "m", 1.0)
    clock.now = 3.0
    marks.sent('{"type":"untimed"}')
    marks.sent(twin)  # equal text, another frame: not the timed one
    assert probe.drain() == {}
    marks.sent(timed)
    marks.sent(timed)  # recorded once
    assert probe.drain() == {"m": [2.0]}


def probed_config(engines: Any, **fields: Any) -> tuple[ServerConfig, LatencyProbe]:
    probe = LatencyProbe()
    config = ServerConfig(models=ModelRegistry.with_engines(engines), probe=probe, **fields)
    return config, probe


async def until_done(ws: Any) -> Counter[str]:
    """Read to ``response.done``; count the event types received."""
    seen: Counter[str] = Counter()
    while True:
        event = json.loads(await ws.recv())
        seen[event["type"]] += 1
        if event["type"] == "response.done":
            return seen


def check_samples(samples: dict[str, list[float]], seen: Counter[str], created: str) -> None:
    """One sample per timed frame the client received, none for anything else."""
    deltas = {kind: seen[kind] for kind in DELTA_TYPES if seen[kind]}
    assert {kind: len(samples[kind]) for kind in deltas} == deltas
    assert set(samples) == {created, *deltas}
    assert len(samples[created]) == seen["response.created"] == 1
    assert all(0 <= value < TIMEOUT for values in samples.values() for value in values)


async def test_a_text_turn_times_response_created_and_every_text_delta() -> None:
    config, probe = probed_config(scripted_engines(pace=0))
    async with (
        running(config) as url,
        asyncio.timeout(TIMEOUT),
        websockets.connect(url.realtime()) as ws,
    ):
        text_only = {"type": "response.create", "response": {"output_modalities": ["text"]}}
        for event in [TEXT_TURN[0], text_only]:
            await ws.send(json.dumps(event))
        seen = await until_done(ws)
    assert seen["response.output_text.delta"] > 1
    check_samples(probe.drain(), seen, CREATED_BY_REQUEST)


async def test_a_vad_turn_times_from_the_append_that_ended_it() -> None:
    config, probe = probed_config(scripted_engines(pace=0))
    pcm = speak("hi there")[0] + bytes(24000)  # then half a second of silence
    frames = [pcm[i : i + 960] for i in range(0, len(pcm), 960)]
    async with (
        running(config) as url,
        asyncio.timeout(TIMEOUT),
        websockets.connect(url.realtime()) as ws,
    ):
        for frame in frames:
            audio = base64.b64encode(frame).decode()
            await ws.send(json.dumps({"type": "input_audio_buffer.append", "audio": audio}))
        seen = await until_done(ws)
    assert seen["response.output_audio.delta"]
    assert seen["response.output_audio_transcript.delta"]
    check_samples(probe.drain(), seen, CREATED_BY_VAD)


@pytest.mark.timeout(60)
async def test_only_frames_that_reach_the_wire_are_timed(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="openrealtime.connection")
    # Paced just enough for the writer to send some speech before the outbox overflows.
    engines = scripted_engines(Script(default=Actions(reply=LONG_REPLY)), pace=0.01)
    config, probe = probed_config(engines, max_outbox_bytes=LIMIT, shutdown_timeout=20)
    async with running(config) as url:
        client = RawClient(url.realtime())
        host, port = url.split("//")[1].split("/")[0].split(":")
        await client.connect(host, int(port))
        for event in TEXT_TURN:
            await client.send(event)
        async with asyncio.timeout(20):
            while "not reading" not in caplog.text:
                await asyncio.sleep(0.05)
        events, _ = await client.read_to_the_end()
    received = Counter(event["type"] for event in events)
    assert received["response.output_audio.delta"] > 0
    assert "response.done" not in received  # the rest of the reply was dropped
    samples = {metric: len(values) for metric, values in probe.drain().items()}
    timed = {kind: received[kind] for kind in DELTA_TYPES if received[kind]}
    assert samples == {CREATED_BY_REQUEST: 1, **timed}
