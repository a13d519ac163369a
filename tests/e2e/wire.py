"""Strict validation of server frames against the official SDK's models, and audio helpers.

The SDK's own ``recv()`` is lenient (it falls back to unvalidated construction), so the
end-to-end tests read raw frames and validate each one here with a discriminated union
over the SDK's event models, the way openai-agents does.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from typing import Annotated, Any, Literal, Protocol, Union, get_args

from openai.types.beta.realtime import RealtimeServerEvent as BetaServerEvent
from openai.types.realtime import RealtimeServerEvent as GaServerEvent
from pydantic import Field, TypeAdapter

from openrealtime.engines.scripted import speak

__all__ = [
    "RECV_TIMEOUT",
    "Dialect",
    "SdkWire",
    "audio_chunks",
    "check",
    "silence",
    "speech",
    "types",
    "validate",
]

Dialect = Literal["ga", "beta"]

RECV_TIMEOUT = 10.0
"""Seconds to wait for one server event before the test fails."""

BETA_EXEMPT = frozenset({"transcription_session.created"})
"""Beta server events the SDK has no model for."""


def _discriminated(union: Any) -> TypeAdapter[Any]:
    # The SDK marks its unions with its own PropertyInfo, which pydantic ignores;
    # rebuild each one as a real discriminated union over the same member models.
    members = get_args(get_args(union)[0])
    return TypeAdapter(Annotated[Union[members], Field(discriminator="type")])  # noqa: UP007


_ADAPTERS: dict[Dialect, TypeAdapter[Any]] = {
    "ga": _discriminated(GaServerEvent),
    "beta": _discriminated(BetaServerEvent),
}


def validate(dialect: Dialect, raw: str | bytes) -> dict[str, Any]:
    """Parse one server frame and validate it with the SDK's models; returns the JSON."""
    event: dict[str, Any] = json.loads(raw)
    check(dialect, event)
    return event


def check(dialect: Dialect, event: dict[str, Any]) -> None:
    """Validate one parsed server event with the SDK's models."""
    if not (dialect == "beta" and event.get("type") in BETA_EXEMPT):
        _ADAPTERS[dialect].validate_python(event)


class _Connection(Protocol):
    async def recv_bytes(self) -> bytes: ...


class SdkWire:
    """The raw server events of one official-SDK connection, each validated on arrival."""

    def __init__(self, connection: _Connection, dialect: Dialect) -> None:
        self.connection = connection
        self.dialect = dialect

    async def recv(self) -> dict[str, Any]:
        """The next server event."""
        async with asyncio.timeout(RECV_TIMEOUT):
            raw = await self.connection.recv_bytes()
        return validate(self.dialect, raw)

    async def until(self, event_type: str) -> list[dict[str, Any]]:
        """Events up to and including the next one of ``event_type``."""
        taken = [await self.recv()]
        while taken[-1]["type"] != event_type:
            taken.append(await self.recv())
        return taken

    async def assert_quiet(self, seconds: float = 0.1) -> None:
        """Fail if any event arrives within ``seconds``."""
        try:
            async with asyncio.timeout(seconds):
                raw = await self.connection.recv_bytes()
        except TimeoutError:
            return
        raise AssertionError(f"unexpected event: {raw[:300]!r}")


def types(events: list[dict[str, Any]]) -> list[str]:
    """The event types, in order."""
    return [event["type"] for event in events]


def speech(text: str) -> bytes:
    """PCM16 24 kHz that the scripted transcriber decodes back to ``text``."""
    pcm, _words = speak(text)
    return pcm


def silence(ms: int) -> bytes:
    """``ms`` of PCM16 24 kHz silence."""
    return b"\x00\x00" * (24 * ms)


def audio_chunks(pcm: bytes, ms: int = 20) -> Iterator[str]:
    """``pcm`` as base64 appends of ``ms`` each."""
    size = 48 * ms
    for start in range(0, len(pcm), size):
        yield base64.b64encode(pcm[start : start + size]).decode("ascii")
