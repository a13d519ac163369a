"""One connection's side of the latency probe: which frames are timed, and when they left.

See :mod:`openrealtime.server.latency` for the metrics and the sample store.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Iterator

from ...protocol import ga
from ..latency import DELTA_TYPES, LatencyProbe, created_metric

__all__ = ["FrameMarks"]


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
