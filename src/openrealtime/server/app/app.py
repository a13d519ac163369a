"""The ASGI application: ``/v1/realtime`` (WebSocket), client secrets, models, health.

Routes: ``/v1/realtime`` (WebSocket); ``POST /v1/realtime/client_secrets``,
``/v1/realtime/sessions`` and ``/v1/realtime/transcription_sessions`` (ephemeral
keys); ``GET /v1/models``; ``/healthz``.
"""

from __future__ import annotations

import time

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from ..transport.connection import Connection
from .admission import SessionRegistry
from .auth import Authenticator, KeyRing
from .client_secrets import ClientSecretStore
from .config import ServerConfig
from .secrets_api import secret_routes

__all__ = ["create_app"]


def create_app(config: ServerConfig | None = None) -> Starlette:
    """A Starlette app serving the Realtime API; mount it in your own app if you like.

    ``app.state.sessions`` is the :class:`SessionRegistry` of open sessions;
    ``app.state.auth`` the :class:`Authenticator` with the live client secrets.
    """
    config = config or ServerConfig()
    sessions = SessionRegistry(
        max_sessions=config.max_sessions, max_sessions_per_key=config.max_sessions_per_key
    )
    auth = Authenticator(KeyRing(config.api_keys), ClientSecretStore(config.max_client_secrets))
    started = int(time.time())

    async def realtime(websocket: WebSocket) -> None:
        await Connection(websocket, config, sessions, auth).serve()

    async def models(request: Request) -> JSONResponse:
        data = [
            {"id": name, "object": "model", "created": started, "owned_by": "openrealtime"}
            for name in config.models.model_names()
        ]
        return JSONResponse({"object": "list", "data": data})

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "sessions": len(sessions)})

    app = Starlette(
        routes=[
            WebSocketRoute("/v1/realtime", realtime),
            *secret_routes(config, auth),
            Route("/v1/models", models),
            Route("/healthz", healthz),
        ]
    )
    app.state.config = config
    app.state.sessions = sessions
    app.state.auth = auth
    return app
