"""``merge_session``: how an update's fields combine with the effective session (spec §3.1)."""

from __future__ import annotations

from typing import Any

from openrealtime.protocol import ga
from openrealtime.server.session.session_update import merge_session


def _ga(**fields: Any) -> ga.RealtimeSession:
    return ga.RealtimeSession.model_validate({"type": "realtime", **fields})


def test_merge_keeps_read_only_fields_and_replaces_the_rest() -> None:
    current = _ga(id="sess_1", object="realtime.session", expires_at=10, instructions="a", tools=[])
    merged = merge_session(current, _ga(instructions="b"))
    assert merged.to_dict() == {
        "type": "realtime",
        "id": "sess_1",
        "object": "realtime.session",
        "expires_at": 10,
        "instructions": "b",
        "tools": [],
    }


def test_merge_recurses_into_audio_sides_only() -> None:
    current = _ga(
        audio={
            "input": {"turn_detection": {"type": "server_vad", "threshold": 0.9}},
            "output": {"voice": "echo", "speed": 1.2},
        }
    )
    merged = merge_session(
        current,
        _ga(audio={"input": {"turn_detection": {"type": "server_vad", "prefix_padding_ms": 100}}}),
    )
    assert merged.to_dict()["audio"] == {
        "input": {
            "turn_detection": {
                "type": "server_vad",
                "threshold": 0.5,
                "prefix_padding_ms": 100,
                "silence_duration_ms": 200,
                "idle_timeout_ms": None,
                "create_response": True,
                "interrupt_response": True,
            }
        },
        "output": {"voice": "echo", "speed": 1.2},
    }


def test_merge_null_clears_and_null_audio_changes_nothing() -> None:
    current = _ga(instructions="x", audio={"input": {"transcription": {"model": "whisper-1"}}})
    merged = merge_session(current, _ga(audio={"input": {"transcription": None}}))
    assert merged.to_dict()["audio"] == {"input": {"transcription": None}}
    assert merge_session(current, _ga(audio=None)).to_dict()["audio"] == {
        "input": {"transcription": {"model": "whisper-1", "language": None, "prompt": None}}
    }


def test_merge_transcription_session_reports_only_chunking_vad_fields() -> None:
    current = ga.TranscriptionSession.model_validate({"type": "transcription"})
    update = ga.TranscriptionSession.model_validate(
        {"type": "transcription", "audio": {"input": {"turn_detection": {"type": "server_vad"}}}}
    )
    merged = merge_session(current, update)
    assert merged.to_dict()["audio"]["input"]["turn_detection"] == {
        "type": "server_vad",
        "threshold": 0.5,
        "prefix_padding_ms": 300,
        "silence_duration_ms": 200,
    }
