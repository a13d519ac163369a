"""``response.create`` (docs/behaviour.md §3.9), in both dialects."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest

from openrealtime.audio.b64 import b64decode, b64encode
from openrealtime.engines import EngineBase, ResponseRequest, TextDelta
from openrealtime.engines.base import ResponderOutput
from openrealtime.engines.scripted import GREETING
from openrealtime.engines.scripted.script import FunctionCallSpec, Rule, Script

from ..traces import WEATHER_TOOL, function_call, response_of, text_message, text_response
from .core_checks import reply_to
from .dialects import Dialect, configure, overrides, user_text
from .harness import Harness, speech
from .invariants import Make, traced

DIALECTS = pytest.mark.parametrize("dialect", ["ga", "beta"])
LOOKUP_TOOL = {"type": "function", "name": "lookup", "parameters": {"type": "object"}}


@pytest.fixture
async def make() -> AsyncIterator[Make]:
    async with traced() as factory:
        yield factory


def create(dialect: Dialect, **params: Any) -> dict[str, Any]:
    return {"type": "response.create", "response": overrides(dialect, **params)}


def resources(h: Harness, kind: str = "response.done") -> list[dict[str, Any]]:
    return [e.response.to_dict() for e in h.of_type(kind)]


def replies(h: Harness) -> list[str]:
    """The text or transcript of each assistant message, in order."""
    said = []
    for event in h.of_type("response.output_item.done"):
        for part in event.item.to_dict().get("content", []):
            said.append(part.get("text", part.get("transcript")))
    return said


def outputs(h: Harness) -> list[list[str]]:
    """Each finished response's output as item types (``function_call:NAME`` for calls)."""
    shapes = []
    for response in resources(h):
        shapes.append(
            [
                f"function_call:{item['name']}" if item["type"] == "function_call" else item["type"]
                for item in response["output"]
            ]
        )
    return shapes


# -- 3.9.1, 3.9.2: which responses may run ---------------------------------------------


