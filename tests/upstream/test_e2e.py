"""The upstream roles end to end: the official SDK talks to our server, which talks to the
test upstream over real HTTP. The VAD stays local (scripted), as a deployment would keep it.

The upstream transcribes and speaks the scripted tone code, so a spoken turn makes a
real round trip: audio in, transcript, reply, audio out that decodes to the reply.
"""

from __future__ import annotations

import base64
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from openai import AsyncOpenAI

from openrealtime.engines.local.turn_scorer import LlamaTurnScorer
from openrealtime.engines.registry import ModelRegistry
from openrealtime.engines.scripted import decode
from openrealtime.engines.upstream import ChatResponder
from openrealtime.server import ServerConfig
from openrealtime.server.app.runner import ServerURL, running
from tests.e2e.wire import SdkWire, audio_chunks, silence, speech, types
from tests.local_stack import require_local_stack
from tests.upstream_server import UpstreamServer

pytestmark = pytest.mark.timeout(60)

WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}


def entry(
    upstream: UpstreamServer,
    name: str,
    *,
    chat: str = "echo",
    transcriptions: str = "whisper-1",
    timeout: float = 10.0,
) -> dict[str, Any]:
    """A model whose responder, transcriber and synthesizer are upstream; the VAD local."""
    base = upstream.base_url
    return {
        "name": name,
        "engine": "scripted",
        "options": {"pace": 0},
        "responder": {
            "engine": "openai-chat",
            "options": {"base_url": base, "model": chat, "timeout": timeout},
        },
        "transcriber": {
            "engine": "openai-transcriptions",
            "options": {"base_url": base, "model": transcriptions, "stream": True},
        },
        "synthesizer": {"engine": "openai-speech", "options": {"base_url": base, "model": "tts"}},
    }


@contextlib.asynccontextmanager
async def server(upstream: UpstreamServer) -> AsyncIterator[ServerURL]:
    registry = ModelRegistry.from_dict(
        {
            "models": [
                entry(upstream, "gpt-realtime"),
                entry(upstream, "slow-realtime", chat="slow", timeout=0.5),
                entry(upstream, "broken-realtime", chat="error-500"),
                entry(upstream, "deaf-realtime", transcriptions="error-500"),
            ]
        }
    )
    async with running(ServerConfig(models=registry)) as url:
        yield url


@contextlib.asynccontextmanager
async def connect(url: ServerURL, model: str) -> AsyncIterator[tuple[Any, SdkWire]]:
    client = AsyncOpenAI(api_key="test", base_url=url.http, websocket_base_url=str(url))
    try:
        async with client.realtime.connect(model=model) as connection:
            yield connection, SdkWire(connection, "ga")
    finally:
        await client.close()


def spoken_session() -> dict[str, Any]:
    return {
        "type": "realtime",
        "audio": {
            "input": {
                "transcription": {"model": "whisper-1"},
                "turn_detection": {"type": "server_vad"},
            },
        },
    }


def only(events: list[dict[str, Any]], event_type: str) -> dict[str, Any]:
    (event,) = [e for e in events if e["type"] == event_type]
    return event


