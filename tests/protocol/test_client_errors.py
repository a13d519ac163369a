"""Client events, parsed strictly: OpenAI's exact error for each problem, and what must pass.

Messages marked "verbatim" are OpenAI's server's own, as observed in its traffic
(docs/behaviour.md, rows 2.x and 12.x); the rest follow the same patterns.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import pytest
from pydantic import ValidationError

from openrealtime.protocol import ProtocolError, WireModel, beta, ga
from openrealtime.protocol._base import ClientEventBase
from openrealtime.protocol._fields import STRICT_CONTEXT, max_items

GA = ga.ClientEvent
BETA = beta.ClientEvent

GA_TYPES = (
    "'session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit', "
    "'input_audio_buffer.clear', 'conversation.item.create', 'conversation.item.truncate', "
    "'conversation.item.delete', 'conversation.item.retrieve', 'response.create', "
    "'response.cancel', and 'output_audio_buffer.clear'"
)
GA_VOICES = (
    "'alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse', 'marin', and 'cedar'"
)
BETA_VOICES = (
    "'alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse', 'marin', "
    "'cedar', 'fable', 'onyx', and 'nova'"
)
LONG_ID = "item_" + "x" * 34  # 39 characters, as in the verbatim message


def _realtime(**session: Any) -> dict[str, Any]:
    return {"type": "session.update", "session": {"type": "realtime", **session}}


def _error(root: type[ClientEventBase], payload: Any) -> ProtocolError:
    text = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    with pytest.raises(ProtocolError) as caught:
        root.parse(text)
    return caught.value


def _wire(code: str, message: str, param: str | None, event_id: str | None) -> dict[str, Any]:
    return {
        "type": "invalid_request_error",
        "code": code,
        "message": message,
        "param": param,
        "event_id": event_id,
    }


# (root, payload, code, message, param, event_id)
ERRORS = [
    pytest.param(
        GA,
        {"type": "nope"},
        "invalid_value",
        f"Invalid value: 'nope'. Supported values are: {GA_TYPES}.",
        "type",
        None,
        id="ga-unknown-type",
    ),
    pytest.param(
        GA,
        {"type": "transcription_session.update", "event_id": "evt_1", "session": {}},
        "invalid_value",
        f"Invalid value: 'transcription_session.update'. Supported values are: {GA_TYPES}.",
        "type",
        "evt_1",
        id="ga-beta-only-type",
    ),
    pytest.param(
        GA,
        {"type": 5},
        "invalid_type",
        "Invalid type for 'type': expected a string, but got an integer instead.",
        "type",
        None,
        id="type-not-a-string",
    ),
    pytest.param(
        GA,
        {"event_id": "evt_2", "session": {}},
        "invalid_event",
        "The 'type' field is missing.",
        None,
        "evt_2",
        id="missing-type",
    ),
    pytest.param(
        GA,
        "[]",
        "invalid_event",
        "Invalid event: expected a JSON object, but got an array instead.",
        None,
        None,
        id="array",
    ),
    pytest.param(
        BETA,
        "42",
        "invalid_event",
        "Invalid event: expected a JSON object, but got an integer instead.",
        None,
        None,
        id="integer",
    ),
    pytest.param(
        GA,
        '"session.update"',
        "invalid_event",
        "Invalid event: expected a JSON object, but got a string instead.",
        None,
        None,
        id="string",
    ),
    pytest.param(
        GA,
        "null",
        "invalid_event",
        "Invalid event: expected a JSON object, but got null instead.",
        None,
        None,
        id="null",
    ),
    pytest.param(  # verbatim
        GA,
        _realtime(bogus_field=1),
        "unknown_parameter",
        "Unknown parameter: 'session.bogus_field'.",
        "session.bogus_field",
        None,
        id="ga-unknown-field",
    ),
    pytest.param(  # verbatim, with the client's event_id
        BETA,
        {
            "type": "session.update",
            "event_id": "evt_NbVvtzwXpGmqUT3Jt",
            "session": {"input_audio_transcription": {"enabled": True, "model": "whisper-1"}},
        },
        "unknown_parameter",
        "Unknown parameter: 'session.input_audio_transcription.enabled'.",
        "session.input_audio_transcription.enabled",
        "evt_NbVvtzwXpGmqUT3Jt",
        id="beta-unknown-field",
    ),
    pytest.param(
        GA,
        {"type": "input_audio_buffer.commit", "audio": "AAAA"},
        "unknown_parameter",
        "Unknown parameter: 'audio'.",
        "audio",
        None,
        id="unknown-top-level-field",
    ),
    pytest.param(
        GA,
        _realtime(id="sess_1"),
        "unknown_parameter",
        "Unknown parameter: 'session.id'.",
        "session.id",
        None,
        id="ga-server-only-id",
    ),
    pytest.param(
        GA,
        _realtime(object="realtime.session"),
        "unknown_parameter",
        "Unknown parameter: 'session.object'.",
        "session.object",
        None,
        id="ga-server-only-object",
    ),
    pytest.param(
        GA,
        {"type": "session.update", "session": {"type": "transcription", "expires_at": 1}},
        "unknown_parameter",
        "Unknown parameter: 'session.expires_at'.",
        "session.expires_at",
        None,
        id="ga-transcription-server-only",
    ),
    pytest.param(
        BETA,
        {"type": "session.update", "session": {"id": "sess_1"}},
        "unknown_parameter",
        "Unknown parameter: 'session.id'.",
        "session.id",
        None,
        id="beta-server-only-id",
    ),
    pytest.param(
        BETA,
        {"type": "transcription_session.update", "session": {"expires_at": 1}},
        "unknown_parameter",
        "Unknown parameter: 'session.expires_at'.",
        "session.expires_at",
        None,
        id="beta-transcription-server-only",
    ),
    pytest.param(
        GA,
        _realtime(temperature=0.8),
        "unknown_parameter",
        "Unknown parameter: 'session.temperature'.",
        "session.temperature",
        None,
        id="ga-beta-only-session-temperature",
    ),
    pytest.param(
        GA,
        {"type": "response.create", "response": {"temperature": 0.8}},
        "unknown_parameter",
        "Unknown parameter: 'response.temperature'.",
        "response.temperature",
        None,
        id="ga-beta-only-response-temperature",
    ),
    pytest.param(  # verbatim
        GA,
        {"type": "session.update", "session": {"instructions": "x"}},
        "missing_required_parameter",
        "Missing required parameter: 'session.type'.",
        "session.type",
        None,
        id="ga-missing-session-type",
    ),
    pytest.param(  # verbatim
        GA,
        {"type": "conversation.item.create", "item": {"role": "user", "content": []}},
        "missing_required_parameter",
        "Missing required parameter: 'item.type'.",
        "item.type",
        None,
        id="missing-item-type",
    ),
    pytest.param(
        BETA,
        {"type": "session.update", "event_id": "evt_3"},
        "missing_required_parameter",
        "Missing required parameter: 'session'.",
        "session",
        "evt_3",
        id="missing-session",
    ),
    pytest.param(
        GA,
        {"type": "input_audio_buffer.append"},
        "missing_required_parameter",
        "Missing required parameter: 'audio'.",
        "audio",
        None,
        id="missing-audio",
    ),
    pytest.param(
        GA,
        {
            "type": "conversation.item.create",
            "item": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "a"}, {"type": "input_text"}],
            },
        },
        "missing_required_parameter",
        "Missing required parameter: 'item.content[1].text'.",
        "item.content[1].text",
        None,
        id="missing-in-list",
    ),
    pytest.param(
        GA,
        _realtime(tools=[{"type": "function", "name": "a"}, {"type": "function"}]),
        "missing_required_parameter",
        "Missing required parameter: 'session.tools[1].name'.",
        "session.tools[1].name",
        None,
        id="missing-tool-name",
    ),
    pytest.param(  # verbatim up to the element type, which our models do not name
        GA,
        {
            "type": "conversation.item.create",
            "item": {"type": "message", "role": "user", "content": "hi"},
        },
        "invalid_type",
        "Invalid type for 'item.content': expected an array, but got a string instead.",
        "item.content",
        None,
        id="content-not-an-array",
    ),
    pytest.param(
        GA,
        {
            "type": "conversation.item.truncate",
            "item_id": "i",
            "content_index": 0,
            "audio_end_ms": "100",
        },
        "invalid_type",
        "Invalid type for 'audio_end_ms': expected an integer, but got a string instead.",
        "audio_end_ms",
        None,
        id="integer-as-string",
    ),
    pytest.param(
        GA,
        {
            "type": "conversation.item.truncate",
            "item_id": "i",
            "content_index": 1.5,
            "audio_end_ms": 0,
        },
        "invalid_type",
        "Invalid type for 'content_index': expected an integer, but got a decimal instead.",
        "content_index",
        None,
        id="integer-as-decimal",
    ),
    pytest.param(
        GA,
        {
            "type": "conversation.item.truncate",
            "item_id": "i",
            "content_index": True,
            "audio_end_ms": 0,
        },
        "invalid_type",
        "Invalid type for 'content_index': expected an integer, but got a boolean instead.",
        "content_index",
        None,
        id="integer-as-boolean",
    ),
    pytest.param(
        GA,
        {"type": "conversation.item.create", "item": None},
        "invalid_type",
        "Invalid type for 'item': expected an object, but got null instead.",
        "item",
        None,
        id="object-as-null",
    ),
    pytest.param(
        GA,
        _realtime(tools={}),
        "invalid_type",
        "Invalid type for 'session.tools': expected an array, but got an object instead.",
        "session.tools",
        None,
        id="array-as-object",
    ),
    pytest.param(
        GA,
        {"type": "input_audio_buffer.append", "audio": None},
        "invalid_type",
        "Invalid type for 'audio': expected a string, but got null instead.",
        "audio",
        None,
        id="required-string-as-null",
    ),
    pytest.param(  # verbatim
        BETA,
        {"type": "session.update", "session": {"input_audio_format": "g711-ulaw"}},
        "invalid_value",
        "Invalid value: 'g711-ulaw'. Supported values are: 'pcm16', 'g711_ulaw', and 'g711_alaw'.",
        "session.input_audio_format",
        None,
        id="beta-audio-format",
    ),
    pytest.param(
        GA,
        _realtime(audio={"input": {"format": {"type": "audio/wav"}}}),
        "invalid_value",
        "Invalid value: 'audio/wav'. Supported values are: 'audio/pcm', 'audio/pcmu', and "
        "'audio/pcma'.",
        "session.audio.input.format.type",
        None,
        id="ga-audio-format",
    ),
    pytest.param(
        GA,
        {"type": "session.update", "session": {"type": "conversation"}},
        "invalid_value",
        "Invalid value: 'conversation'. Supported values are: 'realtime' and 'transcription'.",
        "session.type",
        None,
        id="session-type",
    ),
    pytest.param(
        GA,
        {
            "type": "conversation.item.create",
            "item": {"type": "message", "role": "developer", "content": []},
        },
        "invalid_value",
        "Invalid value: 'developer'. Supported values are: 'system', 'user', and 'assistant'.",
        "item.role",
        None,
        id="item-role",
    ),
    pytest.param(
        GA,
        _realtime(output_modalities=["audio", "video"]),
        "invalid_value",
        "Invalid value: 'video'. Supported values are: 'text' and 'audio'.",
        "session.output_modalities[1]",
        None,
        id="enum-in-list",
    ),
    pytest.param(
        GA,
        _realtime(tool_choice="sometimes"),
        "invalid_value",
        "Invalid value: 'sometimes'. Supported values are: 'none', 'auto', and 'required'.",
        "session.tool_choice",
        None,
        id="tool-choice",
    ),
    pytest.param(
        GA,
        _realtime(audio={"output": {"voice": "fable"}}),
        "invalid_value",
        f"Invalid value: 'fable'. Supported values are: {GA_VOICES}.",
        "session.audio.output.voice",
        None,
        id="ga-voice-beta-only",
    ),
    pytest.param(
        BETA,
        {"type": "session.update", "session": {"voice": "bogus"}},
        "invalid_value",
        f"Invalid value: 'bogus'. Supported values are: {BETA_VOICES}.",
        "session.voice",
        None,
        id="beta-voice",
    ),
    pytest.param(
        BETA,
        {"type": "response.create", "response": {"voice": "cedar ", "conversation": "auto"}},
        "invalid_value",
        f"Invalid value: 'cedar '. Supported values are: {BETA_VOICES}.",
        "response.voice",
        None,
        id="beta-response-voice",
    ),
    pytest.param(  # verbatim up to "but got"
        GA,
        _realtime(audio={"input": {"format": {"type": "audio/pcm", "rate": 16000}}}),
        "integer_below_min_value",
        "Invalid 'session.audio.input.format.rate': integer below minimum value. "
        "Expected a value >= 24000, but got 16000 instead.",
        "session.audio.input.format.rate",
        None,
        id="rate-below",
    ),
    pytest.param(
        GA,
        _realtime(audio={"output": {"format": {"type": "audio/pcm", "rate": 48000}}}),
        "integer_above_max_value",
        "Invalid 'session.audio.output.format.rate': integer above maximum value. "
        "Expected a value <= 24000, but got 48000 instead.",
        "session.audio.output.format.rate",
        None,
        id="rate-above",
    ),
    pytest.param(
        GA,
        {
            "type": "conversation.item.truncate",
            "item_id": "i",
            "content_index": 0,
            "audio_end_ms": -1,
        },
        "integer_below_min_value",
        "Invalid 'audio_end_ms': integer below minimum value. "
        "Expected a value >= 0, but got -1 instead.",
        "audio_end_ms",
        None,
        id="negative-ms",
    ),
    pytest.param(
        GA,
        {"type": "response.create", "response": {"max_output_tokens": 4097}},
        "integer_above_max_value",
        "Invalid 'response.max_output_tokens': integer above maximum value. "
        "Expected a value <= 4096, but got 4097 instead.",
        "response.max_output_tokens",
        None,
        id="max-output-tokens",
    ),
    pytest.param(  # verbatim ("≥" in the quote is ">=" on the wire)
        BETA,
        {"type": "session.update", "session": {"temperature": 0.3}},
        "decimal_below_min_value",
        "Invalid 'session.temperature': decimal below minimum value. "
        "Expected a value >= 0.6, but got 0.3 instead.",
        "session.temperature",
        None,
        id="beta-temperature-below",
    ),
    pytest.param(
        BETA,
        {"type": "response.create", "response": {"temperature": 1.25}},
        "decimal_above_max_value",
        "Invalid 'response.temperature': decimal above maximum value. "
        "Expected a value <= 1.2, but got 1.25 instead.",
        "response.temperature",
        None,
        id="beta-temperature-above",
    ),
    pytest.param(
        GA,
        _realtime(audio={"output": {"speed": 1.75}}),
        "decimal_above_max_value",
        "Invalid 'session.audio.output.speed': decimal above maximum value. "
        "Expected a value <= 1.5, but got 1.75 instead.",
        "session.audio.output.speed",
        None,
        id="ga-speed-above",
    ),
    pytest.param(  # verbatim
        GA,
        {
            "type": "conversation.item.create",
            "item": {"id": LONG_ID, "type": "message", "role": "user", "content": []},
        },
        "string_above_max_length",
        "Invalid 'item.id': string too long. Expected a string with maximum length 32, "
        "but got a string with length 39 instead.",
        "item.id",
        None,
        id="item-id-too-long",
    ),
    pytest.param(
        BETA,
        {"type": "response.cancel", "event_id": "e" * 513},
        "string_above_max_length",
        "Invalid 'event_id': string too long. Expected a string with maximum length 512, "
        "but got a string with length 513 instead.",
        "event_id",
        None,
        id="event-id-too-long",
    ),
    pytest.param(
        GA,
        _realtime(tools=[{"type": "function", "name": "f" * 65}]),
        "string_above_max_length",
        "Invalid 'session.tools[0].name': string too long. Expected a string with maximum "
        "length 64, but got a string with length 65 instead.",
        "session.tools[0].name",
        None,
        id="tool-name-too-long",
    ),
]


@pytest.mark.parametrize(("root", "payload", "code", "message", "param", "event_id"), ERRORS)
def test_client_error_is_exact(
    root: type[ClientEventBase],
    payload: Any,
    code: str,
    message: str,
    param: str | None,
    event_id: str | None,
) -> None:
    assert _error(root, payload).to_dict() == _wire(code, message, param, event_id)


def test_beta_unknown_type_lists_the_beta_types() -> None:
    error = _error(BETA, {"type": "nope", "event_id": "evt_4"})

    prefix = "Invalid value: 'nope'. Supported values are: 'session.update', "
    assert error.message.startswith(prefix + "'transcription_session.update', ")
    listed = error.message[len("Invalid value: 'nope'. Supported values are: ") :]
    assert listed.endswith(".")
    names = [name.strip().removeprefix("and ").strip("'") for name in listed[:-1].split(",")]
    assert sorted(names) == sorted(
        [
            "session.update",
            "transcription_session.update",
            "input_audio_buffer.append",
            "input_audio_buffer.commit",
            "input_audio_buffer.clear",
            "conversation.item.create",
            "conversation.item.truncate",
            "conversation.item.delete",
            "conversation.item.retrieve",
            "response.create",
            "response.cancel",
            "output_audio_buffer.clear",
        ]
    )
    assert (error.code, error.param, error.event_id) == ("invalid_value", "type", "evt_4")


def test_event_class_parse_accepts_only_its_own_type() -> None:
    error = _error(ga.SessionUpdateEvent, {"type": "response.create"})

    assert error.to_dict() == _wire(
        "invalid_value",
        "Invalid value: 'response.create'. Supported values are: 'session.update'.",
        "type",
        None,
    )


@pytest.mark.parametrize(
    "text",
    ["{not json", "", '{"type":"response.create"', b"\xff\xfe\x00", '{"type":"x",}'],
    ids=["garbage", "empty", "truncated", "not-utf8", "trailing-comma"],
)
@pytest.mark.parametrize("root", [GA, BETA], ids=["ga", "beta"])
def test_invalid_json(root: type[ClientEventBase], text: str | bytes) -> None:
    error = _error(root, text)

    assert error.code == "invalid_json"
    assert error.message.startswith("Invalid event: failed to parse JSON value.")
    assert (error.type, error.param, error.event_id) == ("invalid_request_error", None, None)


def test_invalid_json_does_not_echo_an_event_id_it_cannot_read() -> None:
    assert _error(GA, '{"event_id":"evt_5","type":').event_id is None


def test_a_dict_that_is_not_json_is_an_invalid_event() -> None:
    with pytest.raises(ProtocolError) as caught:
        GA.parse({"type": "input_audio_buffer.append", "audio": {1, 2}})

    assert (caught.value.code, caught.value.param, caught.value.event_id) == (
        "invalid_event",
        None,
        None,
    )


class _ToolList(WireModel):
    """A local model with a list limit; realtime events have none yet."""

    tools: Annotated[list[str], max_items(128)]


def test_array_above_max_length_matches_openai_wording() -> None:
    # Verbatim from OpenAI (0x4m4/hexstrike-ai#29, vishalmysore/Tools4AI#16).
    text = json.dumps({"tools": ["t"] * 150})
    with pytest.raises(ValidationError) as caught:
        _ToolList.model_validate_json(text, strict=True, context=STRICT_CONTEXT)

    error = ProtocolError.from_validation(caught.value, text, ())

    assert error.to_dict() == _wire(
        "array_above_max_length",
        "Invalid 'tools': array too long. Expected an array with maximum length 128, "
        "but got an array with length 150 instead.",
        "tools",
        None,
    )


def _metadata(pairs: int) -> dict[str, Any]:
    return {
        "type": "response.create",
        "response": {"metadata": {f"k{i}": "v" for i in range(pairs)}},
    }


def test_metadata_with_17_pairs_is_rejected_on_response_metadata() -> None:
    error = _error(GA, _metadata(17))

    assert (error.param, error.event_id) == ("response.metadata", None)
    # The issue names array_above_max_length for metadata; Responses-API traffic shows
    # object_above_max_properties for the same limit (docs/behaviour.md, 12.15).
    assert error.code == "array_above_max_length"
    assert error.message == (
        "Invalid 'response.metadata': array too long. Expected an array with maximum "
        "length 16, but got an array with length 17 instead."
    )


@pytest.mark.parametrize("root", [GA, BETA], ids=["ga", "beta"])
def test_metadata_limits_are_inclusive(root: type[ClientEventBase]) -> None:
    wire = _metadata(16)
    wire["response"]["metadata"]["k" * 64] = "v" * 512
    del wire["response"]["metadata"]["k0"]

    event = root.parse(json.dumps(wire))

    assert json.loads(event.to_text()) == wire


def _long_name_tool() -> dict[str, Any]:
    return {"type": "function", "name": "f" * 65}


# (root, text, param of the first problem in document order)
FIRST_ERROR = [
    pytest.param(
        GA,
        _realtime(bogus=1, instructions=5),
        "session.bogus",
        id="unknown-before-type-error",
    ),
    pytest.param(
        GA,
        _realtime(instructions=5, bogus=1),
        "session.instructions",
        id="type-error-before-unknown",
    ),
    pytest.param(
        GA,
        {"bogus": 1, "session": {"type": "realtime", "instructions": 5}, "type": "session.update"},
        "bogus",
        id="top-level-first",
    ),
    pytest.param(
        GA,
        {"session": {"type": "realtime", "instructions": 5}, "bogus": 1, "type": "session.update"},
        "session.instructions",
        id="nested-first",
    ),
    pytest.param(
        GA,
        _realtime(tools=[_long_name_tool(), {"type": "function"}]),
        "session.tools[0].name",
        id="list-index-0-first",
    ),
    pytest.param(
        GA,
        _realtime(tools=[{"type": "function", "name": "a"}, {"type": "function"}], bogus=1),
        "session.tools[1].name",
        id="list-before-later-key",
    ),
    pytest.param(
        GA,
        _realtime(bogus=1, tools=[{"type": "function", "name": "a"}, {"type": "function"}]),
        "session.bogus",
        id="earlier-key-before-list",
    ),
    pytest.param(
        GA,
        _realtime(tools=[{"type": "function", "name": "a"}, {"bogus": 1, **_long_name_tool()}]),
        "session.tools[1].bogus",
        id="inside-element-unknown-first",
    ),
    pytest.param(
        GA,
        _realtime(tools=[{"type": "function", "name": "a"}, {**_long_name_tool(), "bogus": 1}]),
        "session.tools[1].name",
        id="inside-element-length-first",
    ),
    pytest.param(
        GA,
        {"type": "conversation.item.truncate", "content_index": -1},
        "content_index",
        id="present-before-missing",
    ),
    pytest.param(
        GA,
        {"type": "conversation.item.truncate", "item_id": 5, "content_index": -1},
        "item_id",
        id="first-of-two-present",
    ),
    pytest.param(
        BETA,
        {"type": "session.update", "session": {"temperature": 0.3, "voice": "bogus"}},
        "session.temperature",
        id="beta-range-first",
    ),
    pytest.param(
        BETA,
        {"type": "session.update", "session": {"voice": "bogus", "temperature": 0.3}},
        "session.voice",
        id="beta-enum-first",
    ),
    pytest.param(
        GA,
        {"type": "input_audio_buffer.commit", "event_id": "e" * 513, "bogus": 1},
        "event_id",
        id="event-id-first",
    ),
    pytest.param(
        GA,
        {"type": "input_audio_buffer.commit", "bogus": 1, "event_id": "e" * 513},
        "bogus",
        id="event-id-second",
    ),
]


@pytest.mark.parametrize(("root", "payload", "param"), FIRST_ERROR)
def test_only_the_first_error_in_document_order_is_reported(
    root: type[ClientEventBase], payload: dict[str, Any], param: str
) -> None:
    assert _error(root, payload).param == param


# (payload, echoed event_id); every payload has an unknown top-level key first.
ECHO = [
    pytest.param({"bogus": 1, "type": "response.cancel"}, None, id="absent"),
    pytest.param({"bogus": 1, "type": "response.cancel", "event_id": None}, None, id="null"),
    pytest.param({"bogus": 1, "type": "response.cancel", "event_id": 7}, None, id="integer"),
    pytest.param({"bogus": 1, "type": "response.cancel", "event_id": ["e"]}, None, id="array"),
    pytest.param({"bogus": 1, "type": "response.cancel", "event_id": "e" * 513}, None, id="513"),
    pytest.param(
        {"bogus": 1, "type": "response.cancel", "event_id": "e" * 512}, "e" * 512, id="512"
    ),
    pytest.param({"bogus": 1, "type": "response.cancel", "event_id": ""}, "", id="empty"),
    pytest.param({"type": "response.cancel", "event_id": "évt ✓", "bogus": 1}, "évt ✓", id="utf8"),
]


@pytest.mark.parametrize(("payload", "event_id"), ECHO)
@pytest.mark.parametrize("root", [GA, BETA], ids=["ga", "beta"])
def test_event_id_is_echoed_only_when_readable(
    root: type[ClientEventBase], payload: dict[str, Any], event_id: str | None
) -> None:
    error = _error(root, payload)

    assert error.to_dict() == _wire(
        "unknown_parameter", "Unknown parameter: 'bogus'.", "bogus", event_id
    )


# The openai SDK's frames, verbatim (openai-python-sdk.md section 4).
SDK_GA_FRAMES = [
    '{"type": "session.update", "session": {"type": "realtime", "instructions": "Be brief.", '
    '"output_modalities": ["audio"], "audio": {"input": {"format": {"type": "audio/pcm", '
    '"rate": 24000}, "turn_detection": null}, "output": {"voice": "alloy"}}}}',
    '{"type": "input_audio_buffer.append", "audio": "AAAAAA=="}',
    '{"type": "input_audio_buffer.append", "audio": "AAAAAA==", "event_id": "evt_client_1"}',
    '{"type": "conversation.item.create", "item": {"type": "message", "role": "user", '
    '"content": [{"type": "input_text", "text": "Hello"}]}}',
    '{"type": "response.create"}',
    '{"type": "response.create", "response": {"output_modalities": ["text"], '
    '"instructions": "x", "conversation": "none", "metadata": {"k": "v"}}}',
    '{"type": "response.cancel"}',
    '{"type": "response.cancel", "response_id": "resp_1"}',
    '{"type": "conversation.item.truncate", "audio_end_ms": 1500, "content_index": 0, '
    '"item_id": "item_1"}',
    '{"type": "input_audio_buffer.commit"}',
    '{"type": "input_audio_buffer.clear"}',
    '{"type": "output_audio_buffer.clear"}',
    '{"type": "conversation.item.delete", "item_id": "item_1"}',
    '{"type": "conversation.item.retrieve", "item_id": "item_1"}',
    # The model-object path: pretty-printed, keys in declaration order, type last.
    '{\n  "audio": "AAAAAA==",\n  "type": "input_audio_buffer.append"\n}',
    '{\n  "session": {\n    "type": "realtime",\n    "instructions": "Be brief."\n  },\n'
    '  "type": "session.update"\n}',
    '{\n  "type": "response.create"\n}',
    # A dict helper given "event_id": None sends null.
    '{"type": "input_audio_buffer.commit", "event_id": null}',
]

SDK_BETA_FRAMES = [
    '{"type": "session.update", "session": {"modalities": ["text", "audio"], '
    '"instructions": "Be brief.", "input_audio_format": "pcm16", "turn_detection": null, '
    '"voice": "alloy"}}',
    '{"type": "transcription_session.update", "session": {"input_audio_format": "pcm16"}}',
    '{"type": "session.update", "session": {"model": "gpt-4o-realtime-preview", "voice": "alloy"}}',
]

# openai-agents 0.24 frames (openai-python-sdk.md section 5); the elided tool
# parameters are completed with a typical JSON schema.
AGENTS_FRAMES = [
    '{"session":{"type":"realtime","audio":{"input":{"format":{"rate":24000,'
    '"type":"audio/pcm"},"transcription":{"model":"gpt-4o-mini-transcribe"},'
    '"turn_detection":{"type":"semantic_vad","interrupt_response":true}},"output":{"format":'
    '{"rate":24000,"type":"audio/pcm"},"voice":"ash"}},"instructions":"Be brief.",'
    '"model":"gpt-realtime-2.1","output_modalities":["audio"],"tools":[{"description":'
    '"Get weather for a city.","name":"get_weather","parameters":{"additionalProperties":false,'
    '"properties":{"city":{"title":"City","type":"string"}},"required":["city"],'
    '"title":"get_weather_args","type":"object"},"type":"function"}]},"type":"session.update"}',
    '{"item":{"content":[{"text":"What\'s the weather in Paris?","type":"input_text"}],'
    '"role":"user","type":"message"},"type":"conversation.item.create"}',
    '{"session":{"type":"realtime","model":"gpt-realtime-2.1","tracing":"auto"},'
    '"type":"session.update"}',
    '{"type":"response.create","event_id":"agents_py_response_create_1"}',
    '{"item":{"call_id":"call_1","output":"sunny in Paris","type":"function_call_output"},'
    '"type":"conversation.item.create"}',
    '{"type":"response.create","event_id":"agents_py_response_create_2"}',
    '{"audio_end_ms":300,"content_index":0,"item_id":"item_a1","type":"conversation.item.truncate"}',
    '{"type":"response.cancel"}',
]


@pytest.mark.parametrize(
    ("root", "frame"),
    [pytest.param(GA, frame, id=f"ga-sdk-{i}") for i, frame in enumerate(SDK_GA_FRAMES)]
    + [pytest.param(BETA, frame, id=f"beta-sdk-{i}") for i, frame in enumerate(SDK_BETA_FRAMES)]
    + [pytest.param(GA, frame, id=f"agents-{i}") for i, frame in enumerate(AGENTS_FRAMES)],
)
def test_real_client_frames_are_accepted_and_reemitted(
    root: type[ClientEventBase], frame: str
) -> None:
    wire = json.loads(frame)

    event = root.parse(frame)

    assert event.type == wire["type"]
    assert json.loads(event.to_text()) == wire


def test_session_model_is_accepted_in_both_dialects() -> None:
    ga_event = GA.parse(AGENTS_FRAMES[2])
    beta_event = BETA.parse(SDK_BETA_FRAMES[2])

    assert isinstance(ga_event, ga.SessionUpdateEvent)
    assert isinstance(ga_event.session, ga.RealtimeSession)
    assert ga_event.session.model == "gpt-realtime-2.1"
    assert isinstance(beta_event, beta.SessionUpdateEvent)
    assert beta_event.session.model == "gpt-4o-realtime-preview"


def test_explicit_null_for_optional_fields_is_accepted_and_kept() -> None:
    frame = (
        '{"type":"session.update","event_id":null,"session":{"type":"realtime",'
        '"instructions":null,"tools":null,"audio":{"input":{"transcription":null,'
        '"noise_reduction":null,"turn_detection":null},"output":{"voice":null}}}}'
    )

    event = GA.parse(frame)

    assert event.to_text() == frame


@pytest.mark.parametrize("root", [GA, BETA], ids=["ga", "beta"])
def test_input_may_be_text_bytes_bytearray_or_dict(root: type[ClientEventBase]) -> None:
    wire = {
        "item_id": "item_1",
        "audio_end_ms": 1500,
        "event_id": "evt_6",
        "content_index": 0,
        "type": "conversation.item.truncate",
    }
    text = json.dumps(wire, indent=4)

    parsed = [root.parse(text), root.parse(text.encode()), root.parse(bytearray(text, "utf-8"))]

    assert all(event == root.parse(wire) for event in parsed)
    assert parsed[0].to_text() == (
        '{"type":"conversation.item.truncate","event_id":"evt_6","item_id":"item_1",'
        '"content_index":0,"audio_end_ms":1500}'
    )


def test_ga_and_beta_voice_lists_differ() -> None:
    for voice in ("fable", "onyx", "nova"):
        BETA.parse({"type": "session.update", "session": {"voice": voice}})
        assert _error(GA, _realtime(audio={"output": {"voice": voice}})).code == "invalid_value"
    for voice in ("sage", "marin", "cedar"):
        BETA.parse({"type": "session.update", "session": {"voice": voice}})
        GA.parse(_realtime(audio={"output": {"voice": voice}}))
    GA.parse(_realtime(audio={"output": {"voice": {"id": "voice_123"}}}))
