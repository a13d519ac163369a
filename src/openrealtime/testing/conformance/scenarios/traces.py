"""§4: whole turns, event for event, as the canonical traces give them."""

from __future__ import annotations

import base64
from typing import Any

from ...wire import WireSession
from ..context import Run
from ..model import Fail, Skip
from ..registry import scenario
from ._common import (
    events_of,
    expected_response,
    output_items,
    shape,
    silence,
    text_session,
    until_all,
    vad,
)
from .responses import tool_session

_TRANSCRIPTION_END = (
    "conversation.item.input_audio_transcription.completed",
    "conversation.item.input_audio_transcription.failed",
)


async def finish_response(run: Run, wire: WireSession) -> list[dict[str, Any]]:
    """Events to the next ``response.done`` and, in GA, the ``rate_limits.updated`` after it."""
    events = await run.until_done(wire)
    if run.ga:
        events += await wire.until("rate_limits.updated")
    return events


def check_response_resource(run: Run, events: list[dict[str, Any]]) -> dict[str, Any]:
    """``response.created`` and ``response.done`` as §5 gives them; returns the done response."""
    created = events_of(events, "response.created")[0]["response"]
    run.equal(created.get("status"), "in_progress", "response.created status")
    run.equal(created.get("output"), [], "response.created output")
    run.equal(created.get("usage"), None, "response.created usage")
    done: dict[str, Any] = events_of(events, "response.done")[0]["response"]
    run.equal(done.get("id"), created.get("id"), "response.done id")
    run.equal(done.get("status"), "completed", "response.done status")
    run.equal(done.get("status_details"), None, "response.done status_details")
    usage = done.get("usage") or {}
    run.equal(
        usage.get("total_tokens"),
        (usage.get("input_tokens") or 0) + (usage.get("output_tokens") or 0),
        "usage.total_tokens = input + output",
    )
    return done


async def text_turn(run: Run) -> None:
    words = run.words
    wire = await text_session(run)
    await wire.send({"type": "conversation.item.create", "item": words.user_text("Hello!")})
    echo = await wire.until(words.item_echo_last)
    run.order(shape(echo), list(words.item_echo), "the user item's events")
    await wire.send({"type": "response.create"})
    events = await finish_response(run, wire)
    done = check_response_resource(run, events)
    run.order(
        shape(events),
        expected_response(words, output_items({"response": done})),
        "the text turn's events",
    )
    message = output_items({"response": done})[0]
    run.equal(
        [part.get("type") for part in message.get("content") or []],
        [words.assistant_text],
        "the assistant item's content",
    )
    said = "".join(e["delta"] for e in events_of(events, words.text_delta))
    run.equal(events_of(events, words.text_done)[0].get("text"), said, "text.done text")
    run.equal(message["content"][0].get("text"), said, "response.done output text")


scenario("4a", "text turn", grade="O")(text_turn)
scenario("12.e3", "the event is response.output_item.added, not .created", grade="D")(text_turn)
scenario(
    "12.e5", "rate_limits.updated: GA after response.done, beta after response.created", grade="O"
)(text_turn)


@scenario(
    "4b",
    "audio turn with server VAD and transcription",
    grade="O",
    needs=("vad", "transcription", "audio"),
)
async def audio_turn(run: Run) -> None:
    words = run.words
    wire = await run.connect()
    model = {"model": run.settings.transcription_model}
    await run.update(
        wire,
        words.audio_out(),
        words.turn_detection(vad()),
        words.transcription(model),
        needs="audio",
    )
    await wire.append_audio(run.settings.speech + silence(1000))
    wanted = ["response.done", *(["rate_limits.updated"] if run.ga else [])]
    events = await until_all(wire, *wanted)
    if not events_of(events, *_TRANSCRIPTION_END):
        events += await wire.until(_TRANSCRIPTION_END)
    done = events_of(events, "response.done")[0]
    turn = [
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        *words.item_echo,
    ]
    kinds = shape(events)
    expected = [*turn, *expected_response(words, output_items(done))]
    run.order(kinds[: len(expected)], expected, "the audio turn's events")
    user = events[: len(turn)]
    item_id = user[0]["item_id"]
    for event in user[1:3]:
        run.equal(event.get("item_id"), item_id, f"{event['type']}.item_id")
    run.equal(user[3]["item"]["id"], item_id, "the user item's id")
    run.equal(user[3]["item"]["content"][0].get("transcript"), None, "the user item's transcript")
    committed_at = kinds.index("input_audio_buffer.committed")
    for position, event in enumerate(events):
        if event["type"].startswith("conversation.item.input_audio_transcription."):
            run.check(
                position > committed_at,
                f"{event['type']} before the commit",
                expected="after input_audio_buffer.committed",
                got=position,
            )
    message = output_items(done)[0]
    run.equal(
        [part.get("type") for part in message.get("content") or []],
        [words.assistant_audio],
        "the assistant item's content",
    )
    run.check(events_of(events, words.audio_delta), "audio deltas", expected="some", got="none")


