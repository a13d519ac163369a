"""Allowed origins, sessions per client secret, rate limits, and no key in logs or errors.

Real servers on 127.0.0.1 for what a connection or a request sees; the session core on
a virtual clock for the rate-limit windows.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from openrealtime.engines.registry import ModelRegistry
from openrealtime.engines.scripted import scripted_engines
from openrealtime.server import ServerConfig, SessionOptions
from openrealtime.server.app.runner import ServerURL, running
from openrealtime.testing.recording import SessionRecorders

from ..ops.wire import TEXT_TURN, first_event, until_closed
from ..server.dialects import Dialect, configure, user_text
from ..server.harness import Harness, silence, speech

KEY = "sk-hardening-key-0123456789ZZZZ"
APP = "https://app.example"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def mint(url: ServerURL, **body: Any) -> str:
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            f"{url.http}/realtime/client_secrets", json=body, headers=bearer(KEY)
        )
    answer.raise_for_status()
    value: str = answer.json()["value"]
    return value


# -- allowed origins ---------------------------------------------------------------------------


@pytest.fixture
async def guarded() -> AsyncIterator[ServerURL]:
    config = ServerConfig(api_keys=(KEY,), allowed_origins=(APP, "http://localhost:5173"))
    async with running(config) as url:
        yield url


@pytest.mark.parametrize("origin", [APP, "HTTPS://App.Example:443", "http://localhost:5173", None])
async def test_allowed_origins_and_clients_without_one_connect(
    guarded: ServerURL, origin: str | None
) -> None:
    headers = bearer(KEY) | ({"Origin": origin} if origin else {})
    event, _ = await first_event(guarded.realtime(), headers=headers)
    assert event["type"] == "session.created"


@pytest.mark.spec("12.33")
@pytest.mark.parametrize("origin", ["https://evil.example", "http://app.example", "null"])
async def test_another_origin_gets_an_error_and_close_3003(guarded: ServerURL, origin: str) -> None:
    closed = await until_closed(guarded.realtime(), headers=bearer(KEY) | {"Origin": origin})
    assert closed.types() == ["error"]
    assert closed.events[0]["error"] == {
        "type": "invalid_request_error",
        "code": "origin_not_allowed",
        "message": f"The origin {origin!r} is not allowed to use this server.",
        "param": None,
        "event_id": None,
    }
    assert (closed.code, closed.reason) == (3003, "invalid_request_error.origin_not_allowed")


async def test_the_origin_is_checked_before_the_key(guarded: ServerURL) -> None:
    closed = await until_closed(
        guarded.realtime(), headers=bearer("wrong") | {"Origin": "https://evil.example"}
    )
    assert closed.code == 3003


async def test_http_endpoints_refuse_another_origin_with_403(guarded: ServerURL) -> None:
    evil = {"Origin": "https://evil.example"}
    async with httpx.AsyncClient() as client:
        for method, path in (
            ("POST", "/v1/realtime/client_secrets"),
            ("POST", "/v1/realtime/sessions"),
            ("GET", "/v1/models"),
            ("GET", "/healthz"),
            ("GET", "/"),
            ("POST", "/console/session"),
        ):
            answer = await client.request(
                method, f"{guarded.http.removesuffix('/v1')}{path}", headers=bearer(KEY) | evil
            )
            assert answer.status_code == 403, path
            assert answer.json()["error"]["code"] == "origin_not_allowed"
        allowed = await client.post(
            f"{guarded.http}/realtime/client_secrets",
            json={},
            headers=bearer(KEY) | {"Origin": APP},
        )
        assert allowed.status_code == 200


async def test_the_servers_own_origin_is_allowed(guarded: ServerURL) -> None:
    """The console the server serves at / talks to it from the server's own origin."""
    own = guarded.http.removesuffix("/v1")
    event, _ = await first_event(guarded.realtime(), headers=bearer(KEY) | {"Origin": own})
    assert event["type"] == "session.created"
    async with httpx.AsyncClient() as client:
        answer = await client.get(f"{own}/healthz", headers={"Origin": own})
    assert answer.status_code != 403


async def test_without_allowed_origins_every_origin_connects() -> None:
    async with running(ServerConfig()) as url:
        event, _ = await first_event(url.realtime(), headers={"Origin": "https://any.example"})
    assert event["type"] == "session.created"


# -- sessions per client secret ------------------------------------------------------------------


async def test_a_cap_on_sessions_per_client_secret() -> None:
    config = ServerConfig(api_keys=(KEY,), max_sessions_per_secret=2)
    async with running(config) as url:
        secret, other = await mint(url), await mint(url)
        realtime = url.realtime()
        first = await websockets.connect(realtime, additional_headers=bearer(secret))
        second = await websockets.connect(realtime, additional_headers=bearer(secret))
        try:
            for ws in (first, second):
                assert json.loads(await ws.recv())["type"] == "session.created"
            closed = await until_closed(realtime, headers=bearer(secret))
            assert closed.events[0]["error"]["code"] == "session_limit_reached"
            assert closed.events[0]["error"]["message"] == (
                "This client secret already has 2 open sessions, the most allowed. Try again later."
            )
            assert (closed.code, closed.reason) == (
                1013,
                "invalid_request_error.session_limit_reached",
            )
            # Another secret, and the API key itself, are not held back.
            for token in (other, KEY):
                event, _ = await first_event(realtime, headers=bearer(token))
                assert event["type"] == "session.created"
        finally:
            await first.close()
        # A place came free.
        async with asyncio.timeout(5):
            while True:
                event, _ = await first_event(realtime, headers=bearer(secret))
                if event["type"] == "session.created":
                    break
                await asyncio.sleep(0.05)
        await second.close()


