"""``session.update`` through the session core, in both dialects (spec §3.1, §12)."""

from __future__ import annotations

import base64
from typing import Any, Literal

import pytest

from openrealtime.engines.scripted import Script, scripted_engines
from openrealtime.server import SessionOptions

from .core_checks import DIALECTS, assert_text_turn_works, only_error, user_text
from .harness import Harness, silence, speech

Dialect = Literal["ga", "beta"]


def ga_update(**session: Any) -> dict[str, Any]:
    return {"type": "session.update", "session": {"type": "realtime", **session}}


def beta_update(**session: Any) -> dict[str, Any]:
    return {"type": "session.update", "session": session}


def updated_session(h: Harness) -> dict[str, Any]:
    """The session of the one ``session.updated`` sent since the last ``take()``."""
    events = h.take()
    assert [event.type for event in events] == ["session.updated"]
    session: dict[str, Any] = events[0].session.to_dict()
    return session


def effective(h: Harness) -> dict[str, Any]:
    """The session core's effective (GA) session."""
    session: dict[str, Any] = h.session.session.to_dict()
    return session


def audio_input(h: Harness) -> dict[str, Any]:
    value: dict[str, Any] = effective(h)["audio"]["input"]
    return value


# -- 3.1.1 / 3.1.2: the bodies --------------------------------------------------------------


@pytest.mark.spec("3.1.1")
async def test_beta_flat_body_every_field_accepted_and_translated() -> None:
    async with Harness(dialect="beta") as h:
        h.take()
        await h.send(
            beta_update(
                modalities=["text"],
                instructions="Be brief.",
                voice="echo",
                input_audio_format="g711_ulaw",
                output_audio_format="g711_alaw",
                input_audio_transcription={"model": "whisper-1", "language": "en"},
                input_audio_noise_reduction={"type": "far_field"},
                turn_detection={"type": "server_vad", "threshold": 0.6},
                tools=[{"type": "function", "name": "f", "description": "d", "parameters": {}}],
                tool_choice="required",
                temperature=0.7,
                max_response_output_tokens=100,
                speed=1.2,
                tracing="auto",
                include=["item.input_audio_transcription.logprobs"],
            )
        )
        session = updated_session(h)
        assert {k: v for k, v in session.items() if k not in ("id", "expires_at")} == {
            "object": "realtime.session",
            "model": "gpt-realtime",
            "modalities": ["text"],
            "instructions": "Be brief.",
            "voice": "echo",
            "input_audio_format": "g711_ulaw",
            "output_audio_format": "g711_alaw",
            "input_audio_transcription": {"model": "whisper-1", "language": "en", "prompt": None},
            "input_audio_noise_reduction": {"type": "far_field"},
            "turn_detection": {
                "type": "server_vad",
                "threshold": 0.6,
                "prefix_padding_ms": 300,
                "silence_duration_ms": 200,
                "create_response": True,
                "interrupt_response": True,
            },
            "tools": [{"type": "function", "name": "f", "description": "d", "parameters": {}}],
            "tool_choice": "required",
            "temperature": 0.7,
            "max_response_output_tokens": 100,
            "speed": 1.2,
            "tracing": "auto",
            "prompt": None,
            "include": ["item.input_audio_transcription.logprobs"],
        }
        internal = effective(h)
        assert internal["output_modalities"] == ["text"]
        assert internal["max_output_tokens"] == 100
        assert internal["audio"]["input"]["format"] == {"type": "audio/pcmu"}
        assert internal["audio"]["output"] == {
            "format": {"type": "audio/pcma"},
            "voice": "echo",
            "speed": 1.2,
        }


@pytest.mark.spec("3.1.2", "12.11")
async def test_ga_body_requires_session_type() -> None:
    async with Harness(dialect="ga") as h:
        h.take()
        await h.send({"type": "session.update", "event_id": "u1", "session": {"instructions": "x"}})
        assert only_error(h) == {
            "type": "invalid_request_error",
            "code": "missing_required_parameter",
            "message": "Missing required parameter: 'session.type'.",
            "param": "session.type",
            "event_id": "u1",
        }
        assert effective(h)["instructions"] != "x"
        await assert_text_turn_works(h)