@scenario("4c", "function call turn, then function_call_output", grade="S", needs=("tools",))
async def function_call_turn(run: Run) -> None:
    words = run.words
    wire = await tool_session(run)
    await run.create_item(wire, words.user_text("What is the weather in Paris?"))
    await wire.send({"type": "response.create"})
    events = await finish_response(run, wire)
    done = check_response_resource(run, events)
    output = output_items({"response": done})
    run.order(shape(events), expected_response(words, output), "the function call's events")
    calls = [item for item in output if item.get("type") == "function_call"]
    run.check(calls, "a function_call item", expected="one", got=[i.get("type") for i in output])
    call = calls[0]
    run.equal(call.get("name"), "get_weather", "the call's name")
    added = next(
        e["item"]
        for e in events_of(events, "response.output_item.added")
        if e["item"]["id"] == call["id"]
    )
    run.equal(added.get("status"), "in_progress", "output_item.added status")
    run.equal(added.get("arguments"), "", "output_item.added arguments")
    arguments = next(
        e
        for e in events_of(events, "response.function_call_arguments.done")
        if e.get("item_id") == call["id"]
    )
    run.equal(arguments.get("call_id"), call.get("call_id"), "arguments.done call_id")
    run.equal(arguments.get("arguments"), call.get("arguments"), "arguments.done arguments")
    if run.ga:
        run.equal(arguments.get("name"), "get_weather", "GA arguments.done name")
    run.check(
        not events_of(events, "response.content_part.added"),
        "content parts",
        expected="none for a function call",
        got="some",
    )
    await run.create_item(wire, words.function_call_output(call["call_id"], '{"temperature":20}'))
    await run.update(wire, {"tool_choice": "none"})
    await run.respond(wire)


async def interruption(run: Run) -> None:
    words = run.words
    wire = await run.connect()
    await run.update(
        wire,
        words.audio_out(),
        words.turn_detection(vad(interrupt_response=True, create_response=True)),
        needs="vad",
    )
    await run.create_item(wire, words.user_text("Please tell me a long story about a dragon."))
    await wire.send({"type": "response.create"})
    events = await wire.until(words.audio_delta)
    await wire.append_audio(run.settings.speech + silence(1000))
    events += await wire.until("response.done")
    done = events[-1]["response"]
    if done["status"] == "completed":
        raise Skip(
            "could not provoke: the response completed before the server heard the "
            "user; run against a server that streams in real time"
        )
    kinds = [e["type"] for e in events]
    run.check(
        "input_audio_buffer.speech_started" in kinds,
        "speech_started",
        expected="before the cancelled response.done",
        got=kinds[-6:],
    )
    details = done.get("status_details") or {}
    run.equal(done.get("status"), "cancelled", "response.done status")
    run.equal(details.get("reason"), "turn_detected", "status_details.reason")
    run.check(
        "response.cancelled" not in kinds, "response.cancelled", expected="absent", got="present"
    )
    received = sum(len(base64.b64decode(e["delta"])) for e in events_of(events, words.audio_delta))
    item_id = events_of(events, words.audio_delta)[0]["item_id"]
    # The client truncates at what it played: say half of what it had received.
    played_ms = max(received // 48 // 2, 1)
    await wire.send(
        {
            "type": "conversation.item.truncate",
            "item_id": item_id,
            "content_index": 0,
            "audio_end_ms": played_ms,
        }
    )
    # The user's turn goes on meanwhile: its commit and a new response.
    later = await until_all(wire, "conversation.item.truncated", "response.done")
    run.check(
        events_of(later, "response.created"),
        "a response to the user's turn",
        expected="response.created",
        got=shape(later),
    )


scenario(
    "4d",
    "interruption: speech_started before the cancelled response.done",
    grade="S,O",
    needs=("vad", "audio"),
)(interruption)
scenario(
    "12.e2", "VAD interruption sends no response.cancelled", grade="D", needs=("vad", "audio")
)(interruption)


@scenario("4e", "out-of-band response with metadata", grade="S")
async def out_of_band(run: Run) -> None:
    words = run.words
    wire = await text_session(run)
    await run.create_item(wire, words.user_text("Hello."))
    metadata = {"topic": "classification"}
    events = await run.respond(
        wire,
        {
            "conversation": "none",
            "metadata": metadata,
            "input": [words.user_text("Classify the word: hello.")],
            **words.text_only(),
        },
    )
    created = events_of(events, "response.created")[0]["response"]
    done = events[-1]["response"]
    for name, response in (("response.created", created), ("response.done", done)):
        run.equal(response.get("conversation_id"), None, f"{name} conversation_id")
        run.equal(response.get("metadata"), metadata, f"{name} metadata")
    events += await wire.drain(run.quiet)
    written = [e["type"] for e in events if e["type"].startswith("conversation.item.")]
    run.equal(written, [], "conversation item events of an out-of-band response")
    if not events_of(events, "rate_limits.updated"):
        run.note("[U] no rate_limits.updated for an out-of-band response")


@scenario("4g", "transcription session", grade="O", needs=("transcription",))
async def transcription_session(run: Run) -> None:
    words = run.words
    if "vad" in run.settings.disabled:
        raise Skip("the trace uses server VAD (--no-vad)")
    wire = await run.open(intent="transcription")
    first = await wire.recv()
    if first["type"] == "error":
        raise Skip(f"the server refused ?intent=transcription ({first['error'].get('code')})")
    run.equal(first["type"], words.transcription_created, "first event")
    model = {"model": run.settings.transcription_model}
    await run.update(
        wire, words.transcription(model), words.turn_detection(vad()), needs="transcription"
    )
    await wire.append_audio(run.settings.speech + silence(1000))
    events = await wire.until(_TRANSCRIPTION_END)
    kinds = shape(events)
    run.order(
        kinds,
        [
            "input_audio_buffer.speech_started",
            "input_audio_buffer.speech_stopped",
            "input_audio_buffer.committed",
            *words.item_echo,
        ],
        "the turn's events",
    )
    events += await wire.drain(run.quiet)
    stray = [
        e["type"]
        for e in events
        if e["type"].startswith("response.") or e["type"] == "rate_limits.updated"
    ]
    if stray:
        raise Fail("response events in a transcription session", expected="none", got=stray)
