"""Property tests: every event class of both dialects, on generated wire JSON.

Client events must parse strictly and round-trip wire-exact; server events must
parse to their own class with unknown keys kept; and server parsing must never
raise on a JSON object, whatever it holds.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openrealtime.protocol import ProtocolError, beta, ga
from openrealtime.protocol._base import ClientEventBase, InvalidServerEventBase, ServerEventBase

from .strategies import for_model, json_objects, json_values, shuffled, texts, wire_keys

PROPERTY_SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

CLIENT_ROOTS: tuple[type[ClientEventBase], ...] = (ga.ClientEvent, beta.ClientEvent)
SERVER_ROOTS: tuple[type[ServerEventBase], ...] = (ga.ServerEvent, beta.ServerEvent)
FALLBACKS: dict[type[ServerEventBase], tuple[type[ServerEventBase], type[ServerEventBase]]] = {
    ga.ServerEvent: (ga.UnknownServerEvent, ga.InvalidServerEvent),
    beta.ServerEvent: (beta.UnknownServerEvent, beta.InvalidServerEvent),
}
ALL_TYPES = sorted({t for root in (*CLIENT_ROOTS, *SERVER_ROOTS) for t in root.event_types()})


def _cases(roots: tuple[Any, ...]) -> list[Any]:
    return [
        pytest.param(root, root.event_class(t), id=f"{root.__dialect__}-{t}")
        for root in roots
        for t in root.event_types()
    ]


def test_every_dialect_has_the_expected_event_count() -> None:
    # openai-python-sdk.md section 1: the SDK's unions, plus beta's transcription_session.created.
    assert len(ga.ClientEvent.event_types()) == 11
    assert len(ga.ServerEvent.event_types()) == 46
    assert len(beta.ClientEvent.event_types()) == 12
    assert len(beta.ServerEvent.event_types()) == 35


@pytest.mark.parametrize(("root", "cls"), _cases(CLIENT_ROOTS))
@PROPERTY_SETTINGS
@given(data=st.data())
def test_client_event_round_trips_wire_exact(
    root: type[ClientEventBase], cls: type[ClientEventBase], data: st.DataObject
) -> None:
    wire = data.draw(for_model(cls, client=True), label="wire")
    text = json.dumps(wire, ensure_ascii=data.draw(st.booleans(), label="ascii"))

    event = root.parse(text)

    assert type(event) is cls
    assert cls.parse(text) == event
    emitted = event.to_text()
    assert json.loads(emitted) == wire
    assert event.to_dict() == wire
    _assert_envelope_order(emitted)
    # Equality ignores which fields were set, so the text is compared as well.
    assert root.parse(emitted) == event
    assert root.parse(emitted).to_text() == emitted
    assert root.parse(wire) == event
    assert root.parse(text.encode()) == event
    reordered = data.draw(shuffled(wire), label="reordered")
    assert root.parse(json.dumps(reordered)) == event


@pytest.mark.parametrize(("root", "cls"), _cases(SERVER_ROOTS))
@PROPERTY_SETTINGS
@given(data=st.data())
def test_server_event_parses_to_its_class_and_keeps_unknown_keys(
    root: type[ServerEventBase], cls: type[ServerEventBase], data: st.DataObject
) -> None:
    wire = data.draw(for_model(cls, client=False), label="wire")
    text = json.dumps(wire, ensure_ascii=False)

    event = root.parse(text)

    assert type(event) is cls, getattr(event, "errors", None)
    extras = {key: wire[key] for key in wire.keys() - wire_keys(cls)}
    assert (event.model_extra or {}) == extras
    emitted = event.to_text()
    assert json.loads(emitted) == wire
    _assert_envelope_order(emitted)
    assert root.parse(wire) == event
    assert root.parse(emitted) == event
    assert root.parse(emitted).to_text() == emitted


def _assert_envelope_order(emitted: str) -> None:
    assert emitted.startswith('{"type":')
    keys = list(json.loads(emitted))
    if "event_id" in keys:
        assert keys.index("event_id") == 1


def _keys(root: type[ServerEventBase], wire_type: str) -> frozenset[str]:
    cls = root.event_class(wire_type)
    assert cls is not None
    return wire_keys(cls)


def _objects_with_a_type() -> st.SearchStrategy[dict[str, Any]]:
    type_value = st.sampled_from(ALL_TYPES) | texts | json_values
    known_keys = {
        key for root in SERVER_ROOTS for t in root.event_types() for key in _keys(root, t)
    }
    field_names = st.sampled_from(sorted(known_keys))
    fields = st.dictionaries(field_names | texts, json_values, max_size=5)
    with_type = st.builds(lambda t, rest: {**rest, "type": t}, type_value, fields)
    return with_type | json_objects


def _damaged_events(root: type[ServerEventBase]) -> st.SearchStrategy[dict[str, Any]]:
    """A valid event of ``root`` with one top-level value replaced by any JSON value."""
    classes = st.sampled_from([root.event_class(t) for t in root.event_types()])

    def damage(cls: Any) -> st.SearchStrategy[dict[str, Any]]:
        return for_model(cls, client=False).flatmap(
            lambda wire: st.tuples(st.sampled_from(sorted(wire)), json_values).map(
                lambda change: {**wire, change[0]: change[1]}
            )
        )

    return classes.flatmap(damage)


def _check_lenient(root: type[ServerEventBase], obj: dict[str, Any]) -> None:
    unknown, invalid = FALLBACKS[root]
    text = json.dumps(obj)
    events = [root.parse(obj), root.parse(text), root.parse(text.encode())]
    wire_type, event_id = obj.get("type"), obj.get("event_id")
    known = root.event_class(wire_type) if isinstance(wire_type, str) else None
    # An unknown type is an UnknownServerEvent only when its envelope is well formed: a
    # string type (or none) and a string event_id (or none); otherwise it is invalid.
    well_formed = (wire_type is None or isinstance(wire_type, str)) and (
        event_id is None or isinstance(event_id, str)
    )
    for event in events:
        assert json.loads(event.to_text()) == obj
        if known is None:
            assert type(event) is (unknown if well_formed else invalid)
        else:
            assert type(event) in (known, invalid)
        if isinstance(event, InvalidServerEventBase):
            assert type(event) is invalid
            assert event.raw == obj
            assert event.errors
            assert json.loads(event.to_text()) == obj
    # The three inputs give the same event; pydantic names a few errors differently
    # for Python and JSON input, so invalid events are compared by where they failed.
    assert len({_summary(event) for event in events}) == 1


def _summary(event: ServerEventBase) -> tuple[Any, ...]:
    errors = getattr(event, "errors", [])
    return type(event), event.to_text(), tuple(error["loc"] for error in errors)


@pytest.mark.parametrize("root", SERVER_ROOTS, ids=["ga", "beta"])
@settings(max_examples=150, deadline=None)
@given(obj=_objects_with_a_type())
def test_server_parse_never_raises_on_a_json_object(
    root: type[ServerEventBase], obj: dict[str, Any]
) -> None:
    _check_lenient(root, obj)


@pytest.mark.parametrize("root", SERVER_ROOTS, ids=["ga", "beta"])
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_server_parse_never_raises_on_a_damaged_event(
    root: type[ServerEventBase], data: st.DataObject
) -> None:
    _check_lenient(root, data.draw(_damaged_events(root)))


@pytest.mark.parametrize("root", SERVER_ROOTS, ids=["ga", "beta"])
@settings(max_examples=50, deadline=None)
@given(value=json_values.filter(lambda value: not isinstance(value, dict)))
def test_server_parse_wraps_json_that_is_not_an_object(
    root: type[ServerEventBase], value: Any
) -> None:
    event = root.parse(json.dumps(value))

    assert type(event) is FALLBACKS[root][1]
    assert isinstance(event, InvalidServerEventBase)
    assert event.raw == value
    assert json.loads(event.to_text()) == value


def _not_json(text: str | bytes) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return True
    return False


@pytest.mark.parametrize("root", SERVER_ROOTS, ids=["ga", "beta"])
@settings(max_examples=100, deadline=None)
@given(text=(st.text(max_size=20) | st.binary(max_size=20)).filter(_not_json))
def test_server_parse_raises_only_on_text_that_is_not_json(
    root: type[ServerEventBase], text: str | bytes
) -> None:
    with pytest.raises(ProtocolError) as caught:
        root.parse(text)

    assert caught.value.code == "invalid_json"
    assert caught.value.message.startswith("Invalid event: failed to parse JSON value.")
    assert caught.value.param is None
    assert caught.value.event_id is None


@pytest.mark.parametrize("root", CLIENT_ROOTS, ids=["ga", "beta"])
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_client_parse_raises_one_protocol_error_or_returns_an_event(
    root: type[ClientEventBase], data: st.DataObject
) -> None:
    obj = data.draw(_objects_with_a_type() | json_values, label="obj")

    outcome = _client_outcome(root, json.dumps(obj))

    if isinstance(outcome, ProtocolError):
        assert outcome.code is not None
        assert outcome.type == "invalid_request_error"
        assert outcome.message.endswith(".")
        assert set(outcome.to_dict()) == {"type", "code", "message", "param", "event_id"}
    else:
        assert type(outcome) is root.event_class(obj["type"])


def _client_outcome(root: type[ClientEventBase], text: str) -> ClientEventBase | ProtocolError:
    try:
        return root.parse(text)
    except ProtocolError as error:
        return error
