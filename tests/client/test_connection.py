"""Connecting: URLs, credentials and headers, the frame tap, validation before sending,
dropped and silent connections, and reconnecting with the session and items restored."""

from __future__ import annotations

import asyncio
import json
import random
import time

import httpx
import pytest

from openrealtime.client import (
    ConnectionClosedError,
    RealtimeClient,
    RealtimeError,
    ReconnectPolicy,
    resolve_endpoint,
)
from openrealtime.client.reconnect import should_reconnect
from openrealtime.protocol import ProtocolError, ga
from tests.client.helpers import Frames, eventually, next_event, utterance
from tests.client.replay import ReplayServer
from tests.client.servers import API_KEY, ScriptedServer, TcpProxy

PROMPTLY = 2.0
"""Seconds within which a lost connection must fail every waiting call."""


@pytest.mark.parametrize(
    ("url", "options", "expected"),
    [
        (None, {"model": "gpt-realtime"}, "wss://api.openai.com/v1/realtime?model=gpt-realtime"),
        ("https://api.openai.com/v1", {"model": "m"}, "wss://api.openai.com/v1/realtime?model=m"),
        ("http://127.0.0.1:8000/v1/", {"model": "m"}, "ws://127.0.0.1:8000/v1/realtime?model=m"),
        ("ws://h/v1/realtime?model=a&x=1", {}, "ws://h/v1/realtime?model=a&x=1"),
        ("ws://h/v1/realtime?model=a", {"model": "b"}, "ws://h/v1/realtime?model=b"),
        (
            "ws://h/v1",
            {"model": "m", "intent": "transcription"},
            "ws://h/v1/realtime?intent=transcription",
        ),
        (
            "ws://h/v1",
            {"model": "m", "query": {"call_id": "rtc_1"}},
            "ws://h/v1/realtime?model=m&call_id=rtc_1",
        ),
        (
            "https://res.openai.azure.com",
            {"model": "gpt-realtime", "api_version": "2025-04-01-preview", "deployment": "dep"},
            "wss://res.openai.azure.com/openai/realtime?deployment=dep&api-version=2025-04-01-preview",
        ),
        (
            "https://res.openai.azure.com",
            {"model": "gpt-realtime"},
            "wss://res.openai.azure.com/openai/v1/realtime?model=gpt-realtime",
        ),
    ],
)
def test_urls(url: str | None, options: dict[str, object], expected: str) -> None:
    assert resolve_endpoint(url, **options).url == expected


def test_credentials_and_headers() -> None:
    assert resolve_endpoint(api_key="sk-1").headers == {"Authorization": "Bearer sk-1"}
    assert resolve_endpoint(api_key="sk-1", dialect="beta").headers == {
        "Authorization": "Bearer sk-1",
        "OpenAI-Beta": "realtime=v1",
    }
    azure = resolve_endpoint("https://res.openai.azure.com", api_key="k", headers={"X-A": "1"})
    assert azure.azure
    assert azure.headers == {"api-key": "k", "X-A": "1"}
    secret = resolve_endpoint("https://res.openai.azure.com", api_key="k", client_secret="ek_1")
    assert secret.headers == {"Authorization": "Bearer ek_1"}
    browser = resolve_endpoint(client_secret="ek_1", auth="subprotocol", dialect="beta")
    assert browser.headers == {}
    assert browser.subprotocols == [
        "realtime",
        "openai-insecure-api-key.ek_1",
        "openai-beta.realtime-v1",
    ]
    with pytest.raises(ValueError, match="unsupported URL scheme"):
        resolve_endpoint("ftp://h")


