"""Where and how to connect: the WebSocket URL, the handshake headers and subprotocols.

- A full URL ending in ``/realtime`` is used as given; ``model`` is set when given.
- Any other URL is a base URL, as the OpenAI SDK takes it: ``http(s)`` becomes
  ``ws(s)`` and ``/realtime`` is appended (``https://api.openai.com/v1`` gives
  ``wss://api.openai.com/v1/realtime?model=...``).
- Azure OpenAI (a ``*.openai.azure.com`` or ``*.cognitiveservices.azure.com`` host, or a
  ``deployment``/``api_version`` given): an endpoint without a path gets
  ``/openai/realtime?api-version=...&deployment=...`` when ``api_version`` is given,
  else the v1 path ``/openai/v1/realtime?model=...``; an API key goes in the ``api-key``
  header, a client secret or Entra token as a Bearer token.
- A transcription session (``intent="transcription"``) gets ``?intent=transcription``
  and no ``model``, as OpenAI requires.
- The credential goes in ``Authorization: Bearer`` or, with ``auth="subprotocol"``,
  in the browser subprotocols ``realtime`` and ``openai-insecure-api-key.<key>``.
- The beta dialect adds ``OpenAI-Beta: realtime=v1`` (or the ``openai-beta.realtime-v1``
  subprotocol when the credential travels that way).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["DEFAULT_URL", "Auth", "Dialect", "Endpoint", "resolve_endpoint"]

DEFAULT_URL = "wss://api.openai.com/v1"
"""OpenAI's base URL, used when no URL is given."""

Dialect = Literal["ga", "beta"]
Auth = Literal["header", "subprotocol"]

_SCHEMES = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}
_AZURE_HOSTS = (".openai.azure.com", ".cognitiveservices.azure.com")
_KEY_PROTOCOL = "openai-insecure-api-key."
_BETA_PROTOCOL = "openai-beta.realtime-v1"


@dataclass(frozen=True)
class Endpoint:
    """A resolved connection target: what the WebSocket handshake sends."""

    url: str
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    subprotocols: list[str] = field(default_factory=list, repr=False)
    azure: bool = False


def resolve_endpoint(
    url: str | None = None,
    *,
    model: str | None = None,
    intent: str | None = None,
    api_key: str | None = None,
    client_secret: str | None = None,
    auth: Auth = "header",
    dialect: Dialect = "ga",
    deployment: str | None = None,
    api_version: str | None = None,
    headers: Mapping[str, str] | None = None,
    query: Mapping[str, str] | None = None,
) -> Endpoint:
    """The URL, headers and subprotocols for a connection (see the module docstring)."""
    parts = urlsplit(url or DEFAULT_URL)
    scheme = _SCHEMES.get(parts.scheme.lower())
    if scheme is None:
        raise ValueError(
            f"unsupported URL scheme {parts.scheme!r} in {url!r}; use ws(s) or http(s)"
        )
    host = (parts.hostname or "").lower()
    azure = deployment is not None or api_version is not None or host.endswith(_AZURE_HOSTS)
    path = _realtime_path(parts.path, azure=azure, api_version=api_version)
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    params.update(_session_params(intent, model, deployment, api_version, azure=azure))
    if api_version is not None:
        params.setdefault("api-version", api_version)
    params.update(query or {})
    final = urlunsplit((scheme, parts.netloc, path, urlencode(params), ""))

    sent_headers: dict[str, str] = {}
    protocols: list[str] = []
    token = client_secret or api_key
    if token is not None and auth == "subprotocol":
        protocols = ["realtime", _KEY_PROTOCOL + token]
        if dialect == "beta":
            protocols.append(_BETA_PROTOCOL)
    else:
        if azure and client_secret is None and api_key is not None:
            sent_headers["api-key"] = api_key
        elif token is not None:
            sent_headers["Authorization"] = f"Bearer {token}"
        if dialect == "beta":
            sent_headers["OpenAI-Beta"] = "realtime=v1"
    sent_headers.update(headers or {})
    return Endpoint(final, sent_headers, protocols, azure)


def _realtime_path(path: str, *, azure: bool, api_version: str | None) -> str:
    stripped = path.rstrip("/")
    if stripped.endswith("/realtime"):
        return stripped
    if azure and not stripped:
        stripped = "/openai" if api_version is not None else "/openai/v1"
    return stripped + "/realtime"


def _session_params(
    intent: str | None,
    model: str | None,
    deployment: str | None,
    api_version: str | None,
    *,
    azure: bool,
) -> dict[str, str]:
    if intent is not None:
        # OpenAI refuses a model on a transcription connection.
        return {"intent": intent}
    name = (deployment or model) if azure else model
    if name is None:
        return {}
    # Azure's versioned API names the deployment; its v1 API and OpenAI name the model.
    return {"deployment": name} if azure and api_version is not None else {"model": name}
