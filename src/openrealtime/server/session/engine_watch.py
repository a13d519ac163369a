"""A watch on engines that stop producing: hung, or crawling.

A response's task runs its engines; an :class:`EngineWatch` beside it is told of
every output (:meth:`EngineWatch.mark`). Before the first output it allows
``first`` seconds, then ``between`` from one output to the next. Past the limit it
cancels the watched task, whose owner sees :attr:`EngineWatch.expired` and ends
the work as an engine failure. Time is the session's clock, so a virtual clock
drives it in tests.
"""

from __future__ import annotations

import asyncio

from .clock import Clock

__all__ = ["EngineWatch"]


class EngineWatch:
    """Cancels ``task`` when its engines go quiet for too long (see the module doc)."""

    def __init__(
        self,
        clock: Clock,
        task: asyncio.Task[object],
        *,
        first: float | None,
        between: float | None,
    ) -> None:
        self._clock = clock
        self._task = task
        self._first = first
        self._between = between
        self._last = clock.monotonic()
        self._outputs = 0
        self._marked = asyncio.Event()
        self.expired: str | None = None
        """Why the watch fired (``"no output for 30 s"``), once it has."""
        self._watcher = asyncio.get_running_loop().create_task(self._watch())

    def mark(self) -> None:
        """An engine produced something."""
        self._last = self._clock.monotonic()
        self._outputs += 1
        self._marked.set()

    def stop(self) -> None:
        """The work ended: stop watching."""
        self._watcher.cancel()

    async def _watch(self) -> None:
        while True:
            limit = self._between if self._outputs else self._first
            if limit is None:
                if self._between is None:
                    return
                # No limit before the first output: wait for it without a timer.
                self._marked.clear()
                await self._marked.wait()
                continue
            left = self._last + limit - self._clock.monotonic()
            if left <= 0:
                what = "output" if not self._outputs else "further output"
                self.expired = f"no {what} for {limit:g} s"
                self._task.cancel()
                return
            await self._clock.sleep(left)
