"""One WebSocket connection: a handshake, then a reader, a writer and a session backend.

The upgrade always succeeds, as OpenAI's does. The app's :class:`SessionOpener`
then decides, from the :class:`Handshake`, whether a session opens: it returns the
:class:`~openrealtime.server.backend.SessionBackend` to serve, or raises
:class:`Refused`, which sends one ``error`` event and a close whose reason is
``type.code``. After that the reader feeds frames through the dialect edge into the
backend, and a single writer drains the backend's outbox, so frames leave in the
order events were emitted. The outbox is bounded: a client that stops reading is
closed with 1008; a single frame larger than ``ServerConfig.max_reply_bytes`` is
never queued, and the client gets one ``error`` in its place. With
``ServerConfig.probe`` set, the reader and the writer also time frames
(:mod:`.probe`).

The transport knows sockets, frames, dialects and closes; who may connect, to which
model, and what serves the session are the app's (``server.app``) to decide.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, Literal, Protocol

from starlette.websockets import WebSocket, WebSocketDisconnect

from ...protocol import ProtocolError, ga
from ..backend import SessionBackend
from ..config import ServerConfig
from ..session import errors
from ..session.ids import RandomIds
from ..tap import FrameTap
from .credentials import KEY_PROTOCOL
from .edge import DialectEdge, edge_for
from .leniency import LenientEdge
from .logs import bind_session, describe_frame
from .outbox import SHUTDOWN, Close, Outbox, frame_bytes
from .probe import FrameMarks

__all__ = ["Connection", "Handshake", "Opened", "Refused", "SessionOpener"]

_LOG = logging.getLogger("openrealtime.connection")
_TRACE = logging.getLogger("openrealtime.trace")
_BETA_PROTOCOL: Final = "openai-beta.realtime-v1"
_INDEX: Final = re.compile(r"\[\d+\]")
_MAX_UNKNOWN_FIELDS: Final = 256
"""Unknown field paths logged per session (lenient mode); memory stays bounded."""


@dataclass(frozen=True)
class Handshake:
    """What a client asked for when it connected."""

    dialect: Literal["ga", "beta"]
    headers: Mapping[str, str]
    subprotocols: tuple[str, ...]
    query: Mapping[str, str]


class Refused(Exception):
    """A connection turned away: an optional ``error`` event, then a close."""

    def __init__(self, error: ProtocolError | None, close: Close) -> None:
        super().__init__(close.reason)
        self.error, self.close = error, close


@dataclass(frozen=True)
class Opened:
    """A session the app let open: its backend, and what to call once it is over."""

    backend: SessionBackend
    release: Callable[[], None]
    summary: str = ""
    """What opened, for the log (``realtime, gpt-realtime``)."""
    tap: FrameTap | None = None
    """Sees every frame of the session both ways (``serve --record``)."""


class SessionOpener(Protocol):
    """The app's side of a handshake: check it, and make the session's backend."""

    async def open(self, handshake: Handshake, connection: Connection) -> Opened:
        """The session to serve, its events sent with ``connection.send``; raises :class:`Refused`.

        Called once the upgrade is accepted. Cancelled when the connection must stop
        meanwhile (a shutdown): whatever it holds it releases before it re-raises.
        """
        ...


class Connection:
    """Serves one Realtime WebSocket connection until it closes."""

    def __init__(self, websocket: WebSocket, config: ServerConfig, opener: SessionOpener) -> None:
        self.websocket = websocket
        self.config = config
        self._opener = opener
        self._outbox = Outbox(
            config.max_outbox_bytes, config.max_reply_bytes, on_give_up=self._not_reading
        )
        self._handling = False
        self._replying_to: str | None = None
        self._oversize_reported = False
        self._marks = FrameMarks(config.probe) if config.probe is not None else None
        self._stopping = asyncio.Event()
        self._ids = RandomIds()
        self._backend: SessionBackend | None = None
        self._tap: FrameTap | None = None
        self._unknown_fields: set[str] = set()
        self._subprotocols = tuple(websocket.scope.get("subprotocols") or ())
        beta_header = websocket.headers.get("openai-beta", "")
        self.dialect: Literal["ga", "beta"] = (
            "beta" if "realtime=v1" in beta_header or _BETA_PROTOCOL in self._subprotocols else "ga"
        )
        edge = edge_for(self.dialect)
        self._edge: DialectEdge = (
            LenientEdge(edge, self._unknown_field) if config.lenient_fields else edge
        )

    async def serve(self) -> None:
        """Accept, let the app open a session, then serve it until either side closes."""
        await self.websocket.accept(subprotocol=self._choose_subprotocol())
        handshake = Handshake(
            self.dialect,
            self.websocket.headers,
            self._subprotocols,
            self.websocket.query_params,
        )
        try:
            opened = await self._open(handshake)
        except Refused as refused:
            await self._refuse(refused.error, refused.close)
            return
        try:
            await self._run(opened)
        finally:
            opened.release()

    def send(self, event: ga.ServerEvent) -> None:
        """Queue one server event for the client (the backend's sink); never blocks."""
        marks = self._marks
        timed = marks.timing(event) if marks is not None else None
        for frame in self._edge.encode(event):
            size = frame_bytes(frame)
            if size > self.config.max_reply_bytes:
                self._reply_too_large(event.type, size)
                continue
            if self.config.trace_events:
                _TRACE.info("server %s", describe_frame(frame))
            self._outbox.put(frame, size)
            if marks is not None and timed is not None:
                marks.queued(frame, *timed)

    def _not_reading(self) -> None:
        _LOG.warning(
            "closing a client not reading: more than %d bytes waited, none taken for %g s",
            self._outbox.limit,
            self._outbox.stall_seconds,
        )
        self._stopping.set()

    def _reply_too_large(self, event_type: str, size: int) -> None:
        limit = self.config.max_reply_bytes
        _LOG.warning("did not send a %s of %d bytes (max_reply_bytes %d)", event_type, size, limit)
        # One error for one client event, however many of its replies were too large.
        if self._handling and self._oversize_reported:
            return
        self._oversize_reported = self._handling
        error = errors.reply_too_large(event_type, size, limit, self._replying_to)
        self.send(
            ga.ErrorEvent(
                event_id=self._ids.new("event_"),
                error=ga.ErrorDetail.model_validate(error.to_dict()),
            )
        )

    def close(self, close: Close) -> None:
        """Close the connection after the frames already queued (a session that expired)."""
        self._outbox.close(close)

    def own_origin(self) -> str | None:
        """The origin the client addressed (``https://host:port`` over wss), from ``Host``."""
        host = self.websocket.headers.get("host")
        if host is None:
            return None
        scheme = "https" if self.websocket.scope.get("scheme") == "wss" else "http"
        return f"{scheme}://{host}"

    def shut_down(self) -> None:
        """End the session for a server shutdown: responses cancelled, then close 1001."""
        if self._backend is not None:
            self._backend.cancel_responses()
        self._outbox.close(SHUTDOWN)
        self._stopping.set()

    async def _open(self, handshake: Handshake) -> Opened:
        """The app's answer to the handshake, unless the server stops first."""
        opening = asyncio.ensure_future(self._opener.open(handshake, self))
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({opening, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if not opening.done():
            opening.cancel()
            with contextlib.suppress(asyncio.CancelledError, Refused):
                await opening
            raise Refused(None, SHUTDOWN)
        return opening.result()

    async def _run(self, opened: Opened) -> None:
        backend = opened.backend
        bind_session(backend.id)
        self._backend = backend
        self._tap = opened.tap
        _LOG.info("session opened: %s %s", self.dialect, opened.summary)
        writer = asyncio.get_running_loop().create_task(self._write())
        try:
            await backend.open()
            await self._read(backend, writer)
        finally:
            await backend.aclose()
            await self._finish(writer)
            if self._tap is not None:
                self._tap.close()
            _LOG.info("session closed")

    def _choose_subprotocol(self) -> str | None:
        if "realtime" in self._subprotocols:
            return "realtime"
        # Never echo a protocol that carries an API key.
        safe = [p for p in self._subprotocols if not p.startswith(KEY_PROTOCOL)]
        return safe[0] if safe else None

    async def _refuse(self, error: ProtocolError | None, close: Close) -> None:
        _LOG.info("refused a %s connection: %s %s", self.dialect, close.code, close.reason)
        with contextlib.suppress(Exception):
            if error is not None:
                event = ga.ErrorEvent(
                    event_id=self._ids.new("event_"),
                    error=ga.ErrorDetail.model_validate(error.to_dict()),
                )
                await self.websocket.send_text(event.to_text())
            await self.websocket.close(close.code, close.reason)

    def _unknown_field(self, path: str) -> None:
        general = _INDEX.sub("[]", path)
        if general in self._unknown_fields or len(self._unknown_fields) > _MAX_UNKNOWN_FIELDS:
            return
        self._unknown_fields.add(general)
        if len(self._unknown_fields) > _MAX_UNKNOWN_FIELDS:
            _LOG.warning("more unknown client fields; no more are logged (lenient mode)")
            return
        shown = ProtocolError.shown(general)
        _LOG.warning("ignored the unknown client field %r (lenient mode)", shown)

    async def _read(self, backend: SessionBackend, writer: asyncio.Task[None]) -> None:
        """Feed client frames to the backend until the client leaves or the connection ends."""
        # One receiving task for the whole connection: a task and a wait for every
        # frame cost more than handling an audio append does.
        receiver = asyncio.ensure_future(self._receive(backend, writer))
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({receiver, writer, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            receiver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await receiver

    async def _receive(self, backend: SessionBackend, writer: asyncio.Task[None]) -> None:
        while not (writer.done() or self._stopping.is_set()):
            message = await self.websocket.receive()
            if message["type"] == "websocket.disconnect":
                if self._tap is not None:
                    self._tap.closed("client", int(message.get("code") or 1005))
                return
            text = message.get("text")
            if self._tap is not None:
                self._tap.frame("client", text if text is not None else message.get("bytes") or b"")
            await self._handle(backend, text, message.get("bytes"))

    async def _handle(self, backend: SessionBackend, text: str | None, data: bytes | None) -> None:
        received = self._marks.probe.clock() if self._marks is not None else 0.0
        if text is None:
            if self.config.trace_events:
                _TRACE.info("client <binary frame, %d bytes>", len(data or b""))
            backend.report(errors.binary_frame())
            return
        if self.config.trace_events:
            _TRACE.info("client %s", describe_frame(text))
        try:
            event = self._edge.decode(text)
        except ProtocolError as error:
            backend.report(error)
            return
        self._handling, self._replying_to, self._oversize_reported = True, event.event_id, False
        try:
            if self._marks is None:
                await backend.handle(event)
                return
            with self._marks.handling(event.type, received):
                await backend.handle(event)
        finally:
            self._handling, self._replying_to = False, None

    async def _write(self) -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            while True:
                frame = await self._outbox.get()
                if isinstance(frame, Close):
                    if self._tap is not None:
                        self._tap.closed("server", frame.code, frame.reason)
                    await self.websocket.close(frame.code, frame.reason)
                    return
                if self._tap is not None:
                    self._tap.frame("server", frame)
                await self.websocket.send_text(frame)
                if self._marks is not None:
                    self._marks.sent(frame)

    async def _finish(self, writer: asyncio.Task[None]) -> None:
        """Let a pending close go out (bounded in time), then stop the writer."""
        if self._outbox.closed is not None and not writer.done():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(writer), self.config.shutdown_timeout)
        writer.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await writer
