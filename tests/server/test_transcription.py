"""Input audio transcription in a realtime session (spec §3.3.4, §8)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any, Literal

import pytest

from openrealtime.audio.b64 import b64encode
from openrealtime.engines import (
    EngineBase,
    EngineError,
    TranscriptDelta,
    TranscriptionRequest,
    TranscriptResult,
)

from .core_checks import DIALECTS
from .harness import Harness, silence, speech

Dialect = Literal["ga", "beta"]
COMPLETED = "conversation.item.input_audio_transcription.completed"
DELTA = "conversation.item.input_audio_transcription.delta"
FAILED = "conversation.item.input_audio_transcription.failed"


def transcription_on(dialect: Dialect, **settings: Any) -> dict[str, Any]:
    settings = {"model": "gpt-4o-transcribe", **settings}
    if dialect == "ga":
        audio = {"input": {"transcription": settings}}
        session = {"type": "realtime", "output_modalities": ["text"], "audio": audio}
    else:
        session = {"modalities": ["text"], "input_audio_transcription": settings}
    return {"type": "session.update", "session": session}


def text_only(dialect: Dialect) -> dict[str, Any]:
    if dialect == "ga":
        return {
            "type": "session.update",
            "session": {"type": "realtime", "output_modalities": ["text"]},
        }
    return {"type": "session.update", "session": {"modalities": ["text"]}}


def transcription_events(h: Harness) -> list[Any]:
    prefix = "conversation.item.input_audio_transcription."
    return [event for event in h.wire() if event.type.startswith(prefix)]


class FixedTranscriber(EngineBase):
    """Hears "from the transcriber" in any audio, and remembers what it was asked."""

    def __init__(self) -> None:
        self.requests: list[TranscriptionRequest] = []

    async def transcribe(
        self, request: TranscriptionRequest
    ) -> AsyncIterator[TranscriptDelta | TranscriptResult]:
        self.requests.append(request)
        yield TranscriptDelta("from the")
        yield TranscriptDelta(" transcriber")
        yield TranscriptResult("from the transcriber", len(request.pcm) / 2 / request.sample_rate)


def with_fixed_transcriber(h: Harness) -> FixedTranscriber:
    transcriber = FixedTranscriber()
    h.engines = dataclasses.replace(h.engines, transcriber=transcriber)
    return transcriber


@pytest.mark.spec("3.3.4")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_deltas_then_completed_with_usage(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(transcription_on(dialect))
        await h.append(silence(500) + speech("hello there") + silence(600))
        await h.settle()
        (committed,) = h.of_type("input_audio_buffer.committed")
        events = transcription_events(h)
        assert [event.type for event in events] == [DELTA, DELTA, COMPLETED]
        assert [event.delta for event in events[:2]] == ["hello", " there"]
        assert {(event.item_id, event.content_index) for event in events} == {
            (committed.item_id, 0)
        }
        completed = events[2].to_dict()
        # The committed turn is 200..1360 ms: 1160 ms of audio is 24 tokens of 50 ms.
        assert (completed["transcript"], completed["usage"]) == (
            "hello there",
            {
                "type": "tokens",
                "total_tokens": 26,
                "input_tokens": 24,
                "input_token_details": {"text_tokens": 0, "audio_tokens": 24},
                "output_tokens": 2,
            },
        )
        types = h.types()
        assert types.index("input_audio_buffer.committed") < types.index(DELTA)


@pytest.mark.spec("3.3.4")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_manual_commit_is_transcribed_after_committed(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(transcription_on(dialect))
        await h.send(
            {
                "type": "session.update",
                "session": {"type": "realtime", "audio": {"input": {"turn_detection": None}}},
            }
            if dialect == "ga"
            else {"type": "session.update", "session": {"turn_detection": None}}
        )
        await h.append(speech("good morning"))
        h.take()
        await h.send({"type": "input_audio_buffer.commit"})
        types = [event.type for event in h.take()]
        assert types[0] == "input_audio_buffer.committed"
        assert DELTA not in types
        assert COMPLETED not in types
        await h.settle()
        (completed,) = h.of_type(COMPLETED)
        assert completed.transcript == "good morning"
        stored = h.session.conversation.get(completed.item_id)
        assert stored is not None
        assert stored.item.to_dict()["content"] == [
            {"type": "input_audio", "transcript": "good morning"}
        ]


@pytest.mark.spec("3.3.4")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_audio_without_speech_fails(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(transcription_on(dialect))
        await h.append(silence(300))
        await h.send({"type": "input_audio_buffer.commit"})
        await h.settle()
        (committed,) = h.of_type("input_audio_buffer.committed")
        events = transcription_events(h)
        assert [event.type for event in events] == [FAILED]
        data = events[0].to_dict()
        data.pop("event_id")
        assert data == {
            "type": FAILED,
            "item_id": committed.item_id,
            "content_index": 0,
            "error": {
                "type": "transcription_error",
                "code": "audio_unintelligible",
                "message": "Audio is unintelligible.",
                "param": None,
            },
        }


@pytest.mark.spec("3.3.4")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_created_user_audio_is_transcribed(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(transcription_on(dialect))
        item = {
            "type": "message",
            "role": "user",
            "id": "spoken",
            "content": [{"type": "input_audio", "audio": b64encode(speech("hi there"))}],
        }
        await h.send({"type": "conversation.item.create", "item": item})
        await h.settle()
        (completed,) = h.of_type(COMPLETED)
        assert (completed.item_id, completed.transcript) == ("spoken", "hi there")


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_settings_reach_the_transcriber(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        transcriber = with_fixed_transcriber(h)
        await h.send(transcription_on(dialect, model="whisper-1", language="de", prompt="Namen"))
        await h.append(silence(200) + speech("hallo") + silence(400))
        await h.settle()
        (request,) = transcriber.requests
        assert (request.model, request.language, request.prompt) == ("whisper-1", "de", "Namen")
        assert request.sample_rate == 24000
        # Drafted at the pause (100 ms, half the 200 ms that ends a turn): 200 ms of
        # padding from 0, 300 ms of speech, 100 ms of silence.
        assert len(request.pcm) == 600 * 48


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_spoken_turn_is_answered_with_transcription_off(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(text_only(dialect))
        await h.append(silence(500) + speech("hello there") + silence(600))
        await h.settle()
        assert transcription_events(h) == []
        reply = h.of_type("response.done")[-1].response.output[0].content[0]
        assert reply.text == "You said: hello there"


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_internal_transcript_feeds_the_responder(dialect: Dialect) -> None:
    """With transcription off, the transcript stays internal but is what the model reads:
    the responder answers the transcriber's words, not the decoded audio."""
    async with Harness(dialect=dialect) as h:
        transcriber = with_fixed_transcriber(h)
        await h.send(text_only(dialect))
        await h.append(silence(500) + speech("hello there") + silence(600))
        await h.settle()
        assert len(transcriber.requests) == 1
        assert transcription_events(h) == []
        (committed,) = h.of_type("input_audio_buffer.committed")
        echo = "conversation.item.created" if dialect == "beta" else "conversation.item.done"
        assert h.of_type(echo)[0].item.to_dict()["content"] == [
            {"type": "input_audio", "transcript": None}
        ]
        reply = h.of_type("response.done")[-1].response.output[0].content[0]
        assert reply.text == "You said: from the transcriber"
        assert committed.item_id in h.session.conversation


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_transcription_can_be_turned_off_again(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(transcription_on(dialect))
        await h.send(
            {
                "type": "session.update",
                "session": {"type": "realtime", "audio": {"input": {"transcription": None}}},
            }
            if dialect == "ga"
            else {"type": "session.update", "session": {"input_audio_transcription": None}}
        )
        await h.append(silence(500) + speech("hello there") + silence(600))
        await h.settle()
        assert transcription_events(h) == []
        assert h.of_type("response.done")


# -- drafts: the transcript of a turn begun at its final pause ------------------------------


def vad_transcription(silence_ms: int) -> dict[str, Any]:
    audio = {
        "input": {
            "transcription": {"model": "whisper-1"},
            "turn_detection": {
                "type": "server_vad",
                "silence_duration_ms": silence_ms,
                "create_response": False,
            },
        }
    }
    return {
        "type": "session.update",
        "session": {"type": "realtime", "output_modalities": ["text"], "audio": audio},
    }


def ms(request: TranscriptionRequest) -> float:
    return len(request.pcm) / 2 / request.sample_rate * 1000


async def test_a_pause_that_ends_the_turn_was_already_being_transcribed() -> None:
    async with Harness() as h:
        transcriber = with_fixed_transcriber(h)
        await h.send(vad_transcription(500))
        await h.append(silence(300) + speech("hello"))
        await h.append(silence(200))
        await h.settle()
        # The pause is 150 ms old: the turn so far has been transcribed already.
        assert len(transcriber.requests) == 1
        assert not h.of_type("input_audio_buffer.speech_stopped")
        await h.append(silence(500))
        await h.settle()
        (started,) = h.of_type("input_audio_buffer.speech_started")
        (stopped,) = h.of_type("input_audio_buffer.speech_stopped")
        assert len(transcriber.requests) == 1
        committed_ms = stopped.audio_end_ms - started.audio_start_ms
        assert committed_ms - 500 < ms(transcriber.requests[0]) < committed_ms
        (completed,) = h.of_type(COMPLETED)
        assert completed.item_id == stopped.item_id
        assert completed.transcript == "from the transcriber"
        assert [e.type for e in transcription_events(h)] == [DELTA, DELTA, COMPLETED]


async def test_speech_after_a_pause_drops_the_draft() -> None:
    async with Harness() as h:
        transcriber = with_fixed_transcriber(h)
        await h.send(vad_transcription(500))
        await h.append(silence(300) + speech("hello") + silence(250))
        await h.settle()
        await h.append(speech("there"))
        await h.append(silence(700))
        await h.settle()
        (started,) = h.of_type("input_audio_buffer.speech_started")
        (stopped,) = h.of_type("input_audio_buffer.speech_stopped")
        # Two drafts: one dropped when "there" began, one taken at the end.
        assert len(transcriber.requests) == 2
        assert transcriber.requests[0].cancel.cancelled
        assert not transcriber.requests[1].cancel.cancelled
        committed_ms = stopped.audio_end_ms - started.audio_start_ms
        assert committed_ms - 500 < ms(transcriber.requests[1]) < committed_ms
        assert len(h.of_type(COMPLETED)) == 1


async def test_a_manual_commit_or_changed_settings_transcribe_afresh() -> None:
    async with Harness() as h:
        transcriber = with_fixed_transcriber(h)
        await h.send(vad_transcription(500))
        await h.append(silence(300) + speech("hello") + silence(250))
        await h.settle()
        await h.send({"type": "input_audio_buffer.commit"})
        await h.settle()
        assert len(transcriber.requests) == 2
        assert transcriber.requests[0].cancel.cancelled
        assert ms(transcriber.requests[1]) > ms(transcriber.requests[0])

        await h.append(speech("again") + silence(250))
        await h.settle()
        prompted = vad_transcription(500)
        prompted["session"]["audio"]["input"]["transcription"]["prompt"] = "names"
        await h.send(prompted)
        await h.append(silence(700))
        await h.settle()
        # The draft had no prompt: the turn was transcribed again, with it.
        drafted, final = transcriber.requests[-2:]
        assert (drafted.prompt, final.prompt) == (None, "names")
        assert drafted.cancel.cancelled
        assert len(h.of_type(COMPLETED)) == 2


class FailsFirstTranscriber(FixedTranscriber):
    """Fails its first request, then hears "from the transcriber"."""

    async def transcribe(
        self, request: TranscriptionRequest
    ) -> AsyncIterator[TranscriptDelta | TranscriptResult]:
        if not self.requests:
            self.requests.append(request)
            raise EngineError("not yet", code="audio_unintelligible")
        async for part in super().transcribe(request):
            yield part


async def test_a_draft_that_fails_is_transcribed_again_at_the_commit() -> None:
    async with Harness() as h:
        transcriber = FailsFirstTranscriber()
        h.engines = dataclasses.replace(h.engines, transcriber=transcriber)
        await h.send(vad_transcription(500))
        await h.append(silence(300) + speech("hello") + silence(700))
        await h.settle()
        # The draft's failure stays quiet; the commit transcribes the whole turn.
        assert h.of_type("error") == []
        assert len(transcriber.requests) == 2
        (stopped,) = h.of_type("input_audio_buffer.speech_stopped")
        (started,) = h.of_type("input_audio_buffer.speech_started")
        assert ms(transcriber.requests[1]) == stopped.audio_end_ms - started.audio_start_ms
        (completed,) = h.of_type(COMPLETED)
        assert completed.transcript == "from the transcriber"


async def test_voiced_frames_never_start_a_draft() -> None:
    async with Harness() as h:
        transcriber = with_fixed_transcriber(h)
        await h.send(vad_transcription(0))
        pcm = silence(300) + speech("hello there") + silence(100)
        for start in range(0, len(pcm), 960):
            await h.append(pcm[start : start + 960])
            await h.settle()  # a draft begun now would reach the transcriber
        # With no silence to wait for, a turn ends at its first silent frame: one
        # transcription per turn, no draft per voiced frame.
        turns = h.of_type("input_audio_buffer.committed")
        assert turns
        assert len(transcriber.requests) == len(turns)
