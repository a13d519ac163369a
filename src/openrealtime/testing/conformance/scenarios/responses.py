"""§3.9-3.12: ``response.create``, ``response.cancel`` and the other client events."""

from __future__ import annotations

from typing import Any

from ...wire import WireSession
from ..context import ANY, WEATHER_TOOL, Run
from ..model import Fail, Skip
from ..registry import scenario
from ._common import events_of, output_items, shape, text_session

_CANCEL_NOT_ACTIVE = "Cancellation failed: no active response found"
TRIES = 3
"""Attempts at a race (a request meeting a running response) before the row is skipped."""


def _oob(run: Run, text: str, **extra: Any) -> dict[str, Any]:
    """An out-of-band text response over its own input."""
    return {
        "conversation": "none",
        "input": [run.words.user_text(text)],
        **run.words.text_only(),
        **extra,
    }


async def active_response(run: Run) -> None:
    for _ in range(TRIES):
        if await _second_create_refused(run):
            await run.quietly(run.wires[-1], "no second response after the refusal")
            return
    raise Skip(f"could not provoke in {TRIES} tries: each response ended before the next create")


async def _second_create_refused(run: Run) -> bool:
    """Two creates back to back; checks the refusal of the second, if it came."""
    wire = await text_session(run)
    await run.create_item(wire, run.words.user_text("Count from one to ten."))
    await wire.send({"type": "response.create"})
    second = await wire.send({"type": "response.create"})
    created_count = 0

    def settled(event: dict[str, Any]) -> bool:
        nonlocal created_count
        created_count += event["type"] == "response.created"
        return bool(event["type"] == "error" or created_count == 2)

    events = await wire.until(settled)
    if events[-1]["type"] == "response.created":
        return False
    created = events_of(events, "response.created")
    error = events[-1]["error"]
    active = created[0]["response"]["id"] if created else "resp_..."
    run.error_is(
        error,
        code="conversation_already_has_active_response",
        message=f"Conversation already has an active response in progress: {active}. Wait until "
        "the response is finished before creating a new one.",
    )
    run.equal(error.get("event_id"), second, "error.event_id")
    if not events_of(events, "response.done"):
        await run.until_done(wire)
    return True


scenario(
    "3.9.1",
    "one active response per conversation: conversation_already_has_active_response",
    grade="O",
)(active_response)
scenario("12.19", "conversation_already_has_active_response", grade="O")(active_response)


@scenario("3.9.2", "out-of-band responses run beside each other", grade="S")
async def parallel_oob(run: Run) -> None:
    wire = await text_session(run)
    await wire.send({"type": "response.create", "response": _oob(run, "Say one.")})
    await wire.send({"type": "response.create", "response": _oob(run, "Say two.")})
    done: list[dict[str, Any]] = []

    def both(event: dict[str, Any]) -> bool:
        if event["type"] == "error":
            raise Fail(
                "an out-of-band response was refused",
                expected="response.created",
                got=event["error"].get("message"),
            )
        if event["type"] == "response.done":
            done.append(event)
        return len(done) == 2

    events = await wire.until(both)
    run.equal(len(events_of(events, "response.created")), 2, "response.created events")
    for event in done:
        run.equal(event["response"].get("conversation_id"), None, "response.conversation_id")


@scenario("3.9.3", "response parameters apply to that response only", grade="S")
async def per_response_parameters(run: Run) -> None:
    words = run.words
    wire = await text_session(run)
    session = wire.events[0]["session"]
    default = session.get("max_output_tokens" if run.ga else "max_response_output_tokens")
    await run.create_item(wire, words.user_text("Tell me about the sea."))
    first = await run.respond(wire, {**words.max_tokens(1)})
    run.equal(
        _created(first)["response"].get("max_output_tokens"),
        1,
        "the limited response's max_output_tokens",
    )
    run.note(f"a 1-token response ended {first[-1]['response']['status']}")
    second = await run.respond(wire)
    run.equal(
        _created(second)["response"].get("max_output_tokens"),
        default,
        "the next response's max_output_tokens",
    )


def _created(events: list[dict[str, Any]]) -> dict[str, Any]:
    created = events_of(events, "response.created")
    if not created:
        raise Fail("no response.created", expected="response.created", got=shape(events))
    return created[0]


@scenario("3.9.4", "input builds the context: [] is none; item references", grade="S,D")
async def response_input(run: Run) -> None:
    words = run.words
    wire = await text_session(run)
    item_id = (await run.create_item(wire, words.user_text("Remember: apple.")))["item"]["id"]
    empty = await run.respond(wire, {"conversation": "none", "input": [], **words.text_only()})
    run.equal(empty[-1]["response"]["status"], "completed", "status with input []")
    reference = {"type": "item_reference", "id": item_id}
    referenced = await run.respond(
        wire, {"conversation": "none", "input": [reference], **words.text_only()}
    )
    run.equal(referenced[-1]["response"]["status"], "completed", "status with an item reference")
    missing = {"type": "item_reference", "id": "item_kit_missing"}
    await wire.send(
        {
            "type": "response.create",
            "response": {"conversation": "none", "input": [missing], **words.text_only()},
        }
    )
    answer = (await wire.until(("error", "response.done")))[-1]
    if answer["type"] == "error":
        run.note(f"an unknown reference is refused ({answer['error'].get('code')})")
    else:
        run.note("an unknown reference is ignored")


