"""Frames that once dropped the connection, each answered by one ``error`` (issue 13's table).

Socket-free: every frame goes through the dialect edge into the session core, as the
transport sends it, and the session must go on afterwards. The wire side of the same
frames (close codes, the outbox, the log) is in ``test_bad_frames_wire``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from openrealtime.audio.b64 import b64encode
from openrealtime.engines import CancelSignal
from openrealtime.engines.scripted.synthesizer import LONGEST_WORD, SAMPLE_RATE, ScriptedSynthesizer
from openrealtime.engines.tokens import count_tokens
from openrealtime.protocol import ProtocolError, beta, ga, json_too_deep
from openrealtime.server import SessionOptions
from openrealtime.server.session.response import responses

from ..server.core_checks import DIALECTS, assert_text_turn_works, invalid_request, only_error
from ..server.dialects import Dialect, configure, overrides, user_text
from ..server.harness import Harness, speech

NOT_TEXT = (
    "the string contains a lone UTF-16 surrogate (\\ud800), so it is not Unicode text. "
    "Surrogates are only valid in pairs."
)
TOO_DEEP = (
    "Invalid event: failed to parse JSON value. It is nested more than 200 levels deep, "
    "the most this server reads."
)


async def one_error_then_a_turn(dialect: Dialect, frame: str) -> dict[str, Any]:
    async with Harness(dialect=dialect) as h:
        h.take()
        await h.send(frame)
        error = only_error(h)
        # The error must survive the trip back to text, as the transport sends it.
        for raw in h.frames:
            raw.encode("utf-8")
        await assert_text_turn_works(h)
        return error


def session_update(dialect: Dialect, **fields: Any) -> dict[str, Any]:
    session = {"type": "realtime", **fields} if dialect == "ga" else fields
    return {"type": "session.update", "session": session}


# -- a lone surrogate ----------------------------------------------------------------------------


@pytest.mark.spec("12.27")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_lone_surrogate_in_the_event_id(dialect: Dialect) -> None:
    frame = '{"type":"input_audio_buffer.clear","event_id":"\\ud800"}'
    error = await one_error_then_a_turn(dialect, frame)
    # The event_id is not text, so it cannot be sent back: the error carries none.
    assert error == invalid_request(
        "invalid_value", f"Invalid value for 'event_id': {NOT_TEXT}", "event_id", None
    )


@pytest.mark.spec("12.27")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_lone_surrogate_in_another_string(dialect: Dialect) -> None:
    frame = json.dumps(session_update(dialect, instructions="Be brief \ud800"))
    frame = frame.replace('"type": "session.update"', '"type": "session.update", "event_id": "s1"')
    assert "\\ud800" in frame
    error = await one_error_then_a_turn(dialect, frame)
    assert error == invalid_request(
        "invalid_value",
        f"Invalid value for 'session.instructions': {NOT_TEXT}",
        "session.instructions",
        "s1",
    )


@pytest.mark.spec("12.27")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_lone_surrogate_in_a_key(dialect: Dialect) -> None:
    frame = '{"type":"response.create","event_id":"k1","response":{"\\udc00x":1}}'
    error = await one_error_then_a_turn(dialect, frame)
    message = "Invalid value for 'response': a key contains a lone UTF-16 surrogate (\\udc00)"
    assert error["message"].startswith(message)
    assert (error["code"], error["param"], error["event_id"]) == ("invalid_value", "response", "k1")


@pytest.mark.spec("12.27")
def test_an_unescaped_surrogate_in_python_text_is_the_same_error() -> None:
    # Over a socket text is UTF-8, but an embedder may pass any str to parse().
    with pytest.raises(ProtocolError) as caught:
        ga.ClientEvent.parse('{"type":"input_audio_buffer.clear","event_id":"\ud800"}')
    assert (caught.value.code, caught.value.param, caught.value.event_id) == (
        "invalid_value",
        "event_id",
        None,
    )


def test_paired_surrogates_are_text() -> None:
    event = ga.ClientEvent.parse('{"type":"input_audio_buffer.clear","event_id":"\\ud83d\\ude00"}')
    assert event.event_id == "\U0001f600"


# -- deep nesting --------------------------------------------------------------------------------


@pytest.mark.spec("12.28")
@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("depth", [200, 500, 999, 1000, 5000])
async def test_json_nested_too_deep(dialect: Dialect, depth: int) -> None:
    nested = "[" * depth + "]" * depth
    frame = f'{{"type":"response.create","event_id":"deep","response":{{"metadata":{nested}}}}}'
    error = await one_error_then_a_turn(dialect, frame)
    # Too deep to read: not even its event_id.
    assert error == invalid_request("invalid_json", TOO_DEEP, None, None)


def test_nesting_is_measured_outside_strings() -> None:
    assert not json_too_deep('{"a": "' + "[" * 500 + '"}')
    assert not json_too_deep(b"[" * 200 + b"]" * 200)
    assert json_too_deep("[" * 201 + "]" * 201)
    assert json_too_deep('{"a":"\\"}' + "{" * 201)
    assert not json_too_deep('["\\"[[[", ' + "[" * 150 + "]" * 151)


def test_nesting_within_the_limit_is_read() -> None:
    nested = "[" * 195 + "]" * 195
    with pytest.raises(ProtocolError) as caught:
        ga.ClientEvent.parse(f'{{"type":"response.create","response":{{"metadata":{nested}}}}}')
    assert caught.value.code == "invalid_type"


# -- null where a number or a string was assumed ---------------------------------------------------


@pytest.mark.spec("3.9.3")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_null_max_output_tokens_means_the_sessions_value(dialect: Dialect) -> None:
    key = "max_output_tokens" if dialect == "ga" else "max_response_output_tokens"
    async with Harness(dialect=dialect) as h:
        await h.send(configure(dialect, text=True, max_tokens=4000))
        await h.send(user_text("Hello"))
        await h.send({"type": "response.create", "response": {key: None}})
        await h.settle()
        assert "error" not in h.types()
        done = h.of_type("response.done")[-1].response
        assert done.status == "completed"
        assert done.max_output_tokens == 4000


@pytest.mark.spec("3.9.3")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_every_null_override_means_the_sessions_value(dialect: Dialect) -> None:
    nulls = dict.fromkeys(
        ["instructions", "tools", "tool_choice", "metadata", "conversation", "input"], None
    )
    params = overrides(dialect, **nulls)
    if dialect == "ga":
        params.update(output_modalities=None, audio={"output": {"voice": None, "format": None}})
    else:
        params.update(modalities=None, voice=None, output_audio_format=None, temperature=None)
    async with Harness(dialect=dialect) as h:
        await h.send(configure(dialect, text=True, instructions="Be brief."))
        await h.send(user_text("Hello"))
        await h.send({"type": "response.create", "response": params})
        await h.settle()
        assert "error" not in h.types()
        done = h.of_type("response.done")[-1].response
        assert done.status == "completed"
        voice = done.voice if dialect == "beta" else done.audio.output.voice
        assert voice == "alloy"
        assert done.output[0].content[0].text == "You said: Hello"


@pytest.mark.parametrize("dialect", DIALECTS)
async def test_inline_input_audio_without_an_id(dialect: Dialect) -> None:
    """A response's inline input item may have no id, or a null one, and carry audio."""
    part_type = "input_audio"
    audio = b64encode(speech("Hello there"))
    async with Harness(dialect=dialect) as h:
        for item_id in ({}, {"id": None}):
            item = {"type": "message", "role": "user", **item_id}
            item["content"] = [{"type": part_type, "audio": audio}]
            await h.send(
                {
                    "type": "response.create",
                    "response": {**overrides(dialect, text=True), "input": [item]},
                }
            )
            await h.settle()
            done = h.of_type("response.done")[-1].response
            assert done.status == "completed", done.status_details
        assert "error" not in h.types()


