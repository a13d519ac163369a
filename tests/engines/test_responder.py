from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pytest

from openrealtime.audio import write_pcm16_wav
from openrealtime.engines.base import (
    AudioDelta,
    ContextItem,
    EngineError,
    FunctionChoice,
    Responder,
    ResponderOutput,
    ResponseRequest,
    TextDelta,
    ToolCallArgumentsDelta,
    ToolCallStart,
    ToolChoice,
    ToolSpec,
)
from openrealtime.engines.scripted import GREETING, Script, ScriptedResponder, speak

from .conftest import RecordingSleep

TOOLS = (ToolSpec("get_weather"), ToolSpec("get_time"))


def user(text: str = "", audio: bytes | None = None) -> ContextItem:
    return ContextItem("message", role="user", text=text, audio=audio, sample_rate=24000)


def assistant(text: str) -> ContextItem:
    return ContextItem("message", role="assistant", text=text)


def request(
    *context: ContextItem,
    tools: tuple[ToolSpec, ...] = TOOLS,
    tool_choice: ToolChoice = "auto",
    modalities: tuple[Literal["text", "audio"], ...] = ("audio",),
) -> ResponseRequest:
    return ResponseRequest(
        instructions="Be brief.",
        context=context,
        tools=tools,
        tool_choice=tool_choice,
        output_modalities=modalities,
    )


async def respond(
    req: ResponseRequest, script: dict[str, Any] | Script | None = None, **kw: Any
) -> list[ResponderOutput]:
    if isinstance(script, dict):
        script = Script.model_validate(script)
    responder = ScriptedResponder(script, **kw)
    assert isinstance(responder, Responder)
    return [output async for output in responder.respond(req)]


def text_of(outputs: list[ResponderOutput]) -> str:
    assert all(isinstance(o, TextDelta) for o in outputs), outputs
    return "".join(o.text for o in outputs if isinstance(o, TextDelta))


def call(name: str, *pieces: str) -> list[ResponderOutput]:
    return [ToolCallStart(name), *(ToolCallArgumentsDelta(p) for p in pieces)]


async def test_echo_streams_one_token_per_delta() -> None:
    outputs = await respond(request(user("  Hi there!  ")))
    assert outputs == [TextDelta(t) for t in ("You", " said", ":", " Hi", " there", "!")]


async def test_echo_uses_the_last_user_message() -> None:
    outputs = await respond(request(user("first"), assistant("ok"), user("second"), assistant("?")))
    assert text_of(outputs) == "You said: second"


async def test_user_audio_without_text_is_decoded() -> None:
    pcm, _ = speak("spoken words")
    assert text_of(await respond(request(user(audio=pcm)))) == "You said: spoken words"


@pytest.mark.parametrize(
    "context",
    [(), (assistant("hello"),), (user(""),), (ContextItem("message", role="system", text="x"),)],
)
async def test_greeting_without_user_text(context: tuple[ContextItem, ...]) -> None:
    assert text_of(await respond(request(*context))) == GREETING


async def test_reply_to_function_call_output() -> None:
    context = (
        user("weather?"),
        ContextItem("function_call", name="get_weather", call_id="c1", arguments="{}"),
        ContextItem("function_call_output", call_id="c1", output='{"temp": 21}'),
    )
    outputs = await respond(request(*context))
    assert text_of(outputs) == 'Tool get_weather returned: {"temp": 21}'


async def test_reply_to_function_call_output_with_unknown_call() -> None:
    context = (user("x"), ContextItem("function_call_output", call_id="zz", output="42"))
    assert text_of(await respond(request(*context))) == "Tool unknown returned: 42"


async def test_slash_call_with_arguments() -> None:
    outputs = await respond(request(user('/call get_weather {"city": "Paris"}')))
    assert outputs == call("get_weather", "{", '"', "city", '"', ":", ' "', "Paris", '"', "}")


async def test_slash_call_without_arguments() -> None:
    assert await respond(request(user("/call get_time"))) == call("get_time", "{", "}")


