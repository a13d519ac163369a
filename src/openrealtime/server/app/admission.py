"""Which connections may open a session, and the sessions open now.

A connection is admitted after authentication and the request checks. Over
``max_sessions``, over ``max_sessions_per_key`` for its API key, or over
``max_sessions_per_secret`` for the client secret it presented, it gets one
``session_limit_reached`` error and close 1013 (try again later). While the
server shuts down, new connections are closed with 1001 "server shutting down",
and :meth:`OpenSessions.shut_down` stops every open one the same way.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Final, Literal, NoReturn

from ..backend import SessionBackend
from ..session.errors import session_limit_reached
from ..transport.connection import Refused
from ..transport.outbox import SHUTDOWN, Close

__all__ = ["LIMIT_CLOSE_CODE", "Admission", "OpenSessions"]

LIMIT_CLOSE_CODE: Final = 1013


class Admission:
    """One admitted connection's place among the open sessions."""

    def __init__(
        self,
        sessions: OpenSessions,
        key_index: int | None,
        stop: Callable[[], None],
        secret: str | None = None,
    ) -> None:
        self._sessions = sessions
        self.key_index = key_index
        self.secret = secret
        self.stop = stop
        self.session: SessionBackend | None = None
        self.done = asyncio.Event()

    def attach(self, session: SessionBackend) -> None:
        """List the connection's session among the open ones."""
        self.session = session
        self._sessions.sessions[session.id] = session

    def release(self) -> None:
        """The connection is over: free its place."""
        self._sessions.release(self)


class OpenSessions:
    """The sessions this server holds open, and the limits on them."""

    def __init__(
        self,
        *,
        max_sessions: int | None = None,
        max_sessions_per_key: int | None = None,
        max_sessions_per_secret: int | None = None,
    ) -> None:
        self.sessions: dict[str, SessionBackend] = {}
        self.max_sessions = max_sessions
        self.max_sessions_per_key = max_sessions_per_key
        self.max_sessions_per_secret = max_sessions_per_secret
        self.closing = False
        self._admitted: set[Admission] = set()
        self._per_key: Counter[int] = Counter()
        self._per_secret: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self.sessions)

    def admit(
        self, key_index: int | None, stop: Callable[[], None], secret: str | None = None
    ) -> Admission:
        """A place for a new connection; raises :class:`Refused`.

        ``stop`` is called at shutdown to end the connection gracefully; ``secret`` is
        the client secret the connection presented, if any.
        """
        if self.closing:
            raise Refused(None, SHUTDOWN)
        if self.max_sessions is not None and len(self._admitted) >= self.max_sessions:
            self._refuse(self.max_sessions, "server")
        limit = self.max_sessions_per_key
        if key_index is not None and limit is not None and self._per_key[key_index] >= limit:
            self._refuse(limit, "key")
        limit = self.max_sessions_per_secret
        if secret is not None and limit is not None and self._per_secret[secret] >= limit:
            self._refuse(limit, "secret")
        admission = Admission(self, key_index, stop, secret)
        self._admitted.add(admission)
        if key_index is not None:
            self._per_key[key_index] += 1
        if secret is not None:
            self._per_secret[secret] += 1
        return admission

    @staticmethod
    def _refuse(limit: int, holder: Literal["server", "key", "secret"]) -> NoReturn:
        error = session_limit_reached(limit, holder=holder)
        raise Refused(error, Close.after(error, LIMIT_CLOSE_CODE))

    def release(self, admission: Admission) -> None:
        """Forget a finished connection."""
        if admission not in self._admitted:
            return
        self._admitted.discard(admission)
        if admission.key_index is not None:
            self._per_key[admission.key_index] -= 1
        if admission.secret is not None:
            self._per_secret[admission.secret] -= 1
            if not self._per_secret[admission.secret]:
                del self._per_secret[admission.secret]
        if admission.session is not None:
            self.sessions.pop(admission.session.id, None)
        admission.done.set()

    async def shut_down(self, timeout: float) -> None:
        """Refuse new connections, stop every open one, and wait up to ``timeout`` s."""
        self.closing = True
        admitted = list(self._admitted)
        for admission in admitted:
            admission.stop()
        waits = [asyncio.ensure_future(admission.done.wait()) for admission in admitted]
        if waits:
            _, pending = await asyncio.wait(waits, timeout=timeout)
            for wait in pending:
                wait.cancel()
