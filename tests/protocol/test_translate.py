"""The dialect translators: every mapping both ways, errors, stream orderings, SDK oracles.

Expected JSON is written out here, never computed by the code under test. Whole
traces follow the canonical traces (docs/behaviour.md §4), and every translated server event
is validated with the official SDK's models for its dialect.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Callable
from typing import Annotated, Any

import pytest
from openai.types.beta.realtime import RealtimeServerEvent as SdkBetaServerEvent
from openai.types.realtime import RealtimeServerEvent as SdkGaServerEvent
from pydantic import Field, TypeAdapter

from openrealtime.protocol import ProtocolError, beta, ga
from openrealtime.protocol.translate import (
    GA_ONLY_EVENTS,
    GaWireFilter,
    ServerEventsToBeta,
    ServerEventsToGa,
    TranslationError,
    client_event_to_beta,
    client_event_to_ga,
    input_item_to_beta,
    input_item_to_ga,
    item_to_beta,
    item_to_ga,
    random_event_id,
    response_to_beta,
    response_to_ga,
    session_to_beta,
    session_to_ga,
    transcription_session_to_beta,
    transcription_session_to_ga,
)

Json = dict[str, Any]


def _sdk_adapter(union: Any) -> TypeAdapter[Any]:
    members = typing.get_args(typing.get_args(union)[0])
    return TypeAdapter(Annotated[typing.Union.__getitem__(members), Field(discriminator="type")])


SDK_GA = _sdk_adapter(SdkGaServerEvent)
SDK_BETA = _sdk_adapter(SdkBetaServerEvent)
# The SDK's beta union lacks transcription_session.created, and its
# transcription_session.updated wants the REST-only client_secret.
SDK_BETA_MISSING = {"transcription_session.created", "transcription_session.updated"}

BETA_ITEM: TypeAdapter[Any] = TypeAdapter(beta.Item)
GA_ITEM: TypeAdapter[Any] = TypeAdapter(ga.Item)


def wire(model: Any) -> Json:
    """The JSON object a model puts on the wire."""
    return typing.cast(Json, json.loads(model.to_text()))


def sdk_check_ga(events: list[ga.ServerEvent]) -> None:
    for event in events:
        SDK_GA.validate_python(wire(event))


def sdk_check_beta(events: list[beta.ServerEvent]) -> None:
    for event in events:
        if event.type not in SDK_BETA_MISSING:
            SDK_BETA.validate_python(wire(event))


def ga_client(data: Json) -> ga.ClientEvent:
    """A GA client event, validated leniently (GA's strict parse refuses ``temperature``)."""
    cls = ga.ClientEvent.event_class(data["type"])
    assert cls is not None
    return cls.model_validate(data)


def ga_server(data: Json) -> ga.ServerEvent:
    event = ga.ServerEvent.parse(data)
    assert not isinstance(event, ga.UnknownServerEvent | ga.InvalidServerEvent), event
    return typing.cast(ga.ServerEvent, event)


def beta_server(data: Json) -> beta.ServerEvent:
    event = beta.ServerEvent.parse(data)
    assert not isinstance(event, beta.UnknownServerEvent | beta.InvalidServerEvent), event
    return typing.cast(beta.ServerEvent, event)


def raises(call: Callable[[], object]) -> TranslationError:
    with pytest.raises(TranslationError) as info:
        call()
    assert isinstance(info.value, ProtocolError)
    return info.value


# --------------------------------------------------------------------------- sessions

TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather for a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}
VAD = {
    "type": "server_vad",
    "threshold": 0.5,
    "prefix_padding_ms": 300,
    "silence_duration_ms": 200,
    "create_response": True,
    "interrupt_response": True,
}
TRANSCRIPTION = {"model": "whisper-1", "language": "en", "prompt": None}
TRACING = {"workflow_name": "support", "group_id": "g1", "metadata": {"tier": "gold"}}
PROMPT = {"id": "pmpt_1", "version": "2", "variables": {"name": "Ada"}}
LOGPROBS = ["item.input_audio_transcription.logprobs"]
PCM = {"type": "audio/pcm", "rate": 24000}

BETA_SETTINGS: Json = {
    "model": "gpt-4o-realtime-preview-2024-12-17",
    "modalities": ["audio", "text"],
    "instructions": "Be brief.",
    "voice": "alloy",
    "input_audio_format": "pcm16",
    "output_audio_format": "g711_ulaw",
    "input_audio_transcription": TRANSCRIPTION,
    "input_audio_noise_reduction": {"type": "near_field"},
    "turn_detection": VAD,
    "tools": [TOOL],
    "tool_choice": {"type": "function", "name": "get_weather"},
    "temperature": 0.8,
    "max_response_output_tokens": 4096,
    "speed": 1.1,
    "tracing": TRACING,
    "prompt": PROMPT,
    "include": LOGPROBS,
}
GA_SETTINGS: Json = {
    "type": "realtime",
    "model": "gpt-4o-realtime-preview-2024-12-17",
    "output_modalities": ["audio"],
    "instructions": "Be brief.",
    "tools": [TOOL],
    "tool_choice": {"type": "function", "name": "get_weather"},
    "max_output_tokens": 4096,
    "tracing": TRACING,
    "prompt": PROMPT,
    "audio": {
        "input": {
            "format": PCM,
            "transcription": TRANSCRIPTION,
            "noise_reduction": {"type": "near_field"},
            "turn_detection": VAD,
        },
        "output": {"format": {"type": "audio/pcmu"}, "voice": "alloy", "speed": 1.1},
    },
    "include": LOGPROBS,
    "temperature": 0.8,
}
RESOURCE_IDS: Json = {"id": "sess_1", "object": "realtime.session", "expires_at": 1700001800}
BETA_SESSION: Json = {**RESOURCE_IDS, **BETA_SETTINGS}
GA_SESSION: Json = {**RESOURCE_IDS, **GA_SETTINGS}


def test_session_to_ga_maps_every_field() -> None:
    session = beta.Session.model_validate(BETA_SESSION)
    assert wire(session_to_ga(session)) == GA_SESSION


def test_session_to_beta_maps_every_field() -> None:
    session = ga.RealtimeSession.model_validate(GA_SESSION)
    assert wire(session_to_beta(session)) == BETA_SESSION


def test_session_round_trips() -> None:
    beta_session = beta.Session.model_validate(BETA_SESSION)
    assert wire(session_to_beta(session_to_ga(beta_session))) == BETA_SESSION
    ga_session = ga.RealtimeSession.model_validate(GA_SESSION)
    assert wire(session_to_ga(session_to_beta(ga_session))) == GA_SESSION


def test_session_translates_only_set_fields() -> None:
    assert wire(session_to_ga(beta.Session())) == {"type": "realtime"}
    assert wire(session_to_ga(beta.Session(instructions="x"))) == {
        "type": "realtime",
        "instructions": "x",
    }
    only_speed = beta.Session(speed=1.2)
    assert wire(session_to_ga(only_speed)) == {
        "type": "realtime",
        "audio": {"output": {"speed": 1.2}},
    }
    assert wire(session_to_beta(ga.RealtimeSession())) == {}
    ga_voice = ga.RealtimeSession(audio=ga.SessionAudio(output=ga.AudioOutput(voice="marin")))
    assert wire(session_to_beta(ga_voice)) == {"voice": "marin"}


def test_session_explicit_nulls_stay_null() -> None:
    nulls = {
        "instructions": "",
        "input_audio_transcription": None,
        "input_audio_noise_reduction": None,
        "turn_detection": None,
        "tools": None,
        "output_audio_format": None,
    }
    expected_ga = {
        "type": "realtime",
        "instructions": "",
        "tools": None,
        "audio": {
            "input": {"transcription": None, "noise_reduction": None, "turn_detection": None},
            "output": {"format": None},
        },
    }
    event = beta.ClientEvent.parse({"type": "session.update", "session": nulls})
    assert wire(client_event_to_ga(event)) == {"type": "session.update", "session": expected_ga}
    back = ga_client({"type": "session.update", "session": expected_ga})
    assert wire(client_event_to_beta(back)) == {"type": "session.update", "session": nulls}


@pytest.mark.parametrize(
    ("modalities", "expected"),
    [
        (["audio", "text"], ["audio"]),
        (["text", "audio"], ["audio"]),
        (["audio"], ["audio"]),
        (["text"], ["text"]),
    ],
)
def test_modalities_to_ga(modalities: list[str], expected: list[str]) -> None:
    session = beta.Session.model_validate({"modalities": modalities})
    assert wire(session_to_ga(session)) == {"type": "realtime", "output_modalities": expected}


@pytest.mark.parametrize(
    ("modalities", "expected"), [(["audio"], ["audio", "text"]), (["text"], ["text"])]
)
def test_modalities_to_beta(modalities: list[str], expected: list[str]) -> None:
    session = ga.RealtimeSession.model_validate({"output_modalities": modalities})
    assert wire(session_to_beta(session)) == {"modalities": expected}


