"""The server's configuration."""

from __future__ import annotations

from dataclasses import dataclass, field

from .options import SessionOptions
from .registry import ModelRegistry

__all__ = ["ServerConfig"]


@dataclass
class ServerConfig:
    """Everything a server needs; every field has a working default.

    ``models`` routes model names to engines (the scripted engine by default).
    ``session`` holds per-session behaviour. ``ping_interval`` is the WebSocket
    keepalive period (OpenAI pings about every 20 s).
    """

    models: ModelRegistry = field(default_factory=ModelRegistry.default)
    session: SessionOptions = field(default_factory=SessionOptions)
    host: str = "127.0.0.1"
    port: int = 8000
    ping_interval: float = 20.0
    max_frame_bytes: int = 24 * 1024 * 1024
    example_model: str = "gpt-realtime"
