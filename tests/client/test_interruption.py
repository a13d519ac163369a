"""Interruption: the truncation lands where playback was, within one 20 ms frame, and never
past the audio received, for any played position and any way the audio arrived."""

from __future__ import annotations

import asyncio
import base64
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openrealtime.client import Conversation, PlaybackTracker, RealtimeClient
from openrealtime.client.wire import Envelope
from tests.client.helpers import Frames, next_event
from tests.client.replay import ReplayServer

FRAME_MS = 20
SAMPLES_PER_MS = 24


def _feed(conversation: Conversation, chunk_samples: list[int], *, finished: bool) -> None:
    item = {"id": "item_a", "type": "message", "role": "assistant", "status": "in_progress"}
    events = [
        {"type": "response.created", "response": {"id": "resp_1", "conversation_id": "conv_1"}},
        {"type": "response.output_item.added", "response_id": "resp_1", "item": item},
    ]
    for samples in chunk_samples:
        delta = base64.b64encode(bytes(2 * samples)).decode()
        events.append(
            {
                "type": "response.output_audio.delta",
                "response_id": "resp_1",
                "item_id": "item_a",
                "content_index": 0,
                "delta": delta,
            }
        )
    if finished:
        done = {**item, "status": "completed"}
        events.append({"type": "response.output_item.done", "response_id": "resp_1", "item": done})
    for event in events:
        conversation.apply(Envelope.read(event))


@settings(max_examples=400, deadline=None)
@given(
    chunk_samples=st.lists(st.integers(min_value=1, max_value=24 * 300), min_size=1, max_size=30),
    true_ms=st.floats(min_value=0, max_value=12_000, allow_nan=False),
    finished=st.booleans(),
)
def test_the_cut_is_within_a_frame_of_the_played_position(
    chunk_samples: list[int], true_ms: float, finished: bool
) -> None:
    conversation = Conversation()
    _feed(conversation, chunk_samples, finished=finished)
    received_ms = sum(chunk_samples) / SAMPLES_PER_MS
    tracker = PlaybackTracker(conversation)
    stops: list[int] = []
    tracker.on_interrupt(lambda cut: stops.append(cut.audio_end_ms))
    reported = math.floor(true_ms / FRAME_MS) * FRAME_MS  # a player reports whole frames
    tracker.played("item_a", reported)
    cut = tracker.interrupt()
    heard = min(true_ms, received_ms)
    if math.floor(received_ms) == 0 or (finished and reported >= math.floor(received_ms)):
        assert cut is None  # no audio yet, or all of it heard: nothing to cut, nothing to stop
        assert stops == []
        return
    assert cut is not None
    assert (cut.item_id, cut.content_index) == ("item_a", 0)
    assert cut.audio_end_ms <= received_ms
    assert heard - FRAME_MS < cut.audio_end_ms <= heard
    assert stops == [cut.audio_end_ms]
    assert tracker.interrupt() is None  # stopped: a second speech start cuts nothing


def test_nothing_is_cut_when_nothing_was_reported() -> None:
    conversation = Conversation()
    _feed(conversation, [24_000], finished=False)
    tracker = PlaybackTracker(conversation)
    assert tracker.interrupt() is None
    tracker.played("item_a", 120.0)
    tracker.finished("item_a")
    assert tracker.interrupt() is None


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(true_ms=st.floats(min_value=0, max_value=2_000, allow_nan=False))
def test_over_the_wire_the_truncate_names_the_played_position(
    replay: ReplayServer, true_ms: float
) -> None:
    received_ms = 1500  # what the trace sends
    reported = math.floor(true_ms / FRAME_MS) * FRAME_MS
    truncates, truncated = asyncio.run(_interrupt_at(replay, reported))
    if reported >= received_ms:
        assert truncates == []  # every sample was heard
        return
    (truncate,) = truncates
    heard = min(true_ms, received_ms)
    assert truncate["audio_end_ms"] <= received_ms
    assert heard - FRAME_MS < truncate["audio_end_ms"] <= heard
    assert truncated == truncate["audio_end_ms"]


async def _interrupt_at(
    replay: ReplayServer, played_ms: float
) -> tuple[list[dict[str, int]], int | None]:
    frames = Frames()
    async with RealtimeClient.connect(replay.url("interruption"), model="m", tap=frames) as rt:
        item = await rt.send_text("Tell me a story")
        cut = rt.events("conversation.item.truncated")
        speech = rt.events("input_audio_buffer.speech_started")
        rt.playback.played(item.id, played_ms)
        playing = rt.playback.playing
        await rt.append_audio(bytes(960))
        await next_event(speech)
        audio_end_ms = (await next_event(cut)).audio_end_ms if playing else None
    truncates = [e for e in frames.sent() if e["type"] == "conversation.item.truncate"]
    return truncates, audio_end_ms
