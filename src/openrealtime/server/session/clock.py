"""Time, injected: the real clock for serving, a virtual one for tests.

The session core never reads time or sleeps on its own; it asks its clock. With
:class:`VirtualClock` a test moves time by hand, so audio pacing, turn detection
and timeouts run instantly and deterministically.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from typing import Protocol

__all__ = ["Clock", "SystemClock", "VirtualClock"]


class Clock(Protocol):
    """Monotonic time, wall time and sleeping."""

    def monotonic(self) -> float:
        """Seconds on a monotonic clock."""
        ...

    def time(self) -> float:
        """Seconds since the Unix epoch."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds``."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        """Seconds on a monotonic clock."""
        return time.monotonic()

    def time(self) -> float:
        """Seconds since the Unix epoch."""
        return time.time()

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds``."""
        await asyncio.sleep(max(0.0, seconds))


class VirtualClock:
    """A clock that moves only when told to.

    Sleepers wait until :meth:`advance` (or :meth:`run_until_idle`) moves time to
    their deadline. Ties wake in the order they slept.
    """

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self._now = 0.0
        self._epoch = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def monotonic(self) -> float:
        """Virtual seconds since the clock was made."""
        return self._now

    def time(self) -> float:
        """Virtual Unix time."""
        return self._epoch + self._now

    async def sleep(self, seconds: float) -> None:
        """Wait until virtual time reaches now + ``seconds``."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self._now + seconds, next(self._order), future))
        await future

    @property
    def next_deadline(self) -> float | None:
        """When the earliest sleeper wakes, if any sleeps."""
        self._drop_cancelled()
        return self._sleepers[0][0] if self._sleepers else None

    async def advance(self, seconds: float) -> None:
        """Move time forward, waking every sleeper whose deadline passes, in order."""
        target = self._now + seconds
        while True:
            await _yield_many()
            deadline = self.next_deadline
            if deadline is None or deadline > target:
                break
            self._now = max(self._now, deadline)
            _deadline, _order, future = heapq.heappop(self._sleepers)
            future.set_result(None)
        self._now = target
        await _yield_many()

    async def run_until_idle(self, limit: float = 3600.0) -> None:
        """Advance through every pending sleep until nothing sleeps (or ``limit``)."""
        start = self._now
        while True:
            await _yield_many()
            deadline = self.next_deadline
            if deadline is None or deadline - start > limit:
                return
            await self.advance(deadline - self._now)

    def _drop_cancelled(self) -> None:
        while self._sleepers and self._sleepers[0][2].done():
            heapq.heappop(self._sleepers)


async def _yield_many(rounds: int = 50) -> None:
    # Let every ready task run before deciding that all of them are asleep.
    for _ in range(rounds):
        await asyncio.sleep(0)
