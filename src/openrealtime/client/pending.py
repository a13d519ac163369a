"""Calls waiting for the server's reply to an event the client sent.

Each client event that the server answers registers a :class:`Pending`: the reply's
event types and a test on it. The first pending call (in sending order) whose test
passes takes the reply. An ``error`` whose ``event_id`` is a pending call's fails that
call with :class:`RealtimeError`; a dropped connection fails them all at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import RealtimeError
from .wire import Envelope

__all__ = ["Pending", "PendingCalls", "Reply"]

Reply = Callable[[Envelope], bool]
"""Whether a server event is the reply a pending call waits for."""


@dataclass
class Pending:
    """One call waiting for its reply."""

    event_id: str
    client_type: str
    replies: frozenset[str]
    matches: Reply
    future: asyncio.Future[Envelope] = field(repr=False)


class PendingCalls:
    """The calls waiting for replies, in sending order."""

    def __init__(self) -> None:
        self._calls: list[Pending] = []

    def __len__(self) -> int:
        return len(self._calls)

    def add(
        self, event_id: str, client_type: str, replies: frozenset[str], matches: Reply
    ) -> asyncio.Future[Envelope]:
        """Register a call; the future resolves with its reply."""
        future: asyncio.Future[Envelope] = asyncio.get_running_loop().create_future()
        self._calls.append(Pending(event_id, client_type, replies, matches, future))
        return future

    def discard(self, future: asyncio.Future[Envelope]) -> None:
        """Forget a call whose caller stopped waiting."""
        self._calls = [call for call in self._calls if call.future is not future]

    def resolve(self, env: Envelope) -> bool:
        """Hand a server event to the call it answers; return whether one took it."""
        if env.type == "error":
            return self._reject(env)
        for call in self._calls:
            if env.type in call.replies and call.matches(env):
                self._calls.remove(call)
                if not call.future.done():
                    call.future.set_result(env)
                return True
        return False

    def fail_all(self, failure: BaseException) -> None:
        """Fail every waiting call (the connection dropped)."""
        calls, self._calls = self._calls, []
        for call in calls:
            if not call.future.done():
                call.future.set_exception(failure)

    def _reject(self, env: Envelope) -> bool:
        error = env.error
        if error is None or error.event_id is None:
            return False
        for call in self._calls:
            if call.event_id == error.event_id:
                self._calls.remove(call)
                if not call.future.done():
                    call.future.set_exception(RealtimeError.from_error(error))
                return True
        return False
