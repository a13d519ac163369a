"""The Python surface of the wire models: repr, equality, constructors and exports."""

from __future__ import annotations

import base64
import importlib
import json
import pkgutil
from types import ModuleType
from typing import Any

import pytest
from pydantic import ValidationError

import openrealtime.protocol
from openrealtime.protocol import ProtocolError, beta, ga

DIALECTS = [pytest.param(ga, id="ga"), pytest.param(beta, id="beta")]
PCM = bytes(range(256)) * 3  # 768 bytes: 1024 base64 characters
PCM_B64 = base64.b64encode(PCM).decode("ascii")


def _shortened(b64: str) -> str:
    return f"'{b64[:16]}…' ({len(b64)} chars)"


# --- repr ---


@pytest.mark.parametrize("dialect", DIALECTS)
def test_repr_shortens_appended_audio(dialect: ModuleType) -> None:
    event = dialect.InputAudioBufferAppendEvent(audio=PCM_B64, event_id="evt_1")

    assert repr(event) == (
        "InputAudioBufferAppendEvent(type='input_audio_buffer.append', event_id='evt_1', "
        f"audio={_shortened(PCM_B64)})"
    )
    assert PCM_B64 not in repr(event)
    assert event.audio == PCM_B64


def test_repr_keeps_short_audio_whole() -> None:
    event = ga.InputAudioBufferAppendEvent(audio="A" * 32)

    assert repr(event) == (
        "InputAudioBufferAppendEvent(type='input_audio_buffer.append', audio='" + "A" * 32 + "')"
    )


@pytest.mark.parametrize(
    ("dialect", "wire_type", "name"),
    [
        (ga, "response.output_audio.delta", "ResponseOutputAudioDeltaEvent"),
        (beta, "response.audio.delta", "ResponseAudioDeltaEvent"),
    ],
    ids=["ga", "beta"],
)
def test_repr_shortens_audio_deltas(dialect: ModuleType, wire_type: str, name: str) -> None:
    event = dialect.ServerEvent.parse(
        {
            "type": wire_type,
            "event_id": "event_1",
            "response_id": "resp_1",
            "item_id": "item_1",
            "output_index": 0,
            "content_index": 0,
            "delta": PCM_B64,
        }
    )

    assert repr(event) == (
        f"{name}(type='{wire_type}', event_id='event_1', response_id='resp_1', "
        f"item_id='item_1', output_index=0, content_index=0, delta={_shortened(PCM_B64)})"
    )


@pytest.mark.parametrize("dialect", DIALECTS)
def test_repr_shortens_input_audio_content(dialect: ModuleType) -> None:
    part = dialect.InputAudioContent(audio=PCM_B64)

    assert repr(part) == f"InputAudioContent(type='input_audio', audio={_shortened(PCM_B64)})"


def test_repr_shows_only_set_fields_and_extras() -> None:
    assert repr(ga.ResponseCancelEvent()) == "ResponseCancelEvent(type='response.cancel')"
    assert (
        repr(ga.ResponseCancelEvent(response_id=None))
        == "ResponseCancelEvent(type='response.cancel', response_id=None)"
    )
    assert repr(ga.AudioPCM()) == "AudioPCM(type='audio/pcm')"
    event = ga.ServerEvent.parse(
        {"type": "input_audio_buffer.cleared", "event_id": "event_1", "vendor_field": [1]}
    )
    assert repr(event) == (
        "InputAudioBufferClearedEvent(type='input_audio_buffer.cleared', event_id='event_1', "
        "vendor_field=[1])"
    )


# --- equality ---


