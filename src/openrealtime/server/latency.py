"""Server-side latency samples for benchmarks: opt-in, and nothing is timed when off.

With ``ServerConfig(probe=LatencyProbe())`` every connection times two paths through
the server on the probe's monotonic clock, up to the moment the writer's
``send_text`` of the frame has returned (the frame is in the socket's hands):

- ``"<client event type> -> response.created"``: from the reader having the client
  frame whose handling started a response (``response.create``, or the
  ``input_audio_buffer.append`` in which server VAD ended a turn) to that
  response's ``response.created``;
- each of :data:`DELTA_TYPES`: from the session core emitting the delta event.

Samples are kept in the server process until :meth:`LatencyProbe.drain` takes them;
the connection's side is :class:`~openrealtime.server.transport.probe.FrameMarks`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final

__all__ = ["DELTA_TYPES", "LatencyProbe", "created_metric"]

DELTA_TYPES: Final = frozenset(
    {
        "response.output_text.delta",
        "response.output_audio.delta",
        "response.output_audio_transcript.delta",
    }
)
"""The engine output deltas timed from emission to the wire; each is its own metric."""


def created_metric(trigger: str) -> str:
    """The metric of ``response.created`` after a client event of type ``trigger``."""
    return f"{trigger} -> response.created"


class LatencyProbe:
    """Latency samples in seconds, by metric, from every connection of one server.

    At most ``max_samples`` are kept per metric between drains; later ones are
    counted in :attr:`dropped`, so a probe left on cannot grow without end.
    """

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, *, max_samples: int = 1_000_000
    ) -> None:
        self.clock = clock
        self.max_samples = max_samples
        self.dropped = 0
        self._samples: dict[str, list[float]] = {}

    def record(self, metric: str, start: float) -> None:
        """One sample of ``metric``: from ``start`` (a reading of :attr:`clock`) to now."""
        samples = self._samples.setdefault(metric, [])
        if len(samples) < self.max_samples:
            samples.append(self.clock() - start)
        else:
            self.dropped += 1

    def drain(self) -> dict[str, list[float]]:
        """Every sample since the last drain, by metric; the probe starts empty again."""
        samples, self._samples = self._samples, {}
        return samples
