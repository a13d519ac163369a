"""A raw Realtime WebSocket session: JSON frames both ways, a trace, live invariant checks.

:class:`WireSession` speaks the protocol with nothing between the test and the socket
(``websockets`` and ``json`` only), so a bug in a client library cannot hide a
server's. Every server event is checked on arrival by
:class:`~openrealtime.testing.invariants.WireChecker`; a broken rule raises
:class:`~openrealtime.testing.invariants.InvariantViolation` from the call that
received it. Every frame, both ways, lands in :attr:`WireSession.trace`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode, urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.frames import Frame as WebSocketFrame
from websockets.frames import Opcode
from websockets.typing import Subprotocol

from .invariants import Dialect, InvariantViolation, WireChecker

__all__ = [
    "Frame",
    "ServerClosed",
    "WireSession",
    "WireTimeout",
    "describe_frame",
    "realtime_url",
]

Direction = Literal["client", "server"]
EventMatch = str | tuple[str, ...] | Callable[[dict[str, Any]], bool]
"""A type, one of several types, or a predicate."""

_SHORTEN_AT = 64
_AUDIO_FIELDS = frozenset({"audio", "delta"})
_counter = itertools.count(1)


@dataclass(frozen=True)
class Frame:
    """One frame of a session: who sent it, when, and what it carried."""

    direction: Direction
    at: float
    """Seconds since the connection opened (monotonic clock)."""
    text: str | None = None
    data: bytes | None = None
    close: tuple[int, str] | None = None
    """A close: its code and reason (1006 when the connection dropped without one)."""


class WireTimeout(AssertionError):
    """An awaited server event did not come in time."""


class ServerClosed(AssertionError):
    """The server closed the connection while an event was awaited."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"the server closed the connection: {code} {reason!r}".rstrip())
        self.code = code
        self.reason = reason


def realtime_url(base: str, query: Mapping[str, str | None]) -> str:
    """``base`` (``ws(s)://``, ``http(s)://``, with or without ``/realtime``) with ``query``.

    Entries of ``query`` that are ``None`` are left out; other query parameters of
    ``base`` are kept.
    """
    parts = urlsplit(base)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    path = parts.path.rstrip("/")
    if not path.endswith("/realtime"):
        path = f"{path}/realtime" if path else "/v1/realtime"
    params = [p for p in parts.query.split("&") if p and p.split("=")[0] not in query]
    extra = urlencode({k: v for k, v in query.items() if v is not None})
    return urlunsplit((scheme, parts.netloc, path, "&".join([*params, extra]).strip("&"), ""))


def describe_frame(frame: Frame) -> str:
    """A one-line rendering of ``frame`` with base64 audio shortened, for traces."""
    arrow = "->" if frame.direction == "client" else "<-"
    if frame.close is not None:
        return f"{frame.at:8.3f} {arrow} close {frame.close[0]} {frame.close[1]!r}"
    if frame.data is not None:
        return f"{frame.at:8.3f} {arrow} <binary frame, {len(frame.data)} bytes>"
    text = frame.text or ""
    try:
        shown = json.dumps(_shorten(json.loads(text)), ensure_ascii=False)
    except ValueError:
        shown = text if len(text) <= 200 else f"{text[:200]}... ({len(text)} characters)"
    return f"{frame.at:8.3f} {arrow} {shown}"


