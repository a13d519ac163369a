"""The Realtime server: an ASGI app over a transport-free session core.

- :func:`create_app` builds the Starlette app; :func:`running` serves it in-process.
- :class:`Session` is the core: client events in, server events out, no socket.
- :class:`ServerConfig`, :class:`ModelRegistry` and :class:`SessionOptions` configure it.
"""

from .app import create_app
from .clock import Clock, SystemClock, VirtualClock
from .config import ServerConfig
from .ids import IdSource, RandomIds, SeededIds
from .options import SessionOptions
from .registry import ModelEntry, ModelRegistry, RegistryError
from .runner import ServerURL, running
from .session import Session

__all__ = [
    "Clock",
    "IdSource",
    "ModelEntry",
    "ModelRegistry",
    "RandomIds",
    "RegistryError",
    "SeededIds",
    "ServerConfig",
    "ServerURL",
    "Session",
    "SessionOptions",
    "SystemClock",
    "VirtualClock",
    "create_app",
    "running",
]