@pytest.mark.parametrize(
    ("name", "ga_format"),
    [
        ("pcm16", {"type": "audio/pcm", "rate": 24000}),
        ("g711_ulaw", {"type": "audio/pcmu"}),
        ("g711_alaw", {"type": "audio/pcma"}),
    ],
)
def test_audio_formats_both_ways(name: str, ga_format: Json) -> None:
    session = beta.Session.model_validate({"input_audio_format": name, "output_audio_format": name})
    ga_wire = {
        "type": "realtime",
        "audio": {"input": {"format": ga_format}, "output": {"format": ga_format}},
    }
    assert wire(session_to_ga(session)) == ga_wire
    back = ga.RealtimeSession.model_validate(ga_wire)
    assert wire(session_to_beta(back)) == {"input_audio_format": name, "output_audio_format": name}


def test_pcm_without_rate_is_pcm16() -> None:
    session = ga.RealtimeSession.model_validate(
        {"audio": {"input": {"format": {"type": "audio/pcm"}}}}
    )
    assert wire(session_to_beta(session)) == {"input_audio_format": "pcm16"}


def test_turn_detection_without_type_gets_server_vad() -> None:
    event = beta.ClientEvent.parse(
        {"type": "session.update", "session": {"turn_detection": {"threshold": 0.4}}}
    )
    assert wire(client_event_to_ga(event))["session"] == {
        "type": "realtime",
        "audio": {"input": {"turn_detection": {"type": "server_vad", "threshold": 0.4}}},
    }


def test_client_secret_maps_to_nothing() -> None:
    session = beta.Session.model_validate(
        {"instructions": "x", "client_secret": {"value": "ek_1", "expires_at": 1700000060}}
    )
    assert wire(session_to_ga(session)) == {"type": "realtime", "instructions": "x"}
    transcription = beta.TranscriptionSession.model_validate(
        {"client_secret": None, "modalities": ["text"], "include": None}
    )
    assert wire(transcription_session_to_ga(transcription)) == {
        "type": "transcription",
        "include": None,
    }


@pytest.mark.parametrize(
    ("session", "code", "param", "message"),
    [
        (
            {"truncation": {"type": "retention_ratio", "retention_ratio": 0.5}},
            "unknown_parameter",
            "session.truncation",
            "Unknown parameter: 'session.truncation'. The beta Realtime API has no equivalent.",
        ),
        ({"truncation": "disabled"}, "unknown_parameter", "session.truncation", None),
        ({"reasoning": {"effort": "low"}}, "unknown_parameter", "session.reasoning", None),
        ({"parallel_tool_calls": False}, "unknown_parameter", "session.parallel_tool_calls", None),
        (
            {"audio": {"output": {"voice": {"id": "voice_123"}}}},
            "invalid_value",
            "session.audio.output.voice",
            None,
        ),
        (
            {"tools": [TOOL, {"type": "mcp", "server_label": "docs"}]},
            "invalid_value",
            "session.tools[1].type",
            "Invalid value: 'mcp'. Supported values are: 'function'.",
        ),
        (
            {"tool_choice": {"type": "mcp", "server_label": "docs"}},
            "invalid_value",
            "session.tool_choice.type",
            None,
        ),
        (
            {"audio": {"input": {"format": {"type": "audio/pcm", "rate": 16000}}}},
            "invalid_value",
            "session.audio.input.format.rate",
            None,
        ),
        (
            {"audio": {"output": {"format": {"type": "audio/pcm", "rate": 8000}}}},
            "invalid_value",
            "session.audio.output.format.rate",
            None,
        ),
        (
            {
                "audio": {
                    "input": {"turn_detection": {"type": "server_vad", "idle_timeout_ms": 6000}}
                }
            },
            "unknown_parameter",
            "session.audio.input.turn_detection.idle_timeout_ms",
            None,
        ),
    ],
)
def test_session_update_to_beta_refuses_ga_only(
    session: Json, code: str, param: str, message: str | None
) -> None:
    realtime = {"type": "realtime", **session}
    event = ga_client({"type": "session.update", "event_id": "evt_7", "session": realtime})
    error = raises(lambda: client_event_to_beta(event))
    assert (error.code, error.param, error.event_id) == (code, param, "evt_7")
    assert error.type == "invalid_request_error"
    if message is not None:
        assert error.message == message


def test_session_update_to_beta_drops_what_asks_nothing() -> None:
    event = ga_client(
        {
            "type": "session.update",
            "session": {
                "type": "realtime",
                "instructions": "x",
                "truncation": "auto",
                "reasoning": None,
                "parallel_tool_calls": None,
                "audio": {
                    "input": {"turn_detection": {"type": "server_vad", "idle_timeout_ms": None}}
                },
            },
        }
    )
    assert wire(client_event_to_beta(event)) == {
        "type": "session.update",
        "session": {"instructions": "x", "turn_detection": {"type": "server_vad"}},
    }


def test_session_resource_to_beta_drops_ga_only_silently() -> None:
    session = ga.RealtimeSession.model_validate(
        {
            **RESOURCE_IDS,
            "type": "realtime",
            "output_modalities": ["audio"],
            "tools": [TOOL, {"type": "mcp", "server_label": "docs"}],
            "tool_choice": {"type": "mcp", "server_label": "docs"},
            "truncation": {"type": "retention_ratio", "retention_ratio": 0.5},
            "reasoning": {"effort": "low"},
            "parallel_tool_calls": True,
            "audio": {
                "input": {
                    "format": {"type": "audio/pcm", "rate": 16000},
                    "turn_detection": {"type": "server_vad", "idle_timeout_ms": 6000},
                },
                "output": {"format": {"type": "audio/pcma"}, "voice": {"id": "v1"}, "speed": 1.0},
            },
        }
    )
    assert wire(session_to_beta(session, drop_unsupported=True)) == {
        **RESOURCE_IDS,
        "modalities": ["audio", "text"],
        "tools": [TOOL],
        "turn_detection": {"type": "server_vad"},
        "output_audio_format": "g711_alaw",
        "speed": 1.0,
    }


BETA_TRANSCRIPTION: Json = {
    "id": "sess_tx",
    "object": "realtime.transcription_session",
    "expires_at": 1700003600,
    "input_audio_format": "g711_alaw",
    "input_audio_transcription": {"model": "gpt-4o-mini-transcribe", "language": None},
    "turn_detection": {"type": "server_vad", "threshold": 0.5, "silence_duration_ms": 200},
    "input_audio_noise_reduction": {"type": "far_field"},
    "include": LOGPROBS,
}
GA_TRANSCRIPTION: Json = {
    "type": "transcription",
    "object": "realtime.transcription_session",
    "id": "sess_tx",
    "expires_at": 1700003600,
    "audio": {
        "input": {
            "format": {"type": "audio/pcma"},
            "transcription": {"model": "gpt-4o-mini-transcribe", "language": None},
            "noise_reduction": {"type": "far_field"},
            "turn_detection": {"type": "server_vad", "threshold": 0.5, "silence_duration_ms": 200},
        }
    },
    "include": LOGPROBS,
}


def test_transcription_session_both_ways_and_round_trips() -> None:
    beta_session = beta.TranscriptionSession.model_validate(BETA_TRANSCRIPTION)
    assert wire(transcription_session_to_ga(beta_session)) == GA_TRANSCRIPTION
    ga_session = ga.TranscriptionSession.model_validate(GA_TRANSCRIPTION)
    assert wire(transcription_session_to_beta(ga_session)) == BETA_TRANSCRIPTION
    assert wire(transcription_session_to_beta(transcription_session_to_ga(beta_session))) == (
        BETA_TRANSCRIPTION
    )
    assert wire(transcription_session_to_ga(transcription_session_to_beta(ga_session))) == (
        GA_TRANSCRIPTION
    )


def test_transcription_session_rate_error_and_lenient_drop() -> None:
    session = ga.TranscriptionSession.model_validate(
        {
            "audio": {
                "input": {"format": {"type": "audio/pcm", "rate": 16000}, "transcription": None}
            }
        }
    )
    error = raises(lambda: transcription_session_to_beta(session))
    assert (error.code, error.param) == ("invalid_value", "session.audio.input.format.rate")
    lenient = transcription_session_to_beta(session, drop_unsupported=True)
    assert wire(lenient) == {"input_audio_transcription": None}


# --------------------------------------------------------------------------- items

