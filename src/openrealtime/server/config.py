"""Configuration, one object per layer it configures, every field with a working default.

- :class:`SessionOptions`: how each session behaves (the session core);
- :class:`ServerConfig`: the whole server: models, sessions, connections, operations
  (the app and, per connection, the transport);
- :class:`ServeOptions`: the ``openrealtime serve`` flags, which
  :func:`~openrealtime.server.app.serve.build_config` checks and turns into a
  :class:`ServerConfig`.

This module belongs to no layer: the session core, the transport and the app all read it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

from ..engines.registry import ModelRegistry
from .latency import LatencyProbe
from .relay import RelaySettings
from .tap import TapFactory

__all__ = [
    "DEFAULT_RECORD_MAX_MB",
    "TRANSCRIPTION_MODELS",
    "EngineTimeouts",
    "ServeOptions",
    "ServerConfig",
    "SessionOptions",
]

DEFAULT_RECORD_MAX_MB: Final = 100.0
"""The size cap of one recording (``serve --record-max-mb``)."""

TRANSCRIPTION_MODELS: Final = (
    "whisper-1",
    "gpt-4o-transcribe",
    "gpt-4o-mini-transcribe",
    "gpt-4o-mini-transcribe-2025-12-15",
    "gpt-4o-transcribe-diarize",
    "gpt-transcribe",
    "gpt-live-transcribe",
    "gpt-realtime-whisper",
)
"""Input transcription models accepted by default; all map to the session's transcriber."""


@dataclass(frozen=True)
class EngineTimeouts:
    """How long a session waits on its engines, in seconds (``None``: for ever).

    ``first_output``: from the start of a response's generation (its input
    transcribed) to the responder's first output. ``between_outputs``: the longest
    silence after that, between two outputs of the responder or two chunks of
    speech. ``transcription``: one transcription, from its start or its last
    delta. Past any of them the response ends ``failed`` with code
    ``engine_timeout`` (a transcription ``failed``); the session goes on.
    """

    first_output: float | None = 30.0
    between_outputs: float | None = 30.0
    transcription: float | None = 60.0


@dataclass(frozen=True)
class SessionOptions:
    """How sessions behave where OpenAI leaves room, or where we chose to differ.

    ``truncation_transcript``: after ``conversation.item.truncate``, ``"spoken"``
    keeps exactly the words heard before ``audio_end_ms`` (our default); ``"delete"``
    clears the transcript as OpenAI does.

    The ``max_*`` limits bound what one session holds (docs/operations.md):
    ``max_input_buffer_ms`` of appended, uncommitted audio; ``max_retained_audio_bytes``
    of PCM16 kept in conversation items (the oldest items lose their audio first);
    ``max_items`` conversation items. ``engine_timeouts`` bounds the wait on engines
    that hang or crawl (:class:`EngineTimeouts`). ``inf_output_tokens`` is what
    ``max_output_tokens: "inf"`` allows one response (a realtime model's own most).
    """

    truncation_transcript: Literal["spoken", "delete"] = "spoken"
    session_minutes: float = 60
    voice: str = "alloy"
    audio_delta_ms: int = 100
    max_append_bytes: int = 15 * 1024 * 1024
    transcription_models: tuple[str, ...] = TRANSCRIPTION_MODELS
    requests_per_minute: int = 20_000
    tokens_per_minute: int = 15_000_000
    obfuscation: bool = True
    max_input_buffer_ms: int = 90 * 60 * 1000
    max_retained_audio_bytes: int = 256 * 1024 * 1024
    max_items: int = 5000
    engine_timeouts: EngineTimeouts = EngineTimeouts()
    inf_output_tokens: int = 4096


@dataclass
class ServerConfig:
    """Everything a server needs; every field has a working default.

    ``models`` routes model names to engines (the scripted engine by default).
    ``session`` holds per-session behaviour and limits. ``ping_interval`` is the
    WebSocket keepalive period (OpenAI pings about every 20 s).

    Operations (docs/operations.md): ``api_keys`` (none: the server is open);
    ``ssl_certfile``/``ssl_keyfile`` serve wss; ``max_frame_bytes`` caps one
    incoming frame (close 1009); ``max_reply_bytes`` caps one outgoing frame (a
    larger one is replaced by an ``error``; keep it at least twice
    ``max_frame_bytes`` so every legal item round-trips); ``max_outbox_bytes``
    caps what waits for a client that is not reading (close 1008);
    ``max_sessions``, ``max_sessions_per_key`` and ``max_sessions_per_secret`` cap
    open sessions (close 1013; ``None`` is no cap); ``allowed_origins`` lists the
    browser origins that may connect (``None``: any; a request without ``Origin``
    is always let in); ``max_client_secrets`` caps live
    ephemeral keys; ``shutdown_timeout`` bounds a graceful shutdown;
    ``trace_events`` logs every event's type and fields, audio and keys redacted;
    ``lenient_fields`` ignores (and logs once) client fields our models do not know.
    ``probe`` (benchmarks; off by default) collects server-side latency samples.
    ``tap`` opens a frame tap per session (``serve --record`` writes recordings with it).
    ``relay`` serves every session from an upstream Realtime server instead of the
    session core (``serve --relay``; ``models`` then goes unused).

    The browser console (docs/operations.md): ``console`` serves the page at ``/``
    and its endpoint; ``console_token`` (random unless given) guards that endpoint
    when the server has keys, and belongs in the console URL given to its users.
    """

    models: ModelRegistry = field(default_factory=ModelRegistry.default)
    session: SessionOptions = field(default_factory=SessionOptions)
    host: str = "127.0.0.1"
    port: int = 8000
    ping_interval: float = 20.0
    max_frame_bytes: int = 24 * 1024 * 1024
    example_model: str = "gpt-realtime"
    api_keys: tuple[str, ...] = field(default=(), repr=False)
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None
    max_reply_bytes: int = 48 * 1024 * 1024
    max_outbox_bytes: int = 16 * 1024 * 1024
    max_sessions: int | None = None
    max_sessions_per_key: int | None = None
    max_sessions_per_secret: int | None = None
    allowed_origins: tuple[str, ...] | None = None
    max_client_secrets: int = 10_000
    shutdown_timeout: float = 3.0
    trace_events: bool = False
    lenient_fields: bool = False
    probe: LatencyProbe | None = None
    tap: TapFactory | None = None
    relay: RelaySettings | None = None
    console: bool = True
    console_token: str = field(default_factory=lambda: secrets.token_urlsafe(18), repr=False)


@dataclass
class ServeOptions:
    """The ``serve`` command's flags."""

    host: str = "127.0.0.1"
    port: int = 8000
    engine: str = "local"
    llm: Path | None = None
    script: Path | None = None
    models: Path | None = None
    aliases: list[str] = field(default_factory=list)
    pace: float = 1.0
    session_minutes: int = 60
    truncation_transcript: str = "spoken"
    api_keys: list[str] = field(default_factory=list, repr=False)
    insecure: bool = False
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None
    max_sessions: int | None = None
    max_sessions_per_key: int | None = None
    max_sessions_per_secret: int | None = None
    allowed_origins: list[str] = field(default_factory=list)
    requests_per_minute: int | None = None
    tokens_per_minute: int | None = None
    trace_events: bool = False
    lenient: bool = False
    engine_timeout: float | None = None
    """``--engine-timeout``: every :class:`EngineTimeouts` limit at once; 0 is no limit."""
    record: Path | None = None
    record_max_mb: float = DEFAULT_RECORD_MAX_MB
    relay: str | None = None
    relay_dialect: str = "ga"
    relay_api_key: str | None = field(default=None, repr=False)
    console: bool = True
