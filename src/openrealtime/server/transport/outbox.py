"""The frames waiting for one client, bounded in bytes.

The session emits without waiting, so a client that stops reading would make the
queue grow without end. The outbox tells such a client from one that is merely
being sent a large reply: it gives up only when more than ``limit`` bytes wait
*and* the writer has taken nothing for ``stall_seconds`` (the client reads
nothing). Then it drops what is queued, keeps only a close (1008, "outbox full:
client not reading") and ignores everything after. A client that reads, however
slowly, is never closed for a large reply; and whatever happens, at most
``limit + 2 * max_frame`` bytes are ever queued (past that the outbox gives up at
once).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
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

    ``max_frame`` is the largest frame the caller ever puts (it refuses larger ones
    itself); with ``limit`` it sets the most ever queued. ``on_give_up`` is called
    once, when the outbox gives up on the client. Must be made and used in the event
    loop.
    """

    def __init__(
        self,
        limit: int,
        max_frame: int,
        *,
        stall_seconds: float = 2.0,
        on_give_up: Callable[[], None] = lambda: None,
    ) -> None:
        self.limit = limit
        self._on_give_up = on_give_up
        self.max_frame = max_frame
        self.stall_seconds = stall_seconds
        self._frames: deque[tuple[str, int] | Close] = deque()
        self._bytes = 0
        self._ready = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        self._last_taken = self._loop.time()
        self._watch: asyncio.TimerHandle | None = None
        self.closed: Close | None = None

    @property
    def queued_bytes(self) -> int:
        """Bytes of text waiting to be sent."""
        return self._bytes

    @property
    def overflowed(self) -> bool:
        """Whether the client was given up on."""
        return self.closed is OUTBOX_FULL

    def put(self, frame: str, size: int | None = None) -> None:
        """Queue a frame (``size`` bytes, counted when not given); see the module doc."""
        if self.closed is not None:
            return
        size = frame_bytes(frame) if size is None else size
        if self._bytes + size > self.limit + 2 * self.max_frame or self._stalled():
            self._give_up()
            return
        if not self._frames:
            # Nothing waited: the writer is not behind, whatever it last took.
            self._last_taken = self._loop.time()
        self._frames.append((frame, size))
        self._bytes += size
        self._ready.set()
        if self._bytes > self.limit and self._watch is None:
            self._watch = self._loop.call_later(self.stall_seconds, self._check)

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
        self._last_taken = self._loop.time()
        if isinstance(entry, Close):
            return entry
        frame, size = entry
        self._bytes -= size
        return frame

    def _stalled(self) -> bool:
        """More than ``limit`` waits, and the writer took nothing for ``stall_seconds``."""
        return (
            self._bytes > self.limit and self._loop.time() - self._last_taken >= self.stall_seconds
        )

    def _check(self) -> None:
        self._watch = None
        if self.closed is not None or self._bytes <= self.limit:
            return
        if self._stalled():
            self._give_up()
        else:
            wait = self._last_taken + self.stall_seconds - self._loop.time()
            self._watch = self._loop.call_later(max(wait, 0.0), self._check)

    def _give_up(self) -> None:
        self._frames.clear()
        self._bytes = 0
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        self.close(OUTBOX_FULL)
        self._on_give_up()
