from __future__ import annotations

from collections.abc import AsyncIterator


class RecordingSleep:
    """Stands in for ``asyncio.sleep``: records each duration and returns at once."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


async def text_stream(*pieces: str) -> AsyncIterator[str]:
    for piece in pieces:
        yield piece
