"""Graceful shutdown: close Realtime sessions properly before uvicorn drops them.

On SIGTERM or Ctrl-C uvicorn stops listening and then closes every WebSocket with
1012 at once. :class:`GracefulServer` puts a step in between: once nothing new
can connect, each session's running responses are cancelled (each client gets
its ``response.done`` with status ``cancelled``), every connection closes with
1001 "server shutting down", and the server waits at most ``timeout`` seconds
for the frames to go out before uvicorn finishes the job.
"""

from __future__ import annotations

import socket

import uvicorn

from .admission import OpenSessions

__all__ = ["GracefulServer"]


class GracefulServer(uvicorn.Server):
    """A uvicorn server that ends Realtime sessions cleanly when it stops."""

    def __init__(self, config: uvicorn.Config, sessions: OpenSessions, timeout: float) -> None:
        super().__init__(config)
        self.sessions = sessions
        self.timeout = timeout

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """Stop listening, end every session with 1001, then shut uvicorn down."""
        for server in self.servers:
            server.close()
        await self.sessions.shut_down(self.timeout)
        await super().shutdown(sockets)
