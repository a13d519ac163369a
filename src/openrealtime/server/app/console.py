"""The browser console: its page, and the one endpoint that tells the page how to connect.

Routes, all absent when ``ServerConfig.console`` is off (``serve --no-console``):

- ``GET /``: the page. Its scripts, styles and icon are files of the package
  (``openrealtime/console/``) under ``GET /console/...``: no build step, no CDN.
- ``POST /console/session`` (:data:`CONSOLE_SESSION_PATH`), the console's only
  endpoint, answers ``{"model", "models", "client_secret"}``. On a server with API
  keys it needs ``Authorization: Bearer <console token>`` (``ServerConfig.console_token``,
  which ``serve`` prints in the console URL) and mints a client secret that the page
  connects with, so the page never holds a key; without the token it answers 401
  ``invalid_console_token``. On an open server ``client_secret`` is ``null`` and the
  page connects directly.
"""

from __future__ import annotations

import hmac
from importlib.resources import files
from pathlib import Path
from typing import Final

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from ...protocol import ga
from ..config import ServerConfig
from ..session import errors
from ..transport.credentials import bearer_token
from .auth import Authenticator
from .client_secrets import StoreFull
from .secrets_api import rest_error

__all__ = ["ASSETS", "CONSOLE_ASSETS_PATH", "CONSOLE_SESSION_PATH", "console_routes"]

CONSOLE_SESSION_PATH: Final = "/console/session"
"""The console's endpoint: how the page connects (and, with keys, its client secret)."""

CONSOLE_ASSETS_PATH: Final = "/console"
"""Where the page's files are served."""

ASSETS: Final = Path(str(files("openrealtime") / "console"))
"""The page's files, inside the package."""

SECRET_TTL: Final = 60
"""Seconds a console client secret may open sessions; an open session outlives it."""

_PAGE_HEADERS: Final = {
    # Everything the page loads comes from this server; the token in its URL never
    # leaves it in a Referer header.
    "Content-Security-Policy": (
        "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
}


def console_routes(config: ServerConfig, auth: Authenticator) -> list[BaseRoute]:
    """The page, its files and :data:`CONSOLE_SESSION_PATH`."""
    assets = StaticFiles(directory=ASSETS)
    index = ASSETS / "index.html"

    async def page(request: Request) -> Response:
        return FileResponse(index, media_type="text/html", headers=_PAGE_HEADERS)

    async def session(request: Request) -> JSONResponse:
        body: dict[str, object] = {
            "model": config.models.model_names()[0]
            if config.models.entries
            else config.example_model,
            "models": config.models.model_names(),
            "client_secret": None,
        }
        if not auth.keys:
            return JSONResponse(body)
        token = bearer_token(request.headers) or ""
        expected = config.console_token.encode()
        if not expected or not hmac.compare_digest(token.encode(), expected):
            return rest_error(401, errors.invalid_console_token())
        try:
            secret = auth.secrets.mint(
                ttl_seconds=SECRET_TTL,
                dialect="ga",
                kind="realtime",
                model=None,
                config=ga.RealtimeSession(),
                key_index=None,
            )
        except StoreFull:
            return rest_error(429, errors.secret_store_full(auth.secrets.capacity))
        body["client_secret"] = {"value": secret.value, "expires_at": secret.expires_at}
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    return [
        Route("/", page, methods=["GET"]),
        Route(CONSOLE_SESSION_PATH, session, methods=["POST"]),
        Mount(CONSOLE_ASSETS_PATH, assets),
    ]
