"""A blocking face of :class:`~openrealtime.client.RealtimeClient`, for scripts and notebooks.

The client and its event loop run in a daemon thread; each method runs the async
method there and blocks until it returns. Handlers registered with :meth:`on` run in
that thread too. ``with RealtimeClient.connect_sync(url, model=...) as rt:``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

from ..protocol import ClientEventBase, ServerEventBase, WireModel
from .conversation import Conversation, ConversationItem
from .dispatch import EventStream, Handler, Matcher
from .playback import PlaybackTracker
from .requests import SessionModel
from .responses import Response

if TYPE_CHECKING:
    from .client import RealtimeClient

__all__ = ["SyncRealtimeClient"]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


async def _now(function: Callable[[], T]) -> T:
    return function()


class SyncRealtimeClient:
    """A connected :class:`RealtimeClient` driven from synchronous code."""

    def __init__(self, make: Callable[[], RealtimeClient]) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="openrealtime-client", daemon=True
        )
        self._thread.start()
        try:
            self.client: RealtimeClient = self._run(_now(make))
            self._run(self.client.open())
        except BaseException:
            self._stop()
            raise

    def _run(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result()

    def _stop(self) -> None:
        if self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def close(self) -> None:
        """Close the connection and stop the thread."""
        if not self._loop.is_closed():
            self._run(self.client.close())
            self._stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def conversation(self) -> Conversation:
        """The conversation mirror (updated from the client's thread)."""
        return self.client.conversation

    @property
    def session(self) -> SessionModel | None:
        """The session as the server last reported it."""
        return self.client.session

    @property
    def playback(self) -> PlaybackTracker:
        """The playback tracker; report positions with ``rt.playback.played(...)``."""
        return self.client.playback

    def call(self, work: Callable[[RealtimeClient], Coroutine[Any, Any, T]]) -> T:
        """Run any async method: ``rt.call(lambda c: c.commit_audio())``."""
        return self._run(work(self.client))

    def on(self, matcher: Matcher, handler: Handler) -> Callable[[], None]:
        """Call ``handler`` (in the client's thread) for every event of a type."""
        return self._run(_now(lambda: self.client.on(matcher, handler)))

    def tool(self, function: F) -> F:
        """Register a tool (see :meth:`RealtimeClient.tool`)."""
        return self._run(_now(lambda: self.client.tool(function)))

    def events(self, matcher: Matcher = "*") -> Iterator[ServerEventBase]:
        """Server events from now on, blocking for each."""
        stream: EventStream = self._run(_now(lambda: self.client.events(matcher)))

        def iterate() -> Iterator[ServerEventBase]:
            try:
                while True:
                    try:
                        yield self._run(stream.__anext__())
                    except StopAsyncIteration:
                        return
            finally:
                if not self._loop.is_closed():
                    self._loop.call_soon_threadsafe(stream.close)

        return iterate()

    def wait_for(
        self,
        matcher: Matcher,
        predicate: Callable[[Any], bool] | None = None,
        timeout: float | None = None,
    ) -> ServerEventBase:
        """The next event of a type for which ``predicate`` holds."""
        return self._run(self.client.wait_for(matcher, predicate, timeout))

    def send(self, event: ClientEventBase | Mapping[str, Any], *, wait: bool = True) -> None:
        """Send an event built by hand (see :meth:`RealtimeClient.send`)."""
        self._run(self.client.send(event, wait=wait))

    def update_session(self, session: Any = None, /, **fields: Any) -> SessionModel | None:
        """``session.update``; returns the session the server reports."""
        return self._run(self.client.update_session(session, **fields))

    def send_text(self, text: str, /, **params: Any) -> ConversationItem:
        """A user message and a response; the finished assistant item."""
        return self._run(self.client.send_text(text, **params))

    def send_audio(self, source: Any, **options: Any) -> float:
        """Append audio (see :meth:`RealtimeClient.send_audio`); the ms sent."""
        return self._run(self.client.send_audio(source, **options))

    def commit_audio(self) -> str:
        """``input_audio_buffer.commit``; the new user item's id."""
        return self._run(self.client.commit_audio())

    def create_item(
        self, item: WireModel | Mapping[str, Any], *, previous_item_id: str | None = None
    ) -> ConversationItem:
        """``conversation.item.create``; the item the server added."""
        return self._run(self.client.create_item(item, previous_item_id=previous_item_id))

    def create_response(self, response: Any = None, /, **params: Any) -> Response:
        """``response.create``, waiting for the response to finish."""
        created = self._run(self.client.create_response(response, **params))
        return self._run(created.final())

    def cancel_response(self, response_id: str | None = None) -> Response | None:
        """``response.cancel``; the response once it ended."""
        return self._run(self.client.cancel_response(response_id))

    def delete_item(self, item_id: str) -> None:
        """``conversation.item.delete``."""
        self._run(self.client.delete_item(item_id))

    def retrieve_item(self, item_id: str) -> ConversationItem:
        """``conversation.item.retrieve``; the item as the server holds it."""
        return self._run(self.client.retrieve_item(item_id))