@scenario("3.9.5", "response.created first, response.done last, exactly once", grade="S")
async def created_then_done(run: Run) -> None:
    wire = await text_session(run)
    await run.create_item(wire, run.words.user_text("Hello!"))
    events = await run.respond(wire)
    kinds = [e["type"] for e in events if e["type"].startswith("response.")]
    run.equal(kinds[0], "response.created", "the response's first event")
    run.equal(kinds.count("response.created"), 1, "response.created events")
    run.equal(kinds.count("response.done"), 1, "response.done events")
    done = events[-1]["response"]
    run.equal(done.get("id"), _created(events)["response"]["id"], "response.done id")
    usage = done.get("usage") or {}
    run.equal(
        usage.get("total_tokens"),
        (usage.get("input_tokens") or 0) + (usage.get("output_tokens") or 0),
        "usage.total_tokens = input + output",
    )


@scenario("3.9.6", "a response has at least one output item", grade="S")
async def output_present(run: Run) -> None:
    wire = await text_session(run)
    await run.create_item(wire, run.words.user_text("Hello!"))
    events = await run.respond(wire)
    run.check(
        output_items(events[-1]), "response.done output", expected="at least one item", got=[]
    )


async def tool_session(run: Run) -> WireSession:
    wire = await run.connect()
    forced = {"type": "function", "name": WEATHER_TOOL["name"]}
    await run.update(
        wire,
        run.words.text_only(),
        run.words.turn_detection(None),
        {"tools": [WEATHER_TOOL], "tool_choice": forced},
        needs="tools",
    )
    return wire


@scenario("3.9.7", "no automatic continuation after a function call", grade="D", needs=("tools",))
async def no_continuation(run: Run) -> None:
    words = run.words
    wire = await tool_session(run)
    await run.create_item(wire, words.user_text("What is the weather in Paris?"))
    events = await run.respond(wire)
    calls = [item for item in output_items(events[-1]) if item.get("type") == "function_call"]
    run.check(calls, "a function call", expected="function_call output", got=shape(events))
    await run.quietly(wire, "no response after the call")
    output = words.function_call_output(calls[0]["call_id"], '{"temperature": 20}')
    await run.create_item(wire, output)
    await run.quietly(wire, "no response after function_call_output")
    await run.update(wire, {"tool_choice": "none"})
    await run.respond(wire)


async def create_and_cancel(run: Run) -> tuple[str, list[dict[str, Any]]]:
    """``response.create`` and ``response.cancel`` back to back: ``cancelled`` or ``late``."""
    wire = await text_session(run)
    await run.create_item(wire, run.words.user_text("Count from one to fifty."))
    await wire.send({"type": "response.create"})
    await wire.send({"type": "response.cancel"})
    events = await wire.until("response.done")
    if events[-1]["response"]["status"] == "cancelled":
        return "cancelled", events
    if not events_of(events, "error"):
        events += await wire.until("error")
    error = events_of(events, "error")[0]["error"]
    run.error_is(error, code="response_cancel_not_active", message=_CANCEL_NOT_ACTIVE)
    return "late", events


@scenario("3.9.8", "response.cancel right after response.create", grade="O")
async def cancel_right_after(run: Run) -> None:
    outcome, _ = await create_and_cancel(run)
    if outcome == "cancelled":
        run.note("the cancel found the response")
    else:
        run.note("the cancel came before the response existed; the response completed")


async def cancelled_response(run: Run) -> list[dict[str, Any]]:
    """The events of a response cancelled by ``response.cancel`` (a few tries at the race)."""
    for _ in range(TRIES):
        outcome, events = await create_and_cancel(run)
        if outcome == "cancelled":
            return events
    raise Skip(f"could not provoke in {TRIES} tries: each response ended before its cancel")


@scenario("12.e1", "there is no response.cancelled event", grade="S")
async def no_response_cancelled(run: Run) -> None:
    events = await cancelled_response(run)
    run.check(
        not events_of(events, "response.cancelled"),
        "response.cancelled",
        expected="absent",
        got="present",
    )


