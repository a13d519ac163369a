"""One WebSocket connection: handshake checks, a reader, a writer, a session.

The upgrade always succeeds, as OpenAI's does; a bad model then gets one
``error`` event and a close with code 4000 and reason ``type.code``. After that
the reader feeds frames through the dialect edge into the session, and a single
writer drains the session's outbox, so frames leave in the order events were
emitted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Final, Literal

from starlette.websockets import WebSocket, WebSocketDisconnect

from ..protocol import ProtocolError, ga
from . import errors
from .clock import SystemClock
from .config import ServerConfig
from .edge import DialectEdge, edge_for
from .ids import RandomIds
from .session import Session

__all__ = ["Connection", "SessionRegistry", "close_reason"]

_LOG = logging.getLogger("openrealtime.connection")
_BETA_PROTOCOL: Final = "openai-beta.realtime-v1"
_KEY_PROTOCOL: Final = "openai-insecure-api-key."


def close_reason(error: ProtocolError) -> str:
    """``type.code``, or just ``type`` when the code is null, as OpenAI closes."""
    return f"{error.type}.{error.code}" if error.code else error.type


class SessionRegistry:
    """The sessions this server holds open."""

    def __init__(self) -> None:
        self.sessions: dict[str, Session] = {}

    def __len__(self) -> int:
        return len(self.sessions)


class _Close:
    def __init__(self, code: int, reason: str) -> None:
        self.code, self.reason = code, reason


class Connection:
    """Serves one Realtime WebSocket connection until it closes."""

    def __init__(
        self, websocket: WebSocket, config: ServerConfig, registry: SessionRegistry
    ) -> None:
        self.websocket = websocket
        self.config = config
        self.registry = registry
        self._outbox: asyncio.Queue[str | _Close] = asyncio.Queue()
        self._ids = RandomIds()
        offered = list(websocket.scope.get("subprotocols") or [])
        self._subprotocols = offered
        beta_header = websocket.headers.get("openai-beta", "")
        self.dialect: Literal["ga", "beta"] = (
            "beta" if "realtime=v1" in beta_header or _BETA_PROTOCOL in offered else "ga"
        )
        self._edge: DialectEdge = edge_for(self.dialect)

    async def serve(self) -> None:
        """Accept, check the request, then run the session until either side closes."""
        await self.websocket.accept(subprotocol=self._choose_subprotocol())
        try:
            kind, model = self._check_request()
        except ProtocolError as error:
            await self._fatal(error, 4000)
            return
        session = Session(
            kind=kind,
            model=model,
            engines_for=self.config.models.engines,
            sink=self._send_event,
            ids=self._ids,
            clock=SystemClock(),
            options=self.config.session,
            on_expired=lambda: self._outbox.put_nowait(
                _Close(
                    1001, close_reason(errors.session_expired(self.config.session.session_minutes))
                )
            ),
        )
        self.registry.sessions[session.id] = session
        writer = asyncio.get_running_loop().create_task(self._write())
        try:
            session.start()
            await self._read(session, writer)
        finally:
            self.registry.sessions.pop(session.id, None)
            await session.aclose()
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await writer

    def _choose_subprotocol(self) -> str | None:
        if "realtime" in self._subprotocols:
            return "realtime"
        # Never echo a protocol that carries an API key.
        safe = [p for p in self._subprotocols if not p.startswith(_KEY_PROTOCOL)]
        return safe[0] if safe else None

    def _check_request(self) -> tuple[Literal["realtime", "transcription"], str | None]:
        params = self.websocket.query_params
        model = params.get("model")
        if params.get("call_id"):
            raise ProtocolError(
                "invalid_value",
                "Sideband connections with call_id are not supported by this server.",
                param="call_id",
            )
        if params.get("intent") == "transcription":
            if model:
                raise ProtocolError(
                    "invalid_model",
                    "You must not provide a model parameter for transcription sessions.",
                )
            return "transcription", None
        if not model:
            raise errors.missing_model(self.config.example_model)
        if self.config.models.find(model) is None:
            raise errors.invalid_model(model, None)
        return "realtime", model

    async def _fatal(self, error: ProtocolError, code: int) -> None:
        event = ga.ErrorEvent(
            event_id=self._ids.new("event_"), error=ga.ErrorDetail.model_validate(error.to_dict())
        )
        with contextlib.suppress(Exception):
            await self.websocket.send_text(event.to_text())
            await self.websocket.close(code, close_reason(error))

    def _expired(self) -> None:
        error = errors.session_expired(self.config.session.session_minutes)
        self._outbox.put_nowait(_Close(1001, close_reason(error)))

    def _send_event(self, event: ga.ServerEvent) -> None:
        for frame in self._edge.encode(event):
            self._outbox.put_nowait(frame)

    async def _read(self, session: Session, writer: asyncio.Task[None]) -> None:
        while not writer.done():
            receive = asyncio.ensure_future(self.websocket.receive())
            done, _ = await asyncio.wait({receive, writer}, return_when=asyncio.FIRST_COMPLETED)
            if receive not in done:
                receive.cancel()
                return
            message = receive.result()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                session.report(errors.binary_frame())
                continue
            try:
                event = self._edge.decode(text)
            except ProtocolError as error:
                session.report(error)
                continue
            session.handle(event)

    async def _write(self) -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            while True:
                frame = await self._outbox.get()
                if isinstance(frame, _Close):
                    await self.websocket.close(frame.code, frame.reason)
                    return
                await self.websocket.send_text(frame)
