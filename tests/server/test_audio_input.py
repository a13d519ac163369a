"""The input audio buffer through the session core: append, commit, clear (spec §3.2-§3.4)."""

from __future__ import annotations

from typing import Any, Literal

import pytest

from openrealtime.audio.b64 import b64encode
from openrealtime.audio.g711 import pcm16_to_alaw, pcm16_to_ulaw
from openrealtime.server.session.input_buffer import InputAudioBuffer

from .core_checks import DIALECTS, assert_text_turn_works, only_error, user_text
from .harness import Harness, silence, speech

Dialect = Literal["ga", "beta"]
MiB = 1024 * 1024


def vad_off(dialect: Dialect) -> dict[str, Any]:
    if dialect == "ga":
        session = {"type": "realtime", "audio": {"input": {"turn_detection": None}}}
        return {"type": "session.update", "session": session}
    return {"type": "session.update", "session": {"turn_detection": None}}


def append(audio: bytes, **fields: Any) -> dict[str, Any]:
    return {"type": "input_audio_buffer.append", "audio": b64encode(audio), **fields}


def commit_empty(ms: str, event_id: str | None = None) -> dict[str, Any]:
    return {
        "type": "invalid_request_error",
        "code": "input_audio_buffer_commit_empty",
        "message": "Error committing input audio buffer: buffer too small. Expected at least "
        f"100ms of audio, but buffer only has {ms}ms of audio.",
        "param": None,
        "event_id": event_id,
    }


def user_audio_echo(dialect: Dialect, item_id: str, previous: str | None) -> list[dict[str, Any]]:
    """The user item events that follow ``committed``, written out per dialect."""
    item: dict[str, Any] = {
        "id": item_id,
        "type": "message",
        "status": "completed",
        "role": "user",
        "content": [{"type": "input_audio", "transcript": None}],
    }
    if dialect == "beta":
        item = {**item, "object": "realtime.item"}
        return [{"type": "conversation.item.created", "previous_item_id": previous, "item": item}]
    return [
        {"type": event_type, "previous_item_id": previous, "item": item}
        for event_type in ("conversation.item.added", "conversation.item.done")
    ]


def without_event_ids(events: list[Any]) -> list[dict[str, Any]]:
    out = []
    for event in events:
        data = event.to_dict()
        data.pop("event_id")
        out.append(data)
    return out


# -- 3.2 append ------------------------------------------------------------------------------


