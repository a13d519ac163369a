"""A raw ``websockets`` server that replays committed traces, one per scenario and dialect.

``traces/<scenario>.<dialect>.jsonl`` holds one step per line:

- ``{"send": {...}}``: send this server event (after filling placeholders);
- ``{"send_raw": "..."}``: send this text frame as it is;
- ``{"expect": "type", "as": "name"}``: wait for the client's next event of this type
  (frames of other types are recorded and skipped); remembered as ``name`` (default
  ``last``);
- ``{"drop": true}``: abort the TCP connection, as a network failure would;
- ``{"note": "..."}``: a comment.

Placeholders in sent frames: a string ``"$name.path.to.field"`` is that field of a
remembered client event (``"$last.event_id"``); ``"$pcm:MS:LEVEL"`` is base64 PCM16 at
24 kHz, ``MS`` milliseconds long (a number or a ``$name.field`` reference) with every
sample equal to ``LEVEL * 257``, so tests can see which chunk ended up where.

The URL ``ws://127.0.0.1:PORT/<scenario>/v1`` picks the scenario; the ``OpenAI-Beta``
header or subprotocol picks the dialect. Every connection's request and client frames
are recorded in :attr:`ReplayServer.connections`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

TRACES = Path(__file__).parent / "traces"
EXPECT_TIMEOUT = 10.0


def pcm(ms: int, level: int) -> bytes:
    """``ms`` of PCM16 at 24 kHz, every sample ``level * 257``."""
    return (level * 257).to_bytes(2, "little", signed=True) * (ms * 24)


def load(scenario: str, dialect: str) -> list[dict[str, Any]]:
    lines = (TRACES / f"{scenario}.{dialect}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@dataclass
class Recorded:
    """One connection as the replay server saw it."""

    scenario: str
    dialect: str
    path: str
    headers: dict[str, str]
    subprotocols: list[str]
    selected: str | None
    frames: list[dict[str, Any]] = field(default_factory=list)
    failure: str | None = None

    def of_type(self, wire_type: str) -> list[dict[str, Any]]:
        return [frame for frame in self.frames if frame.get("type") == wire_type]


def _lookup(remembered: dict[str, dict[str, Any]], reference: str) -> Any:
    name, _, path = reference[1:].partition(".")
    value: Any = remembered[name]
    for key in path.split("."):
        value = value[key]
    return value


def fill(value: Any, remembered: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, dict):
        return {key: fill(item, remembered) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, remembered) for item in value]
    if isinstance(value, str) and value.startswith("$pcm:"):
        length, level = value[len("$pcm:") :].rsplit(":", 1)
        ms = _lookup(remembered, length) if length.startswith("$") else int(length)
        return base64.b64encode(pcm(int(ms), int(level))).decode()
    if isinstance(value, str) and value.startswith("$") and "." in value:
        return _lookup(remembered, value)
    return value


def _select(connection: ServerConnection, offered: Any) -> Subprotocol | None:
    return Subprotocol("realtime") if "realtime" in offered else None


class ReplayServer:
    """Serves the traces on 127.0.0.1 from its own thread and event loop."""

    def __init__(self) -> None:
        self.connections: list[Recorded] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: Any = None
        self.port = 0

    def start(self) -> None:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        future.result(timeout=10)

    async def _start(self) -> None:
        self._server = await serve(
            self._handle,
            "127.0.0.1",
            0,
            select_subprotocol=_select,
            ping_interval=None,
            close_timeout=1,
        )
        self.port = self._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        async def close() -> None:
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def url(self, scenario: str) -> str:
        return f"ws://127.0.0.1:{self.port}/{scenario}/v1"

    def last(self, scenario: str) -> Recorded:
        return [c for c in self.connections if c.scenario == scenario][-1]

    async def _handle(self, websocket: ServerConnection) -> None:
        request = websocket.request
        assert request is not None
        headers = {key.lower(): value for key, value in request.headers.raw_items()}
        offered = [
            p.strip()
            for value in request.headers.get_all("Sec-WebSocket-Protocol")
            for p in value.split(",")
        ]
        beta = "realtime=v1" in headers.get("openai-beta", "") or (
            "openai-beta.realtime-v1" in offered
        )
        scenario = request.path.split("/")[1]
        record = Recorded(
            scenario=scenario,
            dialect="beta" if beta else "ga",
            path=request.path,
            headers=headers,
            subprotocols=offered,
            selected=websocket.subprotocol,
        )
        self.connections.append(record)
        inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        reader = asyncio.ensure_future(self._read(websocket, record, inbox))
        player = asyncio.ensure_future(self._play(websocket, record, inbox))
        done, _ = await asyncio.wait({reader, player}, return_when=asyncio.FIRST_COMPLETED)
        if reader in done:  # the client left: the rest of the trace has no one to play to
            player.cancel()
        await asyncio.gather(reader, player, return_exceptions=True)

    async def _read(
        self, websocket: ServerConnection, record: Recorded, inbox: asyncio.Queue[dict[str, Any]]
    ) -> None:
        try:
            async for frame in websocket:
                event = json.loads(frame)
                record.frames.append(event)
                inbox.put_nowait(event)
        except ConnectionClosed:
            pass

    async def _play(
        self, websocket: ServerConnection, record: Recorded, inbox: asyncio.Queue[dict[str, Any]]
    ) -> None:
        remembered: dict[str, dict[str, Any]] = {}
        for step in load(record.scenario, record.dialect):
            if "send" in step:
                await websocket.send(json.dumps(fill(step["send"], remembered)))
            elif "send_raw" in step:
                await websocket.send(step["send_raw"])
            elif "expect" in step:
                try:
                    event = await asyncio.wait_for(
                        self._next(inbox, step["expect"]), EXPECT_TIMEOUT
                    )
                except TimeoutError:
                    record.failure = f"no {step['expect']} came"
                    await websocket.close(1011, record.failure)
                    return
                remembered[step.get("as", "last")] = event
            elif step.get("drop"):
                assert websocket.transport is not None
                websocket.transport.abort()
                return

    @staticmethod
    async def _next(inbox: asyncio.Queue[dict[str, Any]], wire_type: str) -> dict[str, Any]:
        while True:
            event = await inbox.get()
            if event.get("type") == wire_type:
                return event
