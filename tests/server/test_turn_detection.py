"""Turn detection through the session core, and the TurnDetector itself (spec §7, §4b).

Scripted speech is a tone code at about -13 dBFS RMS, which the energy VAD scores 1.0;
digital silence scores 0.0. Every character lasts 60 ms, so "hello there" is 660 ms.
VAD frames are 20 ms, counted from where turn detection (re)started.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pytest

from openrealtime.protocol import ga
from openrealtime.server.session.turn_detection import SpeechStarted, SpeechStopped, TurnDetector

from ..traces import closing_audio, item_added, item_start, response_start
from .core_checks import DIALECTS, user_text
from .harness import Harness, silence, speech

Dialect = Literal["ga", "beta"]
HELLO_MS = 660


def vad(dialect: Dialect, modality: str = "text", **turn_detection: Any) -> dict[str, Any]:
    """A ``session.update`` setting turn detection (and the output modality)."""
    if dialect == "ga":
        session = {
            "type": "realtime",
            "output_modalities": [modality],
            "audio": {"input": {"turn_detection": turn_detection}},
        }
    else:
        modalities = ["text"] if modality == "text" else ["audio", "text"]
        session = {"modalities": modalities, "turn_detection": turn_detection}
    return {"type": "session.update", "session": session}


def scaled(pcm: bytes, factor: float) -> bytes:
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64) * factor
    return samples.astype("<i2").tobytes()


def starts(h: Harness) -> list[int]:
    return [event.audio_start_ms for event in h.of_type("input_audio_buffer.speech_started")]


def stops(h: Harness) -> list[int]:
    return [event.audio_end_ms for event in h.of_type("input_audio_buffer.speech_stopped")]


# -- server_vad parameters --------------------------------------------------------------------


@pytest.mark.spec("12.e4")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_default_silence_duration_is_200_ms(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(vad(dialect, type="server_vad", create_response=False))
        await h.append(silence(400) + speech("hello there") + silence(180))
        await h.settle()
        assert (starts(h), stops(h)) == ([100], [])
        await h.append(silence(20))
        await h.settle()
        assert stops(h) == [400 + HELLO_MS + 200]


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_silence_duration_ms_ends_the_turn(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(
            vad(dialect, type="server_vad", silence_duration_ms=500, create_response=False)
        )
        await h.append(silence(400) + speech("hello there") + silence(480))
        await h.settle()
        assert stops(h) == []
        await h.append(silence(20))
        await h.settle()
        assert stops(h) == [400 + HELLO_MS + 500]


@pytest.mark.parametrize(("padding", "start"), [(0, 1000), (100, 900), (300, 700), (2000, 0)])
async def test_prefix_padding_is_included_in_audio_start_ms(padding: int, start: int) -> None:
    async with Harness() as h:
        await h.send(vad("ga", type="server_vad", prefix_padding_ms=padding, create_response=False))
        await h.append(silence(1000) + speech("hi") + silence(300))
        await h.settle()
        assert starts(h) == [start]


@pytest.mark.parametrize(("threshold", "heard"), [(0.5, True), (0.7, False)])
async def test_threshold_compares_speech_probability(threshold: float, heard: bool) -> None:
    """Speech at 30 % amplitude scores about 0.6 with the energy VAD."""
    async with Harness() as h:
        await h.send(vad("ga", type="server_vad", threshold=threshold, create_response=False))
        await h.append(silence(400) + scaled(speech("hello there"), 0.3) + silence(400))
        await h.settle()
        assert bool(starts(h)) is heard


@pytest.mark.parametrize(("click_ms", "heard"), [(20, False), (40, True)])
async def test_speech_must_last_40_ms_to_start_a_turn(click_ms: int, heard: bool) -> None:
    tone = speech("hh")[30 * 48 : (30 + click_ms) * 48]  # from the middle of the first tone
    async with Harness() as h:
        await h.send(vad("ga", type="server_vad", prefix_padding_ms=0, create_response=False))
        await h.append(silence(200) + tone + silence(400))
        await h.settle()
        assert starts(h) == ([200] if heard else [])


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_audio_start_ms_counts_across_commits(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(vad(dialect, type="server_vad", create_response=False))
        await h.append(silence(1000) + speech("hello there") + silence(400))
        await h.append(silence(700) + speech("again") + silence(400))
        await h.append(silence(100))
        await h.send({"type": "input_audio_buffer.commit"})
        await h.append(silence(200) + speech("hi") + silence(400))
        await h.settle()
        # Speech at 1000, 2760 and 3760 ms; the third turn's padding stops at 3560, where
        # the manual commit left the buffer.
        assert starts(h) == [700, 2460, 3560]
        assert stops(h) == [1860, 3260, 4080]


@pytest.mark.spec("3.2.5")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_one_item_id_from_speech_started_to_the_user_item(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(vad(dialect, type="server_vad"))
        await h.append(silence(500) + speech("hello there") + silence(600))
        await h.settle()
        (started,) = h.of_type("input_audio_buffer.speech_started")
        (stopped,) = h.of_type("input_audio_buffer.speech_stopped")
        (committed,) = h.of_type("input_audio_buffer.committed")
        assert started.item_id == stopped.item_id == committed.item_id
        echo = "conversation.item.created" if dialect == "beta" else "conversation.item.done"
        assert h.of_type(echo)[0].item.id == started.item_id
        assert h.of_type("response.created")
        reply = h.of_type("response.done")[-1].response.output[0].content[0]
        assert reply.text == "You said: hello there"


# -- create_response / interrupt_response -------------------------------------------------------


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("create", [True, False])
async def test_create_response(dialect: Dialect, create: bool) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(vad(dialect, type="server_vad", create_response=create))
        await h.append(silence(300) + speech("hi") + silence(400))
        await h.settle()
        assert h.of_type("input_audio_buffer.committed")
        assert len(h.of_type("response.created")) == (1 if create else 0)


async def _speak_over_a_response(h: Harness, dialect: Dialect, **turn_detection: Any) -> None:
    await h.send(vad(dialect, "audio", type="server_vad", **turn_detection))
    await h.send(user_text("tell me a long story about nothing at all"))
    await h.send({"type": "response.create"})
    await h.advance(0.5)
    assert h.of_type("response.done") == []
    await h.append(speech("stop") + silence(400))
    await h.settle()


@pytest.mark.spec("3.2.5")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_interrupt_response_cancels_with_turn_detected(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await _speak_over_a_response(h, dialect)
        types = h.types()
        first_done = types.index("response.done")
        assert types.index("input_audio_buffer.speech_started") < first_done
        dones = h.of_type("response.done")
        assert [d.response.status for d in dones] == ["cancelled", "completed"]
        assert dones[0].response.status_details.to_dict() == {
            "type": "cancelled",
            "reason": "turn_detected",
        }
        assert dones[1].response.output[0].content[0].transcript == "You said: stop"


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_no_interruption_and_no_second_response(dialect: Dialect) -> None:
    """With ``interrupt_response: false`` the turn is committed while the response runs,
    and no second response starts."""
    async with Harness(dialect=dialect) as h:
        await _speak_over_a_response(h, dialect, interrupt_response=False)
        (done,) = h.of_type("response.done")
        assert done.response.status == "completed"
        assert len(h.of_type("response.created")) == 1
        assert len(h.of_type("input_audio_buffer.committed")) == 1
        types = h.types()
        assert types.index("input_audio_buffer.committed") < types.index("response.done")


# -- idle_timeout_ms ----------------------------------------------------------------------------


async def test_idle_timeout_triggers_commit_and_response() -> None:
    async with Harness() as h:
        await h.send(vad("ga", type="server_vad", idle_timeout_ms=5000))
        await h.append(speech("hi") + silence(300))
        await h.advance(0.1)
        (first,) = h.of_type("response.done")
        assert first.response.output[0].content[0].text == "You said: hi"
        h.take()
        # Appending takes no virtual time: the response ended at 0 s, so the timer ends at 5 s.
        await h.advance(4.85)
        assert h.take() == []
        await h.advance(0.1)
        events = h.take()
        types = [event.type for event in events]
        assert types[:6] == [
            "input_audio_buffer.timeout_triggered",
            "input_audio_buffer.committed",
            "conversation.item.added",
            "conversation.item.done",
            "response.created",
            "response.output_item.added",
        ]
        # The turn ended at 320 ms; the 100 ms of silence after it are still buffered.
        triggered = events[0]
        assert (triggered.audio_start_ms, triggered.audio_end_ms) == (320, 420)
        assert events[1].item_id == triggered.item_id
        assert events[1].previous_item_id == first.response.output[0].id


async def test_idle_timeout_waits_for_playback() -> None:
    """With audio sent all at once (pace 0), the 720 ms of "You said: hi" play first."""
    async with Harness(pace=0) as h:
        await h.send(vad("ga", "audio", type="server_vad", idle_timeout_ms=5000))
        await h.append(speech("hi") + silence(300))
        await h.advance(0.1)
        assert h.of_type("response.done")
        h.take()
        await h.advance(5.6)
        assert h.take() == []
        await h.advance(0.04)
        assert [e.type for e in h.take()][:1] == ["input_audio_buffer.timeout_triggered"]


async def test_speech_cancels_the_idle_timer() -> None:
    async with Harness() as h:
        await h.send(vad("ga", type="server_vad", idle_timeout_ms=5000, create_response=False))
        await h.send(user_text("hi"))
        await h.send({"type": "response.create"})
        await h.advance(0.1)
        assert h.of_type("response.done")
        await h.advance(4)
        await h.append(speech("hello"))
        await h.advance(2)
        assert h.of_type("input_audio_buffer.timeout_triggered") == []
        assert len(h.of_type("input_audio_buffer.speech_started")) == 1


async def test_no_idle_timeout_without_the_setting() -> None:
    async with Harness() as h:
        await h.send(vad("ga", type="server_vad"))
        await h.append(speech("hi") + silence(300))
        await h.advance(60)
        assert h.of_type("input_audio_buffer.timeout_triggered") == []
        assert len(h.of_type("response.done")) == 1


# -- 4b: the audio turn, event for event --------------------------------------------------------

DELTAS = {
    "response.output_audio.delta",
    "response.output_audio_transcript.delta",
    "response.audio.delta",
    "response.audio_transcript.delta",
}


@pytest.mark.spec("4b")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_audio_turn_with_server_vad_and_transcription(dialect: Dialect) -> None:
    expected = [
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        *item_added(dialect),
        *response_start(dialect),
        "conversation.item.input_audio_transcription.delta",
        "conversation.item.input_audio_transcription.delta",
        "conversation.item.input_audio_transcription.completed",
        *item_start(dialect),
        "response.content_part.added",
        # (the audio and transcript deltas are left out)
        *closing_audio(dialect),
    ]
    async with Harness(dialect=dialect) as h:
        if dialect == "ga":
            audio = {"input": {"transcription": {"model": "whisper-1"}}}
            await h.send(
                {"type": "session.update", "session": {"type": "realtime", "audio": audio}}
            )
        else:
            await h.send(
                {
                    "type": "session.update",
                    "session": {"input_audio_transcription": {"model": "whisper-1"}},
                }
            )
        h.take()
        await h.append(silence(500) + speech("hello there") + silence(600))
        await h.settle()
        events = h.take()
        types = [event.type for event in events]
        assert [t for t in types if t not in DELTAS] == expected
        part_added = types.index("response.content_part.added")
        if dialect == "ga":
            audio_done = types.index("response.output_audio.done")
            deltas = {"response.output_audio.delta", "response.output_audio_transcript.delta"}
        else:
            audio_done = types.index("response.audio.done")
            deltas = {"response.audio.delta", "response.audio_transcript.delta"}
        assert set(types[part_added + 1 : audio_done]) == deltas
        user = events[types.index("input_audio_buffer.committed")].item_id
        assert {events[0].item_id, events[1].item_id} == {user}
        assert (events[0].audio_start_ms, events[1].audio_end_ms) == (200, 1360)
        completed = events[types.index("conversation.item.input_audio_transcription.completed")]
        assert (completed.item_id, completed.content_index, completed.transcript) == (
            user,
            0,
            "hello there",
        )
        done = events[types.index("response.done")].response
        assert done.status == "completed"
        assert done.output[0].content[0].transcript == "You said: hello there"


# -- TurnDetector --------------------------------------------------------------------------------

SERVER_VAD = ga.ServerVad(threshold=0.5, prefix_padding_ms=300, silence_duration_ms=200)


def test_detector_finds_a_turn_with_padding_and_silence() -> None:
    detector = TurnDetector(SERVER_VAD, 20)
    frames = [0.0] * 25 + [1.0] * 10 + [0.0] * 10
    # Speech ends at 700 ms, the turn after 200 ms of silence.
    assert detector.process(frames, 0.0) == [SpeechStarted(200), SpeechStopped(900, 700)]
    assert not detector.speaking


def test_detector_reports_the_pause_and_where_speech_ended() -> None:
    detector = TurnDetector(SERVER_VAD, 20)
    detector.process([1.0] * 5, 0.0)
    assert (detector.speaking, detector.pause_ms, detector.speech_end_ms) == (True, 0.0, 100)
    detector.process([0.0] * 4, 100.0)
    assert (detector.pause_ms, detector.speech_end_ms) == (80.0, 100)
    detector.process([1.0], 180.0)
    assert (detector.pause_ms, detector.speech_end_ms) == (0.0, 200)


def test_detector_needs_two_voiced_frames_of_20_ms() -> None:
    detector = TurnDetector(SERVER_VAD, 20)
    assert detector.process([0.0, 1.0, 0.0, 1.0, 0.0], 0.0) == []
    assert detector.process([1.0, 1.0], 100.0) == [SpeechStarted(0)]
    assert detector.speaking


def test_detector_threshold_is_inclusive_and_may_be_zero() -> None:
    assert TurnDetector(SERVER_VAD, 20).process([0.5, 0.5], 1000.0) == [SpeechStarted(700)]
    assert TurnDetector(SERVER_VAD, 20).process([0.49, 0.49], 1000.0) == []
    zero = TurnDetector(SERVER_VAD.model_copy(update={"threshold": 0.0}), 20)
    assert zero.threshold == 0.0
    assert zero.process([0.0, 0.0], 1000.0) == [SpeechStarted(700)]


def test_detector_silence_resets_on_voice() -> None:
    detector = TurnDetector(SERVER_VAD, 20)
    events = detector.process([1.0] * 2 + [0.0] * 9 + [1.0] + [0.0] * 10, 0.0)
    assert events == [SpeechStarted(0), SpeechStopped(440, 240)]


def test_detector_reset_drops_the_turn_and_sets_the_floor() -> None:
    detector = TurnDetector(SERVER_VAD, 20)
    assert detector.process([1.0] * 3, 0.0) == [SpeechStarted(0)]
    detector.reset(500.0)
    assert not detector.speaking
    assert detector.process([1.0] * 2, 520.0) == [SpeechStarted(500)]


def test_server_vad_silence_defaults_to_200_and_may_be_zero() -> None:
    assert TurnDetector(ga.ServerVad(), 20).silence_ms == 200
    detector = TurnDetector(SERVER_VAD.model_copy(update={"silence_duration_ms": 0}), 20)
    assert detector.process([1.0, 1.0, 0.0], 0.0) == [SpeechStarted(0), SpeechStopped(60, 40)]
