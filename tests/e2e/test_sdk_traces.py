"""The section 4 traces through the official SDK, event by event, in both dialects.

Each test connects with ``AsyncOpenAI(...).realtime.connect`` (GA) or
``.beta.realtime.connect`` (beta), reads raw frames, validates every one against the
SDK's models (:mod:`tests.e2e.wire`) and compares the event types with the exact
sequence written here, from the hand-written pieces of :mod:`tests.traces`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from openai import AsyncOpenAI

from openrealtime.server.app.runner import ServerURL

from ..traces import (
    WEATHER_TOOL,
    audio_response,
    call_response,
    closing_audio,
    item_added,
    item_start,
    response_start,
    session_start,
    spoken,
    text_response,
    text_turn,
)
from .conftest import STORY, STORY_REPLY
from .wire import Dialect, SdkWire, audio_chunks, silence, speech, types

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.timeout(30)]

MODELS: dict[Dialect, str] = {"ga": "gpt-realtime", "beta": "gpt-4o-realtime-preview"}


def user_text(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


@contextlib.asynccontextmanager
async def connect(url: ServerURL, dialect: Dialect) -> AsyncIterator[tuple[Any, SdkWire]]:
    client = AsyncOpenAI(api_key="test", base_url=url.http, websocket_base_url=str(url))
    realtime: Any = client.realtime if dialect == "ga" else client.beta.realtime
    try:
        async with realtime.connect(model=MODELS[dialect]) as connection:
            yield connection, SdkWire(connection, dialect)
    finally:
        await client.close()


def text_session(dialect: Dialect, **extra: Any) -> dict[str, Any]:
    if dialect == "ga":
        return {"type": "realtime", "output_modalities": ["text"], **extra}
    return {"modalities": ["text"], **extra}


async def turn(wire: SdkWire) -> list[dict[str, Any]]:
    """Events up to the end of the next response: GA ends with ``rate_limits.updated``."""
    return await wire.until("rate_limits.updated" if wire.dialect == "ga" else "response.done")


def only(events: list[dict[str, Any]], event_type: str) -> dict[str, Any]:
    matching = [event for event in events if event["type"] == event_type]
    assert len(matching) == 1, f"{len(matching)} {event_type} events"
    return matching[0]


def item_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items of B ``conversation.item.created`` or G ``conversation.item.added``."""
    kinds = ("conversation.item.created", "conversation.item.added")
    return [event["item"] for event in events if event["type"] in kinds]


# -- (a) text turn ------------------------------------------------------------------------


@pytest.mark.spec("4a", "1.3", "2.1", "2.2", "12.e5", "12.e6", "12.e7")
@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_text_turn(fast_url: ServerURL, dialect: Dialect) -> None:
    async with connect(fast_url, dialect) as (connection, wire):
        await connection.session.update(session=text_session(dialect))
        await connection.conversation.item.create(item=user_text("Hello"), event_id="client_1")
        await connection.response.create()
        events = await turn(wire)
        await wire.assert_quiet()

    assert types(events) == [
        *session_start(dialect),
        "session.updated",
        *text_turn(dialect, deltas=4),
    ]
    assert all(event.get("event_id", "").startswith("event_") for event in events)
    assert "client_1" not in str(events)
    text_type = "response.output_text" if dialect == "ga" else "response.text"
    deltas = [event for event in events if event["type"] == f"{text_type}.delta"]
    assert "".join(delta["delta"] for delta in deltas) == "You said: Hello"
    assert all(("obfuscation" in delta) == (dialect == "ga") for delta in deltas)
    assert only(events, f"{text_type}.done")["text"] == "You said: Hello"

    user_item, assistant_item = item_events(events)
    assert user_item["role"] == "user"
    assert assistant_item["role"] == "assistant"
    assert ("object" in assistant_item) == (dialect == "beta")

    done = only(events, "response.done")["response"]
    assert done["status"] == "completed"
    assert done["status_details"] is None
    item_type = "output_text" if dialect == "ga" else "text"
    assert done["output"][0]["content"] == [{"type": item_type, "text": "You said: Hello"}]
    usage = done["usage"]
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    limits = only(events, "rate_limits.updated")["rate_limits"]
    names = ["tokens"] if dialect == "ga" else ["requests", "tokens"]
    assert [limit["name"] for limit in limits] == names


# -- (b) audio turn with server VAD and input transcription -------------------------------

TRANSCRIPTION = [
    "conversation.item.input_audio_transcription.delta",
    "conversation.item.input_audio_transcription.delta",
    "conversation.item.input_audio_transcription.completed",
]


