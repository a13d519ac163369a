"""What the client raises: server errors, lost connections, failed responses, missing extras."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .responses import Response
    from .wire import ErrorData

__all__ = [
    "ConnectionClosedError",
    "RealtimeError",
    "ResponseFailedError",
]


class RealtimeError(Exception):
    """The server answered an event with an ``error`` event.

    The attributes are the wire's ``error`` object: ``type``, ``code``, ``message``,
    ``param`` and ``event_id`` (the id of the client event that caused it).
    """

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        type: str = "invalid_request_error",
        param: str | None = None,
        event_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.type = type
        self.param = param
        self.event_id = event_id

    @classmethod
    def from_error(cls, error: ErrorData) -> RealtimeError:
        """The exception for a server's ``error`` object, however incomplete."""
        return cls(
            error.message or "the server reported an error without a message",
            code=error.code,
            type=error.type or "invalid_request_error",
            param=error.param,
            event_id=error.event_id,
        )

    def __str__(self) -> str:
        where = f" (param {self.param})" if self.param else ""
        return f"{self.code or self.type}: {self.message}{where}"


class ResponseFailedError(RealtimeError):
    """A response ended without the output a call waited for (failed, or cancelled empty)."""

    def __init__(self, message: str, response: Response, *, code: str | None = None) -> None:
        super().__init__(message, code=code, type="response_error")
        self.response = response


class ConnectionClosedError(ConnectionError):
    """The connection is gone: every call waiting on it fails with this at once.

    ``code`` and ``reason`` are the WebSocket close frame's, when there was one;
    ``error`` is the server's last ``error`` event before it closed (an expired
    session, a bad key), if any.
    """

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        reason: str = "",
        error: RealtimeError | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.error = error