@pytest.mark.parametrize(
    ("text", "tools"),
    [
        ("/call get_weather", ()),
        ("/call unknown_tool {}", TOOLS),
        ("/call get_weather {not json}", TOOLS),
        ("/call get_weather [1, 2]", TOOLS),
        ("/call", TOOLS),
    ],
)
async def test_slash_call_that_cannot_call_is_plain_text(
    text: str, tools: tuple[ToolSpec, ...]
) -> None:
    assert text_of(await respond(request(user(text), tools=tools))) == f"You said: {text}"


async def test_tool_choice_none_never_calls() -> None:
    outputs = await respond(request(user("/call get_time"), tool_choice="none"))
    assert text_of(outputs) == "You said: /call get_time"
    script = {"rules": [{"match": "go", "reply": "Going.", "calls": [{"name": "get_time"}]}]}
    outputs = await respond(request(user("go"), tool_choice="none"), script)
    assert text_of(outputs) == "Going."


async def test_tool_choice_required_calls_the_first_tool() -> None:
    outputs = await respond(request(user("hello"), tool_choice="required"))
    assert outputs == call("get_weather", "{", "}")


async def test_tool_choice_required_keeps_the_slash_call() -> None:
    outputs = await respond(request(user('/call get_time {"tz": 1}'), tool_choice="required"))
    assert outputs == call("get_time", "{", '"', "tz", '"', ":", " 1", "}")


async def test_tool_choice_required_without_tools_replies() -> None:
    outputs = await respond(request(user("hello"), tools=(), tool_choice="required"))
    assert text_of(outputs) == "You said: hello"


async def test_tool_choice_function_calls_it() -> None:
    get_time = FunctionChoice("get_time")
    outputs = await respond(request(user("hello"), tool_choice=get_time))
    assert outputs == call("get_time", "{", "}")
    outputs = await respond(request(user("/call get_weather {}"), tool_choice=get_time))
    assert outputs == call("get_time", "{", "}")
    outputs = await respond(request(user('/call get_time {"a":1}'), tool_choice=get_time))
    assert outputs == call("get_time", "{", '"', "a", '"', ":", "1", "}")


async def test_a_function_named_none_is_called_not_a_mode() -> None:
    tools = (ToolSpec("none"),)
    outputs = await respond(request(user("hello"), tools=tools, tool_choice=FunctionChoice("none")))
    assert outputs == call("none", "{", "}")
    outputs = await respond(request(user("/call none"), tools=tools, tool_choice="none"))
    assert text_of(outputs) == "You said: /call none"


async def test_tool_choice_auto_calls_only_when_asked() -> None:
    outputs = await respond(request(user("hello"), tool_choice="auto"))
    assert text_of(outputs) == "You said: hello"


async def test_a_set_cancel_signal_stops_the_output() -> None:
    req = request(user("hello"), modalities=("text",))
    req.cancel.cancel()
    assert await respond(req) == []


async def test_script_match_and_default() -> None:
    script = {
        "rules": [{"match": "ping", "reply": "pong"}],
        "default": {"reply": "I heard: $0"},
    }
    assert text_of(await respond(request(user(" ping ")), script)) == "pong"
    assert text_of(await respond(request(user("Ping")), script)) == "I heard: Ping"


async def test_script_rules_come_before_slash_call() -> None:
    script = {"rules": [{"regex": "/call .*", "reply": "No calls today."}]}
    outputs = await respond(request(user("/call get_time")), script)
    assert text_of(outputs) == "No calls today."


async def test_script_default_comes_after_slash_call() -> None:
    script = {"default": {"reply": "fallback"}}
    assert await respond(request(user("/call get_time")), script) == call("get_time", "{", "}")


