"""One WebSocket connection: handshake checks, a reader, a writer, a session.

The upgrade always succeeds, as OpenAI's does; a failed check then gets one
``error`` event and a close whose reason is ``type.code``: credentials close with
3000, the request (model, intent, a client secret's model) with 4000, admission
limits with 1013. After that the reader feeds frames through the dialect edge
into the session, and a single writer drains the session's outbox, so frames
leave in the order events were emitted. The outbox is bounded: a client that
stops reading is closed with 1008; a single frame larger than
``ServerConfig.max_reply_bytes`` is never queued, and the client gets one
``error`` in its place. With ``ServerConfig.probe`` set, the reader and the
writer also time frames (:mod:`.probe`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from typing import Final, Literal

from starlette.websockets import WebSocket, WebSocketDisconnect

from ...protocol import ProtocolError, ga
from ..app.admission import SHUTDOWN, Admission, Refused, SessionRegistry
from ..app.auth import AUTH_CLOSE_CODE, KEY_PROTOCOL, Authenticator, Grant, presented_token
from ..app.client_secrets import ClientSecret, kind_mismatch, model_mismatch
from ..app.config import ServerConfig
from ..session import errors
from ..session.clock import SystemClock
from ..session.ids import RandomIds
from ..session.session import Session
from .edge import DialectEdge, edge_for
from .leniency import LenientEdge
from .logs import bind_session, describe_frame
from .outbox import Close, Outbox, frame_bytes
from .probe import FrameMarks

__all__ = ["REQUEST_CLOSE_CODE", "Connection"]

_LOG = logging.getLogger("openrealtime.connection")
_TRACE = logging.getLogger("openrealtime.trace")
_BETA_PROTOCOL: Final = "openai-beta.realtime-v1"
_INDEX: Final = re.compile(r"\[\d+\]")
_MAX_UNKNOWN_FIELDS: Final = 256
"""Unknown field paths logged per session (lenient mode); memory stays bounded."""

REQUEST_CLOSE_CODE: Final = 4000
"""The close after a bad request (model, intent, call_id), as OpenAI closes."""


class Connection:
    """Serves one Realtime WebSocket connection until it closes."""

    def __init__(
        self,
        websocket: WebSocket,
        config: ServerConfig,
        registry: SessionRegistry,
        auth: Authenticator,
    ) -> None:
        self.websocket = websocket
        self.config = config
        self.registry = registry
        self.auth = auth
        self._outbox = Outbox(config.max_outbox_bytes, config.max_reply_bytes)
        self._handling = False
        self._replying_to: str | None = None
        self._oversize_reported = False
        self._marks = FrameMarks(config.probe) if config.probe is not None else None
        self._stopping = asyncio.Event()
        self._ids = RandomIds()
        self._session: Session | None = None
        self._unknown_fields: set[str] = set()
        self._subprotocols = list(websocket.scope.get("subprotocols") or [])
        beta_header = websocket.headers.get("openai-beta", "")
        self.dialect: Literal["ga", "beta"] = (
            "beta" if "realtime=v1" in beta_header or _BETA_PROTOCOL in self._subprotocols else "ga"
        )
        edge = edge_for(self.dialect)
        self._edge: DialectEdge = (
            LenientEdge(edge, self._unknown_field) if config.lenient_fields else edge
        )

    async def serve(self) -> None:
        """Accept, check the request, then run the session until either side closes."""
        await self.websocket.accept(subprotocol=self._choose_subprotocol())
        try:
            token = presented_token(self.websocket.headers, self._subprotocols)
            grant = self.auth.authenticate(token, self.dialect)
        except ProtocolError as error:
            await self._refuse(error, Close.after(error, AUTH_CLOSE_CODE))
            return
        try:
            kind, model = self._check_request(grant.secret)
            admission = self.registry.admit(grant.key_index, self.shut_down)
        except ProtocolError as error:
            await self._refuse(error, Close.after(error, REQUEST_CLOSE_CODE))
            return
        except Refused as refused:
            await self._refuse(refused.error, refused.close)
            return
        try:
            await self._run(admission, grant, kind, model)
        finally:
            admission.release()

    def shut_down(self) -> None:
        """End the session for a server shutdown: responses cancelled, then close 1001."""
        if self._session is not None:
            self._session.cancel_responses()
        self._outbox.close(SHUTDOWN)
        self._stopping.set()

    async def _run(
        self,
        admission: Admission,
        grant: Grant,
        kind: Literal["realtime", "transcription"],
        model: str | None,
    ) -> None:
        session = Session(
            kind=kind,
            model=model,
            engines_for=self.config.models.engines,
            sink=self._send_event,
            ids=self._ids,
            clock=SystemClock(),
            options=self.config.session,
            on_expired=self._expired,
            config=grant.secret.config if grant.secret is not None else None,
        )
        bind_session(session.id)
        admission.attach(session)
        self._session = session
        _LOG.info("session opened: %s %s, %s", self.dialect, kind, model or "no model")
        writer = asyncio.get_running_loop().create_task(self._write())
        try:
            session.start()
            await self._read(session, writer)
        finally:
            await session.aclose()
            await self._finish(writer)
            _LOG.info("session closed")

    def _choose_subprotocol(self) -> str | None:
        if "realtime" in self._subprotocols:
            return "realtime"
        # Never echo a protocol that carries an API key.
        safe = [p for p in self._subprotocols if not p.startswith(KEY_PROTOCOL)]
        return safe[0] if safe else None

    def _check_request(
        self, secret: ClientSecret | None
    ) -> tuple[Literal["realtime", "transcription"], str | None]:
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
            if secret is not None and secret.kind != "transcription":
                raise kind_mismatch(secret.kind)
            return "transcription", None
        if secret is not None and secret.kind == "transcription":
            if model:
                raise kind_mismatch(secret.kind)
            return "transcription", None
        if secret is not None and secret.model:
            if model and model != secret.model:
                raise model_mismatch(model, secret.model)
            model = secret.model
        if not model:
            raise errors.missing_model(self.config.example_model)
        if self.config.models.find(model) is None:
            raise errors.invalid_model(model, None)
        return "realtime", model

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

    def _expired(self) -> None:
        error = errors.session_expired(self.config.session.session_minutes)
        self._outbox.close(Close.after(error, 1001))

    def _send_event(self, event: ga.ServerEvent) -> None:
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
        if self._outbox.overflowed and not self._stopping.is_set():
            _LOG.warning(
                "closing: more than %d bytes waited for a client that is not reading",
                self._outbox.limit,
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
        self._send_event(
            ga.ErrorEvent(
                event_id=self._ids.new("event_"),
                error=ga.ErrorDetail.model_validate(error.to_dict()),
            )
        )

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

    async def _read(self, session: Session, writer: asyncio.Task[None]) -> None:
        """Feed client frames to the session until the client leaves or the connection ends."""
        # One receiving task for the whole connection: a task and a wait for every
        # frame cost more than handling an audio append does.
        receiver = asyncio.ensure_future(self._receive(session, writer))
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({receiver, writer, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            receiver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await receiver

    async def _receive(self, session: Session, writer: asyncio.Task[None]) -> None:
        while not (writer.done() or self._stopping.is_set()):
            message = await self.websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            self._handle(session, message.get("text"), message.get("bytes"))

    def _handle(self, session: Session, text: str | None, data: bytes | None) -> None:
        received = self._marks.probe.clock() if self._marks is not None else 0.0
        if text is None:
            if self.config.trace_events:
                _TRACE.info("client <binary frame, %d bytes>", len(data or b""))
            session.report(errors.binary_frame())
            return
        if self.config.trace_events:
            _TRACE.info("client %s", describe_frame(text))
        try:
            event = self._edge.decode(text)
        except ProtocolError as error:
            session.report(error)
            return
        self._handling, self._replying_to, self._oversize_reported = True, event.event_id, False
        try:
            if self._marks is None:
                session.handle(event)
                return
            with self._marks.handling(event.type, received):
                session.handle(event)
        finally:
            self._handling, self._replying_to = False, None

    async def _write(self) -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            while True:
                frame = await self._outbox.get()
                if isinstance(frame, Close):
                    await self.websocket.close(frame.code, frame.reason)
                    return
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
