"""The relay: a session backend that forwards a whole session to an upstream Realtime server.

``openrealtime serve --relay URL`` serves every session this way instead of with the
session core. Our edge still does what it does for any session: it checks the client's
API key or client secret, parses and validates client frames in the client's dialect,
caps frames, bounds the outbox toward the client, and records (``--record``). The relay
then speaks to the upstream in the upstream's dialect, with the upstream's key, which
never leaves the server:

- client events (GA, from the edge) go upstream as they are, or translated to beta for
  a beta upstream; at most ``max_pending_bytes`` wait for a slow upstream, past which
  the session closes (1011, "upstream is not reading");
- upstream events come back as GA events (a beta upstream's translated), into the
  connection's outbox, whose bound closes a client that stops reading (1008); the
  relay adds what the other dialect's wire needs (see :meth:`RelayBackend._parse`);
- the upstream's close (its code and reason, an ``error`` before it) is the client's;
  the client's close closes the upstream; an upstream that cannot be reached, or that
  drops, ends the session with a ``server_error`` and close 1011.

Session duration, turn detection, rate limits and everything a session does are the
upstream's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, Literal
from urllib.parse import urlencode, urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from ..protocol import ProtocolError, ServerEventBase, beta, ga, translate

__all__ = ["UNAVAILABLE_CLOSE", "RelayBackend", "RelaySettings"]

_LOG = logging.getLogger("openrealtime.relay")
UNAVAILABLE_CLOSE: Final = 1011
"""The close when the upstream cannot be reached, drops, or stops reading."""
_CLOSE_TIMEOUT: Final = 1.0
"""How long closing the upstream may take; one that stopped reading is then cut off."""


@dataclass(frozen=True)
class RelaySettings:
    """Where and how to relay.

    ``url`` is the upstream's WebSocket base (``wss://api.openai.com/v1``,
    ``ws://host:port/v1``); ``api_key`` its key (held here, never sent to clients);
    ``dialect`` the dialect the upstream speaks.
    """

    url: str
    api_key: str | None = field(default=None, repr=False)
    dialect: Literal["ga", "beta"] = "ga"
    max_pending_bytes: int = 16 * 1024 * 1024
    max_frame_bytes: int = 32 * 1024 * 1024
    connect_timeout: float = 10.0

    @classmethod
    def parse(
        cls, url: str, *, api_key: str | None = None, dialect: Literal["ga", "beta"] = "ga"
    ) -> RelaySettings:
        """Settings for ``url`` (``ws(s)://`` or ``http(s)://``, with or without ``/realtime``).

        Raises ``ValueError`` with a one-line message for a URL that cannot be relayed to.
        """
        parts = urlsplit(url)
        scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
        if scheme not in ("ws", "wss") or not parts.hostname:
            raise ValueError(
                f"--relay expects a ws://, wss://, http:// or https:// URL, got {url!r}"
            )
        path = parts.path.rstrip("/").removesuffix("/realtime") or "/v1"
        return cls(urlunsplit((scheme, parts.netloc, path, "", "")), api_key, dialect)


class RelayBackend:
    """One client session, served by an upstream session (see the module docstring).

    ``send`` is the connection's sink for server events; ``close`` closes the client
    connection after what is queued, with a code and a reason. ``model`` or ``intent``
    is what the client asked for.
    """

    def __init__(
        self,
        settings: RelaySettings,
        *,
        send: Callable[[ga.ServerEvent], None],
        close: Callable[[int, str], None],
        model: str | None,
        intent: str | None = None,
        setup: ga.ClientEvent | None = None,
    ) -> None:
        self.settings = settings
        self._send = send
        self._close_client = close
        self._model = model
        self._intent = intent
        self._setup = setup
        self.id = "sess_relay" + secrets.token_hex(8)
        self._upstream: ClientConnection | None = None
        self._to_beta = settings.dialect == "beta"
        self._from_beta = translate.ServerEventsToGa() if self._to_beta else None
        self._last_limits: ga.RateLimitsUpdatedEvent | None = None
        self._pending: deque[str] = deque()
        self._pending_bytes = 0
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._closed = False

    async def open(self) -> None:
        """Connect upstream; events then flow both ways until either side closes."""
        query = {"intent": self._intent} if self._intent else {"model": self._model or ""}
        url = f"{self.settings.url.rstrip('/')}/realtime?{urlencode(query)}"
        headers = {}
        if self.settings.api_key:
            headers["Authorization"] = f"Bearer {self.settings.api_key}"
        if self._to_beta:
            headers["OpenAI-Beta"] = "realtime=v1"
        try:
            self._upstream = await connect(
                url,
                additional_headers=headers,
                max_size=self.settings.max_frame_bytes,
                open_timeout=self.settings.connect_timeout,
                close_timeout=_CLOSE_TIMEOUT,
                compression=None,
                user_agent_header="openrealtime-relay",
            )
        except (OSError, InvalidHandshake, InvalidURI, TimeoutError) as exc:
            _LOG.warning("the upstream %s could not be reached: %s", self.settings.url, exc)
            self._fail(f"The upstream Realtime server could not be reached ({type(exc).__name__}).")
            return
        _LOG.info("relaying to %s (%s)", self.settings.url, self.settings.dialect)
        if self._setup is not None:
            self._enqueue(self._setup)
        self._tasks = [
            asyncio.ensure_future(self._downstream(self._upstream)),
            asyncio.ensure_future(self._upstream_writer(self._upstream)),
        ]

    async def handle(self, event: ga.ClientEvent) -> None:
        """Forward one client event upstream (queued; never waits for the upstream)."""
        if self._upstream is None or self._closed:
            return
        self._enqueue(event)

    def report(self, error: ProtocolError) -> None:
        """An ``error`` for a frame our edge could not parse: answered here, not upstream."""
        self._send(self._error_event(error))

    def cancel_responses(self) -> None:
        """The server is shutting down: ask the upstream to cancel its response."""
        if self._upstream is not None and not self._closed:
            self._enqueue(ga.ResponseCancelEvent())

    async def aclose(self) -> None:
        """Close the upstream and stop relaying; nothing is sent afterwards."""
        self._closed = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._upstream is not None:
            try:
                await asyncio.wait_for(self._upstream.close(), _CLOSE_TIMEOUT)
            except (TimeoutError, ConnectionClosed, OSError):
                # An upstream that stopped reading cannot take a close frame either.
                self._upstream.transport.abort()

    def _enqueue(self, event: ga.ClientEvent) -> None:
        try:
            text = (
                translate.client_event_to_beta(event).to_text()
                if self._to_beta
                else event.to_text()
            )
        except ProtocolError as error:
            self._send(self._error_event(error))
            return
        size = len(text)
        if self._pending_bytes + size > self.settings.max_pending_bytes:
            _LOG.warning(
                "closing: more than %d bytes waited for an upstream that is not reading",
                self.settings.max_pending_bytes,
            )
            self._end(UNAVAILABLE_CLOSE, "upstream is not reading")
            return
        self._pending.append(text)
        self._pending_bytes += size
        self._wake.set()

    async def _upstream_writer(self, upstream: ClientConnection) -> None:
        try:
            while True:
                await self._wake.wait()
                while self._pending:
                    text = self._pending[0]
                    await upstream.send(text)
                    self._pending.popleft()
                    self._pending_bytes -= len(text)
                self._wake.clear()
        except ConnectionClosed:
            return

    async def _downstream(self, upstream: ClientConnection) -> None:
        try:
            async for frame in upstream:
                for event in self._parse(frame):
                    self._send(event)
        except ConnectionClosed:
            pass
        if self._closed:
            return
        received = upstream.close_code
        if received is None or received == 1006:
            _LOG.warning("the upstream connection dropped")
            self._fail("The connection to the upstream Realtime server was lost.")
            return
        self._end(received, upstream.close_reason or "")

    def _parse(self, frame: str | bytes) -> list[ga.ServerEvent]:
        """The upstream's frame as the internal GA stream the dialect edge expects.

        That stream carries what both wires need, and each edge cuts its own:
        ``rate_limits.updated`` right after ``response.created`` (beta's place) and
        after ``response.done`` (GA's), and ``obfuscation`` on GA deltas.
        """
        if self._from_beta is None:
            event = _as_server_event(ga.ServerEvent, frame)
            assert isinstance(event, ga.ServerEvent)
            if isinstance(event, ga.RateLimitsUpdatedEvent):
                self._last_limits = event
            if isinstance(event, ga.ResponseCreatedEvent) and self._last_limits is not None:
                latest = self._last_limits.model_copy(
                    update={"event_id": translate.random_event_id()}
                )
                return [event, latest]
            return [event]
        upstream = _as_server_event(beta.ServerEvent, frame)
        assert isinstance(upstream, beta.ServerEvent)
        events = self._from_beta.feed(upstream)
        if isinstance(upstream, beta.RateLimitsUpdatedEvent) and not events:
            # The translator holds it for after response.done; beta's place is now.
            events = [_as_ga(upstream)]
        return [_obfuscated(event) for event in events]

    def _fail(self, message: str) -> None:
        error = ga.ErrorEvent(
            event_id=translate.random_event_id(),
            error=ga.ErrorDetail(
                type="server_error",
                code="upstream_unavailable",
                message=message,
                param=None,
                event_id=None,
            ),
        )
        self._send(error)
        self._end(UNAVAILABLE_CLOSE, "server_error.upstream_unavailable")

    def _end(self, code: int, reason: str) -> None:
        if not self._closed:
            self._closed = True
            self._close_client(code, reason)

    def _error_event(self, error: ProtocolError) -> ga.ErrorEvent:
        return ga.ErrorEvent(
            event_id=translate.random_event_id(),
            error=ga.ErrorDetail.model_validate(error.to_dict()),
        )


_DELTAS: Final = (
    ga.ResponseOutputTextDeltaEvent,
    ga.ResponseOutputAudioTranscriptDeltaEvent,
    ga.ConversationItemInputAudioTranscriptionDeltaEvent,
)
_OBFUSCATION_BLOCK: Final = 16


def _obfuscated(event: ga.ServerEvent) -> ga.ServerEvent:
    """A GA delta padded as OpenAI pads them (the length of the delta hidden in blocks)."""
    if not isinstance(event, _DELTAS) or event.obfuscation is not None:
        return event
    size = _OBFUSCATION_BLOCK - len(event.delta or "") % _OBFUSCATION_BLOCK
    if size < 2:
        size += _OBFUSCATION_BLOCK
    padding = secrets.token_urlsafe(size)[:size]
    return event.model_copy(update={"obfuscation": padding})


def _as_ga(event: beta.RateLimitsUpdatedEvent) -> ga.ServerEvent:
    copy = ga.ServerEvent.parse(event.to_dict())
    assert isinstance(copy, ga.ServerEvent)
    return copy.model_copy(update={"event_id": translate.random_event_id()})


def _as_server_event(
    root: type[ga.ServerEvent] | type[beta.ServerEvent], frame: str | bytes
) -> ServerEventBase:
    """An upstream frame as an event; what is not JSON is kept as an unknown event."""
    try:
        event = root.parse(frame)
    except ProtocolError:
        text = frame.decode("utf-8", "replace") if isinstance(frame, bytes) else frame
        return root.parse({"type": "relay.unreadable_frame", "text": text[:1000]})
    if isinstance(frame, bytes):
        _LOG.warning("the upstream sent a binary frame (%d bytes); relayed as JSON", len(frame))
    return event
