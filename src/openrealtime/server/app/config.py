"""The server's configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ...engines.registry import ModelRegistry
from ..session.options import SessionOptions
from ..transport.probe import LatencyProbe

__all__ = ["ServerConfig"]


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
    ``max_sessions`` and ``max_sessions_per_key`` cap open sessions (close 1013;
    ``None`` is no cap); ``max_client_secrets`` caps live
    ephemeral keys; ``shutdown_timeout`` bounds a graceful shutdown;
    ``trace_events`` logs every event's type and fields, audio and keys redacted;
    ``lenient_fields`` ignores (and logs once) client fields our models do not know.
    ``probe`` (benchmarks; off by default) collects server-side latency samples.
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
    max_client_secrets: int = 10_000
    shutdown_timeout: float = 3.0
    trace_events: bool = False
    lenient_fields: bool = False
    probe: LatencyProbe | None = None
