"""One WebSocket connection: the handshake, ordered sends with backpressure, the frame tap.

Frames go out in the order they were queued, by one writer task; a sender waits until
its frame is written to the socket, so a fast producer (audio) is slowed to the
network's pace. The tap, if any, sees every frame both ways with its direction and a
``time.monotonic()`` timestamp.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.typing import Subprotocol

from .endpoint import Endpoint
from .errors import ConnectionClosedError, RealtimeError

__all__ = ["Connection", "Direction", "FrameTap"]

logger = logging.getLogger("openrealtime.client")

Direction = Literal["send", "recv"]
FrameTap = Callable[[Direction, float, str | bytes], None]
"""Sees every frame: ``tap(direction, time.monotonic(), frame)``; ``"send"`` is client to
server, ``"recv"`` server to client, ``frame`` the raw text (or bytes) on the wire."""

_Outgoing = tuple[str, asyncio.Future[None]]
# How long a closing handshake may take. A peer that stopped answering (the keepalive
# noticed) will not answer it either, and every waiting call fails only after it.
_CLOSE_TIMEOUT = 1.0


class Connection:
    """An open WebSocket to a Realtime server."""

    def __init__(self, websocket: ClientConnection, tap: FrameTap | None) -> None:
        self._websocket = websocket
        self._tap = tap
        self._outbox: asyncio.Queue[_Outgoing] = asyncio.Queue()
        self._writer = asyncio.ensure_future(self._write())
        self._failure: ConnectionClosedError | None = None

    @classmethod
    async def open(
        cls,
        endpoint: Endpoint,
        *,
        tap: FrameTap | None = None,
        keepalive: float | None = 20.0,
        keepalive_timeout: float | None = 20.0,
        open_timeout: float | None = 10.0,
        max_frame_bytes: int | None = 32 * 2**20,
    ) -> Connection:
        """Connect; raise :class:`ConnectionClosedError` when the handshake fails."""
        options: dict[str, Any] = {
            "additional_headers": endpoint.headers,
            "ping_interval": keepalive,
            "ping_timeout": keepalive_timeout,
            "open_timeout": open_timeout,
            "close_timeout": _CLOSE_TIMEOUT,
            "max_size": max_frame_bytes,
        }
        if endpoint.subprotocols:
            options["subprotocols"] = [Subprotocol(p) for p in endpoint.subprotocols]
        try:
            websocket = await connect(endpoint.url, **options)
        except (OSError, InvalidHandshake, InvalidURI, TimeoutError) as exc:
            raise ConnectionClosedError(
                f"cannot connect to {_redacted(endpoint.url)}: {_why(exc)}"
            ) from exc
        return cls(websocket, tap)

    @property
    def subprotocol(self) -> str | None:
        """The subprotocol the server selected."""
        return self._websocket.subprotocol

    def queue(self, frame: str) -> asyncio.Future[None]:
        """Queue a frame; the future resolves once it is written (or fails)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self._failure is not None:
            future.set_exception(self._failure)
        else:
            self._outbox.put_nowait((frame, future))
        return future

    async def send(self, frame: str) -> None:
        """Send a frame, after those queued before it; return once it is written."""
        await self.queue(frame)

    async def frames(self) -> AsyncIterator[str | bytes]:
        """The server's frames, until the connection closes."""
        try:
            async for frame in self._websocket:
                if self._tap is not None:
                    self._call_tap("recv", frame)
                yield frame
        except ConnectionClosed:
            pass

    def closed_error(self, server_error: RealtimeError | None = None) -> ConnectionClosedError:
        """The error that ends every call waiting on this connection."""
        code, reason = self.close_code, self.close_reason
        detail = f" ({code}{': ' + reason if reason else ''})" if code is not None else ""
        if server_error is not None:
            detail += f" after the server's error {server_error}"
        failure = ConnectionClosedError(
            f"the connection closed{detail}", code=code, reason=reason, error=server_error
        )
        self._fail_outbox(failure)
        return failure

    @property
    def close_code(self) -> int | None:
        """The close code the server sent (or 1006 for a dropped connection)."""
        return self._websocket.close_code

    @property
    def close_reason(self) -> str:
        """The close reason the server sent."""
        return self._websocket.close_reason or ""

    async def close(self) -> None:
        """Close the connection politely (1000)."""
        self._writer.cancel()
        await self._websocket.close()
        self._fail_outbox(ConnectionClosedError("the client closed the connection", code=1000))

    async def _write(self) -> None:
        while True:
            frame, future = await self._outbox.get()
            if future.done():
                continue
            try:
                if self._tap is not None:
                    self._call_tap("send", frame)
                await self._websocket.send(frame)
            except ConnectionClosed:
                failure = self.closed_error()
                if not future.done():
                    future.set_exception(failure)
                return
            if not future.done():
                future.set_result(None)

    def _fail_outbox(self, failure: ConnectionClosedError) -> None:
        self._failure = self._failure or failure
        while not self._outbox.empty():
            _frame, future = self._outbox.get_nowait()
            if not future.done():
                future.set_exception(self._failure)

    def _call_tap(self, direction: Direction, frame: str | bytes) -> None:
        assert self._tap is not None
        try:
            self._tap(direction, time.monotonic(), frame)
        except Exception:
            logger.exception("the frame tap raised; the frame goes on")


def _redacted(url: str) -> str:
    return url.split("?", 1)[0]


def _why(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    text = str(exc) or type(exc).__name__
    return " ".join(text.split())
