"""The work a session runs beside its events: responses, transcriptions, timers.

Every task belongs to the session and is cancelled when it closes, so nothing
outlives a closed connection. A task that fails unexpectedly is logged and reported
once through ``on_failure``; the session goes on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine

__all__ = ["SessionTasks"]


class SessionTasks:
    """The session's running tasks."""

    def __init__(self, on_failure: Callable[[BaseException], None]) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._on_failure = on_failure

    def spawn(self, coroutine: Coroutine[object, None, None]) -> asyncio.Task[None]:
        """Run ``coroutine`` until it ends or the session closes."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    async def aclose(self) -> None:
        """Cancel every task and wait for them to end."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (failure := task.exception()) is not None:
            self._on_failure(failure)
