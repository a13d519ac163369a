"""The frames waiting for one client, bounded in bytes.

The session emits without waiting, so a client that stops reading would make the
queue grow without end. Past ``limit`` bytes of queued text the outbox gives up:
it drops what is queued, keeps only a close (1008, "outbox full: client not
reading") and ignores everything after, so memory stays bounded whatever the
client does.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from typing import Final

from ...protocol import ProtocolError

__all__ = ["OUTBOX_FULL", "SHUTDOWN", "Close", "Outbox", "close_reason"]


def close_reason(error: ProtocolError) -> str:
    """``type.code``, or just ``type`` when the code is null, as OpenAI closes."""
    return f"{error.type}.{error.code}" if error.code else error.type


@dataclass(frozen=True)
class Close:
    """Close the connection with this code and reason, after the frames before it."""

    code: int
    reason: str

    @classmethod
    def after(cls, error: ProtocolError, code: int) -> Close:
        """The close that follows a fatal ``error``: its reason is ``type.code``."""
        return cls(code, close_reason(error))


OUTBOX_FULL: Final = Close(1008, "outbox full: client not reading")
SHUTDOWN: Final = Close(1001, "server shutting down")


class Outbox:
    """A FIFO of text frames and a final :class:`Close`; ``put`` never blocks."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._frames: deque[str | Close] = deque()
        self._bytes = 0
        self._ready = asyncio.Event()
        self.closed: Close | None = None

    @property
    def queued_bytes(self) -> int:
        """Text waiting to be sent (characters of JSON, which is nearly all ASCII)."""
        return self._bytes

    @property
    def overflowed(self) -> bool:
        """Whether the limit was passed."""
        return self.closed is OUTBOX_FULL

    def put(self, frame: str) -> None:
        """Queue a frame; past the limit, switch to closing with :data:`OUTBOX_FULL`."""
        if self.closed is not None:
            return
        if self._bytes + len(frame) > self.limit:
            self._frames.clear()
            self._bytes = 0
            self.close(OUTBOX_FULL)
            return
        self._frames.append(frame)
        self._bytes += len(frame)
        self._ready.set()

    def close(self, close: Close) -> None:
        """Queue the close after the frames already queued; later frames are dropped."""
        if self.closed is not None:
            return
        self.closed = close
        self._frames.append(close)
        self._ready.set()

    async def get(self) -> str | Close:
        """The next frame or the close, waiting for one."""
        while not self._frames:
            self._ready.clear()
            await self._ready.wait()
        frame = self._frames.popleft()
        if isinstance(frame, str):
            self._bytes -= len(frame)
        return frame
