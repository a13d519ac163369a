"""A client that stops reading: the outbox stays bounded and the server closes with 1008."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from typing import Any

import pytest
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri

from openrealtime.engines.registry import ModelRegistry
from openrealtime.engines.scripted import Script, scripted_engines
from openrealtime.engines.scripted.script import Actions
from openrealtime.server import ServerConfig, create_app
from openrealtime.server.app.runner import running
from openrealtime.server.transport.outbox import OUTBOX_FULL, Close, Outbox, frame_bytes

from .wire import TEXT_TURN

LIMIT = 256 * 1024
LONG_REPLY = "Speaking on and on " * 400
"""About 7600 characters: over seven minutes of speech, far more than the limit."""


async def test_the_outbox_gives_up_on_a_client_that_reads_nothing() -> None:
    gave_up: list[bool] = []
    outbox = Outbox(
        limit=10, max_frame=20, stall_seconds=0.05, on_give_up=lambda: gave_up.append(True)
    )
    outbox.put("12345")
    outbox.put("67890")
    outbox.put("x")
    assert outbox.queued_bytes == 11
    assert not outbox.overflowed
    await asyncio.sleep(0.1)
    # Past the limit, nothing taken for stall_seconds: the timer gave up.
    assert outbox.overflowed
    assert gave_up == [True]
    assert outbox.queued_bytes == 0
    outbox.put("ignored")
    outbox.close(Close(1001, "later"))
    assert [await outbox.get()] == [OUTBOX_FULL]


async def test_a_client_that_reads_is_never_given_up_on() -> None:
    """A large reply (an item's ``added`` and ``done``) is fine while the writer takes frames."""
    outbox = Outbox(limit=10, max_frame=20, stall_seconds=0.05)
    outbox.put("a" * 20)
    outbox.put("b" * 20)
    for _ in range(4):
        await asyncio.sleep(0.03)
        await outbox.get()
        outbox.put("c" * 20)
    assert not outbox.overflowed
    assert outbox.queued_bytes == 40


async def test_nothing_queues_past_the_hard_bound() -> None:
    outbox = Outbox(limit=10, max_frame=20)
    for _ in range(5):
        outbox.put("z" * 10)
    assert outbox.queued_bytes == 50
    outbox.put("z")
    assert outbox.overflowed


def test_frames_are_counted_in_utf8_bytes() -> None:
    assert frame_bytes("abc") == 3
    assert frame_bytes("\u00e9\u20ac\U0001f600") == 2 + 3 + 4


class RawClient:
    """A WebSocket client over a socket with a tiny receive buffer, read only on demand."""

    def __init__(self, url: str) -> None:
        self.protocol = ClientProtocol(parse_uri(url))
        self.reader: asyncio.StreamReader
        self.writer: asyncio.StreamWriter

    async def connect(self, host: str, port: int) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (host, port))
        self.reader, self.writer = await asyncio.open_connection(sock=sock, limit=4096)
        self.protocol.send_request(self.protocol.connect())
        await self._flush()
        while not any(isinstance(e, Response) for e in await self._receive()):
            pass

    async def send(self, event: dict[str, Any]) -> None:
        self.protocol.send_text(json.dumps(event).encode())
        await self._flush()

    async def read_to_the_end(self) -> tuple[list[dict[str, Any]], int]:
        """Every event left, and the number of bytes read, until the connection ends."""
        events: list[dict[str, Any]] = []
        received = 0
        while True:
            data = await self.reader.read(65536)
            received += len(data)
            if not data:
                self.protocol.receive_eof()
            else:
                self.protocol.receive_data(data)
            for event in self.protocol.events_received():
                if isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                    events.append(json.loads(event.data))
            await self._flush()
            if not data:
                return events, received

    async def _receive(self) -> list[object]:
        self.protocol.receive_data(await self.reader.read(4096))
        return list(self.protocol.events_received())

    async def _flush(self) -> None:
        for chunk in self.protocol.data_to_send():
            if chunk:
                self.writer.write(chunk)
        await self.writer.drain()


@pytest.mark.timeout(60)
async def test_a_client_that_stops_reading_is_closed_1008(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="openrealtime.connection")
    engines = scripted_engines(Script(default=Actions(reply=LONG_REPLY)), pace=0)
    config = ServerConfig(
        models=ModelRegistry.with_engines(engines), max_outbox_bytes=LIMIT, shutdown_timeout=20
    )
    app = create_app(config)
    async with running(config, app=app) as url:
        client = RawClient(url.realtime())
        host, port = url.split("//")[1].split("/")[0].split(":")
        await client.connect(host, int(port))
        for event in TEXT_TURN:
            await client.send(event)
        async with asyncio.timeout(20):
            while "not reading" not in caplog.text:
                await asyncio.sleep(0.05)
        events, received = await client.read_to_the_end()
        close = client.protocol.close_rcvd
        assert close is not None
        assert (close.code, close.reason) == (1008, "outbox full: client not reading")
        assert "response.done" not in [event["type"] for event in events]
        # Far less than the reply's audio (about 28 MB of base64) ever left the server.
        assert received < 8 * 1024 * 1024
        async with asyncio.timeout(5):
            while len(app.state.sessions):
                await asyncio.sleep(0.05)
