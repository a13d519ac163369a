"""Connection rows over real sockets: query parameters, fatal errors, expiry, pings, HTTP.

Close codes and reasons are read with the ``websockets`` client; pings with a sans-IO
``websockets`` protocol over a bare TCP stream, which sees every control frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from typing import Any

import httpx
import pytest
import websockets
from openai import AsyncOpenAI
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.uri import parse_uri

from openrealtime.engines.registry import ModelRegistry
from openrealtime.server import ServerConfig, SessionOptions
from openrealtime.server.app.runner import ServerURL, running

from ..server.core_checks import invalid_request
from ..traces import transcribed_speech
from .wire import RECV_TIMEOUT, Dialect, audio_chunks, silence, speech, types, validate

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.timeout(30)]

BETA = {"OpenAI-Beta": "realtime=v1"}


async def opening_then_close(
    url: str, dialect: Dialect = "ga", headers: dict[str, str] | None = None
) -> tuple[list[dict[str, Any]], int | None, str | None]:
    """Every event the server sends before it closes, and the close code and reason."""
    events: list[dict[str, Any]] = []
    async with websockets.connect(url, additional_headers=headers or {}) as ws:
        async with asyncio.timeout(RECV_TIMEOUT):
            with contextlib.suppress(websockets.ConnectionClosed):
                while True:
                    events.append(validate(dialect, await ws.recv()))
        return events, ws.close_code, ws.close_reason


# -- 1.1, 1.2, 12.3, 12.4: refused requests -----------------------------------------------


@pytest.mark.spec("1.1", "1.2", "12.3", "12.4")
@pytest.mark.parametrize(
    ("query", "headers", "expected"),
    [
        pytest.param(
            "",
            {},
            invalid_request(
                "missing_model",
                "You must provide a model parameter, for example "
                "wss://api.openai.com/v1/realtime?model=gpt-realtime",
            ),
            id="no-model",
        ),
        pytest.param(
            "",
            BETA,
            invalid_request(
                "missing_model",
                "You must provide a model parameter, for example "
                "wss://api.openai.com/v1/realtime?model=gpt-realtime",
            ),
            id="no-model-beta",
        ),
        pytest.param(
            "?model=gpt-nope",
            {},
            invalid_request("invalid_model", 'Model "gpt-nope" is not supported in realtime mode.'),
            id="unknown-model",
        ),
        pytest.param(
            "?model=whisper-1",
            {},
            invalid_request(
                "invalid_model", 'Model "whisper-1" is not supported in realtime mode.'
            ),
            id="transcription-model",
        ),
        pytest.param(
            "?intent=transcription&model=gpt-realtime",
            {},
            invalid_request(
                "invalid_model",
                "You must not provide a model parameter for transcription sessions.",
            ),
            id="transcription-with-model",
        ),
        pytest.param(
            "?call_id=rtc_123",
            {},
            invalid_request(
                "invalid_value",
                "Sideband connections with call_id are not supported by this server.",
                "call_id",
            ),
            id="call-id",
        ),
        pytest.param(
            "?model=gpt-realtime&call_id=rtc_123",
            {},
            invalid_request(
                "invalid_value",
                "Sideband connections with call_id are not supported by this server.",
                "call_id",
            ),
            id="model-and-call-id",
        ),
    ],
)
async def test_refused_requests_upgrade_then_error_and_close_4000(
    fast_url: ServerURL, query: str, headers: dict[str, str], expected: dict[str, Any]
) -> None:
    dialect: Dialect = "beta" if headers else "ga"
    # websockets.connect returning at all means the upgrade (101) succeeded.
    events, code, reason = await opening_then_close(f"{fast_url}/realtime{query}", dialect, headers)

    assert types(events) == ["error"]
    assert events[0]["error"] == expected
    assert code == 4000
    assert reason == f"invalid_request_error.{expected['code']}"


# -- 1.1, 12.5: served sessions -------------------------------------------------------------


@pytest.mark.spec("1.1", "4g")
async def test_transcription_intent_opens_a_transcription_session(fast_url: ServerURL) -> None:
    update = {
        "type": "session.update",
        "session": {
            "type": "transcription",
            "audio": {
                "input": {
                    "transcription": {"model": "whisper-1"},
                    "turn_detection": {"type": "server_vad"},
                }
            },
        },
    }
    async with websockets.connect(f"{fast_url}/realtime?intent=transcription") as ws:
        await ws.send(json.dumps(update))
        for chunk in audio_chunks(speech("hi") + silence(600)):
            await ws.send(json.dumps({"type": "input_audio_buffer.append", "audio": chunk}))
        events = []
        async with asyncio.timeout(RECV_TIMEOUT):
            while not events or not events[-1]["type"].endswith("transcription.completed"):
                events.append(validate("ga", await ws.recv()))
            await ws.send(json.dumps({"type": "response.create", "event_id": "r1"}))
            refused = validate("ga", await ws.recv())

    assert types(events) == [
        "session.created",
        "session.updated",
        *transcribed_speech("ga", deltas=1),
    ]
    created = events[0]["session"]
    assert (created["type"], created["object"]) == (
        "transcription",
        "realtime.transcription_session",
    )
    assert events[-1]["transcript"] == "hi"
    assert refused["type"] == "error"
    assert (refused["error"]["code"], refused["error"]["param"]) == ("invalid_value", "type")
    assert refused["error"]["event_id"] == "r1"


@pytest.mark.spec("1.1", "12.5")
@pytest.mark.parametrize(
    ("query", "opening"),
    [
        ("?model=gpt-4o-realtime-preview", ["session.created", "conversation.created"]),
        ("?intent=transcription", ["transcription_session.created"]),
    ],
)
@pytest.mark.parametrize("how", ["header", "subprotocol"])
async def test_the_beta_dialect_is_served(
    fast_url: ServerURL, query: str, opening: list[str], how: str
) -> None:
    options: dict[str, Any] = (
        {"additional_headers": BETA}
        if how == "header"
        else {
            "subprotocols": ["realtime", "openai-insecure-api-key.test", "openai-beta.realtime-v1"]
        }
    )
    async with websockets.connect(f"{fast_url}/realtime{query}", **options) as ws:
        async with asyncio.timeout(RECV_TIMEOUT):
            events = [validate("beta", await ws.recv()) for _ in opening]
        subprotocol = ws.subprotocol
        await ws.send(json.dumps({"type": "input_audio_buffer.clear"}))
        async with asyncio.timeout(RECV_TIMEOUT):
            cleared = validate("beta", await ws.recv())

    assert types(events) == opening
    assert cleared["type"] == "input_audio_buffer.cleared"
    assert subprotocol == (None if how == "header" else "realtime")
    if "intent" not in query:
        assert "modalities" in events[0]["session"]


# -- 1.4, 12.6: session expiry --------------------------------------------------------------


@pytest.mark.spec("1.4", "12.6")
async def test_session_expiry_sends_session_expired_then_closes_1001() -> None:
    # A zero-minute session expires as soon as it starts: the mechanism without the wait.
    config = ServerConfig(
        models=ModelRegistry.default(options={"pace": 0}),
        session=SessionOptions(session_minutes=0),
    )
    async with running(config) as url:
        before = int(time.time())
        events, code, reason = await opening_then_close(url.realtime())

    assert types(events) == ["session.created", "error"]
    assert before <= events[0]["session"]["expires_at"] <= int(time.time())
    assert events[1]["error"] == invalid_request(
        "session_expired", "Your session hit the maximum duration of 0 minutes."
    )
    assert code == 1001
    assert reason == "invalid_request_error.session_expired"


@pytest.mark.spec("1.4")
async def test_a_fractional_minute_session_expires_on_time() -> None:
    config = ServerConfig(
        models=ModelRegistry.default(options={"pace": 0}),
        session=SessionOptions(session_minutes=0.01),  # type: ignore[arg-type]
    )
    async with running(config) as url:
        started = time.monotonic()
        events, code, reason = await opening_then_close(url.realtime())
        elapsed = time.monotonic() - started

    assert types(events) == ["session.created", "error"]
    assert events[1]["error"] == invalid_request(
        "session_expired", "Your session hit the maximum duration of 0.01 minutes."
    )
    assert 0.5 <= elapsed < 3.0
    assert code == 1001
    assert reason == "invalid_request_error.session_expired"


# -- 1.4.1: keepalive pings -----------------------------------------------------------------


async def ping_times(url: str, count: int) -> list[float]:
    """Seconds after the upgrade at which each of the first ``count`` pings arrived."""
    uri = parse_uri(url)
    protocol = ClientProtocol(uri)
    reader, writer = await asyncio.open_connection(uri.host, uri.port)
    try:
        protocol.send_request(protocol.connect())
        started = time.monotonic()
        pings: list[float] = []
        async with asyncio.timeout(RECV_TIMEOUT):
            while len(pings) < count:
                writer.write(b"".join(protocol.data_to_send()))  # includes the pongs
                data = await reader.read(65536)
                assert data, "the server closed the connection"
                protocol.receive_data(data)
                for event in protocol.events_received():
                    if isinstance(event, Frame) and event.opcode is Opcode.PING:
                        pings.append(time.monotonic() - started)
        return pings
    finally:
        writer.close()


@pytest.mark.spec("1.4.1")
async def test_the_server_pings_at_the_configured_interval() -> None:
    config = ServerConfig(models=ModelRegistry.default(options={"pace": 0}), ping_interval=0.2)
    async with running(config) as url:
        pings = await ping_times(url.realtime(), 3)

    # Pings every 0.2 s: generous bounds, since a loaded machine delays them.
    assert 0.1 < pings[0] < 1.0
    assert all(0.1 < later - earlier < 1.0 for earlier, later in itertools.pairwise(pings))


# -- HTTP: GET /v1/models and /healthz --------------------------------------------------------


async def test_models_are_listed_for_the_sdk(fast_url: ServerURL) -> None:
    client = AsyncOpenAI(api_key="test", base_url=fast_url.http)
    try:
        models = await client.models.list()
    finally:
        await client.close()
    assert [model.id for model in models.data] == ["gpt-realtime"]
    assert {model.owned_by for model in models.data} == {"openrealtime"}


async def test_healthz_answers(fast_url: ServerURL) -> None:
    root = fast_url.http.removesuffix("/v1")
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{root}/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert isinstance(body["sessions"], int)
