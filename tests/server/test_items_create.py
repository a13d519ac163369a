"""``conversation.item.create`` through the session core, in both dialects (spec §3.5)."""

from __future__ import annotations

from typing import Any, Literal

import pytest

from openrealtime.audio.b64 import b64encode

from .core_checks import DIALECTS, assert_text_turn_works, only_error, user_text
from .harness import Harness, speech

Dialect = Literal["ga", "beta"]
PNG = "data:image/png;base64,iVBORw0KGgo="


def create(item: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"type": "conversation.item.create", "item": item, **fields}


def message(role: str, *content: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"type": "message", "role": role, "content": list(content), **fields}


def text(kind: str, value: str) -> dict[str, Any]:
    return {"type": kind, "text": value}


def assistant_text(dialect: Dialect, value: str) -> dict[str, Any]:
    return text("output_text" if dialect == "ga" else "text", value)


def order(h: Harness) -> list[str]:
    return [stored.id for stored in h.session.conversation]


def echoes(h: Harness) -> list[dict[str, Any]]:
    """The item echo events since the last ``take()``, without their event ids."""
    out = []
    for event in h.take():
        data = event.to_dict()
        data.pop("event_id")
        out.append(data)
    return out


def echo(dialect: Dialect, previous: str | None, item: dict[str, Any]) -> list[dict[str, Any]]:
    """The expected echo of one created item: B ``created``; G ``added`` then ``done``."""
    if dialect == "beta":
        item = {**item, "object": "realtime.item"}
        return [{"type": "conversation.item.created", "previous_item_id": previous, "item": item}]
    return [
        {"type": event_type, "previous_item_id": previous, "item": item}
        for event_type in ("conversation.item.added", "conversation.item.done")
    ]


# -- 3.5.1 positions -----------------------------------------------------------------------


