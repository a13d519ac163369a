"""Which web pages may use the server: the ``Origin`` a browser sends.

Browsers send ``Origin`` on a WebSocket upgrade and on cross-origin requests; other
clients (the Python SDK, curl) send none, and a request without one is always let in,
since ``Origin`` protects users' browsers, not the server. The server's own origin
(the console it serves at ``/``) is always allowed too. With
``ServerConfig.allowed_origins`` set, any other origin is refused: a WebSocket gets one
``origin_not_allowed`` error and close 3003 (after the upgrade, as every refusal does),
an HTTP request (the REST endpoints, and every page or API a console adds) HTTP 403
with OpenAI's error body. Without it every origin is allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final
from urllib.parse import urlsplit

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from ..session import errors

__all__ = ["ORIGIN_CLOSE_CODE", "OriginCheck", "OriginPolicy", "own_origin"]

ORIGIN_CLOSE_CODE: Final = 3003
"""The close for a refused origin ("forbidden" in the IANA registry of close codes)."""
_DEFAULT_PORTS: Final = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def normalize_origin(origin: str) -> str:
    """``scheme://host[:port]``, lower-cased, the scheme's default port left out."""
    parts = urlsplit(origin.strip().rstrip("/").lower())
    if not parts.scheme or not parts.hostname:
        return origin.strip().lower()
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    try:
        port = parts.port
    except ValueError:
        return origin.strip().lower()
    if port is None or port == _DEFAULT_PORTS.get(parts.scheme):
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


class OriginPolicy:
    """The allowed origins (``None``: all of them)."""

    def __init__(self, allowed: Iterable[str] | None) -> None:
        self._allowed = None if allowed is None else {normalize_origin(o) for o in allowed}

    def allows(self, origin: str | None, own: str | None = None) -> bool:
        """Whether a request with this ``Origin`` header (``None``: none) may go on.

        ``own`` is the server's own origin as the request reached it: a page the
        server itself serves (the console) is always allowed.
        """
        if origin is None or self._allowed is None:
            return True
        normalized = normalize_origin(origin)
        return normalized in self._allowed or (
            own is not None and normalized == normalize_origin(own)
        )


def own_origin(scope: Scope) -> str | None:
    """The origin a request was addressed to: its scheme (as HTTP) and ``Host``."""
    host = _header(scope, b"host")
    if host is None:
        return None
    scheme = {"ws": "http", "wss": "https"}.get(scope.get("scheme", "http"), scope.get("scheme"))
    return f"{scheme}://{host}"


class OriginCheck:
    """ASGI middleware: HTTP requests from an origin the policy refuses get 403.

    WebSocket upgrades pass through; the session gate refuses them with an ``error``
    event and a close, as it refuses every connection.
    """

    def __init__(self, app: ASGIApp, policy: OriginPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            origin = _header(scope, b"origin")
            if not self.policy.allows(origin, own_origin(scope)):
                error = errors.origin_not_allowed(origin or "").to_dict()
                body = {key: error[key] for key in ("message", "type", "param", "code")}
                await JSONResponse({"error": body}, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None
