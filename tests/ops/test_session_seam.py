"""The session seam: a connection serves any ``SessionBackend``, not only the session core.

A stand-in backend (what a relay to an upstream server would be) sits behind a real
connection on a real socket; a beta client talks to it through the dialect edge.
"""

from __future__ import annotations

import asyncio
import json

import websockets
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from openrealtime.protocol import ProtocolError, ga
from openrealtime.server import ServerConfig, running
from openrealtime.server.session.defaults import default_realtime_session
from openrealtime.server.transport.connection import Connection, Handshake, Opened, Refused
from openrealtime.server.transport.outbox import Close


class Recorder:
    """A :class:`~openrealtime.server.backend.SessionBackend` that keeps what it is given."""

    def __init__(self, connection: Connection) -> None:
        self.id = "sess_seam"
        self.connection = connection
        self.events: list[ga.ClientEvent] = []
        self.reported: list[ProtocolError] = []
        self.closed = 0

    async def open(self) -> None:
        session = default_realtime_session(
            session_id=self.id, model="relay", voice="alloy", expires_at=0
        )
        self.connection.send(ga.SessionCreatedEvent(event_id="event_1", session=session))

    async def handle(self, event: ga.ClientEvent) -> None:
        self.events.append(event)

    def report(self, error: ProtocolError) -> None:
        self.reported.append(error)

    def cancel_responses(self) -> None:
        """Nothing runs."""

    async def aclose(self) -> None:
        self.closed += 1


class Opener:
    def __init__(self) -> None:
        self.backends: list[Recorder] = []
        self.handshakes: list[Handshake] = []
        self.released = 0

    async def open(self, handshake: Handshake, connection: Connection) -> Opened:
        self.handshakes.append(handshake)
        if handshake.query.get("model") != "relay":
            raise Refused(None, Close(4000, "relay only"))
        backend = Recorder(connection)
        self.backends.append(backend)
        return Opened(backend, self.release, "relay")

    def release(self) -> None:
        self.released += 1


async def test_a_connection_serves_any_backend_through_the_dialect_edge() -> None:
    opener = Opener()
    config = ServerConfig()

    async def realtime(websocket: WebSocket) -> None:
        await Connection(websocket, config, opener).serve()

    app = Starlette(routes=[WebSocketRoute("/v1/realtime", realtime)])
    async with running(config, app=app) as url:
        async with websockets.connect(
            f"{url}/realtime?model=relay", additional_headers={"OpenAI-Beta": "realtime=v1"}
        ) as ws:
            created = json.loads(await ws.recv())
            await ws.send(
                json.dumps({"type": "session.update", "session": {"modalities": ["text"]}})
            )
            await ws.send("not json")
            await ws.send(json.dumps({"type": "response.cancel", "event_id": "c1"}))
            async with asyncio.timeout(5):
                while len(opener.backends[0].events) < 2:
                    await asyncio.sleep(0.01)
        refused = websockets.connect(f"{url}/realtime?model=other")
        async with refused as ws:
            await ws.wait_closed()
            assert (ws.close_code, ws.close_reason) == (4000, "relay only")
    (backend,) = opener.backends
    assert created["type"] == "session.created"
    assert created["session"]["modalities"] == ["audio", "text"]  # the beta wire's shape
    update, cancel = backend.events[:2]
    assert isinstance(update, ga.SessionUpdateEvent)  # translated to GA at the edge
    assert update.session.output_modalities == ["text"]
    assert isinstance(cancel, ga.ResponseCancelEvent)
    assert [error.code for error in backend.reported] == ["invalid_json"]
    assert backend.closed == 1
    assert backend.events[2:] == []
    assert opener.released == 1
    assert [handshake.dialect for handshake in opener.handshakes] == ["beta", "ga"]