async def test_script_regex_groups_in_reply_and_calls() -> None:
    script = {
        "rules": [
            {
                "regex": r"weather in (?P<city>\w+) for (\d+) days",
                "reply": "Checking ${city}.",
                "calls": [
                    {"name": "get_weather", "arguments": {"city": "${city}", "days": "$2"}},
                    {"name": "get_time", "arguments": '{"where": "$1"}'},
                ],
            }
        ]
    }
    outputs = await respond(request(user("weather in Oslo for 3 days")), script)
    text = [o for o in outputs if isinstance(o, TextDelta)]
    assert "".join(o.text for o in text) == "Checking Oslo."
    kinds = [type(o).__name__ for o in outputs[len(text) :]]
    second = kinds.index("ToolCallStart", 1)
    assert kinds[0] == "ToolCallStart"
    assert set(kinds[1:second]) == set(kinds[second + 1 :]) == {"ToolCallArgumentsDelta"}
    starts = [o for o in outputs if isinstance(o, ToolCallStart)]
    assert starts == [ToolCallStart("get_weather"), ToolCallStart("get_time")]
    args = "".join(o.delta for o in outputs if isinstance(o, ToolCallArgumentsDelta))
    assert args == '{"city": "Oslo", "days": "3"}{"where": "Oslo"}'


async def test_script_calls_need_not_be_listed_tools() -> None:
    script = {"rules": [{"match": "x", "calls": [{"name": "secret"}]}]}
    assert await respond(request(user("x"), tools=()), script) == call("secret", "{", "}")


async def test_delays_use_the_injected_sleep() -> None:
    sleep = RecordingSleep()
    script = {"rules": [{"match": "x", "reply": "a b c", "delay_ms": 250, "delta_delay_ms": 40}]}
    outputs = await respond(request(user("x")), script, sleep=sleep)
    assert text_of(outputs) == "a b c"
    assert sleep.calls == [0.25, 0.04, 0.04]


async def test_no_sleep_without_delays() -> None:
    sleep = RecordingSleep()
    await respond(request(user("hello")), sleep=sleep)
    assert sleep.calls == []


async def test_fault_after_the_reply_and_before_calls() -> None:
    script = {
        "rules": [
            {"match": "x", "reply": "Half done", "calls": [{"name": "get_time"}], "fault": "Boom."}
        ]
    }
    seen: list[ResponderOutput] = []

    async def consume() -> None:
        async for output in ScriptedResponder(Script.model_validate(script)).respond(
            request(user("x"))
        ):
            seen.append(output)

    with pytest.raises(EngineError, match=r"^Boom\.$") as caught:
        await consume()
    assert caught.value.code == "engine_error"
    assert seen == [TextDelta("Half"), TextDelta(" done")]


@pytest.fixture
def audio_script(tmp_path: Path) -> Script:
    pcm = bytes(range(256)) * 9  # 2304 bytes = 1152 samples = 144 ms at 8 kHz
    write_pcm16_wav(tmp_path / "a.wav", pcm, 8000)
    rule = {"match": "play", "audio": {"file": "a.wav", "transcript": "one two three"}}
    return Script.model_validate({"rules": [rule]}, context={"base_dir": tmp_path})


async def test_script_audio_plays_in_100_ms_chunks(audio_script: Script) -> None:
    outputs = await respond(request(user("play")), audio_script)
    assert all(isinstance(o, AudioDelta) for o in outputs)
    deltas = [o for o in outputs if isinstance(o, AudioDelta)]
    assert [(len(d.pcm), d.sample_rate) for d in deltas] == [(1600, 8000), (704, 8000)]
    assert b"".join(d.pcm for d in deltas) == bytes(range(256)) * 9
    assert [d.transcript for d in deltas] == ["one", " two three"]


async def test_script_audio_for_text_only_responses(audio_script: Script) -> None:
    outputs = await respond(request(user("play"), modalities=("text",)), audio_script)
    assert text_of(outputs) == "one two three"


async def test_responses_are_deterministic() -> None:
    req = request(user("/call get_weather {}"), ContextItem("message", role="user", text="again"))
    assert await respond(req) == await respond(req)
