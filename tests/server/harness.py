"""Drive a session core without a socket: client events in, server events out.

The harness runs a :class:`Session` on a virtual clock with seeded ids and the
scripted engines. It feeds wire text through a dialect edge, exactly as the
transport does, and keeps both the internal stream and the wire each dialect
sees, parsed back with that dialect's models.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from openrealtime.audio.b64 import b64encode
from openrealtime.engines import EngineSet
from openrealtime.engines.scripted import Script, scripted_engines, speak
from openrealtime.protocol import ProtocolError, beta, ga
from openrealtime.server import SeededIds, Session, SessionOptions, VirtualClock
from openrealtime.server.transport.edge import edge_for

__all__ = ["Harness", "silence", "speech"]


def speech(text: str, *, ms_per_char: float = 60.0, rate: int = 24000) -> bytes:
    """PCM16 that the scripted transcriber decodes back to ``text``."""
    pcm, _words = speak(text, sample_rate=rate, ms_per_char=ms_per_char)
    return pcm


def silence(ms: float, *, rate: int = 24000) -> bytes:
    """``ms`` of PCM16 silence."""
    return b"\x00\x00" * int(rate * ms / 1000)


class Harness:
    """One session, its clock, and everything it emitted.

    ``engines_for`` replaces the default model lookup (every ``gpt-`` name served
    by ``engines``), e.g. to give each model its own engines.
    """

    def __init__(
        self,
        *,
        dialect: Literal["ga", "beta"] = "ga",
        kind: Literal["realtime", "transcription"] = "realtime",
        model: str | None = "gpt-realtime",
        script: Script | None = None,
        options: SessionOptions | None = None,
        pace: float = 1.0,
        engines: EngineSet | None = None,
        engines_for: Callable[[str | None], EngineSet | None] | None = None,
        seed: int = 0,
    ) -> None:
        self.clock = VirtualClock()
        self.engines = engines or scripted_engines(script, pace=pace, sleep=self.clock.sleep)
        self.dialect = dialect
        self.edge = edge_for(dialect)
        self.internal: list[ga.ServerEvent] = []
        self.frames: list[str] = []
        self.expired = False
        self.session = Session(
            kind=kind,
            model=model if kind == "realtime" else None,
            engines_for=engines_for
            or (lambda name: self.engines if name is None or name.startswith("gpt-") else None),
            sink=self._sink,
            ids=SeededIds(seed),
            clock=self.clock,
            options=options,
            on_expired=self._on_expired,
        )
        self._cursor = 0

    # -- driving ---------------------------------------------------------------------

    async def start(self) -> Harness:
        """Open the session (``session.created``); returns the harness for chaining."""
        await self.session.open()
        return self

    async def __aenter__(self) -> Harness:
        """``async with Harness(...) as h``: started on entry, closed on exit."""
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def send(self, event: ga.ClientEvent | beta.ClientEvent | dict[str, Any] | str) -> None:
        """Send one client event, through the dialect edge, as the transport would."""
        if isinstance(event, dict):
            text = json.dumps(event)
        elif isinstance(event, str):
            text = event
        else:
            text = event.to_text()
        try:
            parsed = self.edge.decode(text)
        except ProtocolError as error:
            self.session.report(error)
            return
        await self.session.handle(parsed)

    async def append(
        self, pcm: bytes, *, chunk_ms: int = 20, rate: int = 24000, sample_width: int = 2
    ) -> None:
        """Append PCM16 in ``chunk_ms`` pieces (raw bytes as given for G.711).

        For G.711, pass ``rate=8000, sample_width=1``.
        """
        size = max(sample_width, int(rate * chunk_ms / 1000) * sample_width)
        for start in range(0, len(pcm), size):
            chunk = pcm[start : start + size]
            await self.send({"type": "input_audio_buffer.append", "audio": b64encode(chunk)})

    async def settle(self, limit: float = 120.0) -> None:
        """Let everything run, moving virtual time past every pending sleep."""
        await self.clock.run_until_idle(limit=limit)

    async def advance(self, seconds: float) -> None:
        """Move virtual time forward by ``seconds``."""
        await self.clock.advance(seconds)

    async def close(self) -> None:
        """Close the session and its tasks."""
        await self.session.aclose()

    # -- reading -----------------------------------------------------------------------

    def wire(self) -> list[Any]:
        """Every wire event so far, parsed with this dialect's server models."""
        root = beta.ServerEvent if self.dialect == "beta" else ga.ServerEvent
        return [root.parse(frame) for frame in self.frames]

    def take(self) -> list[Any]:
        """Wire events since the last :meth:`take`."""
        events = self.wire()[self._cursor :]
        self._cursor = len(self.frames)
        return events

    def types(self) -> list[str]:
        """Wire event types so far."""
        return [event.type for event in self.wire()]

    def of_type(self, wire_type: str) -> list[Any]:
        """Wire events of one type so far."""
        return [event for event in self.wire() if event.type == wire_type]

    def errors(self) -> list[dict[str, Any]]:
        """The ``error`` objects sent so far, as dicts."""
        return [event.error.to_dict() for event in self.of_type("error")]

    def _sink(self, event: ga.ServerEvent) -> None:
        self.internal.append(event)
        self.frames.extend(self.edge.encode(event))

    def _on_expired(self) -> None:
        self.expired = True