@pytest.mark.spec("4b", "3.2.5", "3.3.2", "3.3.4")
@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_audio_turn(fast_url: ServerURL, dialect: Dialect) -> None:
    vad = {"type": "server_vad"}
    transcription = {"model": "whisper-1"}
    session: dict[str, Any] = (
        {
            "type": "realtime",
            "audio": {"input": {"transcription": transcription, "turn_detection": vad}},
        }
        if dialect == "ga"
        else {"input_audio_transcription": transcription, "turn_detection": vad}
    )
    async with connect(fast_url, dialect) as (connection, wire):
        await connection.session.update(session=session)
        for chunk in audio_chunks(speech("hello there") + silence(600)):
            await connection.input_audio_buffer.append(audio=chunk)
        events = await turn(wire)
        while TRANSCRIPTION[-1] not in types(events):
            events.append(await wire.recv())
        await wire.assert_quiet()

    # Input transcription is asynchronous to the response: it has its own order.
    transcription_events = [e for e in events if e["type"] in TRANSCRIPTION]
    response_events = [e for e in events if e["type"] not in TRANSCRIPTION]
    assert types(response_events) == [
        *session_start(dialect),
        "session.updated",
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        *item_added(dialect),
        # "You" (180 ms), " said:" (360 ms), " hello" and " there" (360 ms each)
        *audio_response(dialect, words=(2, 4, 4, 4)),
    ]
    assert types(transcription_events) == TRANSCRIPTION
    committed = only(events, "input_audio_buffer.committed")
    assert events.index(committed) < events.index(transcription_events[0])

    user_id = only(events, "input_audio_buffer.speech_started")["item_id"]
    assert only(events, "input_audio_buffer.speech_stopped")["item_id"] == user_id
    assert committed["item_id"] == user_id
    assert committed["previous_item_id"] is None
    user_item, assistant_item = item_events(events)
    assert user_item["id"] == user_id
    assert user_item["content"] == [{"type": "input_audio", "transcript": None}]
    assert {event["item_id"] for event in transcription_events} == {user_id}
    assert "".join(event["delta"] for event in transcription_events[:2]) == "hello there"
    assert transcription_events[-1]["transcript"] == "hello there"
    assert transcription_events[-1]["usage"]["type"] == "tokens"

    prefix = "response.output_audio" if dialect == "ga" else "response.audio"
    assert only(events, f"{prefix}_transcript.done")["transcript"] == "You said: hello there"
    done = only(events, "response.done")["response"]
    assert done["status"] == "completed"
    assert done["output"][0]["id"] == assistant_item["id"]
    part_type = "output_audio" if dialect == "ga" else "audio"
    assert done["output"][0]["content"] == [
        {"type": part_type, "transcript": "You said: hello there"}
    ]


# -- (c) function call, function_call_output, follow-up ----------------------------------


@pytest.mark.spec("4c", "3.9.6", "3.9.7")
@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_function_call_turn(fast_url: ServerURL, dialect: Dialect) -> None:
    async with connect(fast_url, dialect) as (connection, wire):
        await connection.session.update(session=text_session(dialect, tools=[WEATHER_TOOL]))
        await connection.conversation.item.create(
            item=user_text('/call get_weather {"city": "Paris"}')
        )
        await connection.response.create()
        call_events = await turn(wire)
        await wire.assert_quiet()  # no automatic continuation after a call
        call = only(call_events, "response.output_item.done")["item"]
        await connection.conversation.item.create(
            item={
                "type": "function_call_output",
                "call_id": call["call_id"],
                "output": '{"temp": 20}',
            }
        )
        await connection.response.create()
        follow_up = await turn(wire)
        await wire.assert_quiet()

    assert types(call_events) == [
        *session_start(dialect),
        "session.updated",
        *item_added(dialect),
        *call_response(dialect, deltas=9),  # {, ", city, ", :, ", Paris, ", }
    ]
    assert call["type"] == "function_call"
    assert call["status"] == "completed"
    assert call["name"] == "get_weather"
    assert call["arguments"] == '{"city": "Paris"}'
    assert call["call_id"].startswith("call_")
    deltas = [e for e in call_events if e["type"] == "response.function_call_arguments.delta"]
    assert "".join(delta["delta"] for delta in deltas) == '{"city": "Paris"}'
    arguments_done = only(call_events, "response.function_call_arguments.done")
    assert arguments_done["call_id"] == call["call_id"]
    assert arguments_done["arguments"] == '{"city": "Paris"}'
    assert arguments_done.get("name") == ("get_weather" if dialect == "ga" else None)
    assert only(call_events, "response.done")["response"]["output"][0]["id"] == call["id"]

    # Tool, get_weather, returned, :, {, ", temp, ", :, 20, }
    assert types(follow_up) == text_turn(dialect, deltas=11)
    output_item = item_events(follow_up)[0]
    assert output_item["type"] == "function_call_output"
    assert output_item["call_id"] == call["call_id"]
    assert output_item["output"] == '{"temp": 20}'
    text_type = "response.output_text" if dialect == "ga" else "response.text"
    assert only(follow_up, f"{text_type}.done")["text"] == 'Tool get_weather returned: {"temp": 20}'


