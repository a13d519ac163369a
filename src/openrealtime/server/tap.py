"""Frame taps: something that sees every frame of a session as it passes.

``ServerConfig.tap`` is a factory the app calls once per session that opens (with the
session's id); the tap it returns sees each client and server frame exactly as it
crossed the socket, and the close. ``openrealtime serve --record DIR`` uses it to write
recordings (:class:`openrealtime.testing.recording.SessionRecorders`). A tap must not
raise and must not block: it runs in the connection's reader and writer.

This module belongs to no layer: the app opens taps, the transport feeds them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

__all__ = ["FrameTap", "TapFactory", "TapInfo"]


@dataclass(frozen=True)
class TapInfo:
    """The session a tap is opened for."""

    session_id: str
    dialect: Literal["ga", "beta"]
    kind: Literal["realtime", "transcription"]
    path: str
    """The request path and query string."""
    credential: str | None = field(default=None, repr=False)
    """The key or client secret the client presented, so a tap can keep it out of sight."""


class FrameTap(Protocol):
    """Sees a session's frames: ``frame`` for data, ``closed`` for a close, then ``close``."""

    def frame(self, direction: Literal["client", "server"], data: str | bytes) -> None: ...

    def closed(
        self, direction: Literal["client", "server"], code: int, reason: str = ""
    ) -> None: ...

    def close(self) -> None: ...


TapFactory = Callable[[TapInfo], FrameTap]
