"""§12: the error catalogue, and the known errors in OpenAI's documents."""

from __future__ import annotations

import json

from ...wire import ServerClosed
from ..context import ANY, Run
from ..model import Fail, NotApplicable, Skip
from ..registry import scenario
from ._common import text_session
from .connection import BAD_MODEL
from .items import check_object

WRONG_KEY = "sk-kit-wrong-key-0000AAAA"
OVERSIZED_FRAME_BYTES = 40 * 1024 * 1024


def _needs_key(run: Run) -> None:
    if run.settings.api_key is None:
        raise Skip("needs --api-key: a server without keys accepts any key, or none")


@scenario("12.1", "invalid_api_key, close 3000", grade="O")
async def wrong_key(run: Run) -> None:
    _needs_key(run)
    wire = await run.open(api_key=WRONG_KEY)
    error = await run.expect_refused(wire, code="invalid_api_key", close=3000)
    run.error_is(error, code="invalid_api_key", starts="Incorrect API key provided: ")
    run.check(
        WRONG_KEY not in str(error.get("message")),
        "error.message",
        expected="the key masked",
        got=error.get("message"),
    )


@scenario("12.2", "no credentials: code null, close 3000", grade="O")
async def no_key(run: Run) -> None:
    _needs_key(run)
    wire = await run.open(api_key=None)
    error = await run.expect_refused(wire, code=None, close=3000)
    run.equal(
        error.get("message"), "Missing bearer or basic authentication in header", "error.message"
    )


@scenario("12.3", "missing_model, close 4000", grade="O")
async def missing_model(run: Run) -> None:
    wire = await run.open(model=None)
    error = await run.expect_refused(wire, code="missing_model", close=4000)
    run.error_is(error, code="missing_model", starts="You must provide a model parameter")


@scenario("12.4", "invalid_model, close 4000", grade="O")
async def invalid_model(run: Run) -> None:
    wire = await run.open(model=BAD_MODEL)
    error = await run.expect_refused(wire, code="invalid_model", close=4000)
    run.error_is(
        error,
        code="invalid_model",
        starts=f'Model "{BAD_MODEL}" is not supported in realtime mode.',
    )


@scenario("12.5", "beta_api_shape_disabled: served or refused", grade="O")
async def beta_shape(run: Run) -> None:
    wire = await run.open(dialect="beta")
    first = await wire.recv()
    if first["type"] == "session.created":
        run.note("the server serves the beta dialect")
        return
    await wire.wait_closed()
    run.error_is(
        first.get("error") or {},
        code="beta_api_shape_disabled",
        message="The Realtime Beta API is no longer supported. Please use /v1/realtime for the "
        "GA API.",
    )
    run.equal(wire.close_frame, (4000, "invalid_request_error.beta_api_shape_disabled"), "close")
    run.note("the server refuses the beta dialect")


@scenario("12.7", "invalid_event: a binary frame; a missing type", grade="O,S")
async def invalid_event(run: Run) -> None:
    wire = await text_session(run)
    await run.expect_error(
        wire,
        b"\x00\x01binary",
        code="invalid_event",
        param=None,
        message="Expected a text WebSocket message; binary frames are not supported.",
    )
    await run.expect_error(
        wire,
        json.dumps({"session": {}}),
        code="invalid_event",
        message="The 'type' field is missing.",
    )
    await run.update(wire, {"instructions": "Still here."})


@scenario("12.8", "invalid_json", grade="O")
async def invalid_json(run: Run) -> None:
    wire = await text_session(run)
    await run.expect_error(
        wire,
        "{not json",
        code="invalid_json",
        param=None,
        starts="Invalid event: failed to parse JSON value.",
    )
    await run.update(wire, {"instructions": "Still here."})


@scenario("12.9", "invalid_value: an unknown type; a bad enum", grade="O")
async def invalid_value(run: Run) -> None:
    words = run.words
    wire = await text_session(run)
    await run.expect_error(
        wire,
        {"type": "kit.nope"},
        code="invalid_value",
        param="type",
        starts="Invalid value: 'kit.nope'. Supported values are: 'session.update'",
    )
    where = "session.audio.input.turn_detection.type" if run.ga else "session.turn_detection.type"
    await run.expect_error(
        wire,
        {
            "type": "session.update",
            "session": words.session(words.turn_detection({"type": "bogus_vad"})),
        },
        code="invalid_value",
        param=where,
        starts="Invalid value: 'bogus_vad'.",
    )


@scenario("12.10", "unknown_parameter", grade="O")
async def unknown_parameter(run: Run) -> None:
    wire = await text_session(run)
    await run.expect_error(
        wire,
        {"type": "session.update", "session": run.words.session({"bogus_field": 1})},
        code="unknown_parameter",
        param="session.bogus_field",
        message="Unknown parameter: 'session.bogus_field'.",
    )


@scenario("12.11", "a missing parameter", grade="O,U")
async def missing_parameter(run: Run) -> None:
    wire = await text_session(run)
    item = {"role": "user", "content": [{"type": "input_text", "text": "Hi"}]}
    await run.expect_error(
        wire,
        {"type": "conversation.item.create", "item": item},
        code=ANY,
        message="Missing required parameter: 'item.type'.",
    )


