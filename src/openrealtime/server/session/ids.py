"""Identifiers in OpenAI's formats, from an injectable source.

Server ids are a prefix and 21 base62 characters (``event_BaU74gazRYNO8gV1WlPvK``);
function call ids take 16 (``call_sHlR7iaFwQ2YQOqm``). Tests seed the source, so
every id in a trace is reproducible.
"""

from __future__ import annotations

import random
import secrets
import string
from typing import Final, Protocol

__all__ = ["IdSource", "RandomIds", "SeededIds"]

_ALPHABET = string.ascii_letters + string.digits
# Random bytes map to characters through a table: byte b is _ALPHABET[b % 62]. Bytes
# from 248 (4 * 62) up are dropped, so that every character stays equally likely.
_BYTE_TO_CHAR: Final = (_ALPHABET * 5)[:256].encode("ascii")
_UNEVEN_BYTES: Final = bytes(range(4 * len(_ALPHABET), 256))


class IdSource(Protocol):
    """Makes identifiers: ``prefix`` followed by ``length`` base62 characters."""

    def new(self, prefix: str, length: int = 21) -> str:
        """A fresh identifier."""
        ...


class RandomIds:
    """Cryptographically random ids, for production."""

    def new(self, prefix: str, length: int = 21) -> str:
        """A fresh identifier."""
        # One read of the system's randomness per id, not one per character.
        chars = b""
        while len(chars) < length:
            chars += secrets.token_bytes(length + 2).translate(_BYTE_TO_CHAR, _UNEVEN_BYTES)
        return prefix + chars[:length].decode("ascii")


class SeededIds:
    """Reproducible ids from a seed, for tests and replays."""

    def __init__(self, seed: int = 0) -> None:
        self._random = random.Random(seed)

    def new(self, prefix: str, length: int = 21) -> str:
        """A fresh identifier."""
        return prefix + "".join(self._random.choice(_ALPHABET) for _ in range(length))