# -- rate limits ----------------------------------------------------------------------------------


@pytest.mark.spec("12.32")
@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_past_the_requests_per_minute_a_response_gets_an_error(dialect: Dialect) -> None:
    async with Harness(dialect=dialect, options=SessionOptions(requests_per_minute=2)) as h:
        await h.send(configure(dialect, text=True))
        for _ in range(2):
            await h.send(user_text("Hello"))
            await h.send({"type": "response.create"})
            await h.settle()
        if dialect == "beta":
            # Beta reports the requests window after response.created (GA only tokens).
            remaining = [
                r.remaining
                for update in h.of_type("rate_limits.updated")
                for r in update.rate_limits
                if r.name == "requests"
            ]
            assert remaining == [1, 0]
        h.take()
        await h.send({"type": "response.create", "event_id": "third"})
        (error,) = h.take()
        assert error.error.code == "rate_limit_exceeded"
        assert error.error.event_id == "third"
        assert error.error.message.startswith(
            "Rate limit reached for requests per minute: limit 2, used 2. Please try again in "
        )
        # Nothing was dropped: the session answers, and the window resets.
        await h.send(configure(dialect, text=True))
        assert [e.type for e in h.take()] == ["session.updated"]
        await h.advance(61)
        await h.send({"type": "response.create"})
        await h.settle()
        assert h.of_type("response.done")[-1].response.status == "completed"


async def test_past_the_tokens_per_minute_too() -> None:
    async with Harness(options=SessionOptions(tokens_per_minute=5)) as h:
        await h.send(configure("ga", text=True))
        await h.send(user_text("Hello there, how are you today?"))
        await h.send({"type": "response.create"})
        await h.settle()
        h.take()
        await h.send({"type": "response.create"})
        (error,) = h.take()
        assert error.error.code == "rate_limit_exceeded"
        assert "for tokens per minute" in error.error.message


@pytest.mark.spec("12.32")
async def test_a_turn_past_the_limit_gets_an_error_not_a_response() -> None:
    async with Harness(options=SessionOptions(requests_per_minute=1)) as h:
        await h.send(configure("ga", text=True, vad=True))
        for _ in range(2):
            await h.append(speech("Hello there") + silence(1000))
            await h.settle()
        assert len(h.of_type("response.created")) == 1
        errors = h.errors()
        assert [e["code"] for e in errors] == ["rate_limit_exceeded"]
        assert errors[0]["event_id"] is None
        # The turn's audio was committed all the same.
        assert len(h.of_type("input_audio_buffer.committed")) == 2


# -- no key in logs, events or errors -----------------------------------------------------------


async def test_no_key_or_client_secret_in_debug_logs_recordings_events_or_errors(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    config = ServerConfig(
        models=ModelRegistry.with_engines(scripted_engines(pace=0)),
        api_keys=(KEY,),
        trace_events=True,
        tap=SessionRecorders(tmp_path, secrets=[KEY]),
    )
    seen: list[str] = []
    async with running(config) as url:
        secret = await mint(url, session={"type": "realtime", "model": "gpt-realtime"})
        realtime = url.realtime()
        pasted = {
            "type": "session.update",
            "session": {"type": "realtime", "instructions": f"My key {KEY}, my secret {secret}"},
        }
        for token in (KEY, secret):
            async with websockets.connect(realtime, additional_headers=bearer(token)) as ws:
                bad = [
                    {"type": "session.update", "session": {"type": "realtime", "model": "nope"}},
                    {"type": "response.cancel"},
                    {"type": "conversation.item.retrieve", "item_id": "missing"},
                ]
                for event in [*bad, *TEXT_TURN]:
                    await ws.send(json.dumps(event))
                async with asyncio.timeout(10):
                    while True:
                        seen.append(await ws.recv())  # type: ignore[arg-type]
                        if json.loads(seen[-1])["type"] == "response.done":
                            break
                # A client that pastes its credentials into its own text: the server
                # echoes them back to it, but neither logs nor records them.
                await ws.send(json.dumps(pasted))
                async with asyncio.timeout(10):
                    await ws.recv()
        # Refusals quote the token: masked.
        for token, query in ((KEY + "x", realtime), (secret, url.realtime("other-model"))):
            closed = await until_closed(query, headers=bearer(token))
            seen.extend(json.dumps(event) for event in closed.events)
    # The server's loggers only: the test's own clients log their request headers.
    server = [r for r in caplog.records if r.name.startswith(("openrealtime", "uvicorn"))]
    logs = "\n".join(record.getMessage() for record in server)
    assert any(record.name == "openrealtime.trace" for record in server)
    recordings = "\n".join(path.read_text() for path in tmp_path.glob("*.jsonl"))
    assert recordings.count("session.created") == 2
    assert "error" in "".join(seen)
    texts = (("logs", logs), ("recordings", recordings), ("events", "\n".join(seen)))
    for where, text in texts:
        assert KEY not in text, where
        assert secret not in text, where
        assert secret[3:] not in text, where