@pytest.mark.spec("3.2.1")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_append_is_not_acknowledged(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        h.take()
        await h.send(append(silence(500), event_id="a1"))
        await h.append(silence(500))
        await h.settle()
        assert h.take() == []
        assert h.session.audio_input.buffer.duration_ms == 1000.0


@pytest.mark.spec("3.2.2")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_append_of_more_than_15_mib_is_refused_and_buffers_nothing(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(vad_off(dialect))
        h.take()
        await h.send(append(b"\0" * (15 * MiB + 2), event_id="big"))
        assert only_error(h) == {
            "type": "invalid_request_error",
            "code": "invalid_value",
            "message": "Invalid 'audio': the decoded audio is 15728642 bytes, but at most "
            "15728640 bytes (15 MiB) may be appended at a time.",
            "param": "audio",
            "event_id": "big",
        }
        await h.send({"type": "input_audio_buffer.commit"})
        assert only_error(h) == commit_empty("0.00")
        await h.send(append(b"\0" * (15 * MiB)))
        assert h.take() == []
        assert h.session.audio_input.buffer.duration_ms == 15 * MiB / 48
        await h.send({"type": "input_audio_buffer.clear"})
        await assert_text_turn_works(h)


@pytest.mark.spec("3.2.6")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_append_that_is_not_base64(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        h.take()
        await h.send(
            {"type": "input_audio_buffer.append", "audio": "not base64!", "event_id": "b1"}
        )
        assert only_error(h) == {
            "type": "invalid_request_error",
            "code": "invalid_value",
            "message": "Invalid 'audio': expected base64-encoded audio.",
            "param": "audio",
            "event_id": "b1",
        }
        await h.send({"type": "input_audio_buffer.commit"})
        assert only_error(h) == commit_empty("0.00")
        await assert_text_turn_works(h)


@pytest.mark.spec("3.2.3", "12.13")
@pytest.mark.parametrize(
    ("rate", "code", "bound"),
    [
        (16000, "integer_below_min_value", "below minimum value. Expected a value >= 24000"),
        (48000, "integer_above_max_value", "above maximum value. Expected a value <= 24000"),
    ],
)
async def test_ga_accepts_only_24khz_pcm(rate: int, code: str, bound: str) -> None:
    async with Harness(dialect="ga") as h:
        h.take()
        await h.send(
            {
                "type": "session.update",
                "session": {
                    "type": "realtime",
                    "audio": {"input": {"format": {"type": "audio/pcm", "rate": rate}}},
                },
            }
        )
        assert only_error(h) == {
            "type": "invalid_request_error",
            "code": code,
            "message": f"Invalid 'session.audio.input.format.rate': integer {bound}, "
            f"but got {rate} instead.",
            "param": "session.audio.input.format.rate",
            "event_id": None,
        }
        await assert_text_turn_works(h)


FORMATS = [
    ("ga", {"type": "audio/pcm", "rate": 24000}, 24000),
    ("ga", {"type": "audio/pcmu"}, 8000),
    ("ga", {"type": "audio/pcma"}, 8000),
    ("beta", "pcm16", 24000),
    ("beta", "g711_ulaw", 8000),
    ("beta", "g711_alaw", 8000),
]


@pytest.mark.spec("3.2.3", "3.2.5")
@pytest.mark.parametrize(("dialect", "wire_format", "rate"), FORMATS)
async def test_input_formats_end_to_end(dialect: Dialect, wire_format: Any, rate: int) -> None:
    """A spoken turn in each format: the same turn timings, transcript and reply."""
    async with Harness(dialect=dialect) as h:
        if dialect == "ga":
            audio = {"input": {"format": wire_format, "transcription": {"model": "whisper-1"}}}
            session = {"type": "realtime", "output_modalities": ["text"], "audio": audio}
        else:
            session = {
                "modalities": ["text"],
                "input_audio_format": wire_format,
                "input_audio_transcription": {"model": "whisper-1"},
            }
        await h.send({"type": "session.update", "session": session})
        pcm = silence(500, rate=rate) + speech("hello there", rate=rate) + silence(600, rate=rate)
        name = str(wire_format)
        if "pcmu" in name or "ulaw" in name:
            await h.append(pcm16_to_ulaw(pcm), rate=8000, sample_width=1)
        elif "pcma" in name or "alaw" in name:
            await h.append(pcm16_to_alaw(pcm), rate=8000, sample_width=1)
        else:
            await h.append(pcm)
        await h.settle()
        started = h.of_type("input_audio_buffer.speech_started")
        stopped = h.of_type("input_audio_buffer.speech_stopped")
        assert [e.audio_start_ms for e in started] == [200]
        assert [e.audio_end_ms for e in stopped] == [1360]
        completed = h.of_type("conversation.item.input_audio_transcription.completed")
        assert [e.transcript for e in completed] == ["hello there"]
        reply = h.of_type("response.done")[-1].response.output[0].content[0]
        assert reply.text == "You said: hello there"


@pytest.mark.spec("3.2.4")
@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("kind", ["near_field", "far_field"])
async def test_noise_reduction_is_accepted_and_reported(dialect: Dialect, kind: str) -> None:
    async with Harness(dialect=dialect) as h:
        h.take()
        if dialect == "ga":
            audio = {"input": {"noise_reduction": {"type": kind}}}
            await h.send(
                {"type": "session.update", "session": {"type": "realtime", "audio": audio}}
            )
            reported = h.take()[0].session.to_dict()["audio"]["input"]["noise_reduction"]
        else:
            await h.send(
                {
                    "type": "session.update",
                    "session": {"input_audio_noise_reduction": {"type": kind}},
                }
            )
            reported = h.take()[0].session.to_dict()["input_audio_noise_reduction"]
        assert reported == {"type": kind}
        await h.append(silence(500) + speech("hello there") + silence(600))
        await h.settle()
        assert [e.audio_start_ms for e in h.of_type("input_audio_buffer.speech_started")] == [200]
        assert [e.audio_end_ms for e in h.of_type("input_audio_buffer.speech_stopped")] == [1360]


# -- 3.3 commit ------------------------------------------------------------------------------


@pytest.mark.spec("3.3.1", "12.18")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_commit_needs_100_ms_since_the_previous_commit(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(vad_off(dialect))
        h.take()
        await h.send({"type": "input_audio_buffer.commit", "event_id": "c0"})
        assert only_error(h) == commit_empty("0.00", "c0")
        await h.append(silence(50))
        await h.send({"type": "input_audio_buffer.commit", "event_id": "c1"})
        assert only_error(h) == commit_empty("50.00", "c1")
        await h.append(silence(50))
        await h.send({"type": "input_audio_buffer.commit"})
        assert h.take()[0].type == "input_audio_buffer.committed"
        await h.append(silence(60))
        await h.send({"type": "input_audio_buffer.commit", "event_id": "c3"})
        assert only_error(h) == commit_empty("60.00", "c3")
        await assert_text_turn_works(h)


@pytest.mark.spec("3.3.2", "3.3.3", "3.3.5")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_commit_events_in_order_and_no_response(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(vad_off(dialect))
        await h.append(speech("hi"))
        h.take()
        await h.send({"type": "input_audio_buffer.commit", "event_id": "c1"})
        events = without_event_ids(h.take())
        first = events[0]["item_id"]
        assert events == [
            {"type": "input_audio_buffer.committed", "previous_item_id": None, "item_id": first},
            *user_audio_echo(dialect, first, None),
        ]
        await h.send(user_text("typed"))
        typed = h.take()[0].item.id
        await h.append(silence(100))
        await h.send({"type": "input_audio_buffer.commit"})
        events = without_event_ids(h.take())
        second = events[0]["item_id"]
        assert second not in (first, typed)
        assert events == [
            {"type": "input_audio_buffer.committed", "previous_item_id": typed, "item_id": second},
            *user_audio_echo(dialect, second, typed),
        ]
        await h.settle()
        assert h.of_type("response.created") == []


@pytest.mark.spec("3.3.5")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_manual_commit_with_vad_on_creates_no_response(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.append(silence(300))
        await h.send({"type": "input_audio_buffer.commit"})
        await h.settle()
        assert "input_audio_buffer.committed" in h.types()
        assert h.of_type("response.created") == []


@pytest.mark.spec("3.3.6")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_failed_commit_keeps_the_buffer(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(vad_off(dialect))
        await h.append(silence(60))
        h.take()
        await h.send({"type": "input_audio_buffer.commit"})
        assert only_error(h) == commit_empty("60.00")
        assert h.of_type("input_audio_buffer.committed") == []
        await h.append(silence(60))
        await h.send({"type": "input_audio_buffer.commit"})
        item_id = h.take()[0].item_id
        stored = h.session.conversation.get(item_id)
        assert stored is not None
        assert stored.audio[0].duration_ms == 120.0


@pytest.mark.spec("3.3.7")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_buffer_is_empty_after_a_commit_and_silence_commits(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(vad_off(dialect))
        await h.append(silence(100))
        h.take()
        await h.send({"type": "input_audio_buffer.commit"})
        assert h.take()[0].type == "input_audio_buffer.committed"
        await h.send({"type": "input_audio_buffer.commit", "event_id": "again"})
        assert only_error(h) == commit_empty("0.00", "again")


@pytest.mark.spec("3.3.8")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_manual_commit_during_vad_speech(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        words = speech("hello there")
        await h.append(silence(400))
        await h.append(words[: len(words) // 2])
        (started,) = h.of_type("input_audio_buffer.speech_started")
        h.take()
        await h.send({"type": "input_audio_buffer.commit"})
        events = without_event_ids(h.take())
        assert events == [
            {
                "type": "input_audio_buffer.committed",
                "previous_item_id": None,
                "item_id": started.item_id,
            },
            *user_audio_echo(dialect, started.item_id, None),
        ]
        await h.append(words[len(words) // 2 :])
        await h.append(silence(400))
        await h.settle()
        stopped = h.of_type("input_audio_buffer.speech_stopped")
        assert started.item_id not in [event.item_id for event in stopped]
        # Detection starts afresh at 730 ms, where the commit left the buffer.
        assert [e.audio_start_ms for e in h.of_type("input_audio_buffer.speech_started")] == [
            100,
            730,
        ]


# -- 3.4 clear -------------------------------------------------------------------------------


@pytest.mark.spec("3.4.1")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_clear_empties_the_buffer_and_creates_no_item(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(vad_off(dialect))
        await h.append(speech("hello"))
        h.take()
        await h.send({"type": "input_audio_buffer.clear", "event_id": "x1"})
        assert without_event_ids(h.take()) == [{"type": "input_audio_buffer.cleared"}]
        await h.send({"type": "input_audio_buffer.commit"})
        assert only_error(h) == commit_empty("0.00")
        assert len(h.session.conversation) == 0


@pytest.mark.spec("3.4.2")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_clear_leaves_a_running_response_alone(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(user_text("hi"))
        await h.send({"type": "response.create"})
        await h.advance(0.2)
        assert h.of_type("response.done") == []
        await h.send({"type": "input_audio_buffer.clear"})
        assert h.types()[-1] == "input_audio_buffer.cleared"
        await h.settle()
        (done,) = h.of_type("response.done")
        assert done.response.status == "completed"
        assert done.response.output[0].content[0].transcript == "You said: hi"


@pytest.mark.spec("3.4.3")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_clear_discards_an_open_vad_segment(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        vad = {"type": "server_vad", "create_response": False}
        if dialect == "ga":
            session = {"type": "realtime", "audio": {"input": {"turn_detection": vad}}}
        else:
            session = {"turn_detection": vad}
        await h.send({"type": "session.update", "session": session})
        await h.append(silence(400))
        await h.append(speech("hello there"))
        (started,) = h.of_type("input_audio_buffer.speech_started")
        h.take()
        await h.send({"type": "input_audio_buffer.clear"})
        await h.append(silence(600))
        await h.settle()
        assert [event.type for event in h.take()] == ["input_audio_buffer.cleared"]
        assert h.of_type("input_audio_buffer.speech_stopped") == []
        assert started.item_id not in h.session.conversation


# -- InputAudioBuffer ------------------------------------------------------------------------


def test_buffer_positions_count_across_takes_and_clears() -> None:
    buffer = InputAudioBuffer(1000)
    buffer.append(b"\0\0" * 100)
    assert buffer.end_ms == 100.0
    buffer.append(b"\1\0" * 50)
    assert (buffer.start_ms, buffer.end_ms, buffer.duration_ms) == (0, 150, 150)
    assert buffer.take(end_ms=100.0) == b"\0\0" * 100
    assert (buffer.start_ms, buffer.end_ms, buffer.duration_ms) == (100.0, 150.0, 50.0)
    buffer.clear()
    assert (buffer.start_ms, buffer.end_ms, buffer.duration_ms) == (150.0, 150.0, 0.0)
    buffer.append(b"\2\0" * 10)
    assert (buffer.start_ms, buffer.end_ms) == (150.0, 160.0)
    assert buffer.take() == b"\2\0" * 10


def test_buffer_take_a_range_drops_what_came_before() -> None:
    buffer = InputAudioBuffer(1000, position_ms=500.0)
    buffer.append(bytes(range(0, 200)))  # 100 samples: 500 ms to 600 ms
    audio = buffer.take(520.0, 550.0)
    assert audio == bytes(range(40, 100))
    assert buffer.start_ms == 550.0
    assert buffer.take() == bytes(range(100, 200))
    assert buffer.duration_ms == 0.0


def test_buffer_take_clamps_positions_outside_the_buffer() -> None:
    buffer = InputAudioBuffer(1000, position_ms=100.0)
    buffer.append(b"\1\0" * 10)
    assert buffer.take(0.0, 1000.0) == b"\1\0" * 10
    assert (buffer.start_ms, buffer.duration_ms, buffer.take()) == (110.0, 0.0, b"")
