"""Transcription sessions (``?intent=transcription``) in both dialects (spec §3.12, §4g)."""

from __future__ import annotations

from typing import Any, Literal

import pytest

from ..traces import transcribed_speech
from .core_checks import DIALECTS, only_error, user_text
from .harness import Harness, silence, speech

Dialect = Literal["ga", "beta"]
TURN = {
    "type": "server_vad",
    "threshold": 0.5,
    "prefix_padding_ms": 300,
    "silence_duration_ms": 200,
}
TRANSCRIPTION = {"model": "gpt-4o-mini-transcribe", "language": None, "prompt": None}
SUPPORTED = (
    "'session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit', "
    "'input_audio_buffer.clear', 'conversation.item.delete', and 'conversation.item.retrieve'"
)


def configure(dialect: Dialect, **extra: Any) -> dict[str, Any]:
    """Turn transcription on, as each dialect's client does."""
    if dialect == "ga":
        audio = {
            "input": {
                "transcription": {"model": "gpt-4o-mini-transcribe"},
                "turn_detection": {"type": "server_vad"},
                **extra,
            }
        }
        return {"type": "session.update", "session": {"type": "transcription", "audio": audio}}
    session = {
        "input_audio_transcription": {"model": "gpt-4o-mini-transcribe"},
        "turn_detection": {"type": "server_vad"},
        **extra,
    }
    return {"type": "transcription_session.update", "session": session}


@pytest.mark.spec("4g", "12.e8")
async def test_ga_transcription_session_trace() -> None:
    async with Harness(dialect="ga", kind="transcription") as h:
        (created,) = h.take()
        session = created.session.to_dict()
        assert created.type == "session.created"
        assert {k: v for k, v in session.items() if k != "id"} == {
            "type": "transcription",
            "object": "realtime.transcription_session",
            "expires_at": 1_750_003_600,
            "audio": {
                "input": {
                    "format": {"type": "audio/pcm", "rate": 24000},
                    "transcription": None,
                    "noise_reduction": None,
                    "turn_detection": TURN,
                }
            },
            "include": None,
        }
        await h.send(configure("ga"))
        (updated,) = h.take()
        assert updated.type == "session.updated"
        assert updated.session.to_dict()["audio"]["input"]["transcription"] == TRANSCRIPTION
        await h.append(silence(400) + speech("hello there") + silence(400))
        await h.settle()
        events = h.take()
        assert [event.type for event in events] == transcribed_speech("ga", deltas=2)
        item_id = events[0].item_id
        assert all(getattr(event, "item_id", item_id) == item_id for event in events)
        assert events[0].audio_start_ms == 100
        assert events[-1].transcript == "hello there"
        assert events[-1].to_dict()["usage"]["type"] == "tokens"


@pytest.mark.spec("4g", "3.12", "12.e8")
async def test_beta_transcription_session_trace() -> None:
    async with Harness(dialect="beta", kind="transcription") as h:
        (created,) = h.take()
        assert created.type == "transcription_session.created"
        session = created.session.to_dict()
        assert {k: v for k, v in session.items() if k != "id"} == {
            "object": "realtime.transcription_session",
            "expires_at": 1_750_003_600,
            "input_audio_format": "pcm16",
            "input_audio_transcription": None,
            "turn_detection": TURN,
            "input_audio_noise_reduction": None,
            "include": None,
        }
        await h.send({**configure("beta"), "event_id": "t1"})
        (updated,) = h.take()
        assert updated.type == "transcription_session.updated"
        assert updated.event_id != "t1"
        data = updated.session.to_dict()
        assert data["object"] == "realtime.transcription_session"
        assert data["id"] == session["id"]
        assert data["input_audio_transcription"] == TRANSCRIPTION
        assert data["turn_detection"] == TURN
        await h.append(silence(400) + speech("hello there") + silence(400))
        await h.settle()
        assert [event.type for event in h.take()] == transcribed_speech("beta", deltas=2)


@pytest.mark.spec("4g")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_no_response_or_rate_limit_events_ever(dialect: Dialect) -> None:
    async with Harness(dialect=dialect, kind="transcription") as h:
        await h.send(configure(dialect))
        for words in ("one", "two three", "four"):
            await h.append(silence(300) + speech(words) + silence(400))
        await h.append(silence(200))
        await h.send({"type": "input_audio_buffer.commit"})
        await h.settle()
        await h.advance(30)
        types = h.types()
        assert types.count("conversation.item.input_audio_transcription.completed") == 3
        assert types.count("conversation.item.input_audio_transcription.failed") == 1
        assert not [t for t in types if t.startswith("response.") or t == "rate_limits.updated"]
        assert "conversation.created" not in types


@pytest.mark.spec("3.12")
@pytest.mark.parametrize(
    "event",
    [
        {"type": "response.create"},
        user_text("hi"),
        {
            "type": "conversation.item.truncate",
            "item_id": "x",
            "content_index": 0,
            "audio_end_ms": 0,
        },
        {"type": "response.cancel"},
    ],
)
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_responses_and_item_creation_are_refused(
    dialect: Dialect, event: dict[str, Any]
) -> None:
    async with Harness(dialect=dialect, kind="transcription") as h:
        h.take()
        await h.send({**event, "event_id": "r1"})
        assert only_error(h) == {
            "type": "invalid_request_error",
            "code": "invalid_value",
            "message": f"Invalid value: '{event['type']}'. Supported values are: {SUPPORTED}.",
            "param": "type",
            "event_id": "r1",
        }


@pytest.mark.spec("3.12")
async def test_ga_refuses_transcription_session_update() -> None:
    async with Harness(dialect="ga", kind="transcription") as h:
        h.take()
        await h.send(configure("beta"))
        assert only_error(h) == {
            "type": "invalid_request_error",
            "code": "invalid_value",
            "message": "Invalid value: 'transcription_session.update'. Supported values are: "
            "'session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit', "
            "'input_audio_buffer.clear', 'conversation.item.create', "
            "'conversation.item.truncate', 'conversation.item.delete', "
            "'conversation.item.retrieve', 'response.create', and 'response.cancel'.",
            "param": "type",
            "event_id": None,
        }


@pytest.mark.spec("3.12")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_manual_commits_without_turn_detection(dialect: Dialect) -> None:
    async with Harness(dialect=dialect, kind="transcription") as h:
        await h.send(configure(dialect, turn_detection=None))
        await h.append(speech("manual"))
        await h.send({"type": "input_audio_buffer.commit"})
        await h.settle()
        assert "input_audio_buffer.speech_started" not in h.types()
        (completed,) = h.of_type("conversation.item.input_audio_transcription.completed")
        assert completed.transcript == "manual"


@pytest.mark.spec("3.12")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_bad_transcription_model_is_refused(dialect: Dialect) -> None:
    async with Harness(dialect=dialect, kind="transcription") as h:
        h.take()
        event = configure(dialect)
        if dialect == "ga":
            event["session"]["audio"]["input"]["transcription"] = {"model": "nope"}
            param = "session.audio.input.transcription.model"
        else:
            event["session"]["input_audio_transcription"] = {"model": "nope"}
            param = "session.input_audio_transcription.model"
        await h.send(event)
        error = only_error(h)
        assert (error["code"], error["param"]) == ("invalid_value", param)
        assert error["message"].startswith("Invalid value: 'nope'. Supported values are: ")
