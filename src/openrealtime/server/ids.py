"""Identifiers in OpenAI's formats, from an injectable source.

Server ids are a prefix and 21 base62 characters (``event_BaU74gazRYNO8gV1WlPvK``);
function call ids take 16 (``call_sHlR7iaFwQ2YQOqm``). Tests seed the source, so
every id in a trace is reproducible.
"""

from __future__ import annotations

import random
import secrets
import string
from typing import Protocol

__all__ = ["IdSource", "RandomIds", "SeededIds"]

_ALPHABET = string.ascii_letters + string.digits


class IdSource(Protocol):
    """Makes identifiers: ``prefix`` followed by ``length`` base62 characters."""

    def new(self, prefix: str, length: int = 21) -> str:
        """A fresh identifier."""
        ...


class RandomIds:
    """Cryptographically random ids, for production."""

    def new(self, prefix: str, length: int = 21) -> str:
        """A fresh identifier."""
        return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


class SeededIds:
    """Reproducible ids from a seed, for tests and replays."""

    def __init__(self, seed: int = 0) -> None:
        self._random = random.Random(seed)

    def new(self, prefix: str, length: int = 21) -> str:
        """A fresh identifier."""
        return prefix + "".join(self._random.choice(_ALPHABET) for _ in range(length))