@pytest.mark.parametrize("dialect", DIALECTS)
def test_equality(dialect: ModuleType) -> None:
    built = dialect.ConversationItemTruncateEvent(item_id="item_1", content_index=0, audio_end_ms=5)
    parsed = dialect.ClientEvent.parse(
        '{"audio_end_ms":5,"content_index":0,"item_id":"item_1","type":"conversation.item.truncate"}'
    )

    assert built == parsed
    assert built != dialect.ConversationItemTruncateEvent(
        item_id="item_1", content_index=0, audio_end_ms=6
    )
    assert built != dialect.ConversationItemTruncateEvent(
        item_id="item_1", content_index=0, audio_end_ms=5, event_id="evt_1"
    )
    assert dialect.InputAudioBufferCommitEvent() == dialect.InputAudioBufferCommitEvent()
    assert dialect.InputAudioBufferCommitEvent() != dialect.InputAudioBufferClearEvent()


def test_events_of_different_dialects_are_not_equal() -> None:
    ga_commit: object = ga.InputAudioBufferCommitEvent()
    assert ga_commit != beta.InputAudioBufferCommitEvent()
    assert (
        ga.InputAudioBufferCommitEvent().to_text() == beta.InputAudioBufferCommitEvent().to_text()
    )


def test_events_are_immutable() -> None:
    event = ga.ResponseCancelEvent(response_id="resp_1")

    with pytest.raises(ValidationError):
        event.response_id = "resp_2"  # type: ignore[misc]
    assert event.response_id == "resp_1"


# --- constructors ---


@pytest.mark.parametrize("dialect", DIALECTS)
def test_append_from_pcm16(dialect: ModuleType) -> None:
    event = dialect.InputAudioBufferAppendEvent.from_pcm16(b"\x01\x02\x03\x04")

    assert event.to_text() == '{"type":"input_audio_buffer.append","audio":"AQIDBA=="}'
    with_id = dialect.InputAudioBufferAppendEvent.from_pcm16(bytearray(b"\xff"), event_id="evt_1")
    assert (
        with_id.to_text()
        == '{"type":"input_audio_buffer.append","event_id":"evt_1","audio":"/w=="}'
    )
    assert dialect.InputAudioBufferAppendEvent.from_pcm16(memoryview(PCM)).audio == PCM_B64


@pytest.mark.parametrize("dialect", DIALECTS)
def test_user_text(dialect: ModuleType) -> None:
    event = dialect.ConversationItemCreateEvent.user_text("Hello, wörld")

    assert event.to_text() == (
        '{"type":"conversation.item.create","item":{"type":"message","role":"user",'
        '"content":[{"type":"input_text","text":"Hello, wörld"}]}}'
    )
    placed = dialect.ConversationItemCreateEvent.user_text(
        "hi", event_id="evt_1", previous_item_id="root"
    )
    assert json.loads(placed.to_text()) == {
        "type": "conversation.item.create",
        "event_id": "evt_1",
        "previous_item_id": "root",
        "item": {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "hi"}],
        },
    }
    assert dialect.ClientEvent.parse(placed.to_text()) == placed


@pytest.mark.parametrize("dialect", DIALECTS)
def test_function_call_output_encodes_non_string_output_as_json(dialect: ModuleType) -> None:
    event = dialect.ConversationItemCreateEvent.function_call_output(
        "call_1", {"temperature": 21.5, "sky": "clear", "tags": ["a", None]}
    )

    assert event.to_text() == (
        '{"type":"conversation.item.create","item":{"type":"function_call_output",'
        '"call_id":"call_1","output":"{\\"temperature\\":21.5,\\"sky\\":\\"clear\\",'
        '\\"tags\\":[\\"a\\",null]}"}}'
    )
    assert json.loads(event.item.output) == {
        "temperature": 21.5,
        "sky": "clear",
        "tags": ["a", None],
    }
    text = dialect.ConversationItemCreateEvent.function_call_output("call_2", "sunny", event_id="e")
    assert text.to_text() == (
        '{"type":"conversation.item.create","event_id":"e","item":{"type":"function_call_output",'
        '"call_id":"call_2","output":"sunny"}}'
    )
    number = dialect.ConversationItemCreateEvent.function_call_output("call_3", 42)
    assert number.item.output == "42"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_function_call_output_item_for_call(dialect: ModuleType) -> None:
    item = dialect.FunctionCallOutputItem.for_call("call_1", [1, {"a": True}])

    assert item.to_text() == (
        '{"type":"function_call_output","call_id":"call_1","output":"[1,{\\"a\\":true}]"}'
    )
    assert dialect.FunctionCallOutputItem.for_call("call_1", "as is").output == "as is"


