"""The ASGI application: ``/v1/realtime`` (WebSocket), client secrets, models, health.

Routes: ``/v1/realtime`` (WebSocket); ``POST /v1/realtime/client_secrets``,
``/v1/realtime/sessions`` and ``/v1/realtime/transcription_sessions`` (ephemeral
keys); ``GET /v1/models``; ``/healthz``, which reports each engine's state and
answers 503 until every engine is ready; ``GET /metrics`` (Prometheus); the browser
console at ``/`` and its endpoint (:mod:`.console`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Iterable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from ...engines.pool import EnginePool
from ..config import ServerConfig
from ..transport.connection import Connection
from .admission import OpenSessions
from .auth import Authenticator, KeyRing
from .client_secrets import ClientSecretStore
from .console import console_routes
from .engines import AppEngines
from .gate import SessionGate
from .metrics import ServerMetrics, metrics_endpoint
from .origins import OriginCheck, OriginPolicy
from .secrets_api import secret_routes

__all__ = ["create_app"]


def create_app(config: ServerConfig | None = None, *, pool: EnginePool | None = None) -> Starlette:
    """A Starlette app serving the Realtime API; mount it in your own app if you like.

    The engines of ``config.models`` start in the app's lifespan (or on first use
    when it is mounted and gets no lifespan), from ``pool`` when given: pass a pool,
    or a registry already started with ``await registry.start(pool)``, to share
    loaded engines between apps; then they are yours to close.

    ``app.state.sessions`` is the :class:`OpenSessions` of this app;
    ``app.state.auth`` the :class:`Authenticator` with the live client secrets;
    ``app.state.engines`` the :class:`AppEngines`; ``app.state.metrics`` the
    :class:`ServerMetrics`, in a Prometheus registry of this app's own.
    """
    config = config or ServerConfig()
    sessions = OpenSessions(
        max_sessions=config.max_sessions,
        max_sessions_per_key=config.max_sessions_per_key,
        max_sessions_per_secret=config.max_sessions_per_secret,
    )
    auth = Authenticator(KeyRing(config.api_keys), ClientSecretStore(config.max_client_secrets))
    engines = AppEngines(config.models, pool)
    started = int(time.time())

    metrics = ServerMetrics(lambda: len(sessions))
    gate = SessionGate(config, sessions, auth, engines, metrics)

    async def realtime(websocket: WebSocket) -> None:
        await Connection(websocket, config, gate).serve()

    async def models(request: Request) -> JSONResponse:
        data = [
            {"id": name, "object": "model", "created": started, "owned_by": "openrealtime"}
            for name in config.models.model_names()
        ]
        return JSONResponse({"object": "list", "data": data})

    async def healthz(request: Request) -> JSONResponse:
        engines.start_soon()
        states = engines.states()
        report = {
            name: {"state": state.status}
            | ({"reason": state.reason} if state.reason is not None else {})
            for name, state in states.items()
        }
        status = _health(state.status for state in states.values())
        if not config.models.started and status == "ok":
            status = "starting"
        body = {"status": status, "sessions": len(sessions), "engines": report}
        return JSONResponse(body, status_code=200 if status == "ok" else 503)

    @contextlib.asynccontextmanager
    async def lifespan(app: object) -> AsyncIterator[None]:
        async with engines.lifespan(app), metrics.watching():
            yield

    app = Starlette(
        routes=[
            WebSocketRoute("/v1/realtime", realtime),
            *secret_routes(config, auth, engines),
            Route("/v1/models", models),
            Route("/healthz", healthz),
            Route("/metrics", metrics_endpoint(metrics, auth.keys)),
            *(console_routes(config, auth) if config.console else []),
        ],
        lifespan=lifespan,
        middleware=[Middleware(OriginCheck, policy=OriginPolicy(config.allowed_origins))],
    )
    app.state.config = config
    app.state.sessions = sessions
    app.state.auth = auth
    app.state.engines = engines
    app.state.metrics = metrics
    return app


def _health(statuses: Iterable[str]) -> str:
    """``ok`` when every engine is ready, else the worst state: failed, then starting."""
    seen = set(statuses)
    if "failed" in seen:
        return "failed"
    if seen & {"idle", "starting"}:
        return "starting"
    if "closed" in seen:
        return "closed"
    return "ok"