@scenario("12.12", "a wrong JSON type", grade="O,U")
async def wrong_type(run: Run) -> None:
    wire = await text_session(run)
    item = {"type": "message", "role": "user", "content": "Hi"}
    await run.expect_error(
        wire,
        {"type": "conversation.item.create", "item": item},
        code=ANY,
        starts="Invalid type for 'item.content': expected an array",
    )


@scenario("12.13", "integer_below_min_value", grade="O")
async def integer_range(run: Run) -> None:
    words = run.words
    wire = await run.connect()
    body: dict[str, object]
    if run.ga:
        body = {"audio": {"input": {"format": {"type": "audio/pcm", "rate": 16000}}}}
        where, bound = "session.audio.input.format.rate", 24000
    else:
        body = {"max_response_output_tokens": 0}
        where, bound = "session.max_response_output_tokens", 1
    await run.expect_error(
        wire,
        {"type": "session.update", "session": words.session(body)},
        code="integer_below_min_value",
        param=where,
        starts=f"Invalid '{where}': integer below minimum value. Expected a value >= {bound}",
    )


@scenario("12.14", "a decimal out of range", grade="O")
async def decimal_range(run: Run) -> None:
    words = run.words
    wire = await run.connect()
    if run.ga:
        body, where, value = words.speed(0.1), "session.audio.output.speed", "0.1"
    else:
        body, where, value = {"temperature": 0.3}, "session.temperature", "0.3"
    error = await run.expect_error(
        wire,
        {"type": "session.update", "session": words.session(body)},
        code=ANY,
        param=where,
        starts=f"Invalid '{where}': decimal below minimum value.",
        contains=f"but got {value} instead.",
    )
    if error.get("code") != "decimal_below_min_value":
        run.note(f"code {error.get('code')!r} (ours is decimal_below_min_value)")


@scenario("12.25", "server_error", grade="O")
async def server_error(run: Run) -> None:
    raise NotApplicable("no client input may cause a server_error: it cannot be provoked")


@scenario("12.26", "a frame over the transport cap", grade="ours")
async def oversized_frame(run: Run) -> None:
    wire = await text_session(run)
    frame = '{"type":"input_audio_buffer.append","audio":"' + "A" * OVERSIZED_FRAME_BYTES + '"}'
    try:
        await wire.send_raw(frame)
        answer = (await wire.until("error"))[-1]
    except ServerClosed as closed:
        if closed.code == 1009:
            run.note(f"ours: closed 1009 {closed.reason!r}")
        else:
            run.note(f"closed {closed.code} {closed.reason!r}")
        return
    run.note(f"answered with an error: {answer['error'].get('code')}")


@scenario("12.e4", "silence_duration_ms defaults to 200", grade="O", needs=("vad",))
async def default_silence(run: Run) -> None:
    wire = await run.connect()
    detection = run.words.read_turn_detection(wire.events[0]["session"])
    if not isinstance(detection, dict):
        raise Fail("the default turn detection", expected="server_vad", got=detection)
    run.equal(detection.get("type"), "server_vad", "the default turn_detection.type")
    run.equal(detection.get("silence_duration_ms"), 200, "the default silence_duration_ms")


@scenario("12.e6", "GA conversation.item.create gives added and done", grade="O")
async def item_added_done(run: Run) -> None:
    words = run.words
    wire = await text_session(run)
    await wire.send({"type": "conversation.item.create", "item": words.user_text("Hi")})
    events = await wire.until(words.item_echo_last)
    run.order([e["type"] for e in events], list(words.item_echo), "the echo")


@scenario("12.e7", "GA items carry no object; beta items realtime.item", grade="O")
async def item_object(run: Run) -> None:
    wire = await text_session(run)
    echo = await run.create_item(wire, run.words.user_text("Hi"))
    check_object(run, echo["item"])


@scenario(
    "12.e8",
    "transcription sessions are realtime.transcription_session",
    grade="O",
    needs=("transcription",),
)
async def transcription_object(run: Run) -> None:
    wire = await run.open(intent="transcription")
    first = await wire.recv()
    if first["type"] == "error":
        raise Skip(f"the server refused ?intent=transcription ({first['error'].get('code')})")
    run.equal(first["type"], run.words.transcription_created, "first event")
    run.equal(first["session"].get("object"), "realtime.transcription_session", "session.object")


@scenario(
    "12.e9", "the input transcription model is configurable", grade="S", needs=("transcription",)
)
async def transcription_model(run: Run) -> None:
    words = run.words
    wire = await run.connect()
    for model in ("whisper-1", "gpt-4o-transcribe"):
        session = await run.update(
            wire, words.transcription({"model": model}), needs="transcription"
        )
        run.equal(
            (words.read_transcription(session) or {}).get("model"), model, "transcription model"
        )


@scenario(
    "12.e10",
    "beta conversation.created: sent (spec) or not (2025 captures)",
    grade="S,O",
    dialects=("beta",),
)
async def beta_conversation_created(run: Run) -> None:
    wire = await run.connect()
    events = await wire.drain(run.quiet)
    kinds = [e["type"] for e in events]
    if kinds == ["conversation.created"]:
        conversation = events[0].get("conversation") or {}
        run.check(
            str(conversation.get("id", "")).startswith("conv_"),
            "conversation.id",
            expected="conv_...",
            got=conversation.get("id"),
        )
        run.note("conversation.created sent, as the spec says")
    else:
        run.equal(kinds, [], "events after session.created")
        run.note("no conversation.created, as the 2025 captures show")