async def test_the_handshake_carries_what_was_asked(replay: ReplayServer) -> None:
    async with RealtimeClient.connect(
        replay.url("errors"), model="m", api_key="sk-test", headers={"X-Trace": "t1"}
    ):
        pass
    seen = replay.last("errors")
    assert seen.path == "/errors/v1/realtime?model=m"
    assert seen.headers["authorization"] == "Bearer sk-test"
    assert seen.headers["x-trace"] == "t1"
    assert "openai-beta" not in seen.headers
    assert seen.dialect == "ga"

    async with RealtimeClient.connect(
        replay.url("errors"), model="m", client_secret="ek_9", auth="subprotocol", dialect="beta"
    ):
        pass
    seen = replay.last("errors")
    assert "authorization" not in seen.headers
    assert seen.dialect == "beta"
    assert seen.subprotocols == [
        "realtime",
        "openai-insecure-api-key.ek_9",
        "openai-beta.realtime-v1",
    ]
    assert seen.selected == "realtime"

    async with RealtimeClient.connect(
        replay.url("errors"), model="gpt-realtime", api_key="az", api_version="v9", deployment="d1"
    ):
        pass
    seen = replay.last("errors")
    assert seen.path == "/errors/v1/realtime?deployment=d1&api-version=v9"
    assert seen.headers["api-key"] == "az"
    assert "authorization" not in seen.headers


async def test_a_bad_key_fails_the_connect_with_the_servers_words(scripted: ScriptedServer) -> None:
    with pytest.raises(ConnectionClosedError) as failed:
        await RealtimeClient.connect(scripted.url, model="gpt-realtime", api_key="sk-wrong")
    assert failed.value.code == 3000
    assert failed.value.error is not None
    assert failed.value.error.code == "invalid_api_key"
    assert "invalid_api_key" in str(failed.value)


async def test_a_refused_connection_is_one_clear_error() -> None:
    with pytest.raises(
        ConnectionClosedError, match=r"cannot connect to ws://127\.0\.0\.1:9/v1/realtime"
    ):
        await RealtimeClient.connect("ws://127.0.0.1:9/v1", model="m")


async def test_a_client_secret_in_the_browser_subprotocol(scripted: ScriptedServer) -> None:
    async with httpx.AsyncClient() as http:
        minted = await http.post(
            scripted.url.replace("ws://", "http://") + "/realtime/client_secrets",
            headers={"Authorization": f"Bearer {API_KEY}"},
            json={"session": {"type": "realtime", "output_modalities": ["text"]}},
        )
    secret = minted.json()["value"]
    async with RealtimeClient.connect(
        scripted.url, model="gpt-realtime", client_secret=secret, auth="subprotocol"
    ) as rt:
        assert (await rt.send_text("Hi")).text == "You said: Hi"


async def test_the_tap_sees_every_frame_in_order(scripted: ScriptedServer) -> None:
    frames = Frames()
    async with RealtimeClient.connect(
        scripted.url, model="gpt-realtime", api_key=API_KEY, tap=frames
    ) as rt:
        await rt.send_text("Hi", output_modalities=["text"])
    directions = [direction for direction, _, _ in frames.frames]
    assert directions[0] == "recv"
    assert "send" in directions
    times = [at for _, at, _ in frames.frames]
    assert times == sorted(times)
    assert times[-1] <= time.monotonic()
    received = [json.loads(frame) for direction, _, frame in frames.frames if direction == "recv"]
    assert received[0]["type"] == "session.created"
    assert received[-1]["type"] in ("response.done", "rate_limits.updated")


async def test_a_tap_that_raises_does_not_break_the_client(scripted: ScriptedServer) -> None:
    def broken(*_frame: object) -> None:
        raise RuntimeError("tap bug")

    async with RealtimeClient.connect(
        scripted.url, model="gpt-realtime", api_key=API_KEY, tap=broken
    ) as rt:
        assert (await rt.send_text("Hi", output_modalities=["text"])).text == "You said: Hi"


async def test_events_are_validated_before_they_leave(scripted: ScriptedServer) -> None:
    frames = Frames()
    async with RealtimeClient.connect(
        scripted.url, model="gpt-realtime", api_key=API_KEY, tap=frames
    ) as rt:
        sent = len(frames.sent())
        with pytest.raises(ProtocolError) as missing:
            await rt.send({"type": "session.update", "session": {}})
        assert (missing.value.code, missing.value.param) == (
            "missing_required_parameter",
            "session.type",
        )
        with pytest.raises(ProtocolError):
            await rt.update_session(voice="nobody")
        assert len(frames.sent()) == sent
        await rt.send(ga.InputAudioBufferClearEvent(event_id="mine"))
        assert frames.sent()[-1] == {"type": "input_audio_buffer.clear", "event_id": "mine"}


