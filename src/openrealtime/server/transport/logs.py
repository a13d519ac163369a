"""Logging: the session id on every line about a session, and the event trace.

A connection binds its session id to a context variable; the tasks it starts
inherit it, so :class:`SessionIdFilter` can stamp ``session_id`` on any record made
on the session's behalf, engines' included. The opt-in trace (``--trace-events``)
logs every client and server event with its fields, except what must never reach
a log: audio (``audio``, and ``delta`` of audio deltas, become their length) and
credentials (``authorization``, ``headers``, ``api_key``, ``client_secret``, and
anything shaped like an OpenAI key or client secret in any string).
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
from typing import Final

from ...protocol import json_too_deep

__all__ = [
    "LOG_FORMAT",
    "InvalidUtf8Filter",
    "SessionIdFilter",
    "bind_session",
    "configure_logging",
    "describe_frame",
]

LOG_FORMAT: Final = "%(levelname)s %(name)s%(session)s: %(message)s"
_SESSION: Final[contextvars.ContextVar[str | None]] = contextvars.ContextVar(
    "openrealtime_session", default=None
)
_SECRET_KEYS: Final = frozenset({"authorization", "headers", "api_key", "client_secret"})
_TEXT_LIMIT: Final = 200
_KEY_SHAPES: Final = re.compile(r"\b(?:sk-[A-Za-z0-9_-]{8,}|ek_[A-Za-z0-9_-]{8,})")


def bind_session(session_id: str) -> None:
    """Mark the current task, and the tasks it starts from now on, as this session's."""
    _SESSION.set(session_id)


class SessionIdFilter(logging.Filter):
    """Stamps ``session_id`` (and ``session``, `` [sess_…]`` or empty) on each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        session_id = getattr(record, "session_id", None) or _SESSION.get()
        record.session_id = session_id
        record.session = f" [{session_id}]" if session_id else ""
        return True


class InvalidUtf8Filter(logging.Filter):
    """Makes uvicorn's report of a text frame that is not UTF-8 one line, without a traceback.

    uvicorn closes such a connection with 1007, as RFC 6455 asks, and logs the
    decoding error with its traceback on ``uvicorn.error``: a client's mistake,
    not the server's.
    """

    REPORTED: Final = "Invalid UTF-8 sequence received from client."

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == self.REPORTED:
            record.msg = "closed a connection with 1007: a text frame was not valid UTF-8"
            record.args = None
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True

    @classmethod
    def install(cls) -> None:
        """Add the filter to ``uvicorn.error``, once."""
        logger = logging.getLogger("uvicorn.error")
        if not any(isinstance(f, cls) for f in logger.filters):
            logger.addFilter(cls())


def configure_logging(level: int = logging.INFO) -> None:
    """Log to stderr with the session id of each line that has one."""
    handler = logging.StreamHandler()
    handler.addFilter(SessionIdFilter())
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logging.basicConfig(level=level, handlers=[handler], force=True)


def describe_frame(text: str | bytes) -> str:
    """One wire frame for the trace: its JSON with audio and credentials redacted."""
    if json_too_deep(text):
        return f"<JSON nested too deeply, {len(text)} bytes>"
    try:
        event = json.loads(text)
        if not isinstance(event, dict):
            return f"<not an object, {len(text)} bytes>"
        event_type = str(event.get("type", ""))
        audio_delta = "audio" in event_type and "transcript" not in event_type
        return json.dumps(_redact(event, audio_delta=audio_delta), separators=(",", ":"))
    except ValueError:
        return f"<not JSON, {len(text)} bytes>"


def _redact(value: object, *, audio_delta: bool) -> object:
    if isinstance(value, dict):
        redacted: dict[str, object] = {}
        for key, item in value.items():
            if key in _SECRET_KEYS:
                redacted[key] = "<redacted>"
            elif (key == "audio" or (key == "delta" and audio_delta)) and isinstance(item, str):
                redacted[key] = f"<{len(item)} base64 chars>"
            else:
                redacted[key] = _redact(item, audio_delta=False)
        return redacted
    if isinstance(value, list):
        return [_redact(item, audio_delta=False) for item in value]
    if isinstance(value, str):
        # A key pasted into free text (instructions, a message) is a key all the same.
        value = _KEY_SHAPES.sub("<redacted>", value)
        if len(value) > _TEXT_LIMIT:
            return f"{value[:_TEXT_LIMIT]}…(+{len(value) - _TEXT_LIMIT} chars)"
    return value
