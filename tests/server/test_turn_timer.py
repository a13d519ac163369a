"""The core's turn timer: stages from speech_stopped, reported once, logged per turn."""

from __future__ import annotations

import logging

import pytest

from openrealtime.server.session.clock import VirtualClock
from openrealtime.server.session.observer import EngineErrorSource, TurnStage, TurnTimer


class Recorder:
    def __init__(self) -> None:
        self.stages: list[tuple[TurnStage, float]] = []
        self.done: list[str] = []

    def turn_stage(self, stage: TurnStage, seconds: float) -> None:
        self.stages.append((stage, seconds))

    def response_done(self, status: str) -> None:
        self.done.append(status)

    def engine_error(self, source: EngineErrorSource, code: str) -> None:
        raise AssertionError("not reported by the timer")

    def vad_lag(self, seconds: float) -> None:
        raise AssertionError("not reported by the timer")


def timer() -> tuple[TurnTimer, VirtualClock, Recorder]:
    clock = VirtualClock()
    recorder = Recorder()
    log = logging.LoggerAdapter(logging.getLogger("test.turns"), {"session_id": "sess_1"})
    return TurnTimer(clock, recorder, log), clock, recorder


async def test_stages_are_timed_from_speech_stopped(caplog: pytest.LogCaptureFixture) -> None:
    turns, clock, recorder = timer()
    await clock.advance(5.0)
    turns.speech_stopped("item_1")
    await clock.advance(0.01)
    turns.response_created("resp_1")
    await clock.advance(0.29)
    turns.transcript_done("item_1")
    await clock.advance(0.2)
    turns.first_token("resp_1")
    turns.first_token("resp_1")
    await clock.advance(0.3)
    turns.first_audio("resp_1")
    with caplog.at_level(logging.INFO, "test.turns"):
        turns.response_done("resp_1", "completed")
    assert recorder.stages == [
        ("response_created", pytest.approx(0.01)),
        ("transcript", pytest.approx(0.3)),
        ("first_token", pytest.approx(0.5)),
        ("first_audio", pytest.approx(0.8)),
    ]
    assert recorder.done == ["completed"]
    assert caplog.messages == [
        "turn item_1 (response resp_1) after speech_stopped: transcript=300ms "
        "response_created=10ms first_token=500ms first_audio=800ms"
    ]


async def test_only_the_first_response_after_the_turn_answers_it() -> None:
    turns, clock, recorder = timer()
    turns.response_created("resp_0")
    turns.speech_stopped("item_1")
    turns.response_created("resp_1")
    turns.response_created("resp_2")
    await clock.advance(1.0)
    turns.first_audio("resp_2")
    turns.first_audio("resp_0")
    turns.response_done("resp_2", "completed")
    assert [stage for stage, _ in recorder.stages] == ["response_created"]
    assert recorder.done == ["completed"]


async def test_a_turn_ends_when_the_next_begins_or_the_session_closes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    turns, clock, recorder = timer()
    with caplog.at_level(logging.INFO, "test.turns"):
        turns.speech_stopped("item_1")
        turns.transcript_done("item_1", failed=True)
        turns.speech_stopped("item_2")
        await clock.advance(0.25)
        turns.transcript_done("item_2")
        turns.transcript_done("item_1")
        turns.close()
    assert recorder.stages == [("transcript", pytest.approx(0.25))]
    assert caplog.messages == [
        "turn item_1 (response none) after speech_stopped: no stages",
        "turn item_2 (response none) after speech_stopped: transcript=250ms",
    ]


async def test_the_turn_waits_for_its_transcript_before_logging(
    caplog: pytest.LogCaptureFixture,
) -> None:
    turns, clock, _ = timer()
    with caplog.at_level(logging.INFO, "test.turns"):
        turns.speech_stopped("item_1")
        turns.response_created("resp_1")
        turns.response_done("resp_1", "cancelled")
        assert caplog.messages == []
        await clock.advance(0.4)
        turns.transcript_done("item_1")
    assert caplog.messages == [
        "turn item_1 (response resp_1) after speech_stopped: transcript=400ms response_created=0ms"
    ]
