"""The part every upstream engine shares: one SDK client, created in ``start``."""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

import openai

from ..base import EngineBase, EngineError
from .options import UpstreamOptions

__all__ = ["UpstreamEngine"]

OptionsT = TypeVar("OptionsT", bound=UpstreamOptions)


class UpstreamEngine(EngineBase, Generic[OptionsT]):
    """An engine talking to one OpenAI-compatible upstream through the official SDK."""

    kind: ClassVar[str]

    def __init__(self, options: OptionsT) -> None:
        self.options = options
        # A named key variable that is unset stops the server at start-up, not each request.
        options.api_key()
        self._client: openai.AsyncOpenAI | None = None

    async def start(self) -> None:
        """Create the HTTP client; no request is sent."""
        if self._client is None:
            self._client = self.options.client()

    async def aclose(self) -> None:
        """Close the HTTP client and its connections."""
        client, self._client = self._client, None
        if client is not None:
            await client.close()

    def _started_client(self) -> openai.AsyncOpenAI:
        """The client; :class:`EngineError` when the engine was never started."""
        if self._client is None:
            raise EngineError(f"{self.kind} engine used before start()", code="engine_not_started")
        return self._client
