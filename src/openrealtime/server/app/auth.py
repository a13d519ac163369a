"""Who may open a session: API keys and client secrets.

The token a client presents (:mod:`~openrealtime.server.transport.credentials` says
where) is one of the server's API keys, compared in constant time, or a live client
secret (``ek_…``) minted for the connection's dialect. Without configured keys the
server is open: any token but a dead client secret is let in. Failures are OpenAI's
``error`` then close 3000; messages show a key masked, and keys are never logged.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

from ..session.errors import invalid_api_key, missing_credentials
from .client_secrets import SECRET_PREFIX, ClientSecret, ClientSecretStore

__all__ = [
    "AUTH_CLOSE_CODE",
    "Authenticator",
    "Grant",
    "KeyRing",
]

AUTH_CLOSE_CODE: Final = 3000


class KeyRing:
    """The server's API keys; a lookup compares against every key, in constant time."""

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self._keys = tuple(key.encode() for key in keys)

    def __bool__(self) -> bool:
        return bool(self._keys)

    def match(self, token: str) -> int | None:
        """The index of the key equal to ``token``, or ``None``."""
        presented = token.encode()
        found: int | None = None
        for index, key in enumerate(self._keys):
            # Every key is compared, so the time taken says nothing about which matched.
            if hmac.compare_digest(key, presented) and found is None:
                found = index
        return found


@dataclass(frozen=True)
class Grant:
    """What a connection was let in with.

    ``key_index`` is the API key (its index) that the session counts against, also
    for a client secret minted with that key; ``secret`` is the client secret used.
    """

    key_index: int | None = None
    secret: ClientSecret | None = None


class Authenticator:
    """Decides whether a token opens a session on a connection of a given dialect."""

    def __init__(self, keys: KeyRing, secrets: ClientSecretStore) -> None:
        self.keys = keys
        self.secrets = secrets

    def authenticate(self, token: str | None, dialect: Literal["ga", "beta"]) -> Grant:
        """The connection's :class:`Grant`; raises the error to send before close 3000."""
        if token is None:
            if self.keys:
                raise missing_credentials()
            return Grant()
        index = self.keys.match(token)
        if index is not None:
            return Grant(key_index=index)
        secret = self.secrets.get(token)
        if secret is not None:
            if secret.dialect != dialect:
                raise invalid_api_key(token)
            return Grant(key_index=secret.key_index, secret=secret)
        if self.keys or token.startswith(SECRET_PREFIX):
            raise invalid_api_key(token)
        return Grant()
