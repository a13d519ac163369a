"""Client secrets (ephemeral keys): minted over REST, kept in memory until they expire.

A secret opens any number of sessions until ``expires_at``; a session already open
outlives it. It carries the session configuration it was minted with, its dialect,
and the model it names, if any. The store is bounded: expired secrets are purged as
new ones are minted, and minting fails while the store is full of live ones.
"""

from __future__ import annotations

import heapq
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

from ...protocol import ga

__all__ = [
    "SECRET_PREFIX",
    "ClientSecret",
    "ClientSecretStore",
    "StoreFull",
]

SECRET_PREFIX: Final = "ek_"


class StoreFull(Exception):
    """Every slot of the store holds a live secret."""


@dataclass(frozen=True)
class ClientSecret:
    """One minted secret and the session it opens.

    ``config`` is the requested configuration, as a GA session update; ``key_index``
    is the API key that minted it (``None`` on an open server).
    """

    value: str
    expires_at: int
    dialect: Literal["ga", "beta"]
    kind: Literal["realtime", "transcription"]
    model: str | None
    config: ga.RealtimeSession | ga.TranscriptionSession
    key_index: int | None


class ClientSecretStore:
    """Live client secrets, at most ``capacity`` of them; ``clock`` gives unix time."""

    def __init__(self, capacity: int = 10_000, clock: Callable[[], float] = time.time) -> None:
        self.capacity = capacity
        self.clock = clock
        self._secrets: dict[str, ClientSecret] = {}
        self._expiry: list[tuple[int, str]] = []

    def __len__(self) -> int:
        return len(self._secrets)

    def now(self) -> int:
        """The current time, in whole seconds."""
        return int(self.clock())

    def mint(
        self,
        *,
        ttl_seconds: int,
        dialect: Literal["ga", "beta"],
        kind: Literal["realtime", "transcription"],
        model: str | None,
        config: ga.RealtimeSession | ga.TranscriptionSession,
        key_index: int | None,
    ) -> ClientSecret:
        """A new secret valid for ``ttl_seconds``; raises :class:`StoreFull`."""
        self.purge()
        if len(self._secrets) >= self.capacity:
            raise StoreFull
        secret = ClientSecret(
            value=SECRET_PREFIX + secrets.token_hex(16),
            expires_at=self.now() + ttl_seconds,
            dialect=dialect,
            kind=kind,
            model=model,
            config=config,
            key_index=key_index,
        )
        self._secrets[secret.value] = secret
        heapq.heappush(self._expiry, (secret.expires_at, secret.value))
        return secret

    def get(self, value: str) -> ClientSecret | None:
        """The live secret with this value; ``None`` when unknown or expired."""
        secret = self._secrets.get(value)
        if secret is None or secret.expires_at > self.now():
            return secret
        self.purge()
        return None

    def purge(self) -> None:
        """Forget every expired secret."""
        now = self.now()
        while self._expiry and self._expiry[0][0] <= now:
            _, value = heapq.heappop(self._expiry)
            self._secrets.pop(value, None)
