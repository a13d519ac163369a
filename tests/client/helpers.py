"""Small helpers of the client tests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from openrealtime.client import Direction
from openrealtime.engines.scripted import speak
from openrealtime.protocol import ServerEventBase

EVENT_TIMEOUT = 10.0


class Frames:
    """A frame tap that keeps every frame, for assertions on what went over the wire."""

    def __init__(self) -> None:
        self.frames: list[tuple[Direction, float, str | bytes]] = []

    def __call__(self, direction: Direction, at: float, frame: str | bytes) -> None:
        self.frames.append((direction, at, frame))

    def sent(self) -> list[dict[str, Any]]:
        return [json.loads(frame) for direction, _, frame in self.frames if direction == "send"]

    def sent_types(self) -> list[str]:
        return [event["type"] for event in self.sent()]


async def next_event(stream: AsyncIterator[ServerEventBase]) -> Any:
    """The stream's next event, or a failure after :data:`EVENT_TIMEOUT`."""
    return await asyncio.wait_for(anext(stream), EVENT_TIMEOUT)


async def eventually(condition: Callable[[], bool], timeout: float = EVENT_TIMEOUT) -> None:
    """Wait until ``condition()`` holds."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


def utterance(text: str) -> bytes:
    """Scripted speech of ``text`` between silences, as the scripted VAD needs it."""
    speech, _words = speak(text)
    return bytes(4800) + speech + bytes(24000)