def user_text(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


async def test_a_spoken_turn_round_trips_through_the_upstream(upstream: UpstreamServer) -> None:
    async with server(upstream) as url, connect(url, "gpt-realtime") as (connection, wire):
        await connection.session.update(session=spoken_session())
        for chunk in audio_chunks(silence(300) + speech("what time is it") + silence(700)):
            await connection.input_audio_buffer.append(audio=chunk)
        events = await wire.until("response.done")
        while "conversation.item.input_audio_transcription.completed" not in types(events):
            events.append(await wire.recv())

    order = [
        t
        for t in types(events)
        if t.startswith("input_audio_buffer.") or t in ("response.created", "response.done")
    ]
    assert order == [
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        "response.created",
        "response.done",
    ]
    deltas = [
        e["delta"]
        for e in events
        if e["type"] == "conversation.item.input_audio_transcription.delta"
    ]
    assert deltas == ["what ", "time ", "is ", "it"]
    completed = only(events, "conversation.item.input_audio_transcription.completed")
    assert completed["transcript"] == "what time is it"
    done = only(events, "response.done")["response"]
    assert done["status"] == "completed"
    assert done["output"][0]["content"][0]["transcript"] == "You said: what time is it"
    assert done["usage"]["input_token_details"]["cached_tokens"] == 2
    audio = b"".join(
        base64.b64decode(e["delta"]) for e in events if e["type"] == "response.output_audio.delta"
    )
    assert decode(audio, 24000) == "You said: what time is it"
    said = [r.body["input"] for r in upstream.requests if r.path == "/v1/audio/speech"]
    assert said[-1] == "You said: what time is it"


async def test_a_tool_call_streams_from_the_upstream(upstream: UpstreamServer) -> None:
    async with server(upstream) as url, connect(url, "gpt-realtime") as (connection, wire):
        await connection.session.update(
            session={"type": "realtime", "output_modalities": ["text"], "tools": [WEATHER_TOOL]}
        )
        await connection.conversation.item.create(
            item=user_text('/call get_weather {"city": "Lima"}')
        )
        await connection.response.create()
        events = await wire.until("response.done")
        done = only(events, "response.done")["response"]
        (call,) = done["output"]
        assert (call["type"], call["name"], call["call_id"]) == (
            "function_call",
            "get_weather",
            "call_up1",
        )
        assert call["arguments"] == '{"city": "Lima"}'
        argument_deltas = [
            e for e in events if e["type"] == "response.function_call_arguments.delta"
        ]
        assert len(argument_deltas) >= 3

        await connection.conversation.item.create(
            item={"type": "function_call_output", "call_id": "call_up1", "output": "sunny"}
        )
        await connection.response.create()
        events = await wire.until("response.done")
        reply = only(events, "response.done")["response"]["output"][0]["content"][0]["text"]
        assert reply == "Tool returned: sunny"
    sent = upstream.last("/v1/chat/completions").body["messages"]
    assert sent[-2]["tool_calls"][0]["id"] == "call_up1"
    assert sent[-1] == {"role": "tool", "tool_call_id": "call_up1", "content": "sunny"}


@pytest.mark.parametrize(
    ("model", "code", "message"),
    [
        ("slow-realtime", "upstream_timeout", "upstream {base} timed out after 0.5 s"),
        (
            "broken-realtime",
            "server_error",
            "upstream {base} answered 500: The upstream broke down.",
        ),
    ],
)
async def test_an_upstream_failure_fails_the_response_and_the_session_lives(
    upstream: UpstreamServer, model: str, code: str, message: str
) -> None:
    async with server(upstream) as url, connect(url, model) as (connection, wire):
        await connection.session.update(session={"type": "realtime", "output_modalities": ["text"]})
        await connection.conversation.item.create(item=user_text("hello"))
        await connection.response.create()
        events = await wire.until("response.done")
        assert "error" not in types(events)
        done = only(events, "response.done")["response"]
        assert done["status"] == "failed"
        assert done["status_details"]["error"] == {
            "type": "server_error",
            "code": code,
            "message": message.format(base=upstream.base_url),
        }
        await connection.session.update(session={"type": "realtime", "instructions": "Again."})
        assert (await wire.until("session.updated"))[-1]["session"]["instructions"] == "Again."
        await connection.response.create()
        second = await wire.until("response.done")
        assert only(second, "response.done")["response"]["status"] == "failed"


async def test_a_failed_transcription_is_reported_and_the_turn_goes_on(
    upstream: UpstreamServer,
) -> None:
    async with server(upstream) as url, connect(url, "deaf-realtime") as (connection, wire):
        await connection.session.update(session=spoken_session())
        for chunk in audio_chunks(silence(300) + speech("anyone there") + silence(700)):
            await connection.input_audio_buffer.append(audio=chunk)
        events = await wire.until("response.done")
        while "conversation.item.input_audio_transcription.failed" not in types(events):
            events.append(await wire.recv())
    failed = only(events, "conversation.item.input_audio_transcription.failed")
    assert failed["error"]["code"] == "server_error"
    assert failed["error"]["message"] == (
        f"upstream {upstream.base_url} answered 500: The upstream broke down."
    )
    assert only(events, "response.done")["response"]["status"] == "completed"


@pytest.mark.spec("7.1")
async def test_semantic_vad_keeps_the_local_turn_scorer_when_replies_come_from_upstream(
    upstream: UpstreamServer,
) -> None:
    """``engine: local`` with an upstream responder and transcriber: SmolLM2 still scores."""
    require_local_stack()
    model = entry(upstream, "gpt-realtime")
    model.pop("options")
    model.update(engine="local", vad={"engine": "scripted"})
    registry = ModelRegistry.from_dict({"models": [model]})
    session = spoken_session()
    session["audio"]["input"]["turn_detection"] = {"type": "semantic_vad"}
    async with (
        running(ServerConfig(models=registry)) as url,
        connect(url, "gpt-realtime") as (
            connection,
            wire,
        ),
    ):
        engines = registry.engines("gpt-realtime")
        assert engines is not None
        assert isinstance(engines.responder, ChatResponder)
        assert isinstance(engines.turn_scorer, LlamaTurnScorer)
        await connection.session.update(session=session)
        for chunk in audio_chunks(silence(300) + speech("What time is it?") + silence(700)):
            await connection.input_audio_buffer.append(audio=chunk)
        events = await wire.until("response.done")

    assert types(events).count("input_audio_buffer.speech_stopped") == 1
    done = only(events, "response.done")["response"]
    assert done["output"][0]["content"][0]["transcript"] == "You said: What time is it?"
