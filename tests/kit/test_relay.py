"""The relay backend against real upstreams: our server (GA and beta), and broken ones."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from websockets.asyncio.server import ServerConnection, serve

from openrealtime.protocol import ProtocolError, ga
from openrealtime.server.app.runner import ServerURL
from openrealtime.server.relay import RelayBackend, RelaySettings
from openrealtime.testing.invariants import WireChecker

from .conftest import API_KEY

pytestmark = pytest.mark.asyncio(loop_scope="session")

TURN: list[dict[str, Any]] = [
    {"type": "session.update", "session": {"type": "realtime", "output_modalities": ["text"]}},
    {
        "type": "conversation.item.create",
        "item": {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "Hello"}],
        },
    },
    {"type": "response.create", "event_id": "kit_r1"},
]


class Client:
    """Stands for the connection a relay serves: what it was sent, and how it was closed."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.closed: tuple[int, str] | None = None
        self._changed = asyncio.Event()

    def send(self, event: ga.ServerEvent) -> None:
        self.events.append(event.to_dict())
        self._changed.set()

    def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)
        self._changed.set()

    async def until(self, event_type: str) -> list[dict[str, Any]]:
        async with asyncio.timeout(5):
            while not any(e["type"] == event_type for e in self.events):
                self._changed.clear()
                await self._changed.wait()
        return self.events

    async def until_closed(self) -> tuple[int, str]:
        async with asyncio.timeout(5):
            while self.closed is None:
                self._changed.clear()
                await self._changed.wait()
        return self.closed


def relay(client: Client, settings: RelaySettings, model: str = "gpt-realtime") -> RelayBackend:
    return RelayBackend(settings, send=client.send, close=client.close, model=model)


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_a_session_flows_through_to_an_upstream_of_either_dialect(
    fast_server: ServerURL, dialect: str
) -> None:
    client = Client()
    backend = relay(client, RelaySettings(str(fast_server), API_KEY, dialect))  # type: ignore[arg-type]
    await backend.open()
    try:
        await client.until("session.created")
        for event in TURN:
            await backend.handle(ga.ClientEvent.parse(event))
        events = await client.until("response.done")
    finally:
        await backend.aclose()
    checker = WireChecker("ga", echo=False)
    for event in events:
        checker.server(event)
    checker.finish()
    # A beta upstream's conversation.created is GA-internal here: the GA edge drops it.
    kinds = [e["type"] for e in events if e["type"] != "conversation.created"]
    assert kinds[:2] == ["session.created", "session.updated"]
    assert "response.output_text.done" in kinds
    done = next(e for e in events if e["type"] == "response.done")
    assert done["response"]["status"] == "completed"
    assert client.closed is None


async def test_an_unreachable_upstream_ends_the_session_with_a_server_error() -> None:
    client = Client()
    backend = relay(client, RelaySettings("ws://127.0.0.1:9/v1", connect_timeout=2))
    await backend.open()
    await backend.aclose()
    (error,) = client.events
    assert error["error"]["type"] == "server_error"
    assert error["error"]["code"] == "upstream_unavailable"
    assert client.closed == (1011, "server_error.upstream_unavailable")


async def test_the_upstreams_refusal_reaches_the_client_with_its_close(
    fast_server: ServerURL,
) -> None:
    client = Client()
    backend = relay(client, RelaySettings(str(fast_server), API_KEY), model="gpt-nope")
    await backend.open()
    assert await client.until_closed() == (4000, "invalid_request_error.invalid_model")
    await backend.aclose()
    assert [e["error"]["code"] for e in client.events] == ["invalid_model"]
    wrong_key = Client()
    backend = relay(wrong_key, RelaySettings(str(fast_server), "sk-wrong-key-000000"))
    await backend.open()
    assert await wrong_key.until_closed() == (3000, "invalid_request_error.invalid_api_key")
    await backend.aclose()


@pytest_asyncio.fixture(loop_scope="session")
async def stalled_upstream() -> AsyncIterator[tuple[str, list[int | None]]]:
    """An upstream that greets, then never reads again; it notes how each connection closed."""
    closes: list[int | None] = []

    async def handle(connection: ServerConnection) -> None:
        await connection.send('{"type":"session.created","event_id":"event_1","session":{}}')
        await connection.wait_closed()
        closes.append(connection.close_code)

    async with serve(
        handle, "127.0.0.1", 0, max_queue=1, max_size=None, close_timeout=0.5
    ) as server:
        port = server.sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}/v1", closes


async def test_an_upstream_that_stops_reading_closes_the_session_with_a_reason(
    stalled_upstream: tuple[str, list[int | None]],
) -> None:
    url, _ = stalled_upstream
    client = Client()
    backend = relay(client, RelaySettings(url, max_pending_bytes=2 * 1024 * 1024))
    await backend.open()
    chunk = base64.b64encode(bytes(512 * 1024)).decode()
    append = ga.ClientEvent.parse({"type": "input_audio_buffer.append", "audio": chunk})
    async with asyncio.timeout(10):
        while client.closed is None:
            await backend.handle(append)
            await asyncio.sleep(0.01)
    assert client.closed == (1011, "upstream is not reading")
    await backend.aclose()


async def test_closing_the_client_side_closes_the_upstream(
    stalled_upstream: tuple[str, list[int | None]],
) -> None:
    url, closes = stalled_upstream
    client = Client()
    backend = relay(client, RelaySettings(url))
    await backend.open()
    await client.until("session.created")
    await backend.aclose()
    async with asyncio.timeout(5):
        while not closes:
            await asyncio.sleep(0.01)
    assert closes == [1000]


async def test_frames_the_edge_refused_are_answered_here(fast_server: ServerURL) -> None:
    client = Client()
    backend = relay(client, RelaySettings(str(fast_server), API_KEY))
    await backend.open()
    await client.until("session.created")
    backend.report(ProtocolError("invalid_json", "Invalid event: failed to parse JSON value."))
    await backend.aclose()
    assert [e["type"] for e in client.events] == ["session.created", "error"]
    assert client.events[1]["error"]["code"] == "invalid_json"
