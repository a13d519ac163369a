"""Run a server inside the current event loop, for tests and notebooks."""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator

import uvicorn
from starlette.types import ASGIApp

from ...engines.pool import EnginePool
from ..config import ServerConfig
from ..transport.logs import InvalidUtf8Filter
from .admission import OpenSessions
from .app import create_app
from .engines import AppEngines
from .shutdown import GracefulServer

__all__ = ["ServerURL", "running", "server_for", "uvicorn_config"]


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


def uvicorn_config(
    app: ASGIApp, config: ServerConfig, *, port: int | None = None
) -> uvicorn.Config:
    """The uvicorn settings a Realtime server needs (keepalive pings, frame size, TLS)."""
    settings = uvicorn.Config(
        app,
        host=config.host,
        port=config.port if port is None else port,
        ws="websockets-sansio",
        ws_max_size=config.max_frame_bytes,
        ws_ping_interval=config.ping_interval,
        ws_ping_timeout=config.ping_interval,
        ssl_certfile=config.ssl_certfile,
        ssl_keyfile=config.ssl_keyfile,
        # uvicorn's own wait, after our graceful step has had its turn.
        timeout_graceful_shutdown=math.ceil(config.shutdown_timeout),
        # An app from create_app starts its engines here, if nothing started them
        # before, and closes those it started once every session has ended.
        lifespan="auto",
        log_level="warning",
    )
    # uvicorn configures its loggers as the settings are made; the filter goes on after.
    InvalidUtf8Filter.install()
    return settings


def server_for(app: ASGIApp, config: ServerConfig, *, port: int | None = None) -> uvicorn.Server:
    """A uvicorn server for ``app``; one from :func:`create_app` shuts down gracefully."""
    sessions = getattr(getattr(app, "state", None), "sessions", None)
    settings = uvicorn_config(app, config, port=port)
    if isinstance(sessions, OpenSessions):
        return GracefulServer(settings, sessions, config.shutdown_timeout)
    return uvicorn.Server(settings)


@contextlib.asynccontextmanager
async def running(
    config: ServerConfig | None = None,
    *,
    app: ASGIApp | None = None,
    pool: EnginePool | None = None,
) -> AsyncIterator[ServerURL]:
    """Serve on 127.0.0.1 and a free port for the duration of the block.

    ``async with running() as url:`` gives ``ws://127.0.0.1:PORT/v1`` (``wss://`` when
    ``config`` has a certificate); pass it as the SDK's ``websocket_base_url``, or
    ``url.http`` as ``base_url``. ``app`` serves an app you built with
    :func:`create_app` from the same ``config``, so that you can reach its
    ``app.state`` (the open sessions) while it runs.

    The engines start before the port opens (a failure raises here) and close when
    the block ends, unless they are yours: engines from ``pool``, or from a
    ``config.models`` you started, stay loaded for the next server.
    """
    config = config or ServerConfig()
    app = app if app is not None else create_app(config, pool=pool)
    engines = getattr(getattr(app, "state", None), "engines", None)
    if isinstance(engines, AppEngines):
        try:
            await engines.start()
        except BaseException:
            await engines.aclose()
            raise
    server = server_for(app, config, port=0)
    server.config.host = "127.0.0.1"
    task = asyncio.get_running_loop().create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        scheme = "wss" if config.ssl_certfile is not None else "ws"
        yield ServerURL(f"{scheme}://127.0.0.1:{port}/v1")
    finally:
        server.should_exit = True
        await task