# -- values echoed in errors ---------------------------------------------------------------------

LONG = "x" * 100_000
CUT = "x" * 512 + "…(+99488 chars)"


@pytest.mark.spec("12.31")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_long_unknown_type_is_cut_in_the_error(dialect: Dialect) -> None:
    error = await one_error_then_a_turn(dialect, json.dumps({"type": LONG, "event_id": "t"}))
    assert error["message"].startswith(f"Invalid value: '{CUT}'. Supported values are: ")
    assert len(error["message"]) < 1500


@pytest.mark.spec("12.31")
@pytest.mark.parametrize(
    ("event", "param", "message"),
    [
        (
            {"type": "conversation.item.retrieve", "item_id": LONG},
            "item_id",
            f"Item with item_id not found: {CUT}",
        ),
        (
            {"type": "conversation.item.delete", "item_id": LONG},
            "item_id",
            f"Item with item_id not found: {CUT}",
        ),
        (
            {"type": "response.cancel", "response_id": LONG},
            "response_id",
            f"Response with response_id not found: {CUT}",
        ),
        (
            {"type": "session.update", "session": {"type": "realtime", LONG: 1}},
            f"session.{'x' * 504}…(+99496 chars)",
            f"Unknown parameter: 'session.{'x' * 504}…(+99496 chars)'.",
        ),
        (
            {"type": "session.update", "session": {"type": "realtime", "model": LONG}},
            "session.model",
            f'Model "{CUT}" is not supported in realtime mode.',
        ),
    ],
    ids=["retrieve", "delete", "cancel", "unknown-field", "model"],
)
async def test_long_values_are_cut_in_errors(
    event: dict[str, Any], param: str, message: str
) -> None:
    error = await one_error_then_a_turn("ga", json.dumps(event))
    assert (error["param"], error["message"]) == (param, message)


