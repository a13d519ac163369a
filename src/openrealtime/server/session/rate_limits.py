"""The per-session rate limits reported in ``rate_limits.updated``, and enforced.

A request is one response, and tokens are the responses' total usage, each counted
over a window that resets once it elapses. Once a window is used up, a new response
is refused with ``rate_limit_exceeded`` until it resets (:meth:`RateLimits.exhausted`);
nothing the client sends is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...protocol import ga
from .clock import Clock

__all__ = ["RateLimits"]


@dataclass
class _Window:
    name: str
    limit: int
    used: int = 0
    started: float = 0.0


class RateLimits:
    """Request and token windows for one session."""

    def __init__(
        self, clock: Clock, *, requests: int, tokens: int, window_seconds: float = 60.0
    ) -> None:
        self._clock = clock
        self._window = window_seconds
        start = clock.monotonic()
        self._windows = (
            _Window("requests", requests, started=start),
            _Window("tokens", tokens, started=start),
        )

    def exhausted(self) -> ga.RateLimit | None:
        """The first limit used up in its current window, if any."""
        for limit in self.consume():
            if limit.remaining <= 0:
                return limit
        return None

    def consume(self, *, requests: int = 0, tokens: int = 0) -> list[ga.RateLimit]:
        """Count usage; return every limit's state afterwards."""
        now = self._clock.monotonic()
        for window, used in zip(self._windows, (requests, tokens), strict=True):
            if now - window.started >= self._window:
                window.started, window.used = now, 0
            window.used += used
        return [
            ga.RateLimit(
                name=w.name,
                limit=w.limit,
                remaining=max(0, w.limit - w.used),
                reset_seconds=round(max(0.0, self._window - (now - w.started)), 3),
            )
            for w in self._windows
        ]
