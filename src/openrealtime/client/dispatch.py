"""Handing typed server events to the application: handlers, streams and waits.

A handler registered with ``on(type)`` runs for every event of that wire type (``"*"``
for all); a sync handler runs inline, an async one as a task. Its exceptions are
logged, never raised into the receive loop. :class:`EventStream` is a queue that
starts collecting as soon as it is made, so no event slips between a call and the
iteration that follows it.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from ..protocol import ServerEventBase
from .errors import ConnectionClosedError

__all__ = ["Dispatcher", "EventStream", "Handler", "Matcher"]

logger = logging.getLogger("openrealtime.client")

E = TypeVar("E", bound=ServerEventBase)
Handler = Callable[[Any], Awaitable[None] | None]
"""A function of one server event, sync or async."""
Matcher = str | type[ServerEventBase]
"""A wire type (``"response.done"``, ``"*"``) or an event class."""

_END = object()


def _matches(matcher: Matcher, event: ServerEventBase) -> bool:
    if isinstance(matcher, str):
        return matcher in ("*", event.type)
    return isinstance(event, matcher)


class EventStream:
    """Server events as they arrive; iterate with ``async for``.

    The stream ends when the client closes; it raises
    :class:`~openrealtime.client.ConnectionClosedError` when the connection drops
    for good.
    """

    def __init__(self, dispatcher: Dispatcher, matcher: Matcher = "*") -> None:
        self._dispatcher = dispatcher
        self._matcher = matcher
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        dispatcher._streams.append(self)

    def __aiter__(self) -> EventStream:
        return self

    async def __anext__(self) -> ServerEventBase:
        item = await self._queue.get()
        if item is _END:
            self.close()
            raise StopAsyncIteration
        if isinstance(item, BaseException):
            self.close()
            raise item
        return cast(ServerEventBase, item)

    def close(self) -> None:
        """Stop collecting events."""
        if self in self._dispatcher._streams:
            self._dispatcher._streams.remove(self)

    def _offer(self, event: ServerEventBase) -> None:
        if _matches(self._matcher, event):
            self._queue.put_nowait(event)

    def _end(self, failure: BaseException | None) -> None:
        self._queue.put_nowait(_END if failure is None else failure)


class Dispatcher:
    """Who gets each server event: handlers, streams and waiters."""

    def __init__(self) -> None:
        self._handlers: list[tuple[Matcher, Handler]] = []
        self._streams: list[EventStream] = []
        self._waiters: list[tuple[Matcher, Callable[[Any], bool], asyncio.Future[Any]]] = []
        self._tasks: set[asyncio.Task[None]] = set()

    def on(self, matcher: Matcher, handler: Handler) -> Callable[[], None]:
        """Call ``handler`` for every matching event; returns the unsubscribe."""
        entry = (matcher, handler)
        self._handlers.append(entry)

        def unsubscribe() -> None:
            if entry in self._handlers:
                self._handlers.remove(entry)

        return unsubscribe

    def stream(self, matcher: Matcher = "*") -> EventStream:
        """A stream of matching events, collecting from now on."""
        return EventStream(self, matcher)

    async def wait_for(
        self, matcher: Matcher, predicate: Callable[[Any], bool] | None, timeout: float | None
    ) -> ServerEventBase:
        """The next matching event for which ``predicate`` holds."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        entry = (matcher, predicate or (lambda _event: True), future)
        self._waiters.append(entry)
        try:
            async with asyncio.timeout(timeout):
                return cast(ServerEventBase, await future)
        finally:
            if entry in self._waiters:
                self._waiters.remove(entry)

    def dispatch(self, event: ServerEventBase) -> None:
        """Hand one event to everyone who asked for it."""
        for matcher, predicate, future in list(self._waiters):
            if future.done() or not _matches(matcher, event):
                continue
            try:
                wanted = predicate(event)
            except Exception as exc:
                future.set_exception(exc)
                continue
            if wanted:
                future.set_result(event)
        for stream in list(self._streams):
            stream._offer(event)
        for matcher, handler in list(self._handlers):
            if _matches(matcher, event):
                self._call(handler, event)

    def end(self, failure: BaseException | None) -> None:
        """End every stream and fail every waiter (``None``: the client closed)."""
        for stream in list(self._streams):
            stream._end(failure)
        self._streams.clear()
        for _matcher, _predicate, future in self._waiters:
            if not future.done():
                future.set_exception(failure or ConnectionClosedError("the client is closed"))
        self._waiters.clear()

    def _call(self, handler: Handler, event: ServerEventBase) -> None:
        try:
            result = handler(event)
        except Exception:
            logger.exception("a handler for %s raised", event.type)
            return
        if inspect.isawaitable(result):
            task = asyncio.ensure_future(self._guard(result, event.type))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _guard(result: Awaitable[None], event_type: str | None) -> None:
        try:
            await result
        except Exception:
            logger.exception("a handler for %s raised", event_type)
