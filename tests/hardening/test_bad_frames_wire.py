"""The table's frames over a real socket: no drop, no 1006, the outbox and the 1007 close.

Each test opens its own server on 127.0.0.1 and speaks raw WebSocket with the
``websockets`` client, reading every frame as a client that reads at once would.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

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


def text_item(text: str, item_id: str) -> dict[str, Any]:
    content = [{"type": "input_text", "text": text}]
    item = {"type": "message", "role": "user", "id": item_id, "content": content}
    return {"type": "conversation.item.create", "item": item}


@pytest.mark.spec("12.29")
async def test_large_items_round_trip_to_a_reading_client(url: ServerURL) -> None:
    """9 MiB of text three times over, then each retrieved: no 1008 for a client that reads."""
    text = "a" * (9 * MiB)
    async with await connect(url) as ws:
        for index in range(3):
            await ws.send(json.dumps(text_item(text, f"big_{index}")))
        for index in range(3):
            added, done = await recv(ws), await recv(ws)
            assert added["item"]["id"] == f"big_{index}"
            assert (added["type"], done["type"]) == (
                "conversation.item.added",
                "conversation.item.done",
            )
            assert done["item"]["content"][0]["text"] == text
        for index in range(3):
            await ws.send(
                json.dumps({"type": "conversation.item.retrieve", "item_id": f"big_{index}"})
            )
        for index in range(3):
            retrieved = await recv(ws)
            assert retrieved["type"] == "conversation.item.retrieved"
            assert retrieved["item"]["id"] == f"big_{index}"
        await still_alive(ws)


@pytest.mark.spec("12.29")
async def test_a_large_audio_item_is_retrieved(url: ServerURL) -> None:
    pcm = bytes(range(256)) * (12 * MiB // 256)
    audio = base64.b64encode(pcm).decode("ascii")
    item = {
        "type": "message",
        "role": "user",
        "id": "audio_1",
        "content": [{"type": "input_audio", "audio": audio}],
    }
    async with await connect(url) as ws:
        session = {"type": "realtime", "audio": {"input": {"transcription": None}}}
        await ws.send(json.dumps({"type": "session.update", "session": session}))
        await ws.send(json.dumps({"type": "conversation.item.create", "item": item}))
        await ws.send(json.dumps({"type": "conversation.item.retrieve", "item_id": "audio_1"}))
        types = []
        while not types or types[-1] != "conversation.item.retrieved":
            event = await recv(ws)
            types.append(event["type"])
        assert "error" not in types
        assert event["item"]["content"][0]["audio"] == audio
        await still_alive(ws)


@pytest.mark.spec("12.29")
async def test_a_four_million_character_tool_choice(url: ServerURL) -> None:
    # Each character is a control character, escaped as six on the wire both ways: 24 MB.
    name = "\x01" * 4_000_000
    session = {
        "type": "realtime",
        "tools": [{"type": "function", "name": "f", "parameters": {"type": "object"}}],
        "tool_choice": {"type": "function", "name": name},
    }
    async with await connect(url) as ws:
        await ws.send(json.dumps({"type": "session.update", "session": session}))
        updated = await recv(ws)
        assert updated["type"] == "session.updated"
        assert updated["session"]["tool_choice"]["name"] == name
        await still_alive(ws)


@pytest.mark.spec("12.29")
async def test_a_reply_over_max_reply_bytes_is_one_error() -> None:
    config = ServerConfig(
        models=ModelRegistry.default(options={"pace": 0}), max_reply_bytes=64 * 1024
    )
    async with running(config) as url, await connect(url) as ws:
        create = text_item("b" * 100_000, "too_big")
        await ws.send(json.dumps({**create, "event_id": "client_1"}))
        error = await recv(ws)
        assert error["type"] == "error"
        assert error["error"]["code"] == "reply_too_large"
        assert error["error"]["event_id"] == "client_1"
        assert error["error"]["message"].startswith(
            "The conversation.item.added event would be a frame of 100"
        )
        assert error["error"]["message"].endswith(
            "more than the 65536 bytes this server sends in one frame (max_reply_bytes), "
            "so it was not sent."
        )
        # Only one error for the event, though both its replies were too large.
        await still_alive(ws)
        # The item was created: a small item after it names it as its predecessor.
        await ws.send(json.dumps({**text_item("small", "after"), "previous_item_id": "too_big"}))
        added = await recv(ws)
        assert (added["type"], added["previous_item_id"]) == ("conversation.item.added", "too_big")


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.mark.spec("12.30")
async def test_invalid_utf8_closes_1007_with_one_log_line(url: ServerURL) -> None:
    handler = Records()
    logger = logging.getLogger("uvicorn.error")
    logger.addHandler(handler)
    try:
        async with await connect(url) as ws:
            await ws.send(b'{"type":"session.update","event_id":"\xff"}', text=True)
            with pytest.raises(ConnectionClosed) as closed:
                await recv(ws)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1007
    finally:
        logger.removeHandler(handler)
    assert [(r.levelname, r.getMessage(), r.exc_info) for r in handler.records] == [
        ("WARNING", "closed a connection with 1007: a text frame was not valid UTF-8", None)
    ]
