"""``openai-chat`` against the test upstream: real HTTP and SSE on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest

from openrealtime.engines.base import (
    CancelSignal,
    ContextItem,
    EngineError,
    Finish,
    FunctionChoice,
    ResponderOutput,
    ResponseRequest,
    TextDelta,
    ToolCallArgumentsDelta,
    ToolCallStart,
    ToolSpec,
    Usage,
)
from openrealtime.engines.upstream import ChatResponder, UpstreamOptionsError
from tests.upstream_server import UpstreamServer

CHAT = "/v1/chat/completions"
WEATHER = ToolSpec(
    "get_weather",
    "The weather in a city.",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)


def user(text: str) -> ContextItem:
    return ContextItem("message", role="user", text=text)


@contextlib.asynccontextmanager
async def responder(upstream: UpstreamServer, **options: Any) -> AsyncIterator[ChatResponder]:
    engine = ChatResponder.from_options({"base_url": upstream.base_url, "model": "echo", **options})
    await engine.start()
    try:
        yield engine
    finally:
        await engine.aclose()


async def respond(
    upstream: UpstreamServer, request: ResponseRequest, **options: Any
) -> list[ResponderOutput]:
    async with responder(upstream, **options) as engine:
        return [output async for output in engine.respond(request)]


def text_of(outputs: list[ResponderOutput]) -> str:
    return "".join(o.text for o in outputs if isinstance(o, TextDelta))


async def test_text_streams_then_usage_then_finish(upstream: UpstreamServer) -> None:
    outputs = await respond(upstream, ResponseRequest("Be brief.", [user("Hello over there")]))
    deltas = [o for o in outputs if isinstance(o, TextDelta)]
    assert len(deltas) == 5
    assert text_of(outputs) == "You said: Hello over there"
    assert outputs[-2:] == [Usage(5, 5, cached_tokens=2), Finish("stop")]
    sent = upstream.last(CHAT).body
    assert sent["stream"] is True
    assert sent["stream_options"] == {"include_usage": True}
    assert sent["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hello over there"},
    ]
    assert "tools" not in sent
    assert "tool_choice" not in sent


async def test_temperature_and_token_limit_are_sent(upstream: UpstreamServer) -> None:
    request = ResponseRequest(
        "", [user("one two three four")], temperature=0.7, max_output_tokens=3
    )
    outputs = await respond(upstream, request)
    assert text_of(outputs) == "You said: one "
    assert outputs[-1] == Finish("length")
    sent = upstream.last(CHAT).body
    assert sent["temperature"] == 0.7
    assert sent["max_tokens"] == 3
    assert "max_completion_tokens" not in sent


async def test_max_completion_tokens_for_reasoning_models(upstream: UpstreamServer) -> None:
    request = ResponseRequest("", [user("hi")], max_output_tokens=50)
    await respond(upstream, request, max_tokens_param="max_completion_tokens", stream_usage=False)
    sent = upstream.last(CHAT).body
    assert sent["max_completion_tokens"] == 50
    assert "max_tokens" not in sent
    assert "stream_options" not in sent


async def test_conversation_maps_to_messages(upstream: UpstreamServer) -> None:
    context = [
        ContextItem("message", role="system", text="Speak French."),
        user("What's the weather in Paris and Rome?"),
        ContextItem("message", role="assistant", text="Let me check."),
        ContextItem(
            "function_call", name="get_weather", call_id="c1", arguments='{"city":"Paris"}'
        ),
        ContextItem("function_call", name="get_weather", call_id="c2", arguments='{"city":"Rome"}'),
        ContextItem("function_call_output", call_id="c1", output='{"sky":"clear"}'),
        ContextItem("function_call_output", call_id="c2", output='{"sky":"rain"}'),
        ContextItem("message", role="user", text="", audio=b"\0\0", sample_rate=24000),
    ]
    outputs = await respond(upstream, ResponseRequest("", context, tools=[WEATHER]))
    assert text_of(outputs) == 'Tool returned: {"sky":"rain"}'
    calls = [
        {"id": f"c{n}", "type": "function", "function": {"name": "get_weather", "arguments": a}}
        for n, a in ((1, '{"city":"Paris"}'), (2, '{"city":"Rome"}'))
    ]
    assert upstream.last(CHAT).body["messages"] == [
        {"role": "system", "content": "Speak French."},
        {"role": "user", "content": "What's the weather in Paris and Rome?"},
        {"role": "assistant", "content": "Let me check.", "tool_calls": calls},
        {"role": "tool", "tool_call_id": "c1", "content": '{"sky":"clear"}'},
        {"role": "tool", "tool_call_id": "c2", "content": '{"sky":"rain"}'},
    ]


async def test_a_tool_call_streams_as_start_and_argument_deltas(upstream: UpstreamServer) -> None:
    request = ResponseRequest("", [user('/call get_weather {"city": "Oslo"}')], tools=[WEATHER])
    outputs = await respond(upstream, request)
    assert outputs[0] == ToolCallStart("get_weather", "call_up1")
    fragments = [o.delta for o in outputs if isinstance(o, ToolCallArgumentsDelta)]
    assert len(fragments) >= 3
    assert json.loads("".join(fragments)) == {"city": "Oslo"}
    assert outputs[-1] == Finish("tool_calls")
    sent = upstream.last(CHAT).body
    assert sent["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "The weather in a city.",
                "parameters": WEATHER.parameters,
            },
        }
    ]
    assert sent["tool_choice"] == "auto"


@pytest.mark.parametrize(
    ("choice", "sent"),
    [
        (FunctionChoice("get_weather"), {"type": "function", "function": {"name": "get_weather"}}),
        ("required", "required"),
    ],
)
async def test_tool_choice_forces_a_call(
    upstream: UpstreamServer, choice: FunctionChoice | str, sent: object
) -> None:
    request = ResponseRequest("", [user("hi")], tools=[WEATHER], tool_choice=choice)  # type: ignore[arg-type]
    outputs = await respond(upstream, request)
    assert outputs[0] == ToolCallStart("get_weather", "call_up1")
    assert upstream.last(CHAT).body["tool_choice"] == sent


async def test_tool_choice_none_answers_in_text(upstream: UpstreamServer) -> None:
    request = ResponseRequest(
        "", [user("/call get_weather {}")], tools=[WEATHER], tool_choice="none"
    )
    outputs = await respond(upstream, request)
    assert not any(isinstance(o, ToolCallStart) for o in outputs)
    assert upstream.last(CHAT).body["tool_choice"] == "none"


async def test_an_error_status_fails_with_the_upstreams_message(upstream: UpstreamServer) -> None:
    with pytest.raises(EngineError) as caught:
        await respond(upstream, ResponseRequest("", [user("hi")]), model="error-500")
    assert caught.value.code == "server_error"
    assert str(caught.value) == (
        f"upstream {upstream.base_url} answered 500: The upstream broke down."
    )


async def test_a_rate_limit_keeps_the_upstreams_code(upstream: UpstreamServer) -> None:
    with pytest.raises(EngineError, match="Rate limit reached") as caught:
        await respond(upstream, ResponseRequest("", [user("hi")]), model="error-429")
    assert caught.value.code == "rate_limit_exceeded"


async def test_an_error_mid_stream_fails_after_what_came(upstream: UpstreamServer) -> None:
    seen: list[ResponderOutput] = []

    async def consume(engine: ChatResponder) -> None:
        async for output in engine.respond(ResponseRequest("", [user("hi there")])):
            seen.append(output)

    async with responder(upstream, model="midstream-error") as engine:
        with pytest.raises(EngineError, match="The model crashed mid-answer"):
            await consume(engine)
    assert seen == [TextDelta("You ")]


async def test_content_filter_ends_with_its_reason(upstream: UpstreamServer) -> None:
    outputs = await respond(upstream, ResponseRequest("", [user("hi")]), model="filtered")
    assert outputs[-1] == Finish("content_filter")


async def test_a_slow_upstream_times_out(upstream: UpstreamServer) -> None:
    before = upstream.disconnects
    started = time.monotonic()
    with pytest.raises(EngineError, match=r"timed out after 0.5 s") as caught:
        await respond(upstream, ResponseRequest("", [user("hi")]), model="slow", timeout=0.5)
    assert caught.value.code == "upstream_timeout"
    assert time.monotonic() - started < 5
    await wait_for(lambda: upstream.disconnects > before)


async def test_an_unreachable_upstream_fails_clearly() -> None:
    engine = ChatResponder.from_options({"base_url": "http://127.0.0.1:9/v1", "model": "m"})
    await engine.start()
    try:
        with pytest.raises(EngineError, match=r"cannot reach upstream http://127.0.0.1:9/v1") as e:
            [o async for o in engine.respond(ResponseRequest("", [user("hi")]))]
        assert e.value.code == "upstream_unavailable"
    finally:
        await engine.aclose()


async def test_cancel_closes_a_stalled_stream(upstream: UpstreamServer) -> None:
    before = upstream.disconnects
    cancel = CancelSignal()
    request = ResponseRequest("", [user("hi there")], cancel=cancel)
    outputs: list[ResponderOutput] = []

    async def consume(engine: ChatResponder) -> None:
        async for output in engine.respond(request):
            outputs.append(output)

    async with responder(upstream, model="stall") as engine:
        task = asyncio.create_task(consume(engine))
        await wait_for(lambda: any(r.body.get("model") == "stall" for r in upstream.requests))
        await asyncio.sleep(0.1)
        cancel.cancel()
        await asyncio.wait_for(task, 2)
    assert outputs == [TextDelta("You ")]
    await wait_for(lambda: upstream.disconnects > before)


async def test_the_key_comes_from_the_named_variable(
    upstream: UpstreamServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_UPSTREAM_KEY", "sk-test-123")
    await respond(
        upstream,
        ResponseRequest("", [user("hi")]),
        api_key_env="TEST_UPSTREAM_KEY",
        headers={"X-Tenant": "blue"},
        extra_body={"top_k": 5},
    )
    recorded = upstream.last(CHAT)
    assert recorded.headers["authorization"] == "Bearer sk-test-123"
    assert recorded.headers["x-tenant"] == "blue"
    assert recorded.body["top_k"] == 5


def test_a_missing_key_variable_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_UPSTREAM_KEY", raising=False)
    with pytest.raises(UpstreamOptionsError) as caught:
        ChatResponder.from_options({"model": "m", "api_key_env": "TEST_UPSTREAM_KEY"})
    assert (
        str(caught.value) == "the environment variable TEST_UPSTREAM_KEY (api_key_env) is not set"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "openai-chat options: model: Field required"),
        ({"model": "m", "temprature": 1}, "openai-chat options: temprature: Extra inputs"),
        ({"model": "m", "timeout": 0}, "openai-chat options: timeout: Input should be greater"),
        ({"model": "m", "max_tokens_param": "n"}, "openai-chat options: max_tokens_param: Input"),
    ],
)
def test_bad_options_are_refused_in_one_line(options: Mapping[str, Any], message: str) -> None:
    with pytest.raises(UpstreamOptionsError) as caught:
        ChatResponder.from_options(options)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


async def test_respond_before_start_is_an_engine_error() -> None:
    engine = ChatResponder.from_options({"model": "m"})
    with pytest.raises(EngineError, match="before start"):
        [o async for o in engine.respond(ResponseRequest("", [user("hi")]))]


async def wait_for(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)