async def test_ga_calls_are_translated_on_a_beta_connection(scripted: ScriptedServer) -> None:
    frames = Frames()
    async with RealtimeClient.connect(
        scripted.url, model="gpt-realtime", api_key=API_KEY, dialect="beta", tap=frames
    ) as rt:
        await rt.update_session(output_modalities=["text"], audio={"output": {"voice": "verse"}})
        update = frames.sent()[-1]
        assert update["session"] == {"modalities": ["text"], "voice": "verse"}
        item = await rt.send_text("Hi")
        assert item.text == "You said: Hi"
        assert item.content[0].type == "output_text"


async def test_a_dropped_connection_fails_every_waiting_call_at_once(replay: ReplayServer) -> None:
    rt = await RealtimeClient.connect(replay.url("drop"), model="m")
    events = rt.events()
    waiting = asyncio.ensure_future(rt.wait_for("response.done"))
    started = time.monotonic()
    with pytest.raises(ConnectionClosedError, match="connection closed"):
        await rt.create_response()
    with pytest.raises(ConnectionClosedError):
        await waiting
    with pytest.raises(ConnectionClosedError):
        async for _event in events:
            pass
    assert time.monotonic() - started < PROMPTLY
    assert not rt.connected
    with pytest.raises(ConnectionClosedError):
        await rt.commit_audio()
    await rt.close()


async def test_a_cut_network_fails_a_response_in_progress(scripted: ScriptedServer) -> None:
    proxy = TcpProxy(scripted.port)
    await proxy.start()
    try:
        async with RealtimeClient.connect(proxy.url, model="gpt-realtime", api_key=API_KEY) as rt:
            pending = asyncio.ensure_future(rt.send_text("Take your time"))
            await eventually(lambda: rt.responses.active is not None)
            started = time.monotonic()
            proxy.drop()
            with pytest.raises(ConnectionClosedError):
                await pending
            assert time.monotonic() - started < PROMPTLY
    finally:
        await proxy.close()


async def test_keepalive_notices_a_silent_server(scripted: ScriptedServer) -> None:
    proxy = TcpProxy(scripted.port)
    await proxy.start()
    try:
        async with RealtimeClient.connect(
            proxy.url,
            model="gpt-realtime",
            api_key=API_KEY,
            keepalive=0.2,
            keepalive_timeout=0.3,
        ) as rt:
            pending = asyncio.ensure_future(rt.send_text("Take your time"))
            await eventually(lambda: rt.responses.active is not None)
            proxy.freeze()
            started = time.monotonic()
            with pytest.raises(ConnectionClosedError):
                await pending
            assert time.monotonic() - started < PROMPTLY + 0.5
    finally:
        await proxy.close()


def test_reconnect_policy() -> None:
    policy = ReconnectPolicy(initial_delay=0.5, max_delay=4.0, jitter=0.5)
    rng = random.Random(7)
    delays = [policy.delay(attempt, rng) for attempt in range(6)]
    for attempt, delay in enumerate(delays):
        base = min(4.0, 0.5 * 2**attempt)
        assert base / 2 <= delay <= base
    assert len(set(delays)) == len(delays)
    assert should_reconnect(1006)
    assert should_reconnect(1001)
    assert should_reconnect(1013)
    assert not any(should_reconnect(code) for code in (1000, 1008, 3000, 4000))
    with pytest.raises(ValueError, match="jitter"):
        ReconnectPolicy(jitter=2)


