"""Input audio transcription in a realtime session (spec §3.3.4, §8)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any, Literal

import pytest

from openrealtime.audio.b64 import b64encode
from openrealtime.engines import (
    EngineBase,
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
        # The turn: 200 ms of padding from 0, 300 ms of speech, 200 ms of silence.
        assert len(request.pcm) == 700 * 48


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