# -- (d) interruption by user speech, then the client's truncate --------------------------


@pytest.mark.spec("4d", "12.e1", "12.e2", "3.6.1")
@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_interruption(paced_url: ServerURL, dialect: Dialect) -> None:
    audio_delta = "response.output_audio.delta" if dialect == "ga" else "response.audio.delta"
    async with connect(paced_url, dialect) as (connection, wire):
        # The default session: audio out, server VAD with interrupt_response.
        await connection.conversation.item.create(item=user_text(STORY))
        await connection.response.create()
        events = await wire.until(audio_delta)
        for chunk in audio_chunks(speech("stop")):
            await connection.input_audio_buffer.append(audio=chunk)
        events += await turn(wire)
        assistant_id = only(events, "response.done")["response"]["output"][0]["id"]
        await connection.conversation.item.truncate(
            item_id=assistant_id, content_index=0, audio_end_ms=500
        )
        truncated = await wire.recv()
        for chunk in audio_chunks(silence(600)):
            await connection.input_audio_buffer.append(audio=chunk)
        next_turn = await turn(wire)
        await wire.assert_quiet()

    assert types(events) == [
        *session_start(dialect),
        *item_added(dialect),
        *response_start(dialect),
        *item_start(dialect),
        "response.content_part.added",
        # the first word, 27 characters (1620 ms), then the user speaks over it
        *spoken(dialect, words=(17,)),
        "input_audio_buffer.speech_started",
        *closing_audio(dialect),
    ]
    done = only(events, "response.done")["response"]
    assert done["status"] == "cancelled"
    assert done["status_details"] == {"type": "cancelled", "reason": "turn_detected"}
    assert done["output"][0]["status"] == "incomplete"
    first_word = STORY_REPLY.split()[0]
    prefix = "response.output_audio" if dialect == "ga" else "response.audio"
    assert only(events, f"{prefix}_transcript.done")["transcript"] == first_word

    assert truncated["type"] == "conversation.item.truncated"
    assert (truncated["item_id"], truncated["content_index"], truncated["audio_end_ms"]) == (
        assistant_id,
        0,
        500,
    )

    assert types(next_turn) == [
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        *item_added(dialect),
        # "You" (180 ms), " said:" (360 ms), " stop" (300 ms)
        *audio_response(dialect, words=(2, 4, 3)),
    ]
    speech_id = only(events, "input_audio_buffer.speech_started")["item_id"]
    committed = only(next_turn, "input_audio_buffer.committed")
    assert committed["item_id"] == speech_id
    assert committed["previous_item_id"] == assistant_id
    assert only(next_turn, f"{prefix}_transcript.done")["transcript"] == "You said: stop"


# -- (e) out-of-band response with metadata -----------------------------------------------


@pytest.mark.spec("4e")
@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_out_of_band_response(fast_url: ServerURL, dialect: Dialect) -> None:
    modalities = "output_modalities" if dialect == "ga" else "modalities"
    response = {
        "conversation": "none",
        "metadata": {"topic": "classification"},
        modalities: ["text"],
        "input": [user_text("Classify this")],
    }
    async with connect(fast_url, dialect) as (connection, wire):
        await connection.response.create(response=response, event_id="oob1")
        events = await turn(wire)
        await wire.assert_quiet()

    assert types(events) == [
        *session_start(dialect),
        *text_response(dialect, deltas=5, conversation=False),
    ]
    for event_type in ("response.created", "response.done"):
        resource = only(events, event_type)["response"]
        assert resource["conversation_id"] is None
        assert resource["metadata"] == {"topic": "classification"}
    text_type = "response.output_text" if dialect == "ga" else "response.text"
    assert only(events, f"{text_type}.done")["text"] == "You said: Classify this"
    assert "oob1" not in str(events)


# -- (f) response.cancel with nothing active ----------------------------------------------


@pytest.mark.spec("4f", "3.10.3", "12.20")
@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_cancel_with_nothing_active(fast_url: ServerURL, dialect: Dialect) -> None:
    async with connect(fast_url, dialect) as (connection, wire):
        await connection.session.update(session=text_session(dialect))
        start = await wire.until("session.updated")
        await connection.response.cancel(event_id="c1")
        error = await wire.recv()
        await connection.conversation.item.create(item=user_text("Still there?"))
        await connection.response.create()
        after = await turn(wire)
        await wire.assert_quiet()

    assert types(start) == [*session_start(dialect), "session.updated"]
    assert error["type"] == "error"
    assert error["error"] == {
        "type": "invalid_request_error",
        "code": "response_cancel_not_active",
        "message": "Cancellation failed: no active response found",
        "param": None,
        "event_id": "c1",
    }
    assert only(after, "response.done")["response"]["status"] == "completed"
