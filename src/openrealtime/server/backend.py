"""The session seam: what a connection needs from whatever serves its session.

A WebSocket connection (``server.transport``) parses frames through the dialect
edge and hands GA client events to a :class:`SessionBackend`; the backend speaks
only through the sink it was made with, which the connection drains to the client.
The session core (:class:`~openrealtime.server.Session`) is one backend. A relay
that forwards a whole session to an upstream Realtime server is another: it keeps
the upstream's input streaming, turn detection, truncation and item ids, which a
per-response engine could not.

This module belongs to no layer: the transport uses it, the core implements it.
"""

from __future__ import annotations

from typing import Protocol

from ..protocol import ProtocolError, ga

__all__ = ["SessionBackend"]


class SessionBackend(Protocol):
    """One Realtime session behind the dialect edge: client events in, server events out.

    The connection calls :meth:`open` once, then :meth:`handle` for each client
    event in order (awaiting each before the next), and :meth:`aclose` when the
    connection ends, whoever ended it. Server events (GA, plus the internal
    supersets the edge filters) go out through the backend's sink, in order, at any
    time between ``open`` and ``aclose``: as answers to client events or on their own
    (responses streaming, turn detection, timeouts). Nothing goes out after ``aclose``.
    """

    id: str
    """The session id (``sess_…``), for logs."""

    async def open(self) -> None:
        """Start the session: ``session.created`` goes out, and events may flow."""
        ...

    async def handle(self, event: ga.ClientEvent) -> None:
        """Apply one client event; a rejected one becomes exactly one ``error`` event."""
        ...

    def report(self, error: ProtocolError) -> None:
        """Send one ``error`` event for a frame the edge could not parse."""
        ...

    def cancel_responses(self) -> None:
        """The server is shutting down: cancel running responses, with their ``response.done``."""
        ...

    async def aclose(self) -> None:
        """Stop everything the session runs; nothing is sent afterwards."""
        ...
