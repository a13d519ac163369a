"""§3.1 ``session.update``."""

from __future__ import annotations

from typing import Any

from ..context import ANY, WEATHER_TOOL, Run
from ..registry import scenario
from ._common import audio_reply, text_session, vad
from .connection import BAD_MODEL


@scenario("3.1.1", "beta body: flat fields", grade="S,O", dialects=("beta",))
async def beta_flat_fields(run: Run) -> None:
    wire = await run.connect()
    fields: dict[str, Any] = {
        "instructions": "Be brief.",
        "modalities": ["text"],
        "voice": "ash",
        "temperature": 0.7,
        "turn_detection": None,
        "tool_choice": "none",
        "max_response_output_tokens": 100,
    }
    session = await run.update(wire, fields)
    for name, value in fields.items():
        run.equal(session.get(name), value, f"session.{name}")


@scenario("3.1.2", "GA body: session.type is required", grade="O", dialects=("ga",))
async def type_required(run: Run) -> None:
    wire = await run.connect()
    await run.expect_error(
        wire,
        {"type": "session.update", "session": {"instructions": "Hi."}},
        code=ANY,
        message="Missing required parameter: 'session.type'.",
    )


async def transcription_update_refused(run: Run) -> None:
    wire = await run.connect()
    if run.ga:
        await run.expect_error(
            wire,
            {"type": "session.update", "session": {"type": "transcription"}},
            code="invalid_parameter",
            message="Passing a transcription session update event to a realtime session is not "
            "allowed.",
        )
    else:
        await run.expect_error(
            wire,
            {"type": "transcription_session.update", "session": {}},
            code="invalid_parameter",
        )


scenario("3.1.3", "a transcription update on a realtime session is invalid_parameter", grade="O")(
    transcription_update_refused
)
scenario("12.16", "invalid_parameter", grade="O")(transcription_update_refused)


@scenario("3.1.4", 'only present fields change; "", [] and null clear', grade="S")
async def partial_updates(run: Run) -> None:
    words = run.words
    wire = await run.connect()
    with_tools = "tools" not in run.settings.disabled
    first: dict[str, Any] = {"instructions": "Answer briefly.", "tool_choice": "none"}
    if with_tools:
        first["tools"] = [WEATHER_TOOL]
    await run.update(wire, first)
    session = await run.update(wire, {"tool_choice": "auto"})
    run.equal(session.get("instructions"), "Answer briefly.", "instructions after another update")
    if with_tools:
        run.equal(len(session.get("tools") or []), 1, "tools after another update")
        session = await run.update(wire, {"tools": []})
        run.equal(session.get("tools"), [], "tools after []")
    session = await run.update(wire, {"instructions": ""})
    run.equal(session.get("instructions"), "", 'instructions after ""')
    session = await run.update(wire, words.turn_detection(None))
    run.equal(words.read_turn_detection(session), None, "turn_detection after null")


@scenario("3.1.5", "nested objects: replaced whole or merged", grade="U", needs=("vad",))
async def nested_objects(run: Run) -> None:
    words = run.words
    wire = await run.connect()
    await run.update(wire, words.turn_detection(vad(silence_duration_ms=700)), needs="vad")
    session = await run.update(
        wire, words.turn_detection({"type": "server_vad", "threshold": 0.6}), needs="vad"
    )
    detection = words.read_turn_detection(session) or {}
    run.equal(detection.get("threshold"), 0.6, "turn_detection.threshold")
    silence_ms = detection.get("silence_duration_ms")
    if silence_ms == 700:
        run.note("[U] turn_detection was merged: silence_duration_ms kept at 700")
    else:
        run.note(f"[U] turn_detection was replaced whole: silence_duration_ms {silence_ms}")