@DIALECTS
@pytest.mark.spec("3.9.1", "12.19")
async def test_one_active_response_per_conversation(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await reply_to(h, "Hello there friend")
    await h.advance(0.3)
    active = h.of_type("response.created")[0].response.id
    h.take()
    await h.send({"type": "response.create", "event_id": "second"})
    assert [e.type for e in h.take()] == ["error"]
    assert h.errors() == [
        {
            "type": "invalid_request_error",
            "code": "conversation_already_has_active_response",
            "message": f"Conversation already has an active response in progress: {active}. "
            "Wait until the response is finished before creating a new one.",
            "param": None,
            "event_id": "second",
        }
    ]
    await h.settle()
    assert len(h.of_type("response.created")) == 1
    assert len(h.of_type("response.done")) == 1
    await h.send({"type": "response.create"})
    await h.settle()
    assert [r["status"] for r in resources(h)] == ["completed", "completed"]


@DIALECTS
@pytest.mark.spec("3.9.2")
async def test_out_of_band_responses_run_beside_the_default(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await reply_to(h, "Hello there friend")
    await h.advance(0.3)
    for n in ("1", "2"):
        await h.send(create(dialect, conversation="none", metadata={"n": n}))
    await h.advance(0.3)
    assert h.errors() == []
    created = resources(h, "response.created")
    assert [r["conversation_id"] is None for r in created] == [False, True, True]
    running = {r["id"] for r in created} - {r["id"] for r in resources(h)}
    assert running == {created[0]["id"], created[1]["id"], created[2]["id"]}
    await h.settle()
    done = {r["id"]: r["status"] for r in resources(h)}
    assert done == {r["id"]: "completed" for r in created}


@DIALECTS
@pytest.mark.spec("3.9.2")
async def test_out_of_band_responses_run_beside_each_other(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send(configure(dialect))
    for n in ("1", "2"):
        await h.send(create(dialect, conversation="none", metadata={"n": n}, input=[]))
    await h.advance(0.3)  # both are speaking
    assert h.errors() == []
    assert (len(h.of_type("response.created")), len(h.of_type("response.done"))) == (2, 0)
    await h.settle()
    assert sorted(r["metadata"]["n"] for r in resources(h)) == ["1", "2"]
    assert replies(h) == [GREETING, GREETING]


# -- 3.9.3: overrides for one response -------------------------------------------------


@DIALECTS
@pytest.mark.spec("3.9.3")
async def test_output_modalities_override(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send(configure(dialect))
    await h.send(user_text("Hi"))
    await h.send(create(dialect, text=True))
    await h.settle()
    await h.send({"type": "response.create"})
    await h.settle()
    parts = [e.part.type for e in h.of_type("response.content_part.added")]
    assert parts == ["text", "audio"]
    key = "output_modalities" if dialect == "ga" else "modalities"
    audio = ["audio"] if dialect == "ga" else ["audio", "text"]
    assert [r[key] for r in resources(h)] == [["text"], audio]
    assert replies(h) == ["You said: Hi", "You said: Hi"]


def voice_and_format(dialect: Dialect, resource: dict[str, Any]) -> tuple[str, Any]:
    if dialect == "ga":
        output = resource["audio"]["output"]
        return output["voice"], output["format"]
    return resource["voice"], resource["output_audio_format"]


@DIALECTS
@pytest.mark.spec("3.9.3")
async def test_voice_and_format_override(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send(configure(dialect))
    await h.send(user_text("Hello there friend"))
    await h.send(create(dialect, voice="echo", output_format="g711_ulaw"))
    await h.settle()
    first_audio = len(h.frames)
    await h.send({"type": "response.create"})
    await h.settle()
    ulaw: Any = {"type": "audio/pcmu"} if dialect == "ga" else "g711_ulaw"
    pcm: Any = {"type": "audio/pcm", "rate": 24000} if dialect == "ga" else "pcm16"
    first, second = resources(h)
    assert voice_and_format(dialect, first) == ("echo", ulaw)
    assert voice_and_format(dialect, second) == ("alloy", pcm)
    assert voice_and_format(dialect, resources(h, "response.created")[0]) == ("echo", ulaw)
    delta = "response.output_audio.delta" if dialect == "ga" else "response.audio.delta"
    sizes = [0, 0]
    for index, event in enumerate(h.wire()):
        if event.type == delta:
            sizes[index >= first_audio] += len(b64decode(event.delta))
    # 1680 ms of speech: 8 bytes a millisecond in G.711, 48 in PCM16 at 24 kHz.
    assert sizes == [1680 * 8, 1680 * 48]


@DIALECTS
@pytest.mark.spec("3.9.3")
async def test_instructions_override(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send(configure(dialect, text=True, instructions=""))
    await h.send(create(dialect, instructions="Be brief.", input=[]))
    await h.settle()
    await h.send(create(dialect, input=[]))
    await h.settle()
    # The instructions are the whole input: "Be brief." is 3 tokens, "" none.
    assert [r["usage"]["input_tokens"] for r in resources(h)] == [3, 0]


@DIALECTS
@pytest.mark.spec("3.9.3")
async def test_tools_override(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send(configure(dialect, text=True))
    await h.send(user_text('/call get_weather {"city": "Paris"}'))
    await h.send(create(dialect, tools=[WEATHER_TOOL]))
    await h.settle()
    await h.send({"type": "response.create"})
    await h.settle()
    assert outputs(h) == [["function_call:get_weather"], ["message"]]
    assert replies(h) == ['You said: /call get_weather {"city": "Paris"}']


@DIALECTS
@pytest.mark.parametrize(
    ("choice", "said", "chosen", "auto"),
    [
        ("none", "/call lookup", ["message"], ["function_call:lookup"]),
        ("required", "Hi", ["function_call:get_weather"], ["message"]),
        ({"type": "function", "name": "lookup"}, "Hi", ["function_call:lookup"], ["message"]),
    ],
)
@pytest.mark.spec("3.9.3")
async def test_tool_choice_override(
    make: Make, dialect: Dialect, choice: Any, said: str, chosen: list[str], auto: list[str]
) -> None:
    h = await make(dialect=dialect).start()
    await h.send(configure(dialect, text=True, tools=[WEATHER_TOOL, LOOKUP_TOOL]))
    await h.send(user_text(said))
    await h.send(create(dialect, tool_choice=choice))
    await h.settle()
    await h.send({"type": "response.create"})
    await h.settle()
    assert outputs(h) == [chosen, auto]


@DIALECTS
@pytest.mark.spec("3.9.3")
async def test_max_output_tokens_override(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send(configure(dialect, text=True))
    await h.send(user_text("Hi"))
    await h.send(create(dialect, max_tokens=3))
    await h.settle()
    await h.send({"type": "response.create"})
    await h.settle()
    first, second = resources(h)
    assert (first["status"], first["max_output_tokens"]) == ("incomplete", 3)
    assert (second["status"], second["max_output_tokens"]) == ("completed", "inf")
    assert replies(h) == ["You said:", "You said: Hi"]


@DIALECTS
@pytest.mark.spec("3.9.3")
async def test_metadata_for_one_response(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send(configure(dialect, text=True))
    await h.send(create(dialect, metadata={"turn": "7"}))
    await h.settle()
    await h.send({"type": "response.create"})
    await h.settle()
    assert [r["metadata"] for r in resources(h, "response.created")] == [{"turn": "7"}, None]
    assert [r["metadata"] for r in resources(h)] == [{"turn": "7"}, None]


@pytest.mark.spec("3.9.3")
async def test_temperature_override_in_beta(make: Make) -> None:
    h = await make(dialect="beta").start()
    await h.send(configure("beta", text=True))
    await h.send(create("beta", temperature=0.7))
    await h.settle()
    await h.send({"type": "response.create"})
    await h.settle()
    assert [r["temperature"] for r in resources(h, "response.created")] == [0.7, 0.8]
    assert [r["temperature"] for r in resources(h)] == [0.7, 0.8]


# -- 3.9.4: the input ------------------------------------------------------------------


@DIALECTS
@pytest.mark.spec("3.9.4")
async def test_empty_input_is_no_context(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send(configure(dialect, text=True))
    await h.send(user_text("Hi", item_id="item_hi"))
    h.take()
    await h.send(create(dialect, input=[]))
    await h.settle()
    assert replies(h) == [GREETING]
    (done,) = resources(h)
    assert done["conversation_id"].startswith("conv_")
    # With conversation "auto" the output still goes to the default conversation.
    echo = "conversation.item.added" if dialect == "ga" else "conversation.item.created"
    assistant = h.of_type("response.output_item.added")[0].item.id
    assert [(e.item.id, e.previous_item_id) for e in h.of_type(echo)][-1] == (assistant, "item_hi")


@DIALECTS
@pytest.mark.spec("3.9.4")
async def test_input_references_and_inline_items(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send(configure(dialect, text=True))
    await h.send(user_text("first", item_id="item_1"))
    await h.send(user_text("second", item_id="item_2"))
    await h.send(create(dialect, input=[{"type": "item_reference", "id": "item_1"}]))
    await h.settle()
    inline = {
        "type": "message",
        "role": "user",
        "content": [{"type": "input_text", "text": "aside"}],
    }
    await h.send(create(dialect, input=[{"type": "item_reference", "id": "item_2"}, inline]))
    await h.settle()
    assert replies(h) == ["You said: first", "You said: aside"]
    # The inline item is context only: it never joins the conversation.
    echo = "conversation.item.added" if dialect == "ga" else "conversation.item.created"
    assert [e.item.role for e in h.of_type(echo)] == ["user", "user", "assistant", "assistant"]


@DIALECTS
@pytest.mark.spec("3.9.4", "12.24")
async def test_unknown_input_reference(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send(user_text("first", item_id="item_1"))
    h.take()
    references = [{"type": "item_reference", "id": i} for i in ("item_1", "item_nope")]
    await h.send({"type": "response.create", "event_id": "r1", "response": {"input": references}})
    assert h.errors() == [
        {
            "type": "invalid_request_error",
            "code": "item_not_found",
            "message": "Item with item_id not found: item_nope",
            "param": "response.input[1].id",
            "event_id": "r1",
        }
    ]
    await h.settle()
    assert [e.type for e in h.take()] == ["error"]


# -- 3.9.5 - 3.9.8: the response's shape -----------------------------------------------

ENGINE_ERROR = {"type": "failed", "error": {"type": "server_error", "code": "engine_error"}}
"""An unexpected exception: the client sees the code only."""
ENGINE_FAULT = {
    "type": "failed",
    "error": {"type": "server_error", "code": "engine_error", "message": "The engine fell over."},
}
"""An engine's own ``EngineError``: its message is meant for the client."""
CRASH = Script(rules=[Rule(match="crash", reply="Working on it", fault="The engine fell over.")])


@DIALECTS
@pytest.mark.spec("3.9.5")
async def test_engine_fault_fails_the_response(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect, script=CRASH).start()
    await h.send(configure(dialect, text=True))
    await h.send(user_text("crash"))
    h.take()
    await h.send({"type": "response.create"})
    await h.settle()
    events = h.take()
    assert [e.type for e in events] == text_response(dialect, deltas=3)
    (done,) = resources(h)
    assert done["status"] == "failed"
    assert done["status_details"] == ENGINE_FAULT
    assert [item["status"] for item in done["output"]] == ["incomplete"]
    assert replies(h) == ["Working on it"]


@DIALECTS
@pytest.mark.spec("3.9.5")
async def test_engine_fault_while_speaking(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect, script=CRASH).start()
    await reply_to(h, "crash")
    await h.settle()
    assert h.errors() == []
    (done,) = resources(h)
    assert (done["status"], done["status_details"]) == ("failed", ENGINE_FAULT)
    assert len(h.of_type("response.created")) == 1


class _Crashing(EngineBase):
    """A responder with a bug: it says a word, then raises something unexpected."""

    async def respond(self, request: ResponseRequest) -> AsyncIterator[ResponderOutput]:
        yield TextDelta("Oops")
        raise RuntimeError("a bug, not an EngineError")


@DIALECTS
@pytest.mark.spec("3.9.5")
async def test_unexpected_engine_exception_fails_the_response(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    h.engines = dataclasses.replace(h.engines, responder=_Crashing())
    await h.send(configure(dialect, text=True))
    await h.send({"type": "response.create"})
    await h.settle()
    assert h.errors() == []
    (done,) = resources(h)
    assert (done["status"], done["status_details"]) == ("failed", ENGINE_ERROR)
    assert replies(h) == ["Oops"]


@DIALECTS
@pytest.mark.spec("3.9.6", "3.9.7")
async def test_a_message_then_a_function_call(make: Make, dialect: Dialect) -> None:
    call = FunctionCallSpec(name="get_weather", arguments={"city": "Paris"})
    script = Script(rules=[Rule(match="Weather?", reply="Let me check.", calls=[call])])
    h = await make(dialect=dialect, script=script).start()
    await h.send(configure(dialect, text=True, tools=[WEATHER_TOOL]))
    await h.send(user_text("Weather?"))
    h.take()
    await h.send({"type": "response.create"})
    await h.settle()
    assert [e.type for e in h.take()] == response_of(
        dialect, *text_message(dialect, deltas=4), *function_call(dialect, deltas=9)
    )
    assert [e.output_index for e in h.of_type("response.output_item.added")] == [0, 1]
    (done,) = resources(h)
    assert [item["type"] for item in done["output"]] == ["message", "function_call"]
    assert done["output"][1]["arguments"] == '{"city": "Paris"}'
    await h.advance(60)
    assert len(h.of_type("response.created")) == 1  # no continuation after the call


@DIALECTS
@pytest.mark.spec("3.9.7")
async def test_no_continuation_after_a_spoken_call(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await reply_to(h, '/call get_weather {"city": "Paris"}', tools=[WEATHER_TOOL])
    await h.settle()
    await h.advance(60)
    assert outputs(h) == [["function_call:get_weather"]]
    assert len(h.of_type("response.created")) == 1


@DIALECTS
@pytest.mark.spec("3.9.8")
async def test_cancel_right_after_create(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send(configure(dialect))
    await h.send(user_text("Hi"))
    h.take()
    await h.send({"type": "response.create"})
    await h.send({"type": "response.cancel", "event_id": "c1"})
    assert [e.type for e in h.take()] == response_of(dialect)  # no output at all
    (done,) = resources(h)
    assert done["status_details"] == {"type": "cancelled", "reason": "client_cancelled"}
    assert done["output"] == []
    assert done["usage"]["total_tokens"] == 0
    await h.settle()
    assert h.take() == []


# -- 12.25: a failure outside any response ---------------------------------------------


class _BrokenTranscriber(EngineBase):
    async def transcribe(self, request: Any) -> AsyncIterator[Any]:
        raise RuntimeError("a bug outside any response")
        yield


@DIALECTS
@pytest.mark.spec("12.25")
async def test_server_error_and_the_session_goes_on(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    h.engines = dataclasses.replace(h.engines, transcriber=_BrokenTranscriber())
    await h.send(configure(dialect, text=True))
    content = [{"type": "input_audio", "audio": b64encode(speech("Hi"))}]
    await h.send(
        {
            "type": "conversation.item.create",
            "item": {"type": "message", "role": "user", "content": content},
        }
    )
    await h.settle()
    assert h.errors() == [
        {
            "type": "server_error",
            "code": None,
            "message": "The server had an error while processing your request. Sorry about "
            "that! Please contact us through our help center at help.openai.com if the error "
            f"persists. (include session ID in your message: {h.session.id}). We recommend "
            "you retry your request.",
            "param": None,
            "event_id": None,
        }
    ]
    await h.send(user_text("Still there?"))
    await h.send({"type": "response.create"})
    await h.settle()
    assert [r["status"] for r in resources(h)] == ["completed"]
    assert replies(h) == ["You said: Still there?"]
    assert len(h.errors()) == 1


# -- the idle timeout starts when the assistant stops on its own -----------------------


@pytest.mark.parametrize(
    ("max_tokens", "quiet_until", "fires_by"),
    [
        # Completed: the last word (" friend", 420 ms) goes out at 1.26 s and plays
        # until 1.68 s; 5 s of silence later is 6.68 s.
        ("inf", 6.6, 6.75),
        # Out of tokens at 0.9 s, when " there" is refused: all 900 ms sent have played.
        (25, 5.85, 5.95),
    ],
)
async def test_idle_timeout_counts_from_the_end_of_playback(
    make: Make, max_tokens: Any, quiet_until: float, fires_by: float
) -> None:
    h = await make().start()
    turn_detection = {"type": "server_vad", "idle_timeout_ms": 5000}
    session = {
        "type": "realtime",
        "max_output_tokens": max_tokens,
        "audio": {"input": {"turn_detection": turn_detection}},
    }
    await h.send({"type": "session.update", "session": session})
    await h.send(user_text("Hello there friend"))
    await h.send({"type": "response.create"})
    await h.advance(quiet_until)
    assert not h.of_type("input_audio_buffer.timeout_triggered")
    await h.advance(fires_by - quiet_until)
    assert len(h.of_type("input_audio_buffer.timeout_triggered")) == 1
    await h.send(
        {
            "type": "session.update",
            "session": {"type": "realtime", "audio": {"input": {"turn_detection": None}}},
        }
    )
    await h.settle()


async def test_no_idle_timeout_after_a_cancel(make: Make) -> None:
    h = await make().start()
    turn_detection = {"type": "server_vad", "idle_timeout_ms": 5000}
    await h.send(
        {
            "type": "session.update",
            "session": {"type": "realtime", "audio": {"input": {"turn_detection": turn_detection}}},
        }
    )
    await h.send(user_text("Hello there friend"))
    await h.send({"type": "response.create"})
    await h.advance(0.3)
    await h.send({"type": "response.cancel"})
    await h.advance(30)
    assert not h.of_type("input_audio_buffer.timeout_triggered")


@pytest.mark.spec("3.9.3")
async def test_a_pcm_format_without_rate_is_reported_whole(make: Make) -> None:
    h = await make().start()
    await h.send(configure("ga", output_format="g711_ulaw"))
    await h.send(
        {
            "type": "response.create",
            "response": {"audio": {"output": {"format": {"type": "audio/pcm"}}}},
        }
    )
    await h.settle()
    for kind in ("response.created", "response.done"):
        (resource,) = resources(h, kind)
        assert resource["audio"]["output"]["format"] == {"type": "audio/pcm", "rate": 24000}