async def test_reconnect_restores_the_session_and_the_items(scripted: ScriptedServer) -> None:
    proxy = TcpProxy(scripted.port)
    await proxy.start()
    policy = ReconnectPolicy(initial_delay=0.05, max_delay=0.1, restore_conversation=True)
    rt = RealtimeClient(proxy.url, model="gpt-realtime", api_key=API_KEY, reconnect=policy)

    @rt.tool
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    try:
        async with rt:
            await rt.update_session(instructions="Be brief.", output_modalities=["text"])
            await rt.send_text("Hello")
            before = [(i.id, i.role, i.text) for i in rt.conversation]
            proxy.drop()
            await eventually(lambda: not rt.connected)
            await eventually(lambda: rt.connected)
            assert proxy.connections == 2
            assert [(i.id, i.role, i.text) for i in rt.conversation] == before
            for item_id, _role, text in before:
                assert (await rt.retrieve_item(item_id)).text == text  # the new session has them
            session = rt.session
            assert isinstance(session, ga.RealtimeSession)
            assert session.instructions == "Be brief."
            assert session.output_modalities == ["text"]
            assert [tool.name for tool in session.tools or []] == ["add"]
            assert (await rt.send_text('/call add {"a": 1, "b": 2}')).text == "Tool add returned: 3"
    finally:
        await proxy.close()


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_every_client_event_has_a_method(scripted: ScriptedServer, dialect: str) -> None:
    frames = Frames()
    async with RealtimeClient.connect(
        scripted.url,
        model="gpt-realtime",
        api_key=API_KEY,
        dialect=dialect,
        tap=frames,
    ) as rt:
        await rt.append_audio(bytes(4800))
        await rt.clear_audio()
        with pytest.raises(RealtimeError) as empty:
            await rt.commit_audio()
        assert empty.value.code == "input_audio_buffer_commit_empty"
        await rt.append_audio(bytes(9600))
        item_id = await rt.commit_audio()
        await eventually(lambda: item_id in rt.conversation)  # the item follows the commit
        assert rt.conversation[item_id].role == "user"
        with pytest.raises(RealtimeError) as websocket_only:
            await rt.clear_output_audio()
        assert websocket_only.value.param == "type"
        with pytest.raises(RealtimeError) as wrong_kind:
            await rt.update_transcription_session()
        assert wrong_kind.value.code == "invalid_parameter"
    assert frames.sent_types() == [
        "input_audio_buffer.append",
        "input_audio_buffer.clear",
        "input_audio_buffer.commit",
        "input_audio_buffer.append",
        "input_audio_buffer.commit",
        "output_audio_buffer.clear",
        "transcription_session.update" if dialect == "beta" else "session.update",
    ]


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_a_transcription_session(scripted: ScriptedServer, dialect: str) -> None:
    async with RealtimeClient.connect(
        scripted.url,
        intent="transcription",
        api_key=API_KEY,
        dialect=dialect,
    ) as rt:
        session = await rt.update_transcription_session(
            audio={"input": {"transcription": {"model": "whisper-1"}}}
        )
        assert session is not None
        assert "transcription" in (session.object or "")
        completed = rt.events("conversation.item.input_audio_transcription.completed")
        await rt.send_audio(utterance("hello there"), realtime=False)
        await next_event(completed)
        (item,) = rt.conversation.items
        assert (item.role, item.transcript) == ("user", "hello there")
        assert rt.responses.latest is None


async def test_handlers_sync_and_async_and_typed_waits(scripted: ScriptedServer) -> None:
    async with RealtimeClient.connect(scripted.url, model="gpt-realtime", api_key=API_KEY) as rt:
        seen: list[str] = []

        @rt.on(ga.ResponseDoneEvent)
        async def finished(event: ga.ResponseDoneEvent) -> None:
            await asyncio.sleep(0)
            seen.append(event.response.status)

        unsubscribe = rt.on("response.created", lambda event: seen.append("created"))
        waiting = asyncio.ensure_future(
            rt.wait_for(
                ga.ResponseDoneEvent, lambda event: event.response.status == "completed", 10
            )
        )
        await rt.send_text("Hi", output_modalities=["text"])
        done = await waiting
        assert isinstance(done, ga.ResponseDoneEvent)
        unsubscribe()
        await rt.send_text("Again", output_modalities=["text"])
        await eventually(lambda: seen.count("completed") == 2)
        assert seen == ["created", "completed", "completed"]
        with pytest.raises(TimeoutError):
            await rt.wait_for("response.done", timeout=0.05)
