"""The Realtime server: an ASGI app over a transport-free session core.

- :func:`create_app` builds the Starlette app; :func:`running` serves it in-process.
- :class:`Session` is the core: client events in, server events out, no socket; it is
  one :class:`SessionBackend`, the seam a connection serves.
- :class:`ServerConfig`, :class:`ModelRegistry` and :class:`SessionOptions` (with its
  :class:`EngineTimeouts`) configure it.
"""

from ..extras import require_extra

require_extra("server", "openrealtime.server", "starlette", "uvicorn", "numpy", "soxr")

from ..engines.registry import ModelEntry, ModelRegistry, RegistryError
from .app.app import create_app
from .app.runner import ServerURL, running
from .backend import SessionBackend
from .config import EngineTimeouts, ServerConfig, SessionOptions
from .session.clock import Clock, SystemClock, VirtualClock
from .session.ids import IdSource, RandomIds, SeededIds
from .session.session import Session

__all__ = [
    "Clock",
    "EngineTimeouts",
    "IdSource",
    "ModelEntry",
    "ModelRegistry",
    "RandomIds",
    "RegistryError",
    "SeededIds",
    "ServerConfig",
    "ServerURL",
    "Session",
    "SessionBackend",
    "SessionOptions",
    "SystemClock",
    "VirtualClock",
    "create_app",
    "running",
]
