"""The table's frames over a real socket: no drop, no 1006, the outbox and the 1007 close.

Each test opens its own server on 127.0.0.1 and speaks raw WebSocket with the
``websockets`` client, reading every frame as a client that reads at once would.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import websockets
from websockets.asyncio.client import ClientConnection

from openrealtime.engines.registry import ModelRegistry
from openrealtime.server import ServerConfig
from openrealtime.server.app.runner import ServerURL, running

from ..e2e.wire import validate

pytestmark = pytest.mark.timeout(60)

TIMEOUT = 20.0
MiB = 1024 * 1024


async def connect(url: ServerURL, dialect: str = "ga") -> ClientConnection:
    headers = {"OpenAI-Beta": "realtime=v1"} if dialect == "beta" else None
    ws = await websockets.connect(
        url.realtime(), additional_headers=headers, max_size=None, open_timeout=TIMEOUT
    )
    first = json.loads(await ws.recv())
    assert first["type"] == "session.created"
    if dialect == "beta":
        assert json.loads(await ws.recv())["type"] == "conversation.created"
    return ws


async def recv(ws: ClientConnection) -> dict[str, Any]:
    async with asyncio.timeout(TIMEOUT):
        event: dict[str, Any] = json.loads(await ws.recv())
    return event


async def still_alive(ws: ClientConnection, dialect: str = "ga") -> None:
    """A liveness ``session.update`` is answered with ``session.updated``."""
    session = {"type": "realtime", "instructions": "ping"} if dialect == "ga" else {}
    await ws.send(json.dumps({"type": "session.update", "session": session}))
    assert (await recv(ws))["type"] == "session.updated"


@pytest.fixture
async def url() -> AsyncIterator[ServerURL]:
    config = ServerConfig(models=ModelRegistry.default(options={"pace": 0}))
    async with running(config) as served:
        yield served


@pytest.mark.spec("12.27")
@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_a_lone_surrogate_keeps_the_connection_and_what_was_queued(
    url: ServerURL, dialect: str
) -> None:
    async with await connect(url, dialect) as ws:
        session = {"type": "realtime"} if dialect == "ga" else {}
        await ws.send(json.dumps({"type": "session.update", "session": session}))
        await ws.send('{"type":"input_audio_buffer.clear","event_id":"\\ud800"}')
        updated, error = await recv(ws), await recv(ws)
        assert updated["type"] == "session.updated"
        validate(dialect, json.dumps(error))  # type: ignore[arg-type]
        assert (error["error"]["param"], error["error"]["event_id"]) == ("event_id", None)
        await still_alive(ws, dialect)
