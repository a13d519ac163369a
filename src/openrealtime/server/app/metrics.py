"""Prometheus metrics: ``GET /metrics`` in the text exposition format.

Each app has its own :class:`~prometheus_client.CollectorRegistry`, so several apps
in one process (tests, embedding) never share or collide on a metric. The session
core reports through :class:`~..session.observer.SessionObserver`, which
:class:`ServerMetrics` implements; the core itself knows nothing of Prometheus.

Metrics (all prefixed ``openrealtime_``):

- ``sessions``: open sessions (gauge);
- ``responses_total{status}``: responses by final status;
- ``engine_errors_total{source, code}``: failed responses, transcriptions and
  end-of-turn scores;
- ``event_loop_lag_seconds``: how late the event loop wakes a sleeper (histogram);
- ``vad_lag_seconds``: from audio's arrival to its speech probabilities (histogram);
- ``turn_latency_seconds{stage}``: from ``speech_stopped`` to the turn's transcript,
  ``response.created``, first text token and first audio delta (histogram).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...protocol import ProtocolError
from ..session.errors import invalid_api_key, missing_credentials
from ..session.observer import TURN_STAGES, EngineErrorSource, TurnStage
from ..transport.credentials import bearer_token
from .auth import KeyRing

__all__ = ["LAG_BUCKETS", "TURN_BUCKETS", "ServerMetrics", "metrics_endpoint"]

TURN_BUCKETS: Final = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0)
"""Seconds; dense around the 0.7 s first-audio target."""
LAG_BUCKETS: Final = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
"""Seconds; the VAD lag target is 0.1 s at p99."""
LOOP_LAG_INTERVAL: Final = 0.25
"""Seconds between two event-loop lag samples."""
_STATUSES: Final = ("completed", "cancelled", "incomplete", "failed")


class ServerMetrics:
    """One app's metrics, and the observer its sessions report to.

    ``open_sessions`` is read at each scrape.
    """

    def __init__(self, open_sessions: Callable[[], int]) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        sessions = Gauge("openrealtime_sessions", "Open Realtime sessions.", registry=registry)
        sessions.set_function(lambda: float(open_sessions()))
        self.responses = Counter(
            "openrealtime_responses", "Responses by final status.", ["status"], registry=registry
        )
        self.engine_errors = Counter(
            "openrealtime_engine_errors",
            "Responses and transcriptions an engine failed, by error code.",
            ["source", "code"],
            registry=registry,
        )
        self.event_loop_lag = Histogram(
            "openrealtime_event_loop_lag_seconds",
            "How late the event loop woke a task sleeping for a fixed interval.",
            buckets=LAG_BUCKETS,
            registry=registry,
        )
        self.vad_lag_seconds = Histogram(
            "openrealtime_vad_lag_seconds",
            "From input audio's arrival to its speech probabilities.",
            buckets=LAG_BUCKETS,
            registry=registry,
        )
        self.turn_latency = Histogram(
            "openrealtime_turn_latency_seconds",
            "From speech_stopped to a stage of the turn: transcript, response_created, "
            "first_token, first_audio.",
            ["stage"],
            buckets=TURN_BUCKETS,
            registry=registry,
        )
        for status in _STATUSES:
            self.responses.labels(status)
        for stage in TURN_STAGES:
            self.turn_latency.labels(stage)
        self._watcher: asyncio.Task[None] | None = None

    # -- the session observer -----------------------------------------------------------

    def turn_stage(self, stage: TurnStage, seconds: float) -> None:
        """Observe one turn stage."""
        self.turn_latency.labels(stage).observe(seconds)

    def response_done(self, status: str) -> None:
        """Count a finished response."""
        self.responses.labels(status).inc()

    def engine_error(self, source: EngineErrorSource, code: str) -> None:
        """Count an engine failure."""
        self.engine_errors.labels(source, code).inc()

    def vad_lag(self, seconds: float) -> None:
        """Observe one VAD decision's lag."""
        self.vad_lag_seconds.observe(seconds)

    # -- the event loop -------------------------------------------------------------------

    async def watch_event_loop(self, interval: float = LOOP_LAG_INTERVAL) -> None:
        """Sample the event loop's lag until cancelled."""
        while True:
            asked = time.monotonic()
            await asyncio.sleep(interval)
            self.event_loop_lag.observe(max(0.0, time.monotonic() - asked - interval))

    def watch_soon(self) -> None:
        """Start sampling the event loop's lag in a task, unless it runs already."""
        if self._watcher is None or self._watcher.done():
            self._watcher = asyncio.get_running_loop().create_task(self.watch_event_loop())

    @contextlib.asynccontextmanager
    async def watching(self) -> AsyncIterator[None]:
        """Sample the event loop's lag for the duration of the block (an app's lifespan)."""
        self.watch_soon()
        try:
            yield
        finally:
            watcher, self._watcher = self._watcher, None
            if watcher is not None:
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher

    def exposition(self) -> bytes:
        """The metrics in the Prometheus text format."""
        return generate_latest(self.registry)


def metrics_endpoint(
    metrics: ServerMetrics, keys: KeyRing
) -> Callable[[Request], Awaitable[Response]]:
    """``GET /metrics``; with API keys configured, it needs one as ``Authorization: Bearer``."""

    async def endpoint(request: Request) -> Response:
        # An app mounted without its lifespan starts sampling at its first scrape.
        metrics.watch_soon()
        if keys:
            token = bearer_token(request.headers)
            if token is None:
                return _unauthorized(missing_credentials())
            if keys.match(token) is None:
                return _unauthorized(invalid_api_key(token))
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_PLAIN_0_0_4)

    return endpoint


def _unauthorized(error: ProtocolError) -> JSONResponse:
    body = {"message": error.message, "type": error.type, "param": error.param, "code": error.code}
    return JSONResponse(
        {"error": body}, status_code=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'}
    )
