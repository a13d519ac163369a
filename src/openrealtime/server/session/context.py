"""What the session's parts share: ids, time, options, and the way out for events."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypedDict

from ...protocol import ga
from ..config import SessionOptions
from .clock import Clock
from .ids import IdSource
from .observer import NoObserver, SessionObserver, TurnTimer
from .rate_limits import RateLimits

__all__ = ["Obfuscation", "SessionContext"]

_OBFUSCATION_BLOCK = 16


class Obfuscation(TypedDict, total=False):
    """The ``obfuscation`` field of a GA delta event, absent when obfuscation is off."""

    obfuscation: str


@dataclass
class SessionContext:
    """Services for the parts of one session.

    ``emit`` is the only way out: the session's parts never see the transport.
    """

    ids: IdSource
    clock: Clock
    options: SessionOptions
    sink: Callable[[ga.ServerEvent], None]
    rate_limits: RateLimits
    log: logging.LoggerAdapter[logging.Logger]
    observer: SessionObserver = field(default_factory=NoObserver)
    """Where measurements go (metrics); see :mod:`.observer`."""
    assistant_audio_sent: bool = field(default=False)
    turns: TurnTimer = field(init=False)
    """Times this session's spoken turns."""

    def __post_init__(self) -> None:
        self.turns = TurnTimer(self.clock, self.observer, self.log)

    def emit(self, event: ga.ServerEvent) -> None:
        """Send one server event."""
        self.sink(event)

    def event_id(self) -> str:
        """A fresh server event id."""
        return self.ids.new("event_")

    def obfuscation(self, delta: str) -> Obfuscation:
        """The ``obfuscation`` field of a GA delta: padding that hides the delta's length."""
        if not self.options.obfuscation:
            return {}
        size = _OBFUSCATION_BLOCK - len(delta) % _OBFUSCATION_BLOCK
        if size < 2:
            # At least two characters, still ending on a block boundary.
            size += _OBFUSCATION_BLOCK
        return {"obfuscation": self.ids.new("", size)}

    def rate_limits_updated(self, *, requests: int = 0, tokens: int = 0) -> None:
        """Count usage and report the session's rate limits."""
        limits = self.rate_limits.consume(requests=requests, tokens=tokens)
        self.emit(ga.RateLimitsUpdatedEvent(event_id=self.event_id(), rate_limits=limits))

    def note_assistant_audio(self) -> None:
        """Assistant audio exists: the voice is locked from now on."""
        self.assistant_audio_sent = True

    def log_engine_failure(self, response_id: str, code: str, message: str) -> None:
        """Record and count why an engine failed a response."""
        self.log.warning("response %s failed (%s): %s", response_id, code, message)
        self.observer.engine_error("response", code)
