"""The options every upstream engine takes, and the client built from them.

Options come from the model registry (``options:`` of a model or of one role). They are
checked when the engine is built, so a typo stops the server at start-up with one line
instead of failing every response.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, TypeVar

import openai
from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = ["UpstreamOptions", "UpstreamOptionsError", "parse_options"]

NO_KEY = "no-key"
"""Sent as the API key when no ``api_key_env`` is named: the SDK insists on one, and
servers started without keys (vLLM, Ollama, llama.cpp) ignore it."""


class UpstreamOptionsError(ValueError):
    """Bad upstream options, or a named key variable that is not set; ``str()`` is one line."""


class UpstreamOptions(BaseModel):
    """Where the upstream is and how to talk to it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str | None = None
    """The API root, e.g. ``http://vllm:8000/v1``; ``None`` is OpenAI's."""
    model: str | None = None
    """The upstream's model name."""
    api_key_env: str | None = None
    """The environment variable holding the API key, read when the engine is built."""
    timeout: float = Field(default=30.0, gt=0)
    """Seconds to wait for a connection, or for the next bytes of a streaming answer."""
    max_retries: int = Field(default=0, ge=0)
    """The SDK's retries of failed requests (with back-off); off by default, since a
    conversational turn is better failed fast than answered late."""
    headers: dict[str, str] = Field(default_factory=dict)
    """Extra HTTP headers on every request (gateways, tenancy)."""
    extra_body: dict[str, Any] = Field(default_factory=dict)
    """Extra JSON fields on every request, for an upstream's own knobs."""

    def api_key(self) -> str:
        """The key from ``api_key_env``, or :data:`NO_KEY` when none is named."""
        if self.api_key_env is None:
            return NO_KEY
        key = os.environ.get(self.api_key_env)
        if not key:
            raise UpstreamOptionsError(
                f"the environment variable {self.api_key_env} (api_key_env) is not set"
            )
        return key

    def client(self) -> openai.AsyncOpenAI:
        """An SDK client for this upstream; nothing is sent until a request is made."""
        return openai.AsyncOpenAI(
            api_key=self.api_key(),
            base_url=self.base_url,
            timeout=self.timeout,
            max_retries=self.max_retries,
            default_headers=self.headers or None,
        )

    @property
    def where(self) -> str:
        """The upstream's address, for messages."""
        return self.base_url or "https://api.openai.com/v1"


Options = TypeVar("Options", bound=UpstreamOptions)


def parse_options(cls: type[Options], kind: str, options: Mapping[str, Any]) -> Options:
    """Validate registry ``options`` for ``kind``; raises :class:`UpstreamOptionsError`."""
    try:
        return cls.model_validate(dict(options))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"]) or "options"
            problems.append(f"{where}: {error['msg']}")
        raise UpstreamOptionsError(f"{kind} options: {'; '.join(problems)}") from None