@scenario(
    "3.10.1", "cancel without response_id: the default conversation's; with it: that one", grade="S"
)
async def cancel_targets(run: Run) -> None:
    words = run.words
    wire = await text_session(run)
    await run.create_item(wire, words.user_text("Count from one to fifty."))
    await wire.send({"type": "response.create"})
    await wire.send({"type": "response.create", "response": _oob(run, "Count to fifty.")})
    await wire.send({"type": "response.cancel"})
    done: dict[str, dict[str, Any]] = {}

    def both(event: dict[str, Any]) -> bool:
        if event["type"] == "response.done":
            key = "oob" if event["response"].get("conversation_id") is None else "default"
            done[key] = event["response"]
        return len(done) == 2

    events = await wire.until(both)
    run.check(
        done["oob"]["status"] != "cancelled",
        "the out-of-band response's status",
        expected="not cancelled by a cancel without response_id",
        got=done["oob"]["status"],
    )
    if done["default"]["status"] == "cancelled":
        run.note("the default-conversation response was cancelled")
    else:
        errors = events_of(events, "error") or await wire.until("error")
        run.error_is(errors[-1]["error"], code="response_cancel_not_active")
        run.note("the cancel came before the default-conversation response existed")
    await wire.send({"type": "response.create", "response": _oob(run, "Count to fifty.")})
    created = (await wire.until("response.created"))[-1]
    await wire.send({"type": "response.cancel", "response_id": created["response"]["id"]})
    events = await wire.until("response.done")
    status = events[-1]["response"]["status"]
    if status == "cancelled":
        run.note("the out-of-band response was cancelled by its response_id")
    else:
        error = (await wire.until("error"))[-1]["error"]
        run.error_is(error, code="response_cancel_not_active")
        run.note("the out-of-band response had ended before its cancel arrived")


@scenario(
    "3.10.2", "cancel: parts close, then response.done cancelled/client_cancelled", grade="S,U"
)
async def cancel_mid_response(run: Run) -> None:
    wire = await text_session(run)
    await run.create_item(wire, run.words.user_text("Count from one to fifty."))
    await wire.send({"type": "response.create"})
    await wire.until("response.created")
    await wire.send({"type": "response.cancel"})
    done = (await wire.until("response.done"))[-1]
    if done["response"]["status"] != "cancelled":
        await wire.until("error")
        done = (await cancelled_response(run))[-1]
    details = done["response"].get("status_details") or {}
    run.equal(details.get("type"), "cancelled", "status_details.type")
    run.equal(details.get("reason"), "client_cancelled", "status_details.reason")
    statuses = [item.get("status") for item in output_items(done)]
    if statuses:
        run.note(f"[U] cut items ended {sorted({str(status) for status in statuses})}")
    else:
        run.note("the response was cancelled before any output")


async def cancel_nothing(run: Run) -> None:
    wire = await text_session(run)
    error = await run.expect_error(
        wire,
        {"type": "response.cancel", "event_id": "kit_cancel_1"},
        code="response_cancel_not_active",
        message=_CANCEL_NOT_ACTIVE,
    )
    run.equal(error.get("param"), None, "error.param")
    await run.create_item(wire, run.words.user_text("Still fine?"))
    await run.respond(wire)


scenario("3.10.3", "cancel with nothing active: response_cancel_not_active", grade="O")(
    cancel_nothing
)
scenario("4f", "response.cancel with nothing active", grade="O")(cancel_nothing)
scenario("12.20", "response_cancel_not_active", grade="O")(cancel_nothing)


@scenario("3.10.4", "cancel of an unknown response_id is refused", grade="U")
async def cancel_unknown(run: Run) -> None:
    wire = await text_session(run)
    await run.expect_error(
        wire, {"type": "response.cancel", "response_id": "resp_kit_missing"}, code=ANY
    )


@scenario("3.11", "output_audio_buffer.clear over WebSocket is an unknown type", grade="O")
async def webrtc_only(run: Run) -> None:
    wire = await run.connect()
    error = await run.expect_error(
        wire,
        {"type": "output_audio_buffer.clear"},
        code="invalid_value",
        param="type",
        starts="Invalid value: 'output_audio_buffer.clear'. Supported values are: ",
    )
    listed = str(error.get("message")).count("'output_audio_buffer.clear'")
    run.equal(listed, 1, "times output_audio_buffer.clear is named (not among the supported)")


@scenario("3.12", "beta transcription_session.update; GA refuses it", grade="S,O")
async def transcription_session_update(run: Run) -> None:
    if run.ga:
        wire = await run.connect()
        await run.expect_error(
            wire,
            {"type": "transcription_session.update", "session": {}},
            code="invalid_value",
            param="type",
        )
        return
    if "transcription" in run.settings.disabled:
        raise Skip("--no-transcription")
    wire = await run.open(intent="transcription")
    first = await wire.recv()
    if first["type"] == "error":
        raise Skip(f"the server refused ?intent=transcription ({first['error'].get('code')})")
    run.equal(first["type"], "transcription_session.created", "first event")
    model = {"model": run.settings.transcription_model}
    session = await run.update(wire, {"input_audio_transcription": model}, needs="transcription")
    transcription = session.get("input_audio_transcription") or {}
    run.equal(transcription.get("model"), run.settings.transcription_model, "transcription model")
