"""Where a client's credentials arrive on a Realtime connection.

A client presents a token as ``Authorization: Bearer <token>`` or, from a browser,
which cannot set headers on a WebSocket, as the subprotocol
``openai-insecure-api-key.<token>``. The server never selects that subprotocol, so
the key is not echoed back. Whether a token is any good is the app's decision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

__all__ = ["KEY_PROTOCOL", "bearer_token", "presented_token"]

KEY_PROTOCOL: Final = "openai-insecure-api-key."
"""The browser subprotocol prefix that carries a key; the server never selects it."""


def bearer_token(headers: Mapping[str, str]) -> str | None:
    """The token of an ``Authorization: Bearer`` header, if any."""
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def presented_token(headers: Mapping[str, str], subprotocols: Sequence[str]) -> str | None:
    """The client's token: the Bearer header first, then the key subprotocol."""
    token = bearer_token(headers)
    if token is not None:
        return token
    for protocol in subprotocols:
        if protocol.startswith(KEY_PROTOCOL) and len(protocol) > len(KEY_PROTOCOL):
            return protocol[len(KEY_PROTOCOL) :]
    return None
