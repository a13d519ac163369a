"""When an app's engines start and stop.

``openrealtime serve`` and :func:`~openrealtime.server.running` start the engines
before the port opens; an app run by any ASGI server starts them in its lifespan.
An app mounted in another Starlette app gets no lifespan of its own: its engines
start on first use (a connection, a client secret, ``/healthz``) in a task of
their own, and connections wait for them without holding the event loop. To load
them at startup and close them at shutdown there too, give the outer app our
lifespan: ``Starlette(routes=[Mount("/rt", app)], lifespan=app.state.engines.lifespan)``.

Ownership follows who started what: engines from a pool the caller passed in, or
from a registry the caller already started, are the caller's to close; a pool the
app made itself is closed when the app shuts down.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping

from ...engines import EngineState
from ...engines.pool import EnginePool, Progress
from ...engines.registry import ModelRegistry

__all__ = ["AppEngines"]


class AppEngines:
    """One app's model registry, the pool its engines come from, and their start."""

    def __init__(self, registry: ModelRegistry, pool: EnginePool | None = None) -> None:
        self.registry = registry
        self._pool = pool or EnginePool()
        self._owns_pool = pool is None and not registry.started
        self._starting: asyncio.Task[None] | None = None

    async def start(self, progress: Progress | None = None) -> None:
        """Start every engine (once; later calls wait for the same start); raises its failure."""
        if self.registry.started:
            return
        if self._starting is None:
            self._starting = asyncio.get_running_loop().create_task(
                self.registry.start(self._pool, progress=progress)
            )
        await asyncio.shield(self._starting)

    def start_soon(self) -> None:
        """Begin starting in the background, if nothing has yet (first use of a mounted app)."""
        if self._starting is None and not self.registry.started:
            self._starting = asyncio.get_running_loop().create_task(self.registry.start(self._pool))
            self._starting.add_done_callback(_consume)

    @contextlib.asynccontextmanager
    async def lifespan(self, app: object) -> AsyncIterator[None]:
        """An ASGI lifespan: start the engines, and close them when the app stops."""
        await self.start()
        try:
            yield
        finally:
            await self.aclose()

    def states(self) -> Mapping[str, EngineState]:
        """Each engine's state, by name."""
        return self.registry.states()

    async def aclose(self) -> None:
        """Close the engines if this app started them from a pool of its own."""
        if self._starting is not None and not self._starting.done():
            await asyncio.gather(self._starting, return_exceptions=True)
        if self._owns_pool:
            await self._pool.aclose()


def _consume(task: asyncio.Task[None]) -> None:
    # The failure is kept in the engines' states and raised to whoever awaits the start.
    if not task.cancelled():
        task.exception()
