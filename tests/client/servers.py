"""The servers the client suite runs against, and a TCP proxy that can fail like a network.

- :class:`ScriptedServer`: ``openrealtime serve --engine scripted`` in a subprocess on
  127.0.0.1, with the suite's script (``script.yaml``) and an API key.
- :class:`Target`: one server and dialect, as the shared tests see it: the URL of a
  scenario and the connection options.
- :class:`TcpProxy`: forwards to a server; ``drop()`` cuts every connection,
  ``freeze()`` stops forwarding without closing (a silent peer).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.client.replay import ReplayServer

API_KEY = "sk-client-suite"
SCRIPT = Path(__file__).parent / "script.yaml"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ScriptedServer:
    """``openrealtime serve`` with the scripted engine, as a user starts it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"{self.base}/v1"

    @property
    def base(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "openrealtime.cli",
            "serve",
            "--engine",
            "scripted",
            "--port",
            str(self.port),
            "--pace",
            "0",
            "--script",
            str(SCRIPT),
            "--api-key",
            API_KEY,
        ]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy()
        )
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                assert self.process.stderr is not None
                raise RuntimeError(f"the server exited: {self.process.stderr.read().decode()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start within 30 s")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)


@dataclass
class Target:
    """A server and a dialect for the shared tests."""

    kind: str
    dialect: str
    url_for: Callable[[str], str]
    options: dict[str, Any] = field(default_factory=dict)
    replay: ReplayServer | None = None

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.dialect}"

    def connect_options(self, scenario: str, **extra: Any) -> dict[str, Any]:
        return {
            "url": self.url_for(scenario),
            "model": "gpt-realtime",
            "dialect": self.dialect,
            **self.options,
            **extra,
        }


class TcpProxy:
    """A TCP forwarder that a test can cut or freeze."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self._pumps: set[asyncio.Task[None]] = set()
        self._flowing = asyncio.Event()
        self._flowing.set()
        self.connections = 0

    async def start(self) -> None:
        listener = socket.socket()
        # A small fixed receive buffer: a frozen proxy soon stops taking data, as a
        # stalled network does, instead of soaking up megabytes.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        listener.bind(("127.0.0.1", 0))
        self._server = await asyncio.start_server(self._handle, sock=listener)
        self.port = self._server.sockets[0].getsockname()[1]

    @property
    def url(self) -> str:
        return f"{self.base}/v1"

    @property
    def base(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def drop(self) -> None:
        """Cut every open connection at once, both sides."""
        for writer in self._writers:
            writer.transport.abort()
        self._writers.clear()

    def freeze(self) -> None:
        """Stop forwarding and reading, keep the connections open."""
        self._flowing.clear()
        for writer in self._writers:
            writer.transport.pause_reading()

    def thaw(self) -> None:
        """Forward again."""
        self._flowing.set()
        for writer in self._writers:
            writer.transport.resume_reading()

    async def close(self) -> None:
        self._flowing.set()
        self.drop()
        await asyncio.gather(*self._pumps, return_exceptions=True)
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        upstream_reader, upstream_writer = await asyncio.open_connection(
            "127.0.0.1", self.target_port
        )
        self._writers += [writer, upstream_writer]
        pumps = {
            asyncio.ensure_future(self._pump(reader, upstream_writer)),
            asyncio.ensure_future(self._pump(upstream_reader, writer)),
        }
        self._pumps |= pumps
        await asyncio.gather(*pumps, return_exceptions=True)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                await self._flowing.wait()
                writer.write(data)
                await writer.drain()
        finally:
            writer.transport.abort()
