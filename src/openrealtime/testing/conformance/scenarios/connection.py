"""Connection rows (§1, §2): opening, first events, expiry, pings, event ids."""

from __future__ import annotations

import time

from ..context import Run
from ..model import Fail, Skip
from ..registry import scenario
from ._common import events_of, text_session

BAD_MODEL = "gpt-nope-conformance"
PING_WAIT = 30.0


@scenario(
    "1.1", "?model= opens a realtime session; ?intent=transcription a transcription one", grade="O"
)
async def opens_sessions(run: Run) -> None:
    wire = await run.connect()
    session = wire.events[0]["session"]
    run.equal(session.get("object"), "realtime.session", "session.object")
    if run.ga:
        run.equal(session.get("type"), "realtime", "session.type")
    if "transcription" in run.settings.disabled:
        run.note("transcription sessions not tried (--no-transcription)")
        return
    other = await run.open(intent="transcription")
    first = await other.recv()
    if first["type"] == "error":
        error = first["error"]
        raise Skip(f"the server refused ?intent=transcription ({error.get('code')})")
    run.equal(first["type"], run.words.transcription_created, "first event")
    if run.ga:
        run.equal(first["session"].get("type"), "transcription", "session.type")


@scenario(
    "1.2", "the upgrade succeeds; a bad model is one error, then close 4000 type.code", grade="O"
)
async def bad_model_closes(run: Run) -> None:
    wire = await run.open(model=BAD_MODEL)
    await run.expect_refused(wire, code="invalid_model", close=4000)


@scenario("1.3", "session.created first; GA sends no conversation.created", grade="S,O")
async def first_events(run: Run) -> None:
    wire = await run.open()
    # Client events sent before session.created are processed in order, after it.
    await wire.send(
        {"type": "session.update", "session": run.words.session({"instructions": "Hi."})}
    )
    first = await wire.recv()
    run.equal(first["type"], "session.created", "first event")
    session = first["session"]
    run.check(
        str(session.get("id", "")).startswith("sess_"),
        "session.id",
        expected="sess_...",
        got=session.get("id"),
    )
    run.check(
        isinstance(session.get("expires_at"), int),
        "session.expires_at",
        expected="a unix time in seconds",
        got=session.get("expires_at"),
    )
    events = await wire.until("session.updated")
    others = [e["type"] for e in events[:-1]]
    if run.ga:
        run.equal(others, [], "events between session.created and session.updated")
    elif others == ["conversation.created"]:
        run.note("beta: conversation.created sent, as the spec says")
    else:
        run.equal(others, [], "events between session.created and session.updated")
        run.note("beta: no conversation.created, as the 2025 captures show")


async def expires(run: Run) -> None:
    wire = await run.connect()
    expires_at = wire.events[0]["session"]["expires_at"]
    wait = expires_at - time.time()
    if wait > 2 * 3600:
        raise Fail("session.expires_at", expected="at most 60 minutes ahead", got=expires_at)
    events = await wire.until("error", timeout=max(wait, 0) + 30)
    error = events[-1]["error"]
    run.error_is(error, code="session_expired", starts="Your session hit the maximum duration of ")
    run.equal(error.get("event_id"), None, "error.event_id")
    code, _reason = await wire.wait_closed()
    if code != 1001:
        run.note(f"closed with {code} (1001 was observed from OpenAI)")


scenario("1.4", "session expiry: session_expired, then a close", grade="O", slow=True)(expires)
scenario("12.6", "session_expired at expires_at, then a close", grade="O", slow=True)(expires)


@scenario("1.4.1", "the server pings about every 20 s", grade="O", slow=True)
async def pings(run: Run) -> None:
    wire = await text_session(run)
    started = time.monotonic()
    while not wire.pings and time.monotonic() - started < PING_WAIT:
        await run.quietly(wire, "an idle session sends no events")
    run.check(wire.pings, "a WebSocket ping", expected=f"one within {PING_WAIT:g} s", got="none")
    await run.create_item(wire, run.words.user_text("Still there?"))
    await run.respond(wire)


@scenario("2.1", "every server event has a fresh event_id; the client's only in errors", grade="O")
async def event_ids(run: Run) -> None:
    wire = await run.connect()
    sent = await wire.send(
        {"type": "session.update", "session": run.words.session({"instructions": "Hi."})}
    )
    updated = (await wire.until("session.updated"))[-1]
    run.check(
        updated["event_id"] != sent,
        "session.updated.event_id",
        expected="the server's own id",
        got=updated["event_id"],
    )
    await run.expect_error(
        wire,
        {"type": "response.cancel", "event_id": "kit_2_1_cancel"},
        code="response_cancel_not_active",
    )
    for event in wire.events:
        run.check(
            str(event["event_id"]).startswith("event_"),
            f"{event['type']}.event_id",
            expected="event_...",
            got=event["event_id"],
        )


@scenario("2.2", "GA text deltas carry obfuscation; beta's do not", grade="O")
async def obfuscation(run: Run) -> None:
    wire = await text_session(run)
    await run.create_item(wire, run.words.user_text("Say hello in five words."))
    events = await run.respond(wire)
    deltas = events_of(events, run.words.text_delta)
    run.check(deltas, "text deltas", expected="at least one", got="none")
    for delta in deltas:
        if run.ga:
            run.check(
                isinstance(delta.get("obfuscation"), str),
                "delta.obfuscation",
                expected="a string",
                got=delta.get("obfuscation"),
            )
        else:
            run.check(
                "obfuscation" not in delta,
                "beta delta.obfuscation",
                expected="absent",
                got=delta.get("obfuscation"),
            )