@pytest.mark.spec("3.5.1")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_previous_item_id_places_the_item(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        h.take()
        await h.send(create(message("user", text("input_text", "a"), id="a")))
        await h.send(create(message("user", text("input_text", "b"), id="b")))
        await h.send(
            create(message("user", text("input_text", "r"), id="r"), previous_item_id="root")
        )
        await h.send(create(message("user", text("input_text", "m"), id="m"), previous_item_id="a"))
        await h.send(create(message("user", text("input_text", "z"), id="z")))
        assert order(h) == ["r", "a", "m", "b", "z"]
        echo_type = "conversation.item.created" if dialect == "beta" else "conversation.item.done"
        previous = [event.previous_item_id for event in h.of_type(echo_type)]
        assert previous == [None, "a", None, "a", "b"]


@pytest.mark.spec("3.5.1", "12.24")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_unknown_previous_item_id_adds_nothing(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(create(message("user", text("input_text", "a"), id="a")))
        h.take()
        await h.send(
            create(
                message("user", text("input_text", "x"), id="x"),
                previous_item_id="item_missing",
                event_id="p1",
            )
        )
        assert only_error(h) == {
            "type": "invalid_request_error",
            "code": "item_not_found",
            "message": "Item with item_id not found: item_missing",
            "param": "previous_item_id",
            "event_id": "p1",
        }
        assert order(h) == ["a"]
        await assert_text_turn_works(h)


# -- 3.5.2 ids --------------------------------------------------------------------------------


@pytest.mark.spec("3.5.2", "12.15")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_client_ids_are_kept_up_to_32_characters(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        h.take()
        await h.send(
            create(message("user", text("input_text", "a"), id="simulated-user-1748035262335"))
        )
        await h.send(create(message("user", text("input_text", "b"), id="x" * 32)))
        assert order(h) == ["simulated-user-1748035262335", "x" * 32]
        h.take()
        await h.send(create(message("user", text("input_text", "c"), id="item_" + "x" * 34)))
        assert only_error(h) == {
            "type": "invalid_request_error",
            "code": "string_above_max_length",
            "message": "Invalid 'item.id': string too long. Expected a string with maximum "
            "length 32, but got a string with length 39 instead.",
            "param": "item.id",
            "event_id": None,
        }
        assert len(order(h)) == 2


@pytest.mark.spec("3.5.2")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_server_ids_are_item_prefixed(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(create(message("user", text("input_text", "a"))))
        (item_id,) = order(h)
        assert item_id.startswith("item_")
        assert len(item_id) == 26


@pytest.mark.spec("3.5.2")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_duplicate_id_is_invalid_value(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(create(message("user", text("input_text", "a"), id="dup")))
        h.take()
        await h.send(create(message("system", text("input_text", "b"), id="dup"), event_id="d1"))
        assert only_error(h) == {
            "type": "invalid_request_error",
            "code": "invalid_value",
            "message": "Item with item_id already exists: dup",
            "param": "item.id",
            "event_id": "d1",
        }
        assert order(h) == ["dup"]


# -- 3.5.3 what may be created ----------------------------------------------------------------


@pytest.mark.spec("3.5.3", "3.5.4", "12.e6", "12.e7")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_every_creatable_item_and_its_echo(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        h.take()
        items: list[tuple[dict[str, Any], dict[str, Any]]] = [
            (
                message("system", text("input_text", "Be nice."), id="s"),
                {
                    "id": "s",
                    "type": "message",
                    "status": "completed",
                    "role": "system",
                    "content": [{"type": "input_text", "text": "Be nice."}],
                },
            ),
            (
                message(
                    "user",
                    text("input_text", "Look:"),
                    {"type": "input_audio", "audio": b64encode(speech("hi")), "transcript": "hi"},
                    id="u",
                    status="incomplete",
                ),
                {
                    "id": "u",
                    "type": "message",
                    "status": "completed",
                    "role": "user",
                    "content": [
                        {"type": "input_text", "text": "Look:"},
                        {"type": "input_audio", "transcript": "hi"},
                    ],
                },
            ),
            (
                message(
                    "assistant", assistant_text(dialect, "Hello."), id="a", status="in_progress"
                ),
                {
                    "id": "a",
                    "type": "message",
                    "status": "completed",
                    "role": "assistant",
                    "content": [assistant_text(dialect, "Hello.")],
                },
            ),
            (
                {
                    "id": "f",
                    "type": "function_call",
                    "call_id": "call_1",
                    "name": "lookup",
                    "arguments": '{"q":1}',
                },
                {
                    "id": "f",
                    "type": "function_call",
                    "status": "completed",
                    "name": "lookup",
                    "call_id": "call_1",
                    "arguments": '{"q":1}',
                },
            ),
            (
                {"id": "o", "type": "function_call_output", "call_id": "call_1", "output": "42"},
                {
                    "id": "o",
                    "type": "function_call_output",
                    "status": "completed",
                    "call_id": "call_1",
                    "output": "42",
                },
            ),
        ]
        previous = None
        for sent, expected in items:
            await h.send(create(sent))
            assert echoes(h) == echo(dialect, previous, expected)
            previous = expected["id"]
        assert order(h) == ["s", "u", "a", "f", "o"]


@pytest.mark.spec("3.5.3", "3.5.4")
async def test_ga_user_image_is_created_and_echoed() -> None:
    async with Harness(dialect="ga") as h:
        h.take()
        image = {"type": "input_image", "image_url": PNG}
        await h.send(create(message("user", image, id="img")))
        assert echoes(h) == echo(
            "ga",
            None,
            {
                "id": "img",
                "type": "message",
                "status": "completed",
                "role": "user",
                "content": [{"type": "input_image", "image_url": PNG}],
            },
        )


@pytest.mark.spec("3.5.3")
async def test_beta_has_no_input_image() -> None:
    async with Harness(dialect="beta") as h:
        h.take()
        await h.send(create(message("user", {"type": "input_image", "image_url": PNG})))
        assert only_error(h) == {
            "type": "invalid_request_error",
            "code": "invalid_value",
            "message": "Invalid value: 'input_image'. Supported values are: 'input_text', "
            "'input_audio', and 'item_reference'.",
            "param": "item.content[0].type",
            "event_id": None,
        }


@pytest.mark.spec("3.5.3")
@pytest.mark.parametrize(("dialect", "audio_type"), [("ga", "output_audio"), ("beta", "audio")])
async def test_assistant_audio_cannot_be_created(dialect: Dialect, audio_type: str) -> None:
    async with Harness(dialect=dialect) as h:
        h.take()
        content = [assistant_text(dialect, "Hi."), {"type": audio_type, "transcript": "Hi."}]
        await h.send(
            create({"type": "message", "role": "assistant", "content": content}, event_id="a1")
        )
        assert only_error(h) == {
            "type": "invalid_request_error",
            "code": "invalid_value",
            "message": "Invalid 'item.content[1].type': assistant audio cannot be created; "
            "assistant messages take text content only.",
            "param": "item.content[1].type",
            "event_id": "a1",
        }
        assert order(h) == []
        await assert_text_turn_works(h)


@pytest.mark.spec("3.5.3")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_function_call_output_needs_a_matching_call(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        h.take()
        await h.send(create({"type": "function_call_output", "call_id": "call_zz", "output": "x"}))
        assert only_error(h) == {
            "type": "invalid_request_error",
            "code": "invalid_value",
            "message": "No tool call found for function call output with call_id call_zz.",
            "param": "item.call_id",
            "event_id": None,
        }
        assert order(h) == []


@pytest.mark.spec("3.5.3")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_function_call_without_call_id_gets_one(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(create({"type": "function_call", "name": "f", "arguments": "{}"}))
        (stored,) = h.session.conversation
        call_id = stored.item.to_dict()["call_id"]
        assert call_id.startswith("call_")
        assert len(call_id) == len("call_") + 16


@pytest.mark.spec("3.5.3")
@pytest.mark.parametrize(
    "item",
    [
        {"type": "mcp_approval_response", "approval_request_id": "mcpr_1", "approve": True},
        {
            "type": "mcp_call",
            "id": "mcp_1",
            "server_label": "s",
            "name": "n",
            "arguments": "{}",
        },
    ],
)
async def test_ga_mcp_items_are_refused(item: dict[str, Any]) -> None:
    async with Harness(dialect="ga") as h:
        h.take()
        await h.send(create(item))
        assert only_error(h) == {
            "type": "invalid_request_error",
            "code": "invalid_value",
            "message": f"Invalid value: '{item['type']}'. Supported values are: 'message', "
            "'function_call', and 'function_call_output'.",
            "param": "item.type",
            "event_id": None,
        }


@pytest.mark.spec("3.5.3")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_system_messages_take_text_only(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        h.take()
        await h.send(create(message("system", {"type": "input_audio", "audio": ""})))
        assert only_error(h) == {
            "type": "invalid_request_error",
            "code": "invalid_value",
            "message": "Invalid value: 'input_audio'. Supported values are: 'input_text'.",
            "param": "item.content[0].type",
            "event_id": None,
        }


@pytest.mark.spec("3.5.3")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_user_audio_that_is_not_base64(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        h.take()
        await h.send(create(message("user", {"type": "input_audio", "audio": "not base64!"})))
        assert only_error(h) == {
            "type": "invalid_request_error",
            "code": "invalid_value",
            "message": "Invalid 'item.content[0].audio': expected base64-encoded audio.",
            "param": "item.content[0].audio",
            "event_id": None,
        }
        assert order(h) == []


@pytest.mark.spec("12.11", "12.12")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_item_shape_errors(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        h.take()
        await h.send(create({"role": "user"}))
        assert only_error(h) == {
            "type": "invalid_request_error",
            "code": "missing_required_parameter",
            "message": "Missing required parameter: 'item.type'.",
            "param": "item.type",
            "event_id": None,
        }
        await h.send(create({"type": "message", "role": "user", "content": "hi"}))
        assert only_error(h) == {
            "type": "invalid_request_error",
            "code": "invalid_type",
            "message": "Invalid type for 'item.content': expected an array, but got a string "
            "instead.",
            "param": "item.content",
            "event_id": None,
        }
        await assert_text_turn_works(h)


# -- 3.5.5 / 3.5.6 ----------------------------------------------------------------------------


@pytest.mark.spec("3.5.5")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_creating_items_never_starts_a_response(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(user_text("hello"))
        await h.send(
            create(message("user", {"type": "input_audio", "audio": b64encode(speech("hi"))}))
        )
        await h.settle()
        assert not [t for t in h.types() if t.startswith("response.")]


@pytest.mark.spec("3.5.6")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_items_created_during_a_response_follow_the_generated_item(
    dialect: Dialect,
) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(user_text("hi", event_id="c1"))
        await h.send({"type": "response.create"})
        await h.advance(0.2)
        (added,) = h.of_type("response.output_item.added")
        assistant = added.item.id
        assert h.of_type("response.done") == []
        h.take()
        await h.send(create(message("user", text("input_text", "meanwhile"), id="mid")))
        events = echoes(h)
        assert events[0]["previous_item_id"] == assistant
        await h.settle()
        (done,) = h.of_type("response.done")
        assert done.response.status == "completed"
        assert order(h)[-2:] == [assistant, "mid"]