ITEM_PAIRS: list[tuple[Json, Json]] = [
    (
        {"id": "item_1", "object": "realtime.item", "type": "message", "status": "completed",
         "role": "user", "content": [{"type": "input_text", "text": "Hi"}]},
        {"id": "item_1", "type": "message", "status": "completed", "role": "user",
         "content": [{"type": "input_text", "text": "Hi"}]},
    ),
    (
        {"id": "item_2", "object": "realtime.item", "type": "message", "status": "completed",
         "role": "user", "content": [{"type": "input_audio", "audio": "AAAA", "transcript": None}]},
        {"id": "item_2", "type": "message", "status": "completed", "role": "user",
         "content": [{"type": "input_audio", "audio": "AAAA", "transcript": None}]},
    ),
    (
        {"object": "realtime.item", "type": "message", "role": "system",
         "content": [{"type": "input_text", "text": "Rules."}]},
        {"type": "message", "role": "system",
         "content": [{"type": "input_text", "text": "Rules."}]},
    ),
    (
        {"id": "item_3", "object": "realtime.item", "type": "message", "status": "completed",
         "role": "assistant", "content": [{"type": "text", "text": "Hello"}]},
        {"id": "item_3", "type": "message", "status": "completed", "role": "assistant",
         "content": [{"type": "output_text", "text": "Hello"}]},
    ),
    (
        {"id": "item_4", "object": "realtime.item", "type": "message", "status": "incomplete",
         "role": "assistant", "content": [{"type": "audio", "audio": "AAAA", "transcript": "Hel"}]},
        {"id": "item_4", "type": "message", "status": "incomplete", "role": "assistant",
         "content": [{"type": "output_audio", "audio": "AAAA", "transcript": "Hel"}]},
    ),
    (
        {"id": "item_5", "object": "realtime.item", "type": "function_call",
         "status": "completed", "name": "get_weather", "call_id": "call_1",
         "arguments": "{\"city\":\"Paris\"}"},
        {"id": "item_5", "type": "function_call", "status": "completed", "name": "get_weather",
         "call_id": "call_1", "arguments": "{\"city\":\"Paris\"}"},
    ),
    (
        {"id": "item_6", "object": "realtime.item", "type": "function_call_output",
         "call_id": "call_1", "output": "{\"temp\":20}"},
        {"id": "item_6", "type": "function_call_output", "call_id": "call_1",
         "output": "{\"temp\":20}"},
    ),
]  # fmt: skip


@pytest.mark.parametrize(("beta_item", "ga_item"), ITEM_PAIRS)
def test_item_to_ga_drops_object(beta_item: Json, ga_item: Json) -> None:
    assert wire(item_to_ga(BETA_ITEM.validate_python(beta_item))) == ga_item
    without_object = {k: v for k, v in beta_item.items() if k != "object"}
    assert wire(item_to_ga(BETA_ITEM.validate_python(without_object))) == ga_item


@pytest.mark.parametrize(("beta_item", "ga_item"), ITEM_PAIRS)
def test_item_to_beta_adds_object_on_request(beta_item: Json, ga_item: Json) -> None:
    item = GA_ITEM.validate_python(ga_item)
    assert wire(item_to_beta(item, with_object=True)) == beta_item
    assert wire(item_to_beta(item)) == {k: v for k, v in beta_item.items() if k != "object"}


@pytest.mark.parametrize(("beta_item", "ga_item"), ITEM_PAIRS)
def test_item_round_trips(beta_item: Json, ga_item: Json) -> None:
    beta_model = BETA_ITEM.validate_python(beta_item)
    assert wire(item_to_beta(item_to_ga(beta_model), with_object=True)) == beta_item
    ga_model = GA_ITEM.validate_python(ga_item)
    assert wire(item_to_ga(item_to_beta(ga_model))) == ga_item


@pytest.mark.parametrize(
    "item",
    [
        {"id": "m1", "type": "mcp_call", "server_label": "docs", "name": "search",
         "arguments": "{}"},
        {"id": "m2", "type": "mcp_list_tools", "server_label": "docs", "tools": []},
        {"id": "m3", "type": "mcp_approval_request", "server_label": "docs", "name": "search",
         "arguments": "{}"},
        {"type": "mcp_approval_response", "approval_request_id": "m3", "approve": True},
    ],
)  # fmt: skip
def test_mcp_items_have_no_beta_form(item: Json) -> None:
    error = raises(lambda: item_to_beta(GA_ITEM.validate_python(item), with_object=True))
    assert (error.code, error.param) == ("invalid_value", "item.type")
    assert error.message == (
        f"Invalid value: '{item['type']}'. Supported values are: "
        "'message', 'function_call', and 'function_call_output'."
    )


def test_input_image_has_no_beta_form() -> None:
    item = GA_ITEM.validate_python(
        {"type": "message", "role": "user", "content": [
            {"type": "input_text", "text": "What is this?"},
            {"type": "input_image", "image_url": "data:image/png;base64,AAAA"},
        ]}
    )  # fmt: skip
    error = raises(lambda: item_to_beta(item))
    assert (error.code, error.param) == ("invalid_value", "item.content[1].type")
    assert error.message == (
        "Invalid value: 'input_image'. Supported values are: 'input_text' and 'input_audio'."
    )


def test_item_reference_content_has_no_ga_form() -> None:
    item = BETA_ITEM.validate_python(
        {"type": "message", "role": "user", "content": [{"type": "item_reference", "id": "item_1"}]}
    )
    error = raises(lambda: item_to_ga(item, param="response.input[2]"))
    assert (error.code, error.param) == ("invalid_value", "response.input[2].content[0].type")
    assert error.message.startswith(
        "Invalid value: 'item_reference'. Supported values are: 'input_text' and 'input_audio'."
    )


def test_top_level_item_reference_passes_both_ways() -> None:
    reference = ga.ItemReference(id="item_9")
    assert wire(input_item_to_ga(reference)) == {"type": "item_reference", "id": "item_9"}
    assert wire(input_item_to_beta(reference)) == {"type": "item_reference", "id": "item_9"}


# --------------------------------------------------------------------------- client events

