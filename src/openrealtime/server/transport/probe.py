"""Server-side latency samples for benchmarks: opt-in, and nothing is timed when off.

With ``ServerConfig(probe=LatencyProbe())`` every connection times two paths through
the server on the probe's monotonic clock, up to the moment the writer's
``send_text`` of the frame has returned (the frame is in the socket's hands):

- ``"<client event type> -> response.created"``: from the reader having the client
  frame whose handling started a response (``response.create``, or the
  ``input_audio_buffer.append`` in which server VAD ended a turn) to that
  response's ``response.created``;
- each of :data:`DELTA_TYPES`: from the session core emitting the delta event.

Samples are kept in the server process until :meth:`LatencyProbe.drain` takes them.
"""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Final

from ...protocol import ga

__all__ = ["DELTA_TYPES", "FrameMarks", "LatencyProbe", "created_metric"]

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


class FrameMarks:
    """One connection's timed frames, recorded as the writer sends them.

    The outbox is first in, first out, so the oldest pending mark belongs to the
    next timed frame the writer sends; frames are matched by identity, never by
    content. Frames the outbox drops keep their marks, unrecorded, but the outbox
    drops frames only once the connection is closing.
    """

    def __init__(self, probe: LatencyProbe) -> None:
        self.probe = probe
        self._pending: deque[tuple[str, str, float]] = deque()
        self._trigger: tuple[str, float] | None = None

    @contextlib.contextmanager
    def handling(self, event_type: str, received: float) -> Iterator[None]:
        """While a client event received at ``received`` is applied, it starts responses."""
        self._trigger = (event_type, received)
        try:
            yield
        finally:
            self._trigger = None

    def timing(self, event: ga.ServerEvent) -> tuple[str, float] | None:
        """The metric and start of ``event``'s frames, or ``None`` when it is not timed."""
        if event.type in DELTA_TYPES:
            return event.type, self.probe.clock()
        if event.type == "response.created" and self._trigger is not None:
            trigger, received = self._trigger
            return created_metric(trigger), received
        return None

    def queued(self, frame: str, metric: str, start: float) -> None:
        """``frame`` entered the outbox and is timed from ``start``."""
        self._pending.append((frame, metric, start))

    def sent(self, frame: str) -> None:
        """The writer handed ``frame`` to the socket: record it if it is timed."""
        pending = self._pending
        if pending and pending[0][0] is frame:
            _, metric, start = pending.popleft()
            self.probe.record(metric, start)
