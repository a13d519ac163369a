"""The canonical traces of docs/behaviour.md §4, event for event, in both dialects."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from openrealtime.engines.scripted.script import Rule, Script

from ..traces import (
    WEATHER_TOOL,
    audio_response,
    call_response,
    closing_audio,
    item_added,
    response_end,
    response_start,
    text_response,
    text_turn,
)
from .dialects import Dialect, configure, overrides, user_text
from .harness import silence, speech
from .invariants import Make, check_trace, traced

DIALECTS = pytest.mark.parametrize("dialect", ["ga", "beta"])


@pytest.fixture
async def make() -> AsyncIterator[Make]:
    async with traced() as factory:
        yield factory


def types(events: list[Any]) -> list[str]:
    return [event.type for event in events]


# -- (a) text turn ---------------------------------------------------------------------


@DIALECTS
@pytest.mark.spec("4a", "12.e5", "12.e3")
async def test_text_turn_event_for_event(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send(configure(dialect, text=True, instructions=""))
    h.take()
    await h.send(user_text("Hello!"))
    await h.send({"type": "response.create"})
    await h.settle()
    events = h.take()
    assert types(events) == text_turn(dialect, deltas=5)
    deltas = [e.delta for e in events if e.type.endswith("text.delta")]
    assert deltas == ["You", " said", ":", " Hello", "!"]
    user = events[0].item
    created = next(e for e in events if e.type == "response.created").response
    assert created.status == "in_progress"
    assert created.status_details is None
    assert created.output == []
    assert created.usage is None
    added = next(e for e in events if e.type == "response.output_item.added")
    assert added.item.status == "in_progress"
    assert added.item.role == "assistant"
    assert added.item.content == []
    echoes = [
        e
        for e in events
        if e.type in ("conversation.item.added", "conversation.item.created")
        and e.item.id == added.item.id
    ]
    assert [echo.previous_item_id for echo in echoes] == [user.id]
    limits = [e.to_dict()["rate_limits"] for e in events if e.type == "rate_limits.updated"]
    # Input "Hello!" is 2 tokens, output "You said: Hello!" 5: 7 in all.
    if dialect == "ga":
        assert limits == [
            [{"name": "tokens", "limit": 15000000, "remaining": 14999993, "reset_seconds": 60.0}]
        ]
    else:
        assert limits == [
            [
                {"name": "requests", "limit": 20000, "remaining": 19999, "reset_seconds": 60.0},
                {"name": "tokens", "limit": 15000000, "remaining": 15000000, "reset_seconds": 60.0},
            ]
        ]
    assert "response.output_item.created" not in h.types()


@DIALECTS
@pytest.mark.spec("4a")
async def test_audio_turn_event_for_event(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send(configure(dialect))
    await h.send(user_text("Hi"))
    h.take()
    await h.send({"type": "response.create"})
    await h.settle()
    events = h.take()
    # "You" is 180 ms of speech, " said:" 360 ms, " Hi" 180 ms; audio deltas hold 100 ms.
    assert types(events) == audio_response(dialect, words=(2, 4, 2))
    transcript_deltas = [e.delta for e in events if e.type.endswith("transcript.delta")]
    assert transcript_deltas == ["You", " said:", " Hi"]
    part = next(e for e in events if e.type == "response.content_part.added").part
    assert part.to_dict() == {"type": "audio", "transcript": ""}
    final = next(e for e in events if e.type == "response.output_item.done").item.to_dict()
    content_type = "output_audio" if dialect == "ga" else "audio"
    assert final["content"] == [{"type": content_type, "transcript": "You said: Hi"}]
    assert final["status"] == "completed"


# -- (c) function call turn ------------------------------------------------------------


@DIALECTS
@pytest.mark.spec("4c", "3.9.7")
async def test_function_call_turn_then_output(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send(configure(dialect, text=True, tools=[WEATHER_TOOL]))
    await h.send(user_text('/call get_weather {"city": "Paris"}'))
    h.take()
    await h.send({"type": "response.create"})
    await h.settle()
    events = h.take()
    assert types(events) == call_response(dialect, deltas=9)  # {, ", city, ", :, ", Paris, ", }
    added = events[1 if dialect == "ga" else 2].item.to_dict()
    call_id = added["call_id"]
    assert call_id.startswith("call_")
    assert len(call_id) == len("call_") + 16
    expected_added = {
        "id": added["id"],
        "type": "function_call",
        "status": "in_progress",
        "name": "get_weather",
        "call_id": call_id,
        "arguments": "",
    }
    if dialect == "beta":
        expected_added["object"] = "realtime.item"
    assert added == expected_added
    deltas = [e.delta for e in events if e.type == "response.function_call_arguments.delta"]
    assert deltas == ["{", '"', "city", '"', ":", ' "', "Paris", '"', "}"]
    done = next(e for e in events if e.type == "response.function_call_arguments.done").to_dict()
    done.pop("event_id")
    expected_done = {
        "type": "response.function_call_arguments.done",
        "response_id": events[0].response.id,
        "item_id": added["id"],
        "output_index": 0,
        "call_id": call_id,
        "arguments": '{"city": "Paris"}',
    }
    if dialect == "ga":
        expected_done["name"] = "get_weather"
    assert done == expected_done
    response = events[-1 if dialect == "beta" else -2].response.to_dict()
    assert response["status"] == "completed"
    assert response["output"] == [
        {**expected_added, "status": "completed", "arguments": '{"city": "Paris"}'}
    ]

    await h.advance(30)
    assert h.take() == []  # no automatic continuation

    output = {"type": "function_call_output", "call_id": call_id, "output": '{"temp": 20}'}
    await h.send({"type": "conversation.item.create", "item": output})
    assert types(h.take()) == item_added(dialect)
    await h.send({"type": "response.create"})
    await h.settle()
    events = h.take()
    # Tool, get_weather, returned, :, {, ", temp, ", :, 20, }
    assert types(events) == text_response(dialect, deltas=11)
    text = next(e for e in events if e.type.endswith("text.done")).text
    assert text == 'Tool get_weather returned: {"temp": 20}'


# -- (d) interruption ------------------------------------------------------------------


@DIALECTS
@pytest.mark.spec("4d", "12.e2")
async def test_barge_in_cancels_then_client_truncates(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send(configure(dialect, vad=True, instructions=""))
    await h.append(speech("Hello there") + silence(400))
    await h.advance(0.3)  # "You" (180 ms) and " said:" (360 ms) have been sent
    assistant = h.of_type("response.output_item.added")[0].item.id
    first = h.of_type("response.created")[0].response.id
    h.take()
    await h.append(speech("Stop") + silence(400))
    events = h.take()
    assert types(events) == [
        "input_audio_buffer.speech_started",
        *closing_audio(dialect),
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        *item_added(dialect),
        *response_start(dialect),
    ]
    done = next(e for e in events if e.type == "response.done").response.to_dict()
    assert done["id"] == first
    assert done["status"] == "cancelled"
    assert done["status_details"] == {"type": "cancelled", "reason": "turn_detected"}
    content_type = "output_audio" if dialect == "ga" else "audio"
    assert [item["status"] for item in done["output"]] == ["incomplete"]
    assert done["output"][0]["content"] == [{"type": content_type, "transcript": "You said:"}]
    # Heard "Hello there" (860 ms of audio: 18 tokens); said "You said:" (3 text tokens, 540 ms).
    assert done["usage"]["input_token_details"]["audio_tokens"] == 18
    assert done["usage"]["output_token_details"] == {"text_tokens": 3, "audio_tokens": 11}

    await h.send(
        {
            "type": "conversation.item.truncate",
            "item_id": assistant,
            "content_index": 0,
            "audio_end_ms": 300,
        }
    )
    truncated = h.take()
    assert [e.to_dict() | {"event_id": None} for e in truncated] == [
        {
            "type": "conversation.item.truncated",
            "event_id": None,
            "item_id": assistant,
            "content_index": 0,
            "audio_end_ms": 300,
        }
    ]
    await h.settle()
    assert "response.cancelled" not in h.types()
    h.take()
    await h.send({"type": "conversation.item.retrieve", "item_id": assistant})
    item = h.take()[0].item.to_dict()
    assert item["content"][0]["transcript"] == "You"


@DIALECTS
@pytest.mark.spec("4d", "12.e2")
async def test_barge_in_before_any_output(make: Make, dialect: Dialect) -> None:
    script = Script(rules=[Rule(match="Hello there", reply="Hi", delay_ms=1000)])
    h = await make(dialect=dialect, script=script).start()
    await h.append(speech("Hello there") + silence(400))
    await h.advance(0.2)
    first = h.of_type("response.created")[0].response.id
    h.take()
    await h.append(speech("Wait") + silence(400))
    events = h.take()
    assert types(events) == [
        "input_audio_buffer.speech_started",
        *response_end(dialect),
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        *item_added(dialect),
        *response_start(dialect),
    ]
    done = events[1].response.to_dict()
    assert done["id"] == first
    assert done["status_details"] == {"type": "cancelled", "reason": "turn_detected"}
    assert done["output"] == []
    zero_details = {"text_tokens": 0, "audio_tokens": 0}
    if dialect == "ga":
        zero_details["image_tokens"] = 0
    assert done["usage"] == {
        "total_tokens": 0,
        "input_tokens": 0,
        "output_tokens": 0,
        "input_token_details": {
            **zero_details,
            "cached_tokens": 0,
            "cached_tokens_details": zero_details,
        },
        "output_token_details": {"text_tokens": 0, "audio_tokens": 0},
    }
    await h.settle()
    assert "response.cancelled" not in h.types()


# -- (e) out of band -------------------------------------------------------------------


@DIALECTS
@pytest.mark.spec("4e")
async def test_out_of_band_with_metadata(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send(configure(dialect))
    await h.send(user_text("Buy cheap pills", item_id="item_u"))
    h.take()
    inline = {
        "type": "message",
        "role": "user",
        "content": [{"type": "input_text", "text": "Is this spam?"}],
    }
    response = overrides(
        dialect,
        text=True,
        conversation="none",
        metadata={"topic": "classification"},
        instructions="Classify.",
        input=[{"type": "item_reference", "id": "item_u"}, inline],
    )
    await h.send({"type": "response.create", "event_id": "oob1", "response": response})
    await h.settle()
    events = h.take()
    # You, said, :, Is, this, spam, ?
    assert types(events) == text_response(dialect, deltas=7, conversation=False)
    for resource in (
        events[0].response,
        next(e for e in events if e.type == "response.done").response,
    ):
        assert resource.conversation_id is None
        assert resource.to_dict()["metadata"] == {"topic": "classification"}
    assert next(e for e in events if e.type.endswith("text.done")).text == "You said: Is this spam?"

    answer = next(e for e in events if e.type == "response.output_item.added").item.id
    await h.send({"type": "conversation.item.retrieve", "item_id": answer})
    assert [e.error.code for e in h.take()] == ["item_not_found"]
    await h.send(user_text("Next"))
    assert h.take()[0].previous_item_id == "item_u"


# -- the invariant checker itself ------------------------------------------------------


def _drop(events: list[Any], kind: str) -> list[Any]:
    index = next(i for i, e in enumerate(events) if e.type == kind)
    return events[:index] + events[index + 1 :]


def _move_after(events: list[Any], kind: str, anchor: str) -> list[Any]:
    moved = next(e for e in events if e.type == kind)
    rest = [e for e in events if e is not moved]
    at = next(i for i, e in enumerate(rest) if e.type == anchor)
    return [*rest[: at + 1], moved, *rest[at + 1 :]]


BROKEN = {
    "no response.done": lambda events: _drop(events, "response.done"),
    "no content_part.done": lambda events: _drop(events, "response.content_part.done"),
    "no output_item.done": lambda events: _drop(events, "response.output_item.done"),
    "no conversation.item.done": lambda events: [
        e for e in events if e.type != "conversation.item.done"
    ],
    "delta after its done": lambda events: _move_after(
        events, "response.output_text.delta", "response.output_text.done"
    ),
    "item done after output_item.done": lambda events: _move_after(
        events, "conversation.item.done", "response.output_item.done"
    ),
    "twice created": lambda events: [events[0], *events],
}


@pytest.mark.parametrize("breakage", list(BROKEN))
async def test_the_checker_rejects_broken_traces(breakage: str) -> None:
    async with traced() as make_harness:
        h = await make_harness(dialect="ga").start()
        await h.send(configure("ga", text=True))
        await h.send(user_text("Hello!"))
        h.take()
        await h.send({"type": "response.create"})
        await h.settle()
        events = h.take()
    check_trace(events, "ga", complete=False)
    with pytest.raises(AssertionError):
        check_trace(BROKEN[breakage](events), "ga")
