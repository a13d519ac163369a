"""The ASGI application: ``/v1/realtime`` (WebSocket), ``GET /v1/models``, ``/healthz``."""

from __future__ import annotations

import time

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from .config import ServerConfig
from .connection import Connection, SessionRegistry

__all__ = ["create_app"]


def create_app(config: ServerConfig | None = None) -> Starlette:
    """A Starlette app serving the Realtime API; mount it in your own app if you like.

    ``app.state.sessions`` is the :class:`SessionRegistry` of open sessions.
    """
    config = config or ServerConfig()
    sessions = SessionRegistry()
    started = int(time.time())

    async def realtime(websocket: WebSocket) -> None:
        await Connection(websocket, config, sessions).serve()

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
            Route("/v1/models", models),
            Route("/healthz", healthz),
        ]
    )
    app.state.config = config
    app.state.sessions = sessions
    return app