def test_ga_user_message_from_text() -> None:
    item = ga.UserMessageItem.from_text("hi")

    assert (
        item.to_text()
        == '{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}'
    )
    assert ga.UserMessageItem.from_text("hi", id="item_1").to_text() == (
        '{"id":"item_1","type":"message","role":"user",'
        '"content":[{"type":"input_text","text":"hi"}]}'
    )


def test_beta_user_message_from_text() -> None:
    item = beta.UserMessageItem.from_text("hi")

    assert (
        item.to_text()
        == '{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}'
    )


def test_ga_user_message_from_pcm16() -> None:
    item = ga.UserMessageItem.from_pcm16(b"\x00\x01", transcript="hm")

    assert item.to_text() == (
        '{"type":"message","role":"user",'
        '"content":[{"type":"input_audio","audio":"AAE=","transcript":"hm"}]}'
    )


# --- fields that are always on the wire ---


def test_error_detail_always_emits_all_five_keys() -> None:
    with pytest.raises(ValidationError):
        ga.ErrorDetail(type="server_error", message="boom")  # type: ignore[call-arg]

    detail = ga.ErrorDetail(
        type="server_error", code=None, message="boom", param=None, event_id=None
    )
    assert detail.to_text() == (
        '{"type":"server_error","code":null,"message":"boom","param":null,"event_id":null}'
    )


def test_a_protocol_error_becomes_an_error_event() -> None:
    error = ProtocolError(
        "unknown_parameter", "Unknown parameter: 'session.x'.", param="session.x", event_id="c1"
    )

    event = ga.ErrorEvent(event_id="event_1", error=ga.ErrorDetail(**error.to_dict()))

    assert event.to_text() == (
        '{"type":"error","event_id":"event_1","error":{"type":"invalid_request_error",'
        '"code":"unknown_parameter","message":"Unknown parameter: \'session.x\'.",'
        '"param":"session.x","event_id":"c1"}}'
    )


@pytest.mark.parametrize("dialect", DIALECTS)
def test_previous_item_id_is_always_emitted(dialect: ModuleType) -> None:
    with pytest.raises(ValidationError):
        dialect.InputAudioBufferCommittedEvent(event_id="e", item_id="item_1")

    committed = dialect.InputAudioBufferCommittedEvent(
        event_id="e", previous_item_id=None, item_id="item_1"
    )
    assert committed.to_text() == (
        '{"type":"input_audio_buffer.committed","event_id":"e","previous_item_id":null,'
        '"item_id":"item_1"}'
    )
    created = dialect.ConversationItemCreatedEvent(
        event_id="e", previous_item_id=None, item=dialect.FunctionCallOutputItem.for_call("c", "o")
    )
    assert json.loads(created.to_text())["previous_item_id"] is None


def test_ga_item_added_and_done_always_emit_previous_item_id() -> None:
    item = ga.UserMessageItem.from_text("hi")
    for cls in (ga.ConversationItemAddedEvent, ga.ConversationItemDoneEvent):
        with pytest.raises(ValidationError):
            cls(event_id="e", item=item)  # type: ignore[call-arg]
        assert (
            '"previous_item_id":null'
            in cls(event_id="e", previous_item_id=None, item=item).to_text()
        )


@pytest.mark.parametrize("dialect", DIALECTS)
def test_response_always_emits_its_nullable_fields(dialect: ModuleType) -> None:
    with pytest.raises(ValidationError):
        dialect.RealtimeResponse(id="resp_1", status="in_progress", output=[])

    response = dialect.RealtimeResponse(
        id="resp_1",
        status="in_progress",
        status_details=None,
        output=[],
        conversation_id=None,
        usage=None,
        metadata=None,
    )
    assert json.loads(response.to_text()) == {
        "object": "realtime.response",
        "id": "resp_1",
        "status": "in_progress",
        "status_details": None,
        "output": [],
        "conversation_id": None,
        "usage": None,
        "metadata": None,
    }