@scenario("3.1.6", "session.updated carries the full session; no event_id echo", grade="S,O")
async def full_session(run: Run) -> None:
    wire = await run.connect()
    created = wire.events[0]["session"]
    sent = await wire.send(
        {"type": "session.update", "session": run.words.session({"instructions": "Be kind."})}
    )
    event = (await wire.until("session.updated"))[-1]
    run.check(
        event["event_id"] != sent,
        "session.updated.event_id",
        expected="not the client's",
        got=event["event_id"],
    )
    session = event["session"]
    run.equal(session.get("instructions"), "Be kind.", "session.instructions")
    run.equal(session.get("id"), created.get("id"), "session.id")
    run.equal(session.get("expires_at"), created.get("expires_at"), "session.expires_at")
    missing = sorted(set(created) - set(session))
    run.equal(missing, [], "fields of session.created missing from session.updated")


@scenario("3.1.7", "a rejected update changes nothing", grade="O")
async def rejected_atomically(run: Run) -> None:
    words = run.words
    wire = await run.connect()
    await run.update(wire, {"instructions": "Before."})
    await run.expect_error(
        wire,
        {
            "type": "session.update",
            "session": words.session({"instructions": "After."}, words.modalities(["bogus"])),
        },
        code="invalid_value",
    )
    session = await run.update(wire, {"tool_choice": "auto"})
    run.equal(session.get("instructions"), "Before.", "instructions after a rejected update")


async def voice_lock(run: Run) -> None:
    words = run.words
    wire = await run.connect()
    session = await run.update(wire, words.audio_out(), words.turn_detection(None), needs="audio")
    voice = words.read_voice(session)
    await audio_reply(run, wire, "Say hello.")
    other = "echo" if voice != "echo" else "alloy"
    await run.expect_error(
        wire,
        {"type": "session.update", "session": words.session(words.voice(other))},
        code="cannot_update_voice",
        message="Cannot update a conversation's voice if assistant audio is present.",
    )
    await wire.send({"type": "session.update", "session": words.session(words.voice(voice))})
    answer = (await wire.until(("session.updated", "error")))[-1]
    if answer["type"] == "error":
        run.note(f"[U] the same voice again is refused ({answer['error'].get('code')})")
    else:
        run.note("[U] the same voice again is accepted")


scenario(
    "3.1.8",
    "the voice locks after assistant audio: cannot_update_voice",
    grade="O",
    needs=("audio",),
)(voice_lock)
scenario("12.17", "cannot_update_voice", grade="O", needs=("audio",))(voice_lock)


@scenario("3.1.9", "model: the session's own is accepted; an unknown one is refused", grade="S,O")
async def session_model(run: Run) -> None:
    wire = await run.connect()
    session = await run.update(wire, {"model": run.settings.model})
    run.equal(session.get("model"), run.settings.model, "session.model")
    await run.expect_error(
        wire,
        {"type": "session.update", "session": run.words.session({"model": BAD_MODEL})},
        code=ANY,
    )
    await run.quietly(wire, "nothing follows a refused update")


@scenario("3.1.10", "speed changes between turns", grade="S")
async def speed_between_turns(run: Run) -> None:
    words = run.words
    wire = await run.connect()
    session = await run.update(wire, words.speed(1.2))
    run.equal(words.read_speed(session), 1.2, "speed")


@scenario("3.1.11", "updates while a response runs apply to later responses", grade="U")
async def update_mid_response(run: Run) -> None:
    wire = await text_session(run)
    await run.create_item(wire, run.words.user_text("Count from one to ten."))
    await wire.send({"type": "response.create"})
    await wire.send({"type": "session.update", "session": run.words.session({"instructions": "X"})})
    outcome: dict[str, str] = {}

    def settled(event: dict[str, Any]) -> bool:
        kind = event["type"]
        if kind == "response.done":
            outcome["response"] = event["response"]["status"]
        elif kind in ("session.updated", "error"):
            outcome["update"] = kind
        return len(outcome) == 2

    await wire.until(settled)
    run.equal(outcome["response"], "completed", "the response's status")
    if outcome["update"] == "error":
        run.note("[U] the update was refused while a response ran")
    else:
        run.note("[U] the update was applied while a response ran")
