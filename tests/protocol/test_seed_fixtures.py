"""The seed crate (async-openai's beta realtime types): what we keep, and its bugs we fix.

The serializations are the ones verified by compiling the crate
(seed-dialect-types.md sections 2 and 6); the bugs are its section 8.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from openrealtime.protocol import ProtocolError, beta, ga
from openrealtime.protocol._base import ClientEventBase, ServerEventBase

# seed-dialect-types.md section 2, "Verified serializations (v0.30.1)".
SEED_CLIENT_FRAMES = [
    '{"type":"session.update","session":{}}',
    '{"type":"input_audio_buffer.append","event_id":"evt_1","audio":"AAAA"}',
    '{"type":"input_audio_buffer.commit"}',
    '{"type":"input_audio_buffer.clear"}',
    '{"type":"conversation.item.create","item":{"type":"message","role":"user",'
    '"content":[{"type":"input_text","text":"hi"}]}}',
    '{"type":"conversation.item.truncate","item_id":"item_1","content_index":0,"audio_end_ms":1500}',
    '{"type":"conversation.item.delete","item_id":"item_1"}',
    '{"type":"response.create","response":null}',
    '{"type":"response.create","response":{"modalities":["text"],"instructions":"x"}}',
    '{"type":"response.cancel"}',
]


@pytest.mark.parametrize("frame", SEED_CLIENT_FRAMES)
def test_seed_client_frames_round_trip_byte_for_byte(frame: str) -> None:
    assert beta.ClientEvent.parse(frame).to_text() == frame


def test_seed_constructors_serialize_like_the_seed() -> None:
    assert (
        beta.ResponseCreateEvent(response=None).to_text()
        == '{"type":"response.create","response":null}'
    )
    assert beta.InputAudioBufferCommitEvent().to_text() == '{"type":"input_audio_buffer.commit"}'
    assert (
        beta.ResponseCancelEvent(event_id="x").to_text()
        == '{"type":"response.cancel","event_id":"x"}'
    )


def test_seed_session_resource_round_trips_with_the_ulaw_typo_fixed() -> None:
    # The seed's full SessionResource (section 4), with "g711_law" spelled right.
    session = (
        '{"model":"gpt-4o-realtime-preview","modalities":["text","audio"],'
        '"instructions":"be nice","voice":"alloy","input_audio_format":"pcm16",'
        '"output_audio_format":"g711_ulaw","input_audio_transcription":{"model":"whisper-1"},'
        '"turn_detection":{"type":"server_vad","threshold":0.5,"prefix_padding_ms":300,'
        '"silence_duration_ms":500,"interrupt_response":true},"tools":[{"type":"function",'
        '"name":"get_weather","description":"d","parameters":{"properties":{},"type":"object"}}],'
        '"tool_choice":{"type":"function","name":"get_weather"},"temperature":0.8,'
        '"max_response_output_tokens":"inf"}'
    )
    frame = '{"type":"session.update","session":' + session + "}"

    assert beta.ClientEvent.parse(frame).to_text() == frame


def test_seed_server_frames_round_trip_byte_for_byte() -> None:
    frames = [
        '{"type":"response.content_part.added","event_id":"e","response_id":"r","item_id":"i",'
        '"output_index":0,"content_index":0,"part":{"type":"audio","audio":null,"transcript":""}}',
        '{"type":"rate_limits.updated","event_id":"e","rate_limits":[{"name":"requests",'
        '"limit":1000,"remaining":999,"reset_seconds":60.0}]}',
        '{"type":"error","event_id":"e","error":{"type":"server_error","code":null,'
        '"message":"bad","param":null,"event_id":null}}',
    ]
    for frame in frames:
        event = beta.ServerEvent.parse(frame)
        assert not isinstance(event, beta.InvalidServerEvent | beta.UnknownServerEvent)
        assert event.to_text() == frame


def test_server_fields_the_seed_dropped_are_kept() -> None:
    # The seed dropped "object" and "transcript":null from this item (section 3).
    frame = (
        '{"type":"conversation.item.created","event_id":"e","previous_item_id":null,'
        '"item":{"id":"msg_1","object":"realtime.item","type":"message","status":"completed",'
        '"role":"user","content":[{"type":"input_audio","transcript":null}]}}'
    )

    event = beta.ServerEvent.parse(frame)

    assert isinstance(event, beta.ConversationItemCreatedEvent)
    assert event.to_text() == frame


DIALECT_ROOTS: list[tuple[Any, type[ClientEventBase] | type[ServerEventBase]]] = [
    (ga, ga.ClientEvent),
    (ga, ga.ServerEvent),
    (beta, beta.ClientEvent),
    (beta, beta.ServerEvent),
]


@pytest.mark.parametrize(
    ("module", "root"), DIALECT_ROOTS, ids=["ga-client", "ga-server", "beta-client", "beta-server"]
)
def test_every_event_class_subclasses_its_dialect_root(module: Any, root: type[Any]) -> None:
    exported = [getattr(module, name) for name in module.__all__]
    events = [
        obj
        for obj in exported
        if isinstance(obj, type)
        and issubclass(obj, ClientEventBase | ServerEventBase)
        and obj is not root
        and (issubclass(obj, ClientEventBase) == issubclass(root, ClientEventBase))
    ]
    assert events
    for cls in events:
        assert issubclass(cls, root), cls
    for wire_type in root.event_types():
        cls = root.event_class(wire_type)
        assert cls is not None
        assert issubclass(cls, root)
        assert cls in events
        assert cls.model_fields["type"].default == wire_type


def test_client_and_server_registries_are_separate() -> None:
    assert ga.ClientEvent.event_class("session.updated") is None
    assert ga.ServerEvent.event_class("session.update") is None
    assert beta.ClientEvent.event_class("conversation.item.added") is None
    assert ga.ClientEvent.event_class("transcription_session.update") is None
    assert beta.ServerEvent.event_class("response.output_text.delta") is None
    assert ga.ServerEvent.event_class("response.text.delta") is None


# --- The seed's bugs (section 8), each of which must not come back. ---


def test_ulaw_is_spelled_right() -> None:
    event = beta.ClientEvent.parse(
        '{"type":"session.update","session":{"input_audio_format":"g711_ulaw",'
        '"output_audio_format":"g711_alaw"}}'
    )
    assert isinstance(event, beta.SessionUpdateEvent)
    assert event.session.input_audio_format == "g711_ulaw"

    for typo in ("g711_law", "g711-ulaw", "g711-alaw"):
        with pytest.raises(ProtocolError) as caught:
            beta.ClientEvent.parse(
                {"type": "session.update", "session": {"output_audio_format": typo}}
            )
        assert (caught.value.code, caught.value.param) == (
            "invalid_value",
            "session.output_audio_format",
        )


def test_a_server_session_in_ulaw_parses() -> None:
    frame = {
        "type": "session.created",
        "event_id": "e",
        "session": {
            "id": "sess_1",
            "object": "realtime.session",
            "input_audio_format": "g711_ulaw",
            "output_audio_format": "g711_ulaw",
            "voice": "sage",
        },
    }
    assert isinstance(beta.ServerEvent.parse(frame), beta.SessionCreatedEvent)


@pytest.mark.parametrize("root", [ga.ServerEvent, beta.ServerEvent], ids=["ga", "beta"])
def test_the_first_commit_with_a_null_previous_item_id_parses(root: type[ServerEventBase]) -> None:
    frame = (
        '{"type":"input_audio_buffer.committed","event_id":"e","previous_item_id":null,'
        '"item_id":"item_1"}'
    )

    event = root.parse(frame)

    assert type(event).__name__ == "InputAudioBufferCommittedEvent"
    assert event.to_text() == frame


def _response_done(status: str, details: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "type": "response.done",
        "event_id": "e",
        "response": {
            "object": "realtime.response",
            "id": "resp_1",
            "status": status,
            "status_details": details,
            "output": [],
            "conversation_id": "conv_1",
            "usage": {"total_tokens": 0, "input_tokens": 0, "output_tokens": 0},
            "metadata": None,
        },
    }


STATUS_DETAILS = [
    ("completed", None),
    ("completed", {"type": "completed"}),
    ("cancelled", {"type": "cancelled", "reason": "turn_detected"}),
    ("cancelled", {"type": "cancelled", "reason": "client_cancelled"}),
    ("cancelled", {"type": "cancelled", "reason": "turn_detected", "error": None}),
    ("incomplete", {"type": "incomplete", "reason": "max_output_tokens"}),
    ("incomplete", {"type": "incomplete", "reason": "content_filter"}),
    ("failed", {"type": "failed", "error": {"type": "server_error", "code": "insufficient_quota"}}),
    ("failed", {"type": "failed", "error": None}),
]


@pytest.mark.parametrize(("status", "details"), STATUS_DETAILS)
@pytest.mark.parametrize(
    ("root", "done"),
    [(ga.ServerEvent, ga.ResponseDoneEvent), (beta.ServerEvent, beta.ResponseDoneEvent)],
    ids=["ga", "beta"],
)
def test_every_status_detail_shape_parses(
    root: type[ServerEventBase],
    done: type[ServerEventBase],
    status: str,
    details: dict[str, Any] | None,
) -> None:
    frame = _response_done(status, details)

    event = root.parse(frame)

    assert type(event) is done
    assert json.loads(event.to_text()) == frame


@pytest.mark.parametrize("voice", ["sage", "marin", "cedar", "ash", "ballad", "coral", "verse"])
def test_later_voices_are_accepted_in_beta(voice: str) -> None:
    for frame in (
        {"type": "session.update", "session": {"voice": voice}},
        {"type": "response.create", "response": {"voice": voice}},
    ):
        assert json.loads(beta.ClientEvent.parse(frame).to_text()) == frame


def test_an_unknown_voice_from_a_server_does_not_break_parsing() -> None:
    frame = {"type": "session.updated", "event_id": "e", "session": {"voice": "a-new-voice"}}
    assert isinstance(beta.ServerEvent.parse(frame), beta.SessionUpdatedEvent)


def test_item_references_are_accepted_in_response_input() -> None:
    frame = {
        "type": "response.create",
        "response": {
            "conversation": "none",
            "metadata": {"topic": "weather"},
            "input": [
                {"type": "item_reference", "id": "item_1"},
                {
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "item_reference", "id": "item_2"}],
                },
            ],
        },
    }
    assert json.loads(beta.ClientEvent.parse(frame).to_text()) == frame


@pytest.mark.parametrize("field", ["turn_detection", "input_audio_transcription"])
def test_explicit_null_can_turn_a_feature_off(field: str) -> None:
    built = beta.SessionUpdateEvent(session=beta.Session(**{field: None}))
    frame = '{"type":"session.update","session":{"' + field + '":null}}'

    assert built.to_text() == frame
    assert beta.ClientEvent.parse(frame) == built


def test_the_events_the_seed_lacked_exist() -> None:
    assert beta.ClientEvent.event_class("conversation.item.retrieve") is not None
    assert beta.ClientEvent.event_class("output_audio_buffer.clear") is not None
    assert beta.ClientEvent.event_class("transcription_session.update") is not None
    for server_type in (
        "conversation.item.retrieved",
        "transcription_session.updated",
        "output_audio_buffer.started",
        "output_audio_buffer.stopped",
        "output_audio_buffer.cleared",
    ):
        assert beta.ServerEvent.event_class(server_type) is not None, server_type
    frames = [
        '{"type":"conversation.item.retrieve","item_id":"item_1"}',
        '{"type":"output_audio_buffer.clear"}',
        '{"type":"transcription_session.update","session":{"input_audio_format":"pcm16"}}',
    ]
    for frame in frames:
        assert beta.ClientEvent.parse(frame).to_text() == frame


def test_response_cancel_has_a_response_id() -> None:
    event = beta.ResponseCancelEvent(response_id="resp_1")

    assert event.to_text() == '{"type":"response.cancel","response_id":"resp_1"}'
    assert beta.ClientEvent.parse(event.to_text()) == event


def test_looser_than_the_seed_where_the_spec_is() -> None:
    # Section 8 item 10 and section 4: fields the seed required that the spec does not.
    frames = [
        '{"type":"session.update","session":{"tools":[{"type":"function","name":"f"}]}}',
        '{"type":"session.update","session":{"turn_detection":{"type":"server_vad"}}}',
        '{"type":"session.update","session":{"turn_detection":{"type":"semantic_vad"}}}',
        '{"type":"session.update","session":{"input_audio_transcription":{"model":"whisper-1"}}}',
    ]
    for frame in frames:
        assert beta.ClientEvent.parse(frame).to_text() == frame


def test_max_response_output_tokens_inf_is_a_string_not_null() -> None:
    frame = '{"type":"response.create","response":{"max_response_output_tokens":"inf"}}'
    assert beta.ClientEvent.parse(frame).to_text() == frame


def test_tool_parameters_keep_their_key_order() -> None:
    # The seed re-serialized serde_json::Value objects with sorted keys (section 1).
    frame = (
        '{"type":"session.update","session":{"tools":[{"type":"function","name":"f",'
        '"parameters":{"type":"object","required":["b","a"],"properties":{"b":{},"a":{}}}}]}}'
    )
    assert beta.ClientEvent.parse(frame).to_text() == frame


def test_beta_function_call_arguments_done_has_no_name() -> None:
    frame = {
        "type": "response.function_call_arguments.done",
        "event_id": "e",
        "response_id": "r",
        "item_id": "i",
        "output_index": 0,
        "call_id": "call_1",
        "arguments": "{}",
    }
    assert isinstance(beta.ServerEvent.parse(frame), beta.ResponseFunctionCallArgumentsDoneEvent)
    assert isinstance(ga.ServerEvent.parse(frame), ga.InvalidServerEvent)


def test_a_full_beta_session_created_parses_and_keeps_every_field() -> None:
    # Section 5: the seed parsed this only by dropping the fields it lacked.
    frame = {
        "type": "session.created",
        "event_id": "event_0",
        "session": {
            "id": "sess_1",
            "object": "realtime.session",
            "model": "gpt-4o-realtime-preview",
            "expires_at": 1700000000,
            "modalities": ["text", "audio"],
            "instructions": "x",
            "voice": "alloy",
            "input_audio_format": "pcm16",
            "output_audio_format": "pcm16",
            "input_audio_transcription": None,
            "input_audio_noise_reduction": None,
            "turn_detection": {
                "type": "server_vad",
                "threshold": 0.5,
                "prefix_padding_ms": 300,
                "silence_duration_ms": 200,
                "create_response": True,
                "interrupt_response": True,
            },
            "tools": [],
            "tool_choice": "auto",
            "temperature": 0.8,
            "max_response_output_tokens": "inf",
            "speed": 1.1,
            "tracing": None,
            "client_secret": None,
            "include": None,
        },
    }

    event = beta.ServerEvent.parse(frame)

    assert isinstance(event, beta.SessionCreatedEvent)
    assert json.loads(event.to_text()) == frame


def test_a_beta_response_resource_keeps_the_fields_the_seed_ignored() -> None:
    # Section 4, ResponseResource: the seed ignored metadata, conversation_id, voice,
    # modalities, output_audio_format, temperature and max_output_tokens.
    frame = {
        "type": "response.created",
        "event_id": "event_1",
        "response": {
            "object": "realtime.response",
            "id": "resp_1",
            "status": "in_progress",
            "status_details": None,
            "output": [],
            "conversation_id": "conv_1",
            "modalities": ["audio", "text"],
            "voice": "alloy",
            "output_audio_format": "pcm16",
            "temperature": 0.8,
            "max_output_tokens": "inf",
            "usage": None,
            "metadata": {"topic": "classification"},
        },
    }

    event = beta.ServerEvent.parse(frame)

    assert isinstance(event, beta.ResponseCreatedEvent)
    assert json.loads(event.to_text()) == frame