# -- 3.1.3: session types ---------------------------------------------------------------


@pytest.mark.spec("3.1.3", "12.16")
@pytest.mark.parametrize(
    ("dialect", "event"),
    [
        ("ga", {"type": "session.update", "session": {"type": "transcription"}}),
        ("beta", {"type": "transcription_session.update", "session": {}}),
    ],
)
async def test_transcription_update_on_a_realtime_session(
    dialect: Dialect, event: dict[str, Any]
) -> None:
    async with Harness(dialect=dialect) as h:
        h.take()
        await h.send({**event, "event_id": "t1"})
        assert only_error(h) == {
            "type": "invalid_request_error",
            "code": "invalid_parameter",
            "message": "Passing a transcription session update event to a realtime session "
            "is not allowed.",
            "param": "session.type",
            "event_id": "t1",
        }
        await assert_text_turn_works(h)


@pytest.mark.spec("3.1.3", "12.16")
@pytest.mark.parametrize(
    ("dialect", "event"),
    [
        ("ga", ga_update(instructions="x")),
        ("beta", beta_update(instructions="x")),
    ],
)
async def test_realtime_update_on_a_transcription_session(
    dialect: Dialect, event: dict[str, Any]
) -> None:
    async with Harness(dialect=dialect, kind="transcription") as h:
        h.take()
        await h.send(event)
        assert only_error(h) == {
            "type": "invalid_request_error",
            "code": "invalid_parameter",
            "message": "Passing a realtime session update event to a transcription session "
            "is not allowed.",
            "param": "session.type",
            "event_id": None,
        }


# -- 3.1.4 / 3.1.5: merge semantics ---------------------------------------------------------