# --- fallbacks ---


@pytest.mark.parametrize("dialect", DIALECTS)
def test_unknown_server_event_keeps_and_reemits_every_field(dialect: ModuleType) -> None:
    frame = (
        '{"type":"vendor.custom","event_id":"event_1","payload":{"nested":[1,null,"é"]},'
        '"flag":true}'
    )

    event = dialect.ServerEvent.parse(frame)

    assert type(event) is dialect.UnknownServerEvent
    assert (event.type, event.event_id) == ("vendor.custom", "event_1")
    assert event.model_extra == {"payload": {"nested": [1, None, "é"]}, "flag": True}
    assert event.to_text() == frame
    assert dialect.ServerEvent.parse(event.to_text()) == event


@pytest.mark.parametrize(
    "frame",
    [
        '{"type":"vendor.custom","data":1}',
        '{"data":1}',
        '{"type":7,"event_id":"event_1"}',
        '{"type":"vendor.custom","event_id":42}',
    ],
    ids=["no-event-id", "no-type", "type-not-a-string", "event-id-not-a-string"],
)
@pytest.mark.parametrize("dialect", DIALECTS)
def test_unknown_server_event_reemits_what_it_received(dialect: ModuleType, frame: str) -> None:
    assert dialect.ServerEvent.parse(frame).to_text() == frame


@pytest.mark.parametrize("dialect", DIALECTS)
def test_invalid_server_event_carries_raw_and_errors(dialect: ModuleType) -> None:
    frame = '{"type":"conversation.item.deleted","event_id":"event_1","item_id":5,"note":"é"}'

    event = dialect.ServerEvent.parse(frame)

    assert type(event) is dialect.InvalidServerEvent
    assert event.raw == json.loads(frame)
    assert (event.type, event.event_id) == ("conversation.item.deleted", "event_1")
    assert [error["loc"][-1] for error in event.errors] == ["item_id"]
    assert event.to_text() == frame
    assert event.to_dict() == json.loads(frame)
    assert "item_id" in event.describe()


def test_invalid_server_event_wraps_a_non_object() -> None:
    event = ga.ServerEvent.parse("[1,2]")

    assert type(event) is ga.InvalidServerEvent
    assert (event.raw, event.type, event.event_id) == ([1, 2], None, None)
    assert event.to_text() == "[1,2]"
    assert event.to_dict() == {"raw": [1, 2]}


# --- exports and docstrings ---


def _protocol_modules() -> list[ModuleType]:
    package = openrealtime.protocol
    names = [info.name for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    return [package, *(importlib.import_module(name) for name in sorted(names))]


@pytest.mark.parametrize(
    "module", [openrealtime.protocol, ga, beta], ids=["protocol", "ga", "beta"]
)
def test_public_modules_declare_all(module: ModuleType) -> None:
    exported = module.__all__

    assert len(exported) == len(set(exported))
    missing = [name for name in exported if not hasattr(module, name)]
    assert missing == []
    assert module.__doc__


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_event_class_is_exported(dialect: ModuleType) -> None:
    exported = {getattr(dialect, name) for name in dialect.__all__}
    for root in (dialect.ClientEvent, dialect.ServerEvent):
        for wire_type in root.event_types():
            assert root.event_class(wire_type) in exported, wire_type
    assert {dialect.UnknownServerEvent, dialect.InvalidServerEvent} <= exported


def test_every_public_class_has_a_docstring() -> None:
    undocumented: list[str] = []
    for module in _protocol_modules():
        for name in getattr(module, "__all__", ()):
            obj: Any = getattr(module, name)
            if isinstance(obj, type) and not (obj.__dict__.get("__doc__") or "").strip():
                undocumented.append(f"{module.__name__}.{name}")
    assert undocumented == []


def test_every_protocol_module_declares_all() -> None:
    for module in _protocol_modules():
        assert isinstance(getattr(module, "__all__", None), list), module.__name__
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"