@pytest.mark.spec("12.31")
def test_a_long_enum_value_is_cut() -> None:
    with pytest.raises(ProtocolError) as caught:
        beta.ClientEvent.parse(
            json.dumps({"type": "session.update", "session": {"input_audio_format": LONG}})
        )
    assert caught.value.message.startswith(f"Invalid value: '{CUT}'. Supported values are: ")


# -- found by the fuzzer ---------------------------------------------------------------------------


@pytest.mark.spec("12.10")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_an_unknown_field_named_empty(dialect: Dialect) -> None:
    frame = json.dumps({"type": "input_audio_buffer.clear", "event_id": "e", "": 1})
    error = await one_error_then_a_turn(dialect, frame)
    assert error == invalid_request("unknown_parameter", "Unknown parameter: ''.", "", "e")


async def test_beta_tools_and_tool_choice_without_type() -> None:
    """Beta's function tools may leave out ``type``; GA's need it, so translation adds it."""
    tool = {"name": "get_weather", "parameters": {"type": "object"}}
    async with Harness(dialect="beta") as h:
        h.take()
        update = {"tools": [tool], "tool_choice": "auto"}
        await h.send({"type": "session.update", "session": update})
        (updated,) = h.take()
        assert updated.type == "session.updated"
        assert [t.name for t in updated.session.tools] == ["get_weather"]
        choice = {"name": "get_weather"}
        await h.send(user_text("Hello"))
        await h.send(
            {
                "type": "response.create",
                "response": {"modalities": ["text"], "tools": [tool], "tool_choice": choice},
            }
        )
        await h.settle()
        assert "error" not in h.types()
        assert h.of_type("response.done")[-1].response.status == "completed"


@pytest.mark.spec("3.9.10")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_inf_output_tokens_is_the_models_most_not_unbounded(dialect: Dialect) -> None:
    """An echo of 10,000 words would be a reply that grows with the input without end."""
    async with Harness(dialect=dialect) as h:
        await h.send(configure(dialect, text=True))
        await h.send(user_text("word " * 10_000))
        await h.send({"type": "response.create"})
        await h.settle(limit=3000)
        done = h.of_type("response.done")[-1].response
        assert (done.status, done.status_details.reason) == ("incomplete", "max_output_tokens")
        assert done.max_output_tokens == "inf"
        assert done.usage.output_tokens == 4096


async def test_inf_output_tokens_is_configurable() -> None:
    async with Harness(options=SessionOptions(inf_output_tokens=50)) as h:
        await h.send(configure("ga", text=False))
        await h.send(user_text("word " * 200))
        await h.send({"type": "response.create"})
        await h.settle()
        done = h.of_type("response.done")[-1].response
        assert done.status == "incomplete"
        assert done.usage.output_tokens <= 50


async def test_a_long_item_is_counted_once_not_for_every_response(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Counting the whole input again for every response held the loop for everyone."""
    long_text = "ab, " * 250_000
    counted: list[int] = []

    def counting(text: str) -> int:
        counted.append(len(text))
        return count_tokens(text)

    monkeypatch.setattr(responses, "count_tokens", counting)
    async with Harness() as h:
        await h.send(configure("ga", text=True))
        await h.send(user_text(long_text))
        await h.send(user_text("Short, to keep the replies short"))
        for _ in range(3):
            await h.send({"type": "response.create", "response": {"conversation": "none"}})
            await h.settle()
        dones = h.of_type("response.done")
        assert len(dones) == 3
        assert len({done.response.usage.input_tokens for done in dones}) == 1
        assert counted.count(len(long_text)) == 1


async def test_the_scripted_voice_speaks_a_huge_word_in_pieces() -> None:
    """One 100,000-character word was 100 minutes of audio made at once, holding the loop."""

    async def text() -> AsyncIterator[str]:
        yield "Hi " + "a" * 100_000 + " there"

    synthesizer = ScriptedSynthesizer(pace=0)
    chunks = []
    async for chunk in synthesizer.synthesize(
        text(), voice="alloy", speed=1.0, cancel=CancelSignal()
    ):
        chunks.append(chunk)
        if len(chunks) == 3:
            break
    longest = max(len(chunk.pcm) for chunk in chunks)
    assert longest <= 2 * SAMPLE_RATE * LONGEST_WORD * 0.06 * 1.5
    assert [word.word for word in chunks[1].words] == ["a" * LONGEST_WORD]