@pytest.mark.spec("3.1.4")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_only_present_fields_change(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        before = h.wire()[0].session.to_dict()
        h.take()
        await h.send(
            ga_update(instructions="new") if dialect == "ga" else beta_update(instructions="new")
        )
        after = updated_session(h)
        assert after == {**before, "instructions": "new"}


@pytest.mark.spec("3.1.4")
async def test_ga_empty_values_and_null_clear() -> None:
    async with Harness(dialect="ga") as h:
        await h.send(
            ga_update(
                tools=[{"type": "function", "name": "f"}],
                audio={
                    "input": {
                        "transcription": {"model": "whisper-1"},
                        "noise_reduction": {"type": "near_field"},
                    }
                },
            )
        )
        h.take()
        await h.send(
            ga_update(
                instructions="",
                tools=[],
                audio={
                    "input": {
                        "turn_detection": None,
                        "transcription": None,
                        "noise_reduction": None,
                    }
                },
            )
        )
        session = updated_session(h)
        assert session["instructions"] == ""
        assert session["tools"] == []
        assert session["audio"]["input"] == {
            "format": {"type": "audio/pcm", "rate": 24000},
            "transcription": None,
            "noise_reduction": None,
            "turn_detection": None,
        }


@pytest.mark.spec("3.1.4")
async def test_beta_empty_values_and_null_clear() -> None:
    async with Harness(dialect="beta") as h:
        await h.send(
            beta_update(
                tools=[{"type": "function", "name": "f"}],
                input_audio_transcription={"model": "whisper-1"},
                input_audio_noise_reduction={"type": "near_field"},
            )
        )
        h.take()
        await h.send(
            beta_update(
                instructions="",
                tools=[],
                turn_detection=None,
                input_audio_transcription=None,
                input_audio_noise_reduction=None,
            )
        )
        session = updated_session(h)
        assert session["instructions"] == ""
        assert session["tools"] == []
        assert session["turn_detection"] is None
        assert session["input_audio_transcription"] is None
        assert session["input_audio_noise_reduction"] is None


@pytest.mark.spec("3.1.5")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_semantic_vad_reports_its_defaults(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        h.take()
        if dialect == "ga":
            await h.send(ga_update(audio={"input": {"turn_detection": {"type": "semantic_vad"}}}))
            reported = updated_session(h)["audio"]["input"]["turn_detection"]
        else:
            await h.send(beta_update(turn_detection={"type": "semantic_vad"}))
            reported = updated_session(h)["turn_detection"]
        assert reported == {
            "type": "semantic_vad",
            "eagerness": "auto",
            "create_response": True,
            "interrupt_response": True,
        }


@pytest.mark.spec("3.1.5")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_nested_settings_are_replaced_whole_and_take_defaults(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        first = {"type": "server_vad", "threshold": 0.7, "silence_duration_ms": 500}
        second = {"type": "server_vad", "threshold": 0.6}
        if dialect == "ga":
            await h.send(
                ga_update(
                    audio={
                        "input": {
                            "turn_detection": first,
                            "transcription": {"model": "whisper-1", "language": "en"},
                        }
                    }
                )
            )
            await h.send(
                ga_update(
                    audio={
                        "input": {
                            "turn_detection": second,
                            "transcription": {"model": "gpt-4o-transcribe"},
                        }
                    }
                )
            )
        else:
            await h.send(
                beta_update(
                    turn_detection=first,
                    input_audio_transcription={"model": "whisper-1", "language": "en"},
                )
            )
            await h.send(
                beta_update(
                    turn_detection=second,
                    input_audio_transcription={"model": "gpt-4o-transcribe"},
                )
            )
        assert audio_input(h)["turn_detection"] == {
            "type": "server_vad",
            "threshold": 0.6,
            "prefix_padding_ms": 300,
            "silence_duration_ms": 200,
            "idle_timeout_ms": None,
            "create_response": True,
            "interrupt_response": True,
        }
        assert audio_input(h)["transcription"] == {
            "model": "gpt-4o-transcribe",
            "language": None,
            "prompt": None,
        }


@pytest.mark.spec("3.1.5")
async def test_ga_audio_sides_merge_but_format_is_replaced() -> None:
    async with Harness(dialect="ga") as h:
        await h.send(ga_update(audio={"output": {"voice": "echo", "speed": 1.2}}))
        await h.send(ga_update(audio={"output": {"format": {"type": "audio/pcmu"}}}))
        assert effective(h)["audio"]["output"] == {
            "format": {"type": "audio/pcmu"},
            "voice": "echo",
            "speed": 1.2,
        }
        await h.send(ga_update(audio={"output": {"format": {"type": "audio/pcm"}}}))
        assert effective(h)["audio"]["output"]["format"] == {"type": "audio/pcm", "rate": 24000}
        assert audio_input(h)["format"] == {"type": "audio/pcm", "rate": 24000}


# -- 3.1.6 / 3.1.7 --------------------------------------------------------------------------


@pytest.mark.spec("3.1.6")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_session_updated_is_the_full_session(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        created = h.wire()[0].session.to_dict()
        h.take()
        event = (
            ga_update(tool_choice="none") if dialect == "ga" else beta_update(tool_choice="none")
        )
        await h.send({**event, "event_id": "client_1"})
        events = h.take()
        assert [e.type for e in events] == ["session.updated"]
        assert events[0].event_id != "client_1"
        session = events[0].session.to_dict()
        assert session["id"] == created["id"]
        assert session["expires_at"] == 1_750_003_600
        assert set(session) == set(created)
        assert session == {**created, "tool_choice": "none"}


@pytest.mark.spec("3.1.7")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_rejected_update_changes_nothing(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        before = effective(h)
        h.take()
        if dialect == "ga":
            await h.send(
                ga_update(
                    instructions="changed",
                    audio={"input": {"transcription": {"model": "nope-transcribe"}}},
                )
            )
        else:
            await h.send(
                beta_update(
                    instructions="changed", input_audio_transcription={"model": "nope-transcribe"}
                )
            )
        assert only_error(h)["code"] == "invalid_value"
        assert effective(h) == before
        assert h.of_type("session.updated") == []
        await assert_text_turn_works(h)


# -- 3.1.8: the voice lock -----------------------------------------------------------------


def _voice_update(dialect: Dialect, voice: str, **extra: Any) -> dict[str, Any]:
    if dialect == "ga":
        return ga_update(audio={"output": {"voice": voice}}, **extra)
    return beta_update(voice=voice, **extra)


@pytest.mark.spec("3.1.8", "12.17")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_voice_locks_after_assistant_audio(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(_voice_update(dialect, "echo"))
        assert h.of_type("session.updated")
        await h.send(user_text("hi"))
        await h.send({"type": "response.create"})
        await h.settle()
        h.take()
        await h.send({**_voice_update(dialect, "shimmer", instructions="other"), "event_id": "v1"})
        assert only_error(h) == {
            "type": "invalid_request_error",
            "code": "cannot_update_voice",
            "message": "Cannot update a conversation's voice if assistant audio is present.",
            "param": None,
            "event_id": "v1",
        }
        assert effective(h)["audio"]["output"]["voice"] == "echo"
        assert effective(h)["instructions"] != "other"
        await h.send(_voice_update(dialect, "echo", instructions="same voice"))
        updated_session(h)
        assert effective(h)["instructions"] == "same voice"


@pytest.mark.spec("3.1.8")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_text_only_responses_do_not_lock_the_voice(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await assert_text_turn_works(h)
        await h.send(_voice_update(dialect, "coral"))
        updated_session(h)
        assert effective(h)["audio"]["output"]["voice"] == "coral"


# -- 3.1.9: model ----------------------------------------------------------------------------


@pytest.mark.spec("3.1.9")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_model_switch_changes_the_engines_of_later_responses(dialect: Dialect) -> None:
    harnesses: list[Harness] = []

    async def sleep(seconds: float) -> None:
        await harnesses[0].clock.sleep(seconds)

    other = Script.model_validate({"default": {"reply": "Other engine."}})
    engines = {
        "gpt-realtime": scripted_engines(sleep=sleep),
        "gpt-realtime-mini": scripted_engines(other, sleep=sleep),
    }
    h = Harness(dialect=dialect, engines_for=lambda name: engines.get(name or ""))
    harnesses.append(h)
    async with h:
        await assert_text_turn_works(h, "one")
        h.take()
        event = ga_update(model="gpt-realtime-mini")
        if dialect == "beta":
            event = beta_update(model="gpt-realtime-mini")
        await h.send(event)
        assert updated_session(h)["model"] == "gpt-realtime-mini"
        await h.send(user_text("two"))
        await h.send(
            {"type": "response.create", "response": {"output_modalities": ["text"]}}
            if dialect == "ga"
            else {"type": "response.create", "response": {"modalities": ["text"]}}
        )
        await h.settle()
        done = h.of_type("response.done")[-1]
        assert done.response.output[0].content[0].text == "Other engine."


@pytest.mark.spec("3.1.9")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_same_model_is_accepted(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        h.take()
        await h.send(
            ga_update(model="gpt-realtime")
            if dialect == "ga"
            else beta_update(model="gpt-realtime")
        )
        assert updated_session(h)["model"] == "gpt-realtime"


@pytest.mark.spec("3.1.9")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_unknown_model_is_invalid_model_and_discards_the_update(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        h.take()
        if dialect == "ga":
            await h.send({**ga_update(model="whisper-9", instructions="x"), "event_id": "m1"})
        else:
            await h.send({**beta_update(model="whisper-9", instructions="x"), "event_id": "m1"})
        assert only_error(h) == {
            "type": "invalid_request_error",
            "code": "invalid_model",
            "message": 'Model "whisper-9" is not supported in realtime mode.',
            "param": "session.model",
            "event_id": "m1",
        }
        assert effective(h)["model"] == "gpt-realtime"
        assert effective(h)["instructions"] != "x"
        await assert_text_turn_works(h)


# -- 3.1.10 / 3.1.11: timing of updates -------------------------------------------------------


def _audio_ms(h: Harness, response_id: str) -> float:
    wire_type = "response.output_audio.delta" if h.dialect == "ga" else "response.audio.delta"
    total = sum(
        len(base64.b64decode(event.delta))
        for event in h.of_type(wire_type)
        if event.response_id == response_id
    )
    return total / 48  # PCM16 at 24 kHz: 48 bytes per ms


@pytest.mark.spec("3.1.10", "3.1.11")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_speed_and_modalities_apply_from_the_next_response(dialect: Dialect) -> None:
    """ "You said: hi" is 12 characters of 60 ms at speed 1: 720 ms; 480 ms at speed 1.5."""
    async with Harness(dialect=dialect) as h:
        await h.send(user_text("hi"))
        await h.send({"type": "response.create"})
        await h.advance(0.3)
        assert h.types()[-1] in ("response.output_audio.delta", "response.audio.delta")
        h.take()
        if dialect == "ga":
            await h.send(ga_update(output_modalities=["text"], audio={"output": {"speed": 1.5}}))
        else:
            await h.send(beta_update(modalities=["text"], speed=1.5))
        updated_session(h)
        await h.settle()
        first = h.of_type("response.done")[0].response
        assert first.status == "completed"
        assert _audio_ms(h, first.id) == 720.0
        if dialect == "ga":
            await h.send(ga_update(output_modalities=["audio"]))
        else:
            await h.send(beta_update(modalities=["audio", "text"]))
        await h.send(user_text("hi"))
        await h.send({"type": "response.create"})
        await h.settle()
        second = h.of_type("response.done")[-1].response
        assert second.id != first.id
        assert _audio_ms(h, second.id) == 480.0


@pytest.mark.spec("3.1.11")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_update_mid_speech_keeps_the_turn(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(
            ga_update(output_modalities=["text"])
            if dialect == "ga"
            else beta_update(modalities=["text"])
        )
        words = speech("hello there")
        await h.append(silence(400))
        await h.append(words[: len(words) // 2])
        started = h.of_type("input_audio_buffer.speech_started")
        assert len(started) == 1
        await h.send(
            ga_update(instructions="new") if dialect == "ga" else beta_update(instructions="new")
        )
        await h.append(words[len(words) // 2 :])
        await h.append(silence(400))
        await h.settle()
        stopped = h.of_type("input_audio_buffer.speech_stopped")
        assert [event.item_id for event in stopped] == [started[0].item_id]
        assert stopped[0].audio_end_ms == 400 + 660 + 200
        reply = h.of_type("response.done")[-1].response.output[0].content[0]
        assert reply.text == "You said: hello there"


@pytest.mark.spec("3.1.11")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_turn_detection_change_mid_speech_restarts_detection(dialect: Dialect) -> None:
    """The open turn is dropped without ``speech_stopped``; detection starts again at the
    current position (730 ms), so the rest of the speech is a new turn."""
    async with Harness(dialect=dialect) as h:
        vad = {"type": "server_vad", "create_response": False}
        await h.send(
            ga_update(audio={"input": {"turn_detection": vad}})
            if dialect == "ga"
            else beta_update(turn_detection=vad)
        )
        words = speech("hello there")
        await h.append(silence(400))
        await h.append(words[: len(words) // 2])
        changed = {"type": "server_vad", "create_response": False, "silence_duration_ms": 300}
        await h.send(
            ga_update(audio={"input": {"turn_detection": changed}})
            if dialect == "ga"
            else beta_update(turn_detection=changed)
        )
        await h.append(words[len(words) // 2 :])
        await h.append(silence(400))
        await h.settle()
        started = h.of_type("input_audio_buffer.speech_started")
        stopped = h.of_type("input_audio_buffer.speech_stopped")
        assert [event.audio_start_ms for event in started] == [100, 730]
        assert [event.item_id for event in stopped] == [started[1].item_id]
        # 20 ms frames now count from 730: the first silent one starts at 1070.
        assert stopped[0].audio_end_ms == 1070 + 300
        committed = h.of_type("input_audio_buffer.committed")
        assert [event.item_id for event in committed] == [started[1].item_id]


# -- 12.10 / 12.14 / 12.e9 --------------------------------------------------------------------


@pytest.mark.spec("12.10")
@pytest.mark.parametrize(
    ("dialect", "event", "param"),
    [
        ("ga", ga_update(bogus_field=1), "session.bogus_field"),
        ("ga", ga_update(id="sess_x"), "session.id"),
        ("ga", ga_update(expires_at=5), "session.expires_at"),
        ("ga", ga_update(temperature=0.8), "session.temperature"),
        ("beta", beta_update(id="sess_x"), "session.id"),
        ("beta", beta_update(expires_at=5), "session.expires_at"),
        (
            "beta",
            beta_update(input_audio_transcription={"enabled": True}),
            "session.input_audio_transcription.enabled",
        ),
    ],
)
async def test_unknown_parameters(dialect: Dialect, event: dict[str, Any], param: str) -> None:
    async with Harness(dialect=dialect) as h:
        h.take()
        await h.send({**event, "event_id": "evt_NbVvtzwXpGmqUT3Jt"})
        assert only_error(h) == {
            "type": "invalid_request_error",
            "code": "unknown_parameter",
            "message": f"Unknown parameter: '{param}'.",
            "param": param,
            "event_id": "evt_NbVvtzwXpGmqUT3Jt",
        }
        await assert_text_turn_works(h)


@pytest.mark.spec("12.14")
@pytest.mark.parametrize(
    ("dialect", "event", "code", "message", "param"),
    [
        (
            "beta",
            beta_update(temperature=0.3),
            "decimal_below_min_value",
            "Invalid 'session.temperature': decimal below minimum value. Expected a value "
            ">= 0.6, but got 0.3 instead.",
            "session.temperature",
        ),
        (
            "beta",
            beta_update(temperature=1.5),
            "decimal_above_max_value",
            "Invalid 'session.temperature': decimal above maximum value. Expected a value "
            "<= 1.2, but got 1.5 instead.",
            "session.temperature",
        ),
        (
            "ga",
            ga_update(audio={"output": {"speed": 2.0}}),
            "decimal_above_max_value",
            "Invalid 'session.audio.output.speed': decimal above maximum value. Expected a "
            "value <= 1.5, but got 2.0 instead.",
            "session.audio.output.speed",
        ),
        (
            "beta",
            beta_update(speed=0.1),
            "decimal_below_min_value",
            "Invalid 'session.speed': decimal below minimum value. Expected a value >= 0.25, "
            "but got 0.1 instead.",
            "session.speed",
        ),
    ],
)
async def test_decimal_ranges(
    dialect: Dialect, event: dict[str, Any], code: str, message: str, param: str
) -> None:
    async with Harness(dialect=dialect) as h:
        h.take()
        await h.send(event)
        assert only_error(h) == {
            "type": "invalid_request_error",
            "code": code,
            "message": message,
            "param": param,
            "event_id": None,
        }
        await assert_text_turn_works(h)


@pytest.mark.spec("12.e9")
@pytest.mark.parametrize(
    ("dialect", "param"),
    [
        ("ga", "session.audio.input.transcription.model"),
        ("beta", "session.input_audio_transcription.model"),
    ],
)
async def test_transcription_models_are_configurable(dialect: Dialect, param: str) -> None:
    options = SessionOptions(transcription_models=("my-transcriber", "other-transcriber"))
    async with Harness(dialect=dialect, options=options) as h:
        h.take()

        def update(model: str) -> dict[str, Any]:
            if dialect == "ga":
                return ga_update(audio={"input": {"transcription": {"model": model}}})
            return beta_update(input_audio_transcription={"model": model})

        await h.send(update("my-transcriber"))
        updated_session(h)
        assert audio_input(h)["transcription"]["model"] == "my-transcriber"
        await h.send(update("whisper-1"))
        assert only_error(h) == {
            "type": "invalid_request_error",
            "code": "invalid_value",
            "message": "Invalid value: 'whisper-1'. Supported values are: 'my-transcriber' "
            "and 'other-transcriber'.",
            "param": param,
            "event_id": None,
        }


@pytest.mark.spec("12.e9")
@pytest.mark.parametrize(
    "model",
    [
        "whisper-1",
        "gpt-4o-transcribe",
        "gpt-4o-mini-transcribe",
        "gpt-4o-transcribe-diarize",
        "gpt-realtime-whisper",
    ],
)
async def test_openai_transcription_models_accepted_by_default(model: str) -> None:
    async with Harness(dialect="ga") as h:
        h.take()
        await h.send(ga_update(audio={"input": {"transcription": {"model": model}}}))
        assert updated_session(h)["audio"]["input"]["transcription"]["model"] == model
