"""The frames waiting for one client, bounded in bytes.

The session emits without waiting, so a client that stops reading would make the
queue grow without end. The outbox tells such a client from one that is merely
being sent a large reply: frames put during one turn of the event loop (the
replies to one client event, say) are always queued, and only what has already
waited through a turn, and so had its chance to be sent, counts against
``limit``. Past it the outbox gives up: it drops what is queued, keeps only a
close (1008, "outbox full: client not reading") and ignores everything after.
Whatever happens, at most ``limit + 2 * max_frame`` bytes are ever queued.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from typing import Final

from ...protocol import ProtocolError

__all__ = ["OUTBOX_FULL", "SHUTDOWN", "Close", "Outbox", "close_reason", "frame_bytes"]


def close_reason(error: ProtocolError) -> str:
    """``type.code``, or just ``type`` when the code is null, as OpenAI closes."""
    return f"{error.type}.{error.code}" if error.code else error.type


def frame_bytes(frame: str) -> int:
    """The size of a text frame on the wire (UTF-8); cheap for the usual ASCII frame."""
    return len(frame) if frame.isascii() else len(frame.encode("utf-8", "surrogatepass"))


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
    """A FIFO of text frames and a final :class:`Close`; ``put`` never blocks.

    ``max_frame`` is the largest frame the caller ever puts (it refuses larger
    ones itself); it sizes the room left for the frames of the current turn.
    """

    def __init__(self, limit: int, max_frame: int) -> None:
        self.limit = limit
        self.max_frame = max_frame
        self._frames: deque[tuple[str, int] | Close] = deque()
        self._bytes = 0
        self._fresh = 0
        self._turn_pending = False
        self._ready = asyncio.Event()
        self.closed: Close | None = None

    @property
    def queued_bytes(self) -> int:
        """Bytes of text waiting to be sent."""
        return self._bytes

    @property
    def overflowed(self) -> bool:
        """Whether the limit was passed."""
        return self.closed is OUTBOX_FULL

    def put(self, frame: str, size: int | None = None) -> None:
        """Queue a frame (``size`` bytes, counted when not given).

        Switches to closing with :data:`OUTBOX_FULL` when the frames that waited
        through a turn pass ``limit``, or everything queued would pass
        ``limit + 2 * max_frame``. Must be called from the event loop.
        """
        if self.closed is not None:
            return
        size = frame_bytes(frame) if size is None else size
        waited = self._bytes - self._fresh
        if waited > self.limit or self._bytes + size > self.limit + 2 * self.max_frame:
            self._frames.clear()
            self._bytes = self._fresh = 0
            self.close(OUTBOX_FULL)
            return
        self._frames.append((frame, size))
        self._bytes += size
        self._fresh += size
        if not self._turn_pending:
            self._turn_pending = True
            asyncio.get_running_loop().call_soon(self._turn_ended)
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
        entry = self._frames.popleft()
        if isinstance(entry, Close):
            return entry
        frame, size = entry
        self._bytes -= size
        return frame

    def _turn_ended(self) -> None:
        self._turn_pending = False
        self._fresh = 0
