"""Raw WebSocket helpers for the operations tests: connect, read until close."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import websockets
from websockets.exceptions import ConnectionClosed

TIMEOUT = 10.0

TEXT_TURN = [
    {
        "type": "conversation.item.create",
        "item": {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "Hello there"}],
        },
    },
    {"type": "response.create"},
]


@dataclass
class Closed:
    """Everything a connection received, and how it closed."""

    events: list[dict[str, Any]] = field(default_factory=list)
    code: int | None = None
    reason: str = ""
    subprotocol: str | None = None

    def types(self) -> list[str]:
        return [event["type"] for event in self.events]


async def until_closed(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    subprotocols: list[str] | None = None,
    send: list[dict[str, Any]] | None = None,
    **options: Any,
) -> Closed:
    """Connect, send ``send``, and collect every event until the server closes."""
    result = Closed()
    async with asyncio.timeout(TIMEOUT):
        async with websockets.connect(
            url,
            additional_headers=headers,
            subprotocols=subprotocols,  # type: ignore[arg-type]
            **options,
        ) as ws:
            result.subprotocol = ws.subprotocol
            for event in send or []:
                await ws.send(json.dumps(event))
            try:
                while True:
                    result.events.append(json.loads(await ws.recv()))
            except ConnectionClosed as closed:
                if closed.rcvd is not None:
                    result.code, result.reason = closed.rcvd.code, closed.rcvd.reason
    return result


async def first_event(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    subprotocols: list[str] | None = None,
) -> tuple[dict[str, Any], str | None]:
    """The first server event of a connection, and the subprotocol the server chose."""
    async with asyncio.timeout(TIMEOUT):
        async with websockets.connect(
            url,
            additional_headers=headers,
            subprotocols=subprotocols,  # type: ignore[arg-type]
        ) as ws:
            return json.loads(await ws.recv()), ws.subprotocol