def _shorten(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _shorten(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_shorten(v) for v in value]
    if isinstance(value, str) and len(value) > _SHORTEN_AT and key in _AUDIO_FIELDS:
        return f"{value[:16]}...({len(value)} chars)"
    if isinstance(value, str) and len(value) > 4 * _SHORTEN_AT:
        return f"{value[: 2 * _SHORTEN_AT]}...({len(value)} chars)"
    return value


class _Connection(ClientConnection):
    """A client connection that notes when the server pings."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pings: list[float] = []

    def process_event(self, event: Any) -> None:
        if isinstance(event, WebSocketFrame) and event.opcode is Opcode.PING:
            self.pings.append(time.monotonic())
        super().process_event(event)


class WireSession:
    """One Realtime connection, frame by frame; open it with :meth:`open`.

    ``send`` gives every event an ``event_id`` (``evt_kit_N``) unless it has one.
    ``recv``, ``until`` and ``quiet`` read server events as dicts; each is checked by
    the invariants first. ``timeout`` is the default wait for one event.
    """

    def __init__(
        self,
        connection: _Connection,
        dialect: Dialect,
        *,
        timeout: float,
        check: bool,
        opened_at: float,
    ) -> None:
        self.connection = connection
        self.dialect: Dialect = dialect
        self.timeout = timeout
        self.checker: WireChecker | None = WireChecker(dialect) if check else None
        self.trace: list[Frame] = []
        self.events: list[dict[str, Any]] = []
        """Every server event received, in order."""
        self.close_frame: tuple[int, str] | None = None
        self.subprotocol = connection.subprotocol
        self._opened_at = opened_at
        self._closing = False

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        dialect: Dialect = "ga",
        api_key: str | None = None,
        headers: Mapping[str, str] | None = None,
        subprotocols: Sequence[str] | None = None,
        timeout: float = 10.0,
        check: bool = True,
        max_size: int | None = 64 * 1024 * 1024,
    ) -> WireSession:
        """Connect to ``url`` (a full ``/realtime?...`` URL); beta adds ``OpenAI-Beta``.

        ``api_key`` goes in ``Authorization: Bearer``. ``check`` runs the invariants
        on every server event.
        """
        extra = dict(headers or {})
        if api_key is not None:
            extra["Authorization"] = f"Bearer {api_key}"
        if dialect == "beta":
            extra.setdefault("OpenAI-Beta", "realtime=v1")
        started = time.monotonic()
        try:
            connection = await connect(
                url,
                additional_headers=extra,
                subprotocols=[Subprotocol(p) for p in subprotocols or []] or None,
                create_connection=_Connection,
                max_size=max_size,
                open_timeout=timeout,
                ping_interval=None,
                compression=None,
                user_agent_header="openrealtime-testing",
            )
        except (OSError, InvalidHandshake, TimeoutError) as exc:
            raise ConnectionError(f"cannot connect to {url}: {exc}") from None
        assert isinstance(connection, _Connection)
        return cls(connection, dialect, timeout=timeout, check=check, opened_at=started)

    def _now(self) -> float:
        return time.monotonic() - self._opened_at

    async def send(self, event: Mapping[str, Any]) -> str:
        """Send one client event; returns its ``event_id``."""
        body = dict(event)
        event_id = body.setdefault("event_id", f"evt_kit_{next(_counter)}")
        await self.send_raw(json.dumps(body, separators=(",", ":")), event_id=event_id)
        return str(event_id)

    async def send_raw(self, frame: str | bytes, *, event_id: str | None = None) -> None:
        """Send a frame as is; ``event_id`` is what the frame carries, if anything."""
        if isinstance(frame, bytes):
            self.trace.append(Frame("client", self._now(), data=frame))
        else:
            self.trace.append(Frame("client", self._now(), text=frame))
        if self.checker is not None:
            self.checker.client(event_id)
        try:
            await self.connection.send(frame)
        except ConnectionClosed as closed:
            self._record_close(closed)
            raise self._closed_error() from None

    async def append_audio(self, pcm: bytes, *, chunk_ms: int = 100, rate: int = 24000) -> None:
        """Send PCM16 ``pcm`` as ``input_audio_buffer.append`` events of ``chunk_ms``."""
        size = rate * 2 * chunk_ms // 1000
        for start in range(0, len(pcm), size):
            audio = base64.b64encode(pcm[start : start + size]).decode("ascii")
            await self.send({"type": "input_audio_buffer.append", "audio": audio})

    async def recv(self, timeout: float | None = None) -> dict[str, Any]:
        """The next server event (checked); raises :class:`WireTimeout` or :class:`ServerClosed`."""
        wait = self.timeout if timeout is None else timeout
        if self.close_frame is not None:
            raise self._closed_error()
        try:
            raw = await asyncio.wait_for(self.connection.recv(), wait)
        except TimeoutError:
            raise WireTimeout(f"no server event within {wait:g} s") from None
        except ConnectionClosed as closed:
            self._record_close(closed)
            raise self._closed_error() from None
        if isinstance(raw, bytes):
            self.trace.append(Frame("server", self._now(), data=raw))
            raise InvariantViolation(f"a binary frame from the server ({len(raw)} bytes)")
        self.trace.append(Frame("server", self._now(), text=raw))
        try:
            event = json.loads(raw)
        except ValueError:
            raise InvariantViolation(f"a server frame that is not JSON: {raw[:200]!r}") from None
        if not isinstance(event, dict):
            raise InvariantViolation(f"a server frame that is not an object: {raw[:200]!r}")
        self.events.append(event)
        if self.checker is not None:
            self.checker.server(event)
        return event

    async def until(
        self, match: EventMatch, timeout: float | None = None, *, what: str | None = None
    ) -> list[dict[str, Any]]:
        """Events up to and including the first that ``match``es; ``what`` names it in errors."""
        wanted = _matcher(match)
        wait = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + wait
        taken: list[dict[str, Any]] = []
        while True:
            left = deadline - time.monotonic()
            try:
                event = await self.recv(max(left, 0.0))
            except WireTimeout:
                seen = ", ".join(e.get("type", "?") for e in taken[-8:]) or "nothing"
                raise WireTimeout(
                    f"no {what or _name(match)} within {wait:g} s (received: {seen})"
                ) from None
            taken.append(event)
            if wanted(event):
                return taken

    async def quiet(self, seconds: float) -> None:
        """Assert that no server event arrives within ``seconds``."""
        try:
            event = await self.recv(seconds)
        except WireTimeout:
            return
        raise AssertionError(f"expected no event within {seconds:g} s, got {event.get('type')}")

    async def drain(self, seconds: float) -> list[dict[str, Any]]:
        """Every event that arrives until the server is quiet for ``seconds``."""
        taken: list[dict[str, Any]] = []
        with contextlib.suppress(WireTimeout):
            while True:
                taken.append(await self.recv(seconds))
        return taken

    async def wait_closed(self, timeout: float | None = None) -> tuple[int, str]:
        """Read until the server closes; returns the close code and reason."""
        wait = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + wait
        while self.close_frame is None:
            try:
                await self.recv(max(deadline - time.monotonic(), 0.0))
            except ServerClosed:
                break
            except WireTimeout:
                raise WireTimeout(f"the server did not close within {wait:g} s") from None
        assert self.close_frame is not None
        return self.close_frame

    async def close(self) -> None:
        """Close from the client side (code 1000)."""
        if self.close_frame is None:
            self._closing = True
            # Unread events would hold back the server's close frame: read past them.
            discard = asyncio.ensure_future(self._discard())
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.connection.close(), 5.0)
            discard.cancel()
            self.trace.append(Frame("client", self._now(), close=(1000, "")))

    async def _discard(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            while True:
                await self.connection.recv()

    @property
    def pings(self) -> list[float]:
        """When the server pinged (monotonic clock)."""
        return self.connection.pings

    @property
    def closed(self) -> bool:
        """Whether the server closed the connection."""
        return self.close_frame is not None

    def _record_close(self, closed: ConnectionClosed) -> None:
        if self.close_frame is not None:
            return
        frame = closed.rcvd
        code, reason = (frame.code, frame.reason) if frame is not None else (1006, "")
        self.close_frame = (code, reason)
        self.trace.append(Frame("server", self._now(), close=(code, reason)))
        if self.checker is not None:
            self.checker.closed(code, reason, by_client=self._closing)

    def _closed_error(self) -> ServerClosed:
        assert self.close_frame is not None
        return ServerClosed(*self.close_frame)


def _matcher(match: EventMatch) -> Callable[[dict[str, Any]], bool]:
    if isinstance(match, str):
        return lambda event: event.get("type") == match
    if isinstance(match, tuple):
        return lambda event: event.get("type") in match
    return match


def _name(match: EventMatch) -> str:
    if isinstance(match, str):
        return match
    if isinstance(match, tuple):
        return " or ".join(match)
    return "awaited event"
