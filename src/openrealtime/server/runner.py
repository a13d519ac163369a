"""Run a server inside the current event loop, for tests and notebooks."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import uvicorn

from .app import create_app
from .config import ServerConfig

__all__ = ["ServerURL", "running", "uvicorn_config"]


class ServerURL(str):
    """The server's WebSocket base URL (``ws://127.0.0.1:PORT/v1``), with helpers."""

    __slots__ = ()

    @property
    def http(self) -> str:
        """The HTTP base URL (``http://127.0.0.1:PORT/v1``), for ``base_url``."""
        return "http" + self[2:]

    def realtime(self, model: str = "gpt-realtime") -> str:
        """The full WebSocket URL of a realtime session."""
        return f"{self}/realtime?model={model}"


def uvicorn_config(app: Any, config: ServerConfig, *, port: int | None = None) -> uvicorn.Config:
    """The uvicorn settings a Realtime server needs (keepalive pings, frame size)."""
    return uvicorn.Config(
        app,
        host=config.host,
        port=config.port if port is None else port,
        ws="websockets-sansio",
        ws_max_size=config.max_frame_bytes,
        ws_ping_interval=config.ping_interval,
        ws_ping_timeout=config.ping_interval,
        lifespan="off",
        log_level="warning",
    )


@contextlib.asynccontextmanager
async def running(config: ServerConfig | None = None) -> AsyncIterator[ServerURL]:
    """Serve on 127.0.0.1 and a free port for the duration of the block.

    ``async with running() as url:`` gives ``ws://127.0.0.1:PORT/v1``; pass it as
    the SDK's ``websocket_base_url``, or ``url.http`` as ``base_url``.
    """
    config = config or ServerConfig()
    server = uvicorn.Server(uvicorn_config(create_app(config), config, port=0))
    server.config.host = "127.0.0.1"
    task = asyncio.get_running_loop().create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield ServerURL(f"ws://127.0.0.1:{port}/v1")
    finally:
        server.should_exit = True
        await task
