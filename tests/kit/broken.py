"""Broken servers: our server behind a proxy that breaks one rule of the protocol.

Each fault rewrites the server's events in one narrow way; everything else passes
through untouched, so the conformance suite's first failure must name that fault.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

Fault = Callable[[dict[str, Any]], list[dict[str, Any]]]
Refusal = Callable[[dict[str, Any]], dict[str, Any] | None]
"""Given a client event: an ``error`` event to answer it with instead, or ``None``."""
_fresh = itertools.count(1)


def missing_response_done(event: dict[str, Any]) -> list[dict[str, Any]]:
    """Never sends response.done."""
    return [] if event["type"] == "response.done" else [event]


def wrong_previous_item_id(event: dict[str, Any]) -> list[dict[str, Any]]:
    """Names an item that does not exist as each new item's predecessor."""
    if event["type"] in ("conversation.item.added", "conversation.item.created"):
        event["previous_item_id"] = "item_not_in_this_conversation"
    return [event]


def no_error_event_id(event: dict[str, Any]) -> list[dict[str, Any]]:
    """Drops the client's event_id from every error."""
    if event["type"] == "error":
        event["error"]["event_id"] = None
    return [event]


def duplicate_added(event: dict[str, Any]) -> list[dict[str, Any]]:
    """Announces every new conversation item twice (with fresh event ids)."""
    if event["type"] in ("conversation.item.added", "conversation.item.created"):
        twin = {**event, "event_id": f"event_twin{next(_fresh):016d}"}
        return [event, twin]
    return [event]


FAULTS: dict[str, tuple[Fault, str]] = {
    "missing response.done": (missing_response_done, "response.done"),
    "wrong previous_item_id": (wrong_previous_item_id, "previous_item_id"),
    "no event_id on errors": (no_error_event_id, "event_id"),
    "duplicate added": (duplicate_added, "added twice"),
}
"""Each fault, and the words the first failure of a conformance run must contain."""

_FORWARDED = ("authorization", "openai-beta")


def passed(event: dict[str, Any]) -> list[dict[str, Any]]:
    """No fault."""
    return [event]


def refuse_server_vad(event: dict[str, Any]) -> dict[str, Any] | None:
    """Refuses any session.update that turns server VAD on, as a server without VAD would."""
    if event.get("type") != "session.update" or '"server_vad"' not in json.dumps(event):
        return None
    error = {
        "type": "invalid_request_error",
        "code": "invalid_value",
        "param": None,
        "message": "Turn detection is not supported.",
        "event_id": event.get("event_id"),
    }
    return {"type": "error", "event_id": f"event_refusal{next(_fresh):012d}", "error": error}


def no_speech_started(event: dict[str, Any]) -> list[dict[str, Any]]:
    """Accepts server VAD, then never says that speech started."""
    return [] if event["type"] == "input_audio_buffer.speech_started" else [event]


BETA_SHAPE_DISABLED = {
    "type": "error",
    "event_id": "event_beta0000000000000000",
    "error": {
        "type": "invalid_request_error",
        "code": "beta_api_shape_disabled",
        "message": "The Realtime Beta API is no longer supported. Please use /v1/realtime for "
        "the GA API.",
        "param": None,
        "event_id": None,
    },
}
"""What OpenAI answers a beta connection since the beta's shutdown (then close 4000)."""


@contextlib.asynccontextmanager
async def broken(
    upstream: str, fault: Fault, refuse: Refusal | None = None, *, beta_shut_down: bool = False
) -> AsyncIterator[str]:
    """Serve ``upstream`` (a ``ws://host:port`` base) through ``fault``; yields a ws URL.

    ``refuse`` may answer client events itself instead of forwarding them;
    ``beta_shut_down`` refuses beta connections as OpenAI does since the beta's shutdown.
    """

    async def handle(client: ServerConnection) -> None:
        request = client.request
        assert request is not None
        if beta_shut_down and "realtime=v1" in request.headers.get("OpenAI-Beta", ""):
            await client.send(json.dumps(BETA_SHAPE_DISABLED))
            await client.close(4000, "invalid_request_error.beta_api_shape_disabled")
            return
        headers = {k: v for k, v in request.headers.raw_items() if k.lower() in _FORWARDED}
        async with connect(
            upstream + request.path, additional_headers=headers, max_size=None
        ) as server:
            await _pump(client, server, fault, refuse)

    async with serve(handle, "127.0.0.1", 0, max_size=None) as proxy:
        port = proxy.sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}/v1"


async def _pump(
    client: ServerConnection, server: Any, fault: Fault, refuse: Refusal | None
) -> None:
    async def downstream() -> None:
        try:
            async for frame in server:
                for event in fault(json.loads(frame)):
                    await client.send(json.dumps(event))
        except ConnectionClosed:
            pass
        rcvd = server.close_code or 1000
        await client.close(rcvd, server.close_reason or "")

    async def upstream() -> None:
        with contextlib.suppress(ConnectionClosed):
            async for frame in client:
                answer = refuse(json.loads(frame)) if refuse and isinstance(frame, str) else None
                if answer is not None:
                    await client.send(json.dumps(answer))
                else:
                    await server.send(frame)
        await server.close()

    tasks = [asyncio.ensure_future(downstream()), asyncio.ensure_future(upstream())]
    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