RESPONSE_INPUT = [
    {"type": "item_reference", "id": "item_9"},
    {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Classify."}]},
]
CLIENT_PAIRS: list[tuple[Json, Json]] = [
    (
        {"type": "session.update", "event_id": "s1", "session": BETA_SETTINGS},
        {"type": "session.update", "event_id": "s1", "session": GA_SETTINGS},
    ),
    (
        {"type": "transcription_session.update", "session": {
            "input_audio_format": "pcm16",
            "input_audio_transcription": {"model": "gpt-4o-transcribe", "language": "en"},
            "turn_detection": {"type": "server_vad", "threshold": 0.6},
            "input_audio_noise_reduction": {"type": "near_field"},
            "include": LOGPROBS,
        }},
        {"type": "session.update", "session": {
            "type": "transcription",
            "audio": {"input": {
                "format": PCM,
                "transcription": {"model": "gpt-4o-transcribe", "language": "en"},
                "noise_reduction": {"type": "near_field"},
                "turn_detection": {"type": "server_vad", "threshold": 0.6},
            }},
            "include": LOGPROBS,
        }},
    ),
    (
        {"type": "input_audio_buffer.append", "event_id": "a1", "audio": "AAAA"},
        {"type": "input_audio_buffer.append", "event_id": "a1", "audio": "AAAA"},
    ),
    ({"type": "input_audio_buffer.commit", "event_id": None},
     {"type": "input_audio_buffer.commit", "event_id": None}),
    ({"type": "input_audio_buffer.clear"}, {"type": "input_audio_buffer.clear"}),
    (
        {"type": "conversation.item.create", "event_id": "c1", "previous_item_id": "root",
         "item": {"type": "message", "role": "assistant",
                  "content": [{"type": "text", "text": "Earlier answer."}]}},
        {"type": "conversation.item.create", "event_id": "c1", "previous_item_id": "root",
         "item": {"type": "message", "role": "assistant",
                  "content": [{"type": "output_text", "text": "Earlier answer."}]}},
    ),
    (
        {"type": "conversation.item.create", "previous_item_id": None,
         "item": {"type": "function_call_output", "call_id": "call_1", "output": "20C"}},
        {"type": "conversation.item.create", "previous_item_id": None,
         "item": {"type": "function_call_output", "call_id": "call_1", "output": "20C"}},
    ),
    (
        {"type": "conversation.item.truncate", "item_id": "item_a", "content_index": 0,
         "audio_end_ms": 1500},
        {"type": "conversation.item.truncate", "item_id": "item_a", "content_index": 0,
         "audio_end_ms": 1500},
    ),
    ({"type": "conversation.item.delete", "item_id": "item_a"},
     {"type": "conversation.item.delete", "item_id": "item_a"}),
    ({"type": "conversation.item.retrieve", "event_id": "r1", "item_id": "item_a"},
     {"type": "conversation.item.retrieve", "event_id": "r1", "item_id": "item_a"}),
    (
        {"type": "response.create", "event_id": "rc1", "response": {
            "modalities": ["text"],
            "instructions": "Short.",
            "voice": "echo",
            "output_audio_format": "pcm16",
            "tools": [TOOL],
            "tool_choice": "required",
            "temperature": 0.7,
            "max_response_output_tokens": 300,
            "conversation": "none",
            "metadata": {"topic": "classification"},
            "input": RESPONSE_INPUT,
        }},
        {"type": "response.create", "event_id": "rc1", "response": {
            "output_modalities": ["text"],
            "instructions": "Short.",
            "audio": {"output": {"format": PCM, "voice": "echo"}},
            "tools": [TOOL],
            "tool_choice": "required",
            "max_output_tokens": 300,
            "conversation": "none",
            "metadata": {"topic": "classification"},
            "input": RESPONSE_INPUT,
            "temperature": 0.7,
        }},
    ),
    ({"type": "response.create"}, {"type": "response.create"}),
    ({"type": "response.create", "event_id": None, "response": None},
     {"type": "response.create", "event_id": None, "response": None}),
    ({"type": "response.create", "response": {}}, {"type": "response.create", "response": {}}),
    ({"type": "response.cancel", "response_id": "resp_1"},
     {"type": "response.cancel", "response_id": "resp_1"}),
    ({"type": "output_audio_buffer.clear", "event_id": "o1"},
     {"type": "output_audio_buffer.clear", "event_id": "o1"}),
]  # fmt: skip


def test_client_pairs_cover_every_event_type() -> None:
    assert {pair[0]["type"] for pair in CLIENT_PAIRS} == set(beta.ClientEvent.event_types())
    assert {pair[1]["type"] for pair in CLIENT_PAIRS} == set(ga.ClientEvent.event_types())


@pytest.mark.parametrize(("beta_event", "ga_event"), CLIENT_PAIRS)
def test_client_event_to_ga(beta_event: Json, ga_event: Json) -> None:
    translated = client_event_to_ga(beta.ClientEvent.parse(beta_event))
    assert isinstance(translated, ga.ClientEvent)
    assert wire(translated) == ga_event


@pytest.mark.parametrize(("beta_event", "ga_event"), CLIENT_PAIRS)
def test_client_event_to_beta(beta_event: Json, ga_event: Json) -> None:
    translated = client_event_to_beta(ga_client(ga_event))
    assert isinstance(translated, beta.ClientEvent)
    assert wire(translated) == beta_event
    # What goes to a beta server passes beta's strict parser.
    assert wire(beta.ClientEvent.parse(translated.to_text())) == beta_event


@pytest.mark.parametrize(("beta_event", "ga_event"), CLIENT_PAIRS)
def test_client_event_round_trips(beta_event: Json, ga_event: Json) -> None:
    beta_model = beta.ClientEvent.parse(beta_event)
    assert wire(client_event_to_beta(client_event_to_ga(beta_model))) == beta_event
    ga_model = ga_client(ga_event)
    assert wire(client_event_to_ga(client_event_to_beta(ga_model))) == ga_event


def test_translated_ga_client_event_passes_the_strict_ga_parser() -> None:
    beta_event = beta.ClientEvent.parse(CLIENT_PAIRS[0][0] | {"session": {
        k: v for k, v in BETA_SETTINGS.items() if k != "temperature"
    }})  # fmt: skip
    text = client_event_to_ga(beta_event).to_text()
    assert ga.ClientEvent.parse(text).to_text() == text


@pytest.mark.parametrize(
    ("response", "code", "param"),
    [
        ({"prompt": {"id": "pmpt_1"}}, "unknown_parameter", "response.prompt"),
        ({"parallel_tool_calls": True}, "unknown_parameter", "response.parallel_tool_calls"),
        ({"reasoning": {"effort": "high"}}, "unknown_parameter", "response.reasoning"),
        ({"audio": {"output": {"voice": {"id": "v1"}}}}, "invalid_value",
         "response.audio.output.voice"),
        ({"audio": {"output": {"format": {"type": "audio/pcm", "rate": 16000}}}},
         "invalid_value", "response.audio.output.format.rate"),
        ({"tools": [{"type": "mcp", "server_label": "docs"}]}, "invalid_value",
         "response.tools[0].type"),
        ({"tool_choice": {"type": "mcp", "server_label": "docs"}}, "invalid_value",
         "response.tool_choice.type"),
        ({"input": [{"type": "item_reference", "id": "i"},
                    {"type": "mcp_approval_response", "approval_request_id": "m",
                     "approve": False}]},
         "invalid_value", "response.input[1].type"),
        ({"input": [{"type": "message", "role": "user", "content": [
            {"type": "input_image", "image_url": "data:image/png;base64,AAAA"}]}]},
         "invalid_value", "response.input[0].content[0].type"),
    ],
)  # fmt: skip
def test_response_create_to_beta_refuses_ga_only(response: Json, code: str, param: str) -> None:
    event = ga_client({"type": "response.create", "event_id": "rc9", "response": response})
    error = raises(lambda: client_event_to_beta(event))
    assert (error.code, error.param, error.event_id) == (code, param, "rc9")


def test_beta_item_reference_content_is_refused_at_the_server_edge() -> None:
    event = beta.ClientEvent.parse(
        {"type": "response.create", "event_id": "rc2", "response": {"input": [
            {"type": "item_reference", "id": "item_1"},
            {"type": "message", "role": "user", "content": [
                {"type": "input_text", "text": "As before:"},
                {"type": "item_reference", "id": "item_1"},
            ]},
        ]}}
    )  # fmt: skip
    error = raises(lambda: client_event_to_ga(event))
    assert error.to_dict() == {
        "type": "invalid_request_error",
        "code": "invalid_value",
        "message": "Invalid value: 'item_reference'. Supported values are: 'input_text' and "
        "'input_audio'. Item references inside message content are not supported; put "
        '{"type": "item_reference", "id": ...} directly in \'response.input\' instead.',
        "param": "response.input[1].content[1].type",
        "event_id": "rc2",
    }


def test_item_create_error_path_and_missing_event_id() -> None:
    event = ga_client(
        {"type": "conversation.item.create", "item": {"type": "message", "role": "user",
         "content": [{"type": "input_image", "image_url": "data:image/png;base64,AAAA"}]}}
    )  # fmt: skip
    error = raises(lambda: client_event_to_beta(event))
    assert (error.param, error.event_id) == ("item.content[0].type", None)


# --------------------------------------------------------------------------- server events

REF = {"response_id": "resp_1", "item_id": "item_a", "output_index": 0, "content_index": 0}
USER_ITEM = {"id": "item_u", "type": "message", "status": "completed", "role": "user",
             "content": [{"type": "input_text", "text": "Hello!"}]}  # fmt: skip
FC_ITEM = {"id": "item_f", "type": "function_call", "status": "completed",
           "name": "get_weather", "call_id": "call_1", "arguments": "{}"}  # fmt: skip
BOTH_LIMITS = [
    {"name": "requests", "limit": 20000, "remaining": 19999, "reset_seconds": 0.003},
    {"name": "tokens", "limit": 15000000, "remaining": 14999000, "reset_seconds": 0.02},
]
TOKENS_LIMIT = [BOTH_LIMITS[1]]
USAGE = {
    "total_tokens": 127,
    "input_tokens": 120,
    "output_tokens": 7,
    "input_token_details": {"text_tokens": 120, "audio_tokens": 0, "cached_tokens": 64,
                            "cached_tokens_details": {"text_tokens": 64, "audio_tokens": 0}},
    "output_token_details": {"text_tokens": 7, "audio_tokens": 0},
}  # fmt: skip
CONVERSATION = {"id": "conv_1", "object": "realtime.conversation"}
TRANSCRIPTION_ERROR = {"type": "transcription_error", "code": "audio_unintelligible",
                       "message": "Audio unintelligible.", "param": None}  # fmt: skip
ERROR = {"type": "invalid_request_error", "code": "response_cancel_not_active",
         "message": "Cancellation failed: no active response found", "param": None,
         "event_id": "c1"}  # fmt: skip
GA_SESSION_DEFAULTS: Json = {
    "type": "realtime", "object": "realtime.session", "id": "sess_1",
    "model": "gpt-4o-realtime-preview-2024-12-17", "output_modalities": ["audio"],
    "instructions": "Be helpful.", "tools": [], "tool_choice": "auto", "max_output_tokens": "inf",
    "tracing": None, "truncation": "auto", "prompt": None, "expires_at": 1700003600,
    "audio": {
        "input": {"format": PCM, "transcription": None, "noise_reduction": None,
                  "turn_detection": {**VAD, "idle_timeout_ms": None}},
        "output": {"format": PCM, "voice": "alloy", "speed": 1.0},
    },
    "include": None,
}  # fmt: skip
BETA_SESSION_DEFAULTS: Json = {
    "id": "sess_1", "object": "realtime.session", "model": "gpt-4o-realtime-preview-2024-12-17",
    "expires_at": 1700003600, "modalities": ["audio", "text"], "instructions": "Be helpful.",
    "voice": "alloy", "input_audio_format": "pcm16", "output_audio_format": "pcm16",
    "input_audio_transcription": None, "input_audio_noise_reduction": None,
    "turn_detection": VAD, "tools": [], "tool_choice": "auto",
    "max_response_output_tokens": "inf", "speed": 1.0, "tracing": None, "prompt": None,
    "include": None,
}  # fmt: skip


def ga_resource(status: str, output: list[Json], **fields: Any) -> Json:
    return {
        "object": "realtime.response", "id": "resp_1", "status": status,
        "status_details": None, "output": output, "conversation_id": "conv_1",
        "output_modalities": ["audio"], "max_output_tokens": "inf",
        "audio": {"output": {"format": PCM, "voice": "alloy"}},
        "usage": None, "metadata": None, **fields,
    }  # fmt: skip


def beta_resource(status: str, output: list[Json], **fields: Any) -> Json:
    return {
        "object": "realtime.response", "id": "resp_1", "status": status,
        "status_details": None, "output": output, "conversation_id": "conv_1",
        "modalities": ["audio", "text"], "voice": "alloy", "output_audio_format": "pcm16",
        "max_output_tokens": "inf", "usage": None, "metadata": None, **fields,
    }  # fmt: skip


def with_object(item: Json) -> Json:
    return {"id": item["id"], "object": "realtime.item"} | item


def event(wire_type: str, event_id: str = "event_1", **fields: Any) -> Json:
    return {"type": wire_type, "event_id": event_id, **fields}


ASSISTANT_AUDIO = {"id": "item_a", "type": "message", "status": "completed", "role": "assistant",
                   "content": [{"type": "output_audio", "transcript": "Hi there"}]}  # fmt: skip
BETA_ASSISTANT_AUDIO = {"id": "item_a", "object": "realtime.item", "type": "message",
                        "status": "completed", "role": "assistant",
                        "content": [{"type": "audio", "transcript": "Hi there"}]}  # fmt: skip
SEGMENT = {"item_id": "item_u", "content_index": 0, "text": "Hi", "id": "seg_1",
           "speaker": "A", "start": 0.0, "end": 0.4}  # fmt: skip

# (internal GA events in, beta events out, whether beta -> GA gives the input back)
SERVER_SAMPLES: list[tuple[list[Json], list[Json], bool]] = [
    ([event("error", error=ERROR)], [event("error", error=ERROR)], True),
    ([event("session.created", session=GA_SESSION_DEFAULTS)],
     [event("session.created", session=BETA_SESSION_DEFAULTS)], False),
    # The SDK's beta Session types tool_choice as a string only.
    ([event("session.updated", session=GA_SESSION | {"tool_choice": "required"})],
     [event("session.updated", session=BETA_SESSION | {"tool_choice": "required"})], True),
    ([event("session.created", session=GA_TRANSCRIPTION)],
     [event("transcription_session.created", session=BETA_TRANSCRIPTION)], True),
    ([event("session.updated", session=GA_TRANSCRIPTION)],
     [event("transcription_session.updated", session=BETA_TRANSCRIPTION)], True),
    ([event("conversation.created", conversation=CONVERSATION)],
     [event("conversation.created", conversation=CONVERSATION)], True),
    ([event("conversation.item.added", previous_item_id=None, item=USER_ITEM)],
     [event("conversation.item.created", previous_item_id=None, item=with_object(USER_ITEM))],
     False),
    ([event("conversation.item.created", previous_item_id="item_0", item=FC_ITEM)],
     [event("conversation.item.created", previous_item_id="item_0", item=with_object(FC_ITEM))],
     False),
    ([event("conversation.item.done", previous_item_id=None, item=USER_ITEM)], [], False),
    ([event("conversation.item.retrieved", item={**ASSISTANT_AUDIO, "content": [
        {"type": "output_audio", "audio": "AAAA", "transcript": "Hi there"}]})],
     [event("conversation.item.retrieved", item={**BETA_ASSISTANT_AUDIO, "content": [
         {"type": "audio", "audio": "AAAA", "transcript": "Hi there"}]})], True),
    ([event("conversation.item.truncated", item_id="item_a", content_index=0, audio_end_ms=640)],
     [event("conversation.item.truncated", item_id="item_a", content_index=0, audio_end_ms=640)],
     True),
    ([event("conversation.item.deleted", item_id="item_a")],
     [event("conversation.item.deleted", item_id="item_a")], True),
    ([event("conversation.item.input_audio_transcription.delta", item_id="item_u",
            content_index=0, delta="Bye", obfuscation="xyz")],
     [event("conversation.item.input_audio_transcription.delta", item_id="item_u",
            content_index=0, delta="Bye")], True),
    ([event("conversation.item.input_audio_transcription.completed", item_id="item_u",
            content_index=0, transcript="Bye.", usage={"type": "duration", "seconds": 1.5})],
     [event("conversation.item.input_audio_transcription.completed", item_id="item_u",
            content_index=0, transcript="Bye.", usage={"type": "duration", "seconds": 1.5})],
     True),
    ([event("conversation.item.input_audio_transcription.segment", **SEGMENT)], [], False),
    ([event("conversation.item.input_audio_transcription.failed", item_id="item_u",
            content_index=0, error=TRANSCRIPTION_ERROR)],
     [event("conversation.item.input_audio_transcription.failed", item_id="item_u",
            content_index=0, error=TRANSCRIPTION_ERROR)], True),
    ([event("input_audio_buffer.committed", previous_item_id=None, item_id="item_u")],
     [event("input_audio_buffer.committed", previous_item_id=None, item_id="item_u")], True),
    ([event("input_audio_buffer.cleared")], [event("input_audio_buffer.cleared")], True),
    ([event("input_audio_buffer.speech_started", audio_start_ms=6688, item_id="item_u")],
     [event("input_audio_buffer.speech_started", audio_start_ms=6688, item_id="item_u")], True),
    ([event("input_audio_buffer.speech_stopped", audio_end_ms=7712, item_id="item_u")],
     [event("input_audio_buffer.speech_stopped", audio_end_ms=7712, item_id="item_u")], True),
    ([event("input_audio_buffer.timeout_triggered", audio_start_ms=0, audio_end_ms=6000,
            item_id="item_t")], [], False),
    ([{"type": "input_audio_buffer.dtmf_event_received", "event": "9", "received_at": 1}],
     [], False),
    ([event("output_audio_buffer.started", response_id="resp_1")],
     [event("output_audio_buffer.started", response_id="resp_1")], True),
    ([event("output_audio_buffer.stopped", response_id="resp_1")],
     [event("output_audio_buffer.stopped", response_id="resp_1")], True),
    ([event("output_audio_buffer.cleared", response_id="resp_1")],
     [event("output_audio_buffer.cleared", response_id="resp_1")], True),
    ([event("response.created", response=ga_resource("in_progress", []))],
     [event("response.created", response=beta_resource("in_progress", []))], True),
    ([event("response.done", response=ga_resource("completed", [ASSISTANT_AUDIO], usage=USAGE,
                                                   temperature=0.8))],
     [event("response.done", response=beta_resource("completed", [BETA_ASSISTANT_AUDIO],
                                                    usage=USAGE, temperature=0.8))], True),
    ([event("response.output_item.added", response_id="resp_1", output_index=0,
            item={**FC_ITEM, "status": "in_progress", "arguments": ""})],
     [event("response.output_item.added", response_id="resp_1", output_index=0,
            item={**with_object(FC_ITEM), "status": "in_progress", "arguments": ""})], True),
    ([event("response.output_item.done", response_id="resp_1", output_index=0,
            item=ASSISTANT_AUDIO)],
     [event("response.output_item.done", response_id="resp_1", output_index=0,
            item=BETA_ASSISTANT_AUDIO)], True),
    ([event("response.content_part.added", **REF, part={"type": "audio", "transcript": ""})],
     [event("response.content_part.added", **REF, part={"type": "audio", "transcript": ""})],
     True),
    ([event("response.content_part.done", **REF, part={"type": "text", "text": "Hi"})],
     [event("response.content_part.done", **REF, part={"type": "text", "text": "Hi"})], True),
    ([event("response.output_text.delta", **REF, delta="Hi", obfuscation="Qx")],
     [event("response.text.delta", **REF, delta="Hi")], True),
    ([event("response.output_text.done", **REF, text="Hi")],
     [event("response.text.done", **REF, text="Hi")], True),
    ([event("response.output_audio_transcript.delta", **REF, delta="Hi", obfuscation="Qx")],
     [event("response.audio_transcript.delta", **REF, delta="Hi")], True),
    ([event("response.output_audio_transcript.done", **REF, transcript="Hi")],
     [event("response.audio_transcript.done", **REF, transcript="Hi")], True),
    ([event("response.output_audio.delta", **REF, delta="AAAA")],
     [event("response.audio.delta", **REF, delta="AAAA")], True),
    ([event("response.output_audio.done", **REF)], [event("response.audio.done", **REF)], True),
    ([event("response.function_call_arguments.delta", response_id="resp_1", item_id="item_f",
            output_index=0, call_id="call_1", delta="{}")],
     [event("response.function_call_arguments.delta", response_id="resp_1", item_id="item_f",
            output_index=0, call_id="call_1", delta="{}")], True),
    ([event("response.function_call_arguments.done", response_id="resp_1", item_id="item_f",
            output_index=0, call_id="call_1", name="get_weather", arguments="{}")],
     [event("response.function_call_arguments.done", response_id="resp_1", item_id="item_f",
            output_index=0, call_id="call_1", arguments="{}")], False),
    ([event("response.mcp_call_arguments.delta", response_id="resp_1", item_id="m",
            output_index=0, delta="{", obfuscation="Q")], [], False),
    ([event("response.mcp_call_arguments.done", response_id="resp_1", item_id="m",
            output_index=0, arguments="{}")], [], False),
    ([event("response.mcp_call.in_progress", output_index=0, item_id="m")], [], False),
    ([event("response.mcp_call.completed", output_index=0, item_id="m")], [], False),
    ([event("response.mcp_call.failed", output_index=0, item_id="m")], [], False),
    ([event("mcp_list_tools.in_progress", item_id="m")], [], False),
    ([event("mcp_list_tools.completed", item_id="m")], [], False),
    ([event("mcp_list_tools.failed", item_id="m")], [], False),
    ([event("rate_limits.updated", rate_limits=BOTH_LIMITS)], [], False),
    ([event("response.created", "event_1", response=ga_resource("in_progress", [])),
      event("rate_limits.updated", "event_2", rate_limits=BOTH_LIMITS)],
     [event("response.created", "event_1", response=beta_resource("in_progress", [])),
      event("rate_limits.updated", "event_2", rate_limits=BOTH_LIMITS)], False),
]  # fmt: skip


def test_server_samples_cover_every_event_type() -> None:
    ga_types = {entry["type"] for sample in SERVER_SAMPLES for entry in sample[0]}
    beta_types = {entry["type"] for sample in SERVER_SAMPLES for entry in sample[1]}
    assert ga_types == set(ga.ServerEvent.event_types())
    assert beta_types == set(beta.ServerEvent.event_types())
    assert {sample[0][0]["type"] for sample in SERVER_SAMPLES if not sample[1]} == (
        GA_ONLY_EVENTS | {"conversation.item.done", "rate_limits.updated"}
    )


@pytest.mark.parametrize(("internal", "expected", "lossless"), SERVER_SAMPLES)
def test_server_event_to_beta(internal: list[Json], expected: list[Json], lossless: bool) -> None:
    translator = ServerEventsToBeta()
    out = [beta_event for entry in internal for beta_event in translator.feed(ga_server(entry))]
    assert [wire(beta_event) for beta_event in out] == expected
    sdk_check_beta(out)


@pytest.mark.parametrize(("internal", "expected"), [(s[0], s[1]) for s in SERVER_SAMPLES if s[2]])
def test_server_event_round_trips_through_beta(internal: list[Json], expected: list[Json]) -> None:
    back = ServerEventsToGa(event_ids=lambda: "unused")
    out = [ga_event for entry in expected for ga_event in back.feed(beta_server(entry))]
    without_obfuscation = [{k: v for k, v in e.items() if k != "obfuscation"} for e in internal]
    assert [wire(ga_event) for ga_event in out] == without_obfuscation
    sdk_check_ga(out)


def test_beta_response_keeps_temperature_and_drops_what_beta_lacks() -> None:
    mcp = {"id": "m1", "type": "mcp_call", "server_label": "docs", "name": "s", "arguments": "{}"}
    response = ga.RealtimeResponse.model_validate(
        ga_resource(
            "completed",
            [mcp, FC_ITEM],
            audio={"output": {"format": {"type": "audio/pcm", "rate": 16000},
                              "voice": {"id": "v1"}}},
            temperature=1.0,
        )
    )  # fmt: skip
    expected = beta_resource("completed", [with_object(FC_ITEM)], temperature=1.0)
    del expected["voice"], expected["output_audio_format"]
    assert wire(response_to_beta(response)) == expected


def test_response_resource_to_ga_drops_item_object() -> None:
    response = beta.RealtimeResponse.model_validate(
        beta_resource("completed", [BETA_ASSISTANT_AUDIO], modalities=["text"])
    )
    expected = ga_resource("completed", [ASSISTANT_AUDIO], output_modalities=["text"])
    assert wire(response_to_ga(response)) == expected


def test_mcp_item_events_are_not_shown_to_beta() -> None:
    mcp = {"id": "m1", "type": "mcp_list_tools", "server_label": "docs", "tools": []}
    translator = ServerEventsToBeta()
    for wire_type in ("conversation.item.added", "conversation.item.created"):
        assert translator.feed(ga_server(event(wire_type, previous_item_id=None, item=mcp))) == []
    added = event("response.output_item.added", response_id="r", output_index=0, item=mcp)
    assert translator.feed(ga_server(added)) == []


def test_unknown_and_invalid_events_pass_through_both_ways() -> None:
    unknown = {"type": "vendor.thing", "event_id": "e1", "payload": {"a": [1, 2]}}
    invalid = {"type": "response.text.delta", "event_id": "e2", "delta": 5}
    ga_unknown = ga.ServerEvent.parse(unknown)
    (beta_unknown,) = ServerEventsToBeta().feed(typing.cast(ga.ServerEvent, ga_unknown))
    assert isinstance(beta_unknown, beta.UnknownServerEvent)
    assert wire(beta_unknown) == unknown
    (back,) = ServerEventsToGa().feed(beta_unknown)
    assert isinstance(back, ga.UnknownServerEvent)
    assert wire(back) == unknown

    beta_invalid = beta.ServerEvent.parse(invalid)
    assert isinstance(beta_invalid, beta.InvalidServerEvent)
    (ga_invalid,) = ServerEventsToGa().feed(beta_invalid)
    assert isinstance(ga_invalid, ga.InvalidServerEvent)
    assert (ga_invalid.raw, ga_invalid.errors) == (invalid, beta_invalid.errors)
    (again,) = ServerEventsToBeta().feed(ga_invalid)
    assert isinstance(again, beta.InvalidServerEvent)
    assert wire(again) == invalid


# --------------------------------------------------------------------------- GA wire filter


def test_ga_wire_filter() -> None:
    stream = GaWireFilter()
    created = ga_server(event("response.created", "e1", response=ga_resource("in_progress", [])))
    assert stream.feed(created) == [created]
    assert stream.feed(ga_server(event("rate_limits.updated", "e2", rate_limits=BOTH_LIMITS))) == []
    done = ga_server(event("response.done", "e3", response=ga_resource("completed", [])))
    assert stream.feed(done)[0] is done
    (limits,) = stream.feed(ga_server(event("rate_limits.updated", "e4", rate_limits=BOTH_LIMITS)))
    assert wire(limits) == event("rate_limits.updated", "e4", rate_limits=TOKENS_LIMIT)
    only_tokens = ga_server(event("rate_limits.updated", "e5", rate_limits=TOKENS_LIMIT))
    assert stream.feed(only_tokens)[0] is only_tokens
    no_tokens = ga_server(event("rate_limits.updated", "e6", rate_limits=BOTH_LIMITS[:1]))
    assert stream.feed(no_tokens) == []
    assert stream.feed(ga_server(event("conversation.created", conversation=CONVERSATION))) == []
    delta = ga_server(event("response.output_text.delta", **REF, delta="x", obfuscation="q"))
    assert stream.feed(delta)[0] is delta


# --------------------------------------------------------------------------- beta wire to GA


def counter() -> Callable[[], str]:
    count = iter(range(1, 1000))
    return lambda: f"event_syn{next(count)}"


def test_beta_user_item_becomes_added_then_done() -> None:
    translator = ServerEventsToGa(event_ids=counter())
    created = event("conversation.item.created", "b1", previous_item_id="item_0",
                    item=with_object(USER_ITEM))  # fmt: skip
    assert [wire(e) for e in translator.feed(beta_server(created))] == [
        event("conversation.item.added", "b1", previous_item_id="item_0", item=USER_ITEM),
        event("conversation.item.done", "event_syn1", previous_item_id="item_0", item=USER_ITEM),
    ]


def test_in_progress_output_item_done_is_placed_before_output_item_done() -> None:
    translator = ServerEventsToGa(event_ids=counter())
    start = {"id": "item_a", "object": "realtime.item", "type": "message",
             "status": "in_progress", "role": "assistant", "content": []}  # fmt: skip
    final = {**start, "status": "completed", "content": [{"type": "text", "text": "Hi"}]}
    ga_start = {k: v for k, v in start.items() if k != "object"}
    ga_final = {
        **ga_start,
        "status": "completed",
        "content": [{"type": "output_text", "text": "Hi"}],
    }
    feed = [
        event("response.output_item.added", "b1", response_id="resp_1", output_index=0, item=start),
        event("conversation.item.created", "b2", previous_item_id="item_u", item=start),
        event("response.text.done", "b3", **REF, text="Hi"),
        event("response.output_item.done", "b4", response_id="resp_1", output_index=0, item=final),
    ]
    out = [wire(e) for entry in feed for e in translator.feed(beta_server(entry))]
    assert out == [
        event("response.output_item.added", "b1", response_id="resp_1", output_index=0,
              item=ga_start),
        event("conversation.item.added", "b2", previous_item_id="item_u", item=ga_start),
        event("response.output_text.done", "b3", **REF, text="Hi"),
        event("conversation.item.done", "event_syn1", previous_item_id="item_u", item=ga_final),
        event("response.output_item.done", "b4", response_id="resp_1", output_index=0,
              item=ga_final),
    ]  # fmt: skip


def test_open_output_item_is_closed_before_response_done() -> None:
    translator = ServerEventsToGa(event_ids=counter())
    start = {**with_object(FC_ITEM), "status": "in_progress", "arguments": ""}
    final = {**FC_ITEM, "status": "incomplete"}
    translator.feed(beta_server(event("conversation.item.created", previous_item_id=None,
                                      item=start)))  # fmt: skip
    done = event("response.done", "b9",
                 response=beta_resource("cancelled", [with_object(final)]))  # fmt: skip
    assert [wire(e) for e in translator.feed(beta_server(done))] == [
        event("conversation.item.done", "event_syn1", previous_item_id=None, item=final),
        event("response.done", "b9", response=ga_resource("cancelled", [final])),
    ]


def test_rate_limits_are_held_until_their_response_is_done() -> None:
    translator = ServerEventsToGa()
    loose = beta_server(event("rate_limits.updated", "b0", rate_limits=BOTH_LIMITS))
    assert [wire(e) for e in translator.feed(loose)] == [
        event("rate_limits.updated", "b0", rate_limits=BOTH_LIMITS)
    ]
    feed = [
        event("response.created", "b1", response=beta_resource("in_progress", [])),
        event("conversation.item.input_audio_transcription.delta", "b2", item_id="item_u",
              content_index=0, delta="Bye"),
        event("rate_limits.updated", "b3", rate_limits=BOTH_LIMITS),
        event("response.done", "b4", response=beta_resource("completed", [])),
        event("input_audio_buffer.cleared", "b5"),
    ]  # fmt: skip
    out = [e for entry in feed for e in translator.feed(beta_server(entry))]
    assert [(e.type, e.event_id) for e in out] == [
        ("response.created", "b1"),
        ("conversation.item.input_audio_transcription.delta", "b2"),
        ("response.done", "b4"),
        ("rate_limits.updated", "b3"),
        ("input_audio_buffer.cleared", "b5"),
    ]
    assert wire(out[3]) == event("rate_limits.updated", "b3", rate_limits=BOTH_LIMITS)


def test_function_call_name_is_filled_from_the_item() -> None:
    translator = ServerEventsToGa()
    added = event(
        "response.output_item.added",
        response_id="resp_1",
        output_index=0,
        item={**with_object(FC_ITEM), "status": "in_progress", "arguments": ""},
    )
    args_done = event(
        "response.function_call_arguments.done",
        "b7",
        response_id="resp_1",
        item_id="item_f",
        output_index=0,
        call_id="call_1",
        arguments="{}",
    )
    translator.feed(beta_server(added))
    assert [wire(e) for e in translator.feed(beta_server(args_done))] == [
        {**args_done, "name": "get_weather"}
    ]
    (unknown_call,) = ServerEventsToGa().feed(beta_server(args_done))
    assert isinstance(unknown_call, ga.InvalidServerEvent)
    assert unknown_call.raw == args_done
    assert unknown_call.describe().endswith("name: Field required")  # fmt: skip


def test_transcription_completed_without_usage_is_invalid_in_ga() -> None:
    completed = event("conversation.item.input_audio_transcription.completed", item_id="item_u",
                      content_index=0, transcript="Bye.")  # fmt: skip
    (out,) = ServerEventsToGa().feed(beta_server(completed))
    assert isinstance(out, ga.InvalidServerEvent)
    assert out.raw == completed


def test_beta_item_reference_from_a_server_is_invalid_in_ga() -> None:
    item = {"id": "i1", "type": "message", "role": "user",
            "content": [{"type": "item_reference", "id": "i0"}]}  # fmt: skip
    created = event("conversation.item.created", previous_item_id=None, item=item)
    (out,) = ServerEventsToGa().feed(beta_server(created))
    assert isinstance(out, ga.InvalidServerEvent)
    assert out.raw == created
    assert out.errors[0]["loc"] == ("item.content[0].type",)


def test_random_event_id_shape() -> None:
    first, second = random_event_id(), random_event_id()
    assert first != second
    for value in (first, second):
        assert value.startswith("event_")
        assert len(value) == len("event_") + 21
        assert value[len("event_") :].isalnum()
        assert value.isascii()


# --------------------------------------------------------------------------- whole traces


class Internal:
    """Internal GA events with sequential ids."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, wire_type: str, **fields: Any) -> ga.ServerEvent:
        self.count += 1
        return ga_server(event(wire_type, f"event_{self.count:03d}", **fields))


def _message(item_id: str, status: str, content: list[Json]) -> Json:
    return {"id": item_id, "type": "message", "status": status, "role": "assistant",
            "content": content}  # fmt: skip


def session_start(ev: Internal) -> list[ga.ServerEvent]:
    return [
        ev("session.created", session=GA_SESSION_DEFAULTS),
        ev("conversation.created", conversation=CONVERSATION),
    ]


def text_turn(ev: Internal) -> list[ga.ServerEvent]:
    start = _message("item_a", "in_progress", [])
    final = _message("item_a", "completed", [{"type": "output_text", "text": "Hi there"}])
    resource = {"output_modalities": ["text"]}
    return [
        *session_start(ev),
        ev("conversation.item.added", previous_item_id=None, item=USER_ITEM),
        ev("conversation.item.done", previous_item_id=None, item=USER_ITEM),
        ev("response.created", response=ga_resource("in_progress", [], **resource)),
        ev("rate_limits.updated", rate_limits=BOTH_LIMITS),
        ev("response.output_item.added", response_id="resp_1", output_index=0, item=start),
        ev("conversation.item.added", previous_item_id="item_u", item=start),
        ev("response.content_part.added", **REF, part={"type": "text", "text": ""}),
        ev("response.output_text.delta", **REF, delta="Hi", obfuscation="abc"),
        ev("response.output_text.delta", **REF, delta=" there", obfuscation="de"),
        ev("response.output_text.done", **REF, text="Hi there"),
        ev("response.content_part.done", **REF, part={"type": "text", "text": "Hi there"}),
        ev("conversation.item.done", previous_item_id="item_u", item=final),
        ev("response.output_item.done", response_id="resp_1", output_index=0, item=final),
        ev("response.done", response=ga_resource("completed", [final], usage=USAGE, **resource)),
        ev("rate_limits.updated", rate_limits=BOTH_LIMITS),
    ]


def audio_turn(ev: Internal) -> list[ga.ServerEvent]:
    user = {"id": "item_u", "type": "message", "status": "completed", "role": "user",
            "content": [{"type": "input_audio", "transcript": None}]}  # fmt: skip
    start = _message("item_a", "in_progress", [])
    final = _message("item_a", "completed", [{"type": "output_audio", "transcript": "Hi there"}])
    return [
        ev("input_audio_buffer.speech_started", audio_start_ms=6688, item_id="item_u"),
        ev("input_audio_buffer.speech_stopped", audio_end_ms=7712, item_id="item_u"),
        ev("input_audio_buffer.committed", previous_item_id=None, item_id="item_u"),
        ev("conversation.item.added", previous_item_id=None, item=user),
        ev("conversation.item.done", previous_item_id=None, item=user),
        ev("response.created", response=ga_resource("in_progress", [])),
        ev("rate_limits.updated", rate_limits=BOTH_LIMITS),
        ev("conversation.item.input_audio_transcription.delta", item_id="item_u",
           content_index=0, delta="Bye.", obfuscation="q"),
        ev("conversation.item.input_audio_transcription.completed", item_id="item_u",
           content_index=0, transcript="Bye.", usage={"type": "duration", "seconds": 1.0}),
        ev("response.output_item.added", response_id="resp_1", output_index=0, item=start),
        ev("conversation.item.added", previous_item_id="item_u", item=start),
        ev("response.content_part.added", **REF, part={"type": "audio", "transcript": ""}),
        ev("response.output_audio_transcript.delta", **REF, delta="Hi", obfuscation="a"),
        ev("response.output_audio.delta", **REF, delta="AAAA"),
        ev("response.output_audio_transcript.delta", **REF, delta=" there", obfuscation="b"),
        ev("response.output_audio.delta", **REF, delta="AAAA"),
        ev("response.output_audio.done", **REF),
        ev("response.output_audio_transcript.done", **REF, transcript="Hi there"),
        ev("response.content_part.done", **REF, part={"type": "audio", "transcript": "Hi there"}),
        ev("conversation.item.done", previous_item_id="item_u", item=final),
        ev("response.output_item.done", response_id="resp_1", output_index=0, item=final),
        ev("response.done", response=ga_resource("completed", [final], usage=USAGE)),
        ev("rate_limits.updated", rate_limits=BOTH_LIMITS),
    ]  # fmt: skip


def function_call_turn(ev: Internal) -> list[ga.ServerEvent]:
    start = {**FC_ITEM, "status": "in_progress", "arguments": ""}
    final = {**FC_ITEM, "arguments": '{"city":"Paris"}'}
    call = {"response_id": "resp_1", "item_id": "item_f", "output_index": 0, "call_id": "call_1"}
    output = {"id": "item_o", "type": "function_call_output", "call_id": "call_1",
              "output": "{\"temp\":20}"}  # fmt: skip
    return [
        ev("conversation.item.added", previous_item_id=None, item=USER_ITEM),
        ev("conversation.item.done", previous_item_id=None, item=USER_ITEM),
        ev("response.created", response=ga_resource("in_progress", [])),
        ev("rate_limits.updated", rate_limits=BOTH_LIMITS),
        ev("response.output_item.added", response_id="resp_1", output_index=0, item=start),
        ev("conversation.item.added", previous_item_id="item_u", item=start),
        ev("response.function_call_arguments.delta", **call, delta="{\"city\":"),
        ev("response.function_call_arguments.delta", **call, delta="\"Paris\"}"),
        ev("response.function_call_arguments.done", **call, name="get_weather",
           arguments="{\"city\":\"Paris\"}"),
        ev("conversation.item.done", previous_item_id="item_u", item=final),
        ev("response.output_item.done", response_id="resp_1", output_index=0, item=final),
        ev("response.done", response=ga_resource("completed", [final], usage=USAGE)),
        ev("rate_limits.updated", rate_limits=BOTH_LIMITS),
        ev("conversation.item.added", previous_item_id="item_f", item=output),
        ev("conversation.item.done", previous_item_id="item_f", item=output),
    ]  # fmt: skip


def cancelled_turn(ev: Internal) -> list[ga.ServerEvent]:
    start = _message("item_a", "in_progress", [])
    final = _message("item_a", "incomplete", [{"type": "output_audio", "transcript": "Sure, the"}])
    cancelled = {"type": "cancelled", "reason": "turn_detected"}
    zero = {"total_tokens": 0, "input_tokens": 0, "output_tokens": 0}
    second = {"id": "resp_2", "status_details": cancelled, "usage": zero}
    return [
        ev("response.created", response=ga_resource("in_progress", [])),
        ev("rate_limits.updated", rate_limits=BOTH_LIMITS),
        ev("response.output_item.added", response_id="resp_1", output_index=0, item=start),
        ev("conversation.item.added", previous_item_id="item_u", item=start),
        ev("response.content_part.added", **REF, part={"type": "audio", "transcript": ""}),
        ev("response.output_audio_transcript.delta", **REF, delta="Sure, the", obfuscation="z"),
        ev("response.output_audio.delta", **REF, delta="AAAA"),
        ev("input_audio_buffer.speech_started", audio_start_ms=9000, item_id="item_u2"),
        ev("response.output_audio.done", **REF),
        ev("response.output_audio_transcript.done", **REF, transcript="Sure, the"),
        ev("response.content_part.done", **REF, part={"type": "audio", "transcript": "Sure, the"}),
        ev("conversation.item.done", previous_item_id="item_u", item=final),
        ev("response.output_item.done", response_id="resp_1", output_index=0, item=final),
        ev("response.done", response=ga_resource("cancelled", [final], usage=USAGE,
                                                 status_details=cancelled)),
        ev("rate_limits.updated", rate_limits=BOTH_LIMITS),
        ev("conversation.item.truncated", item_id="item_a", content_index=0, audio_end_ms=640),
        ev("response.created", response=ga_resource("in_progress", [], id="resp_2")),
        ev("rate_limits.updated", rate_limits=BOTH_LIMITS),
        ev("input_audio_buffer.speech_started", audio_start_ms=12352, item_id="item_u3"),
        ev("response.done", response=ga_resource("cancelled", [], **second)),
        ev("rate_limits.updated", rate_limits=BOTH_LIMITS),
    ]  # fmt: skip


TRACES: dict[str, tuple[Callable[[Internal], list[ga.ServerEvent]], list[str], list[str]]] = {
    "text": (
        text_turn,
        [
            "session.created", "conversation.created", "conversation.item.created",
            "response.created", "rate_limits.updated", "response.output_item.added",
            "conversation.item.created", "response.content_part.added", "response.text.delta",
            "response.text.delta", "response.text.done", "response.content_part.done",
            "response.output_item.done", "response.done",
        ],
        [
            "session.created", "conversation.item.added", "conversation.item.done",
            "response.created", "response.output_item.added", "conversation.item.added",
            "response.content_part.added", "response.output_text.delta",
            "response.output_text.delta", "response.output_text.done",
            "response.content_part.done", "conversation.item.done", "response.output_item.done",
            "response.done", "rate_limits.updated",
        ],
    ),
    "audio": (
        audio_turn,
        [
            "input_audio_buffer.speech_started", "input_audio_buffer.speech_stopped",
            "input_audio_buffer.committed", "conversation.item.created", "response.created",
            "rate_limits.updated", "conversation.item.input_audio_transcription.delta",
            "conversation.item.input_audio_transcription.completed",
            "response.output_item.added", "conversation.item.created",
            "response.content_part.added", "response.audio_transcript.delta",
            "response.audio.delta", "response.audio_transcript.delta", "response.audio.delta",
            "response.audio.done", "response.audio_transcript.done",
            "response.content_part.done", "response.output_item.done", "response.done",
        ],
        [
            "input_audio_buffer.speech_started", "input_audio_buffer.speech_stopped",
            "input_audio_buffer.committed", "conversation.item.added", "conversation.item.done",
            "response.created", "conversation.item.input_audio_transcription.delta",
            "conversation.item.input_audio_transcription.completed",
            "response.output_item.added", "conversation.item.added",
            "response.content_part.added", "response.output_audio_transcript.delta",
            "response.output_audio.delta", "response.output_audio_transcript.delta",
            "response.output_audio.delta", "response.output_audio.done",
            "response.output_audio_transcript.done", "response.content_part.done",
            "conversation.item.done", "response.output_item.done", "response.done",
            "rate_limits.updated",
        ],
    ),
    "function_call": (
        function_call_turn,
        [
            "conversation.item.created", "response.created", "rate_limits.updated",
            "response.output_item.added", "conversation.item.created",
            "response.function_call_arguments.delta", "response.function_call_arguments.delta",
            "response.function_call_arguments.done", "response.output_item.done",
            "response.done", "conversation.item.created",
        ],
        [
            "conversation.item.added", "conversation.item.done", "response.created",
            "response.output_item.added", "conversation.item.added",
            "response.function_call_arguments.delta", "response.function_call_arguments.delta",
            "response.function_call_arguments.done", "conversation.item.done",
            "response.output_item.done", "response.done", "rate_limits.updated",
            "conversation.item.added", "conversation.item.done",
        ],
    ),
    "cancelled": (
        cancelled_turn,
        [
            "response.created", "rate_limits.updated", "response.output_item.added",
            "conversation.item.created", "response.content_part.added",
            "response.audio_transcript.delta", "response.audio.delta",
            "input_audio_buffer.speech_started", "response.audio.done",
            "response.audio_transcript.done", "response.content_part.done",
            "response.output_item.done", "response.done", "conversation.item.truncated",
            "response.created", "rate_limits.updated", "input_audio_buffer.speech_started",
            "response.done",
        ],
        [
            "response.created", "response.output_item.added", "conversation.item.added",
            "response.content_part.added", "response.output_audio_transcript.delta",
            "response.output_audio.delta", "input_audio_buffer.speech_started",
            "response.output_audio.done", "response.output_audio_transcript.done",
            "response.content_part.done", "conversation.item.done", "response.output_item.done",
            "response.done", "rate_limits.updated", "conversation.item.truncated",
            "response.created", "input_audio_buffer.speech_started", "response.done",
            "rate_limits.updated",
        ],
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", TRACES)
def test_trace_to_beta(name: str) -> None:
    build, beta_types, _ = TRACES[name]
    translator = ServerEventsToBeta()
    out = [e for internal in build(Internal()) for e in translator.feed(internal)]
    assert [e.type for e in out] == beta_types
    sdk_check_beta(out)
    for position, beta_event in enumerate(out):
        data = wire(beta_event)
        assert "obfuscation" not in data
        if beta_event.type == "rate_limits.updated":
            assert out[position - 1].type == "response.created"
            assert data["rate_limits"] == BOTH_LIMITS
        items = [data["item"]] if "item" in data else data.get("response", {}).get("output", [])
        assert all(item["object"] == "realtime.item" for item in items)


@pytest.mark.parametrize("name", TRACES)
def test_trace_to_ga_wire(name: str) -> None:
    build, _, ga_types = TRACES[name]
    stream = GaWireFilter()
    out = [e for internal in build(Internal()) for e in stream.feed(internal)]
    assert [e.type for e in out] == ga_types
    sdk_check_ga(out)
    for position, ga_event in enumerate(out):
        if ga_event.type == "rate_limits.updated":
            assert out[position - 1].type == "response.done"
            assert wire(ga_event)["rate_limits"] == TOKENS_LIMIT


@pytest.mark.parametrize("name", TRACES)
def test_trace_from_beta_wire_reads_as_ga(name: str) -> None:
    build, _, ga_types = TRACES[name]
    to_beta = ServerEventsToBeta()
    beta_text = [e.to_text() for internal in build(Internal()) for e in to_beta.feed(internal)]
    to_ga = ServerEventsToGa(event_ids=counter())
    out = [e for text in beta_text for e in to_ga.feed(beta_server(json.loads(text)))]
    # A beta server also sends conversation.created, which GA's models still know.
    expected = list(ga_types)
    if name == "text":
        expected.insert(1, "conversation.created")
    assert [e.type for e in out] == expected
    sdk_check_ga(out)


def test_function_call_trace_survives_beta_and_back() -> None:
    ga_wire = GaWireFilter()
    direct = [
        wire(e) for internal in function_call_turn(Internal()) for e in ga_wire.feed(internal)
    ]
    to_beta, to_ga = ServerEventsToBeta(), ServerEventsToGa(event_ids=counter())
    via_beta = [
        wire(ga_event)
        for internal in function_call_turn(Internal())
        for beta_event in to_beta.feed(internal)
        for ga_event in to_ga.feed(beta_event)
    ]

    def normalized(events: list[Json]) -> list[Json]:
        # Synthesized events have fresh ids; rate limits differ by design per dialect.
        drop = {
            "conversation.item.done": {"event_id"},
            "rate_limits.updated": {"event_id", "rate_limits"},
        }
        return [{k: v for k, v in e.items() if k not in drop.get(e["type"], set())} for e in events]

    assert normalized(via_beta) == normalized(direct)
    done_ids = [e["event_id"] for e in via_beta if e["type"] == "conversation.item.done"]
    assert done_ids == ["event_syn1", "event_syn2", "event_syn3"]
