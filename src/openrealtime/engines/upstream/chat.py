"""``openai-chat``: a responder backed by any OpenAI-compatible Chat Completions endpoint.

One streaming request per response. Text deltas become :class:`TextDelta`; streamed
tool calls become :class:`ToolCallStart` and :class:`ToolCallArgumentsDelta`; the
upstream's token counts (``stream_options.include_usage``) become :class:`Usage` and its
finish reason :class:`Finish`. A cancelled response closes the stream at once, which
closes the HTTP connection, so vLLM, Ollama and OpenAI stop generating.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import openai
from openai.types.chat import ChatCompletionChunk
from openai.types.chat.chat_completion_chunk import ChoiceDeltaToolCall
from pydantic import Field

from ..base import (
    EngineError,
    Finish,
    ResponderOutput,
    ResponseRequest,
    TextDelta,
    ToolCallArgumentsDelta,
    ToolCallStart,
    Usage,
)
from .cancel import until_cancelled
from .chat_request import chat_messages, chat_tool_choice, chat_tools
from .engine import UpstreamEngine
from .errors import upstream_error
from .options import UpstreamOptions, parse_options

__all__ = ["ChatOptions", "ChatResponder"]

KIND: Final = "openai-chat"

_FINISH: Final[dict[str, Literal["stop", "length", "tool_calls", "content_filter"]]] = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "content_filter": "content_filter",
}


class ChatOptions(UpstreamOptions):
    """Options of ``openai-chat``; ``model`` is required."""

    model: str = Field(min_length=1)
    max_tokens_param: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"
    """Which field carries ``max_output_tokens``: ``max_tokens`` (vLLM, Ollama, llama.cpp
    and older OpenAI models) or ``max_completion_tokens`` (OpenAI's reasoning models)."""
    stream_usage: bool = True
    """Ask for token counts at the end of the stream; turn off for an upstream that
    rejects ``stream_options`` (the server then estimates usage)."""


class ChatResponder(UpstreamEngine[ChatOptions]):
    """Streams replies and tool calls from a Chat Completions upstream."""

    kind = KIND

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> ChatResponder:
        """Build from registry options; raises ``UpstreamOptionsError`` on bad ones."""
        return cls(parse_options(ChatOptions, KIND, options))

    async def respond(self, request: ResponseRequest) -> AsyncIterator[ResponderOutput]:
        """Stream one response; upstream failures raise :class:`EngineError`."""
        client = self._started_client()
        options = self.options
        calls = _ToolCalls()
        usage: Usage | None = None
        finish: Finish | None = None
        try:
            stream = await client.chat.completions.create(**self._parameters(request), stream=True)
            async with stream:
                async for chunk in until_cancelled(stream, request.cancel):
                    usage = _usage(chunk) or usage
                    for choice in chunk.choices:
                        if choice.index != 0:
                            continue
                        if choice.delta.content:
                            yield TextDelta(choice.delta.content)
                        for call in choice.delta.tool_calls or ():
                            for output in calls.feed(call):
                                yield output
                        if choice.finish_reason is not None:
                            finish = _finish(choice.finish_reason)
        except openai.OpenAIError as exc:
            raise upstream_error(exc, options) from exc
        if request.cancel.cancelled:
            return
        calls.check_complete()
        if usage is not None:
            yield usage
        if finish is not None:
            yield finish

    def _parameters(self, request: ResponseRequest) -> dict[str, Any]:
        options = self.options
        parameters: dict[str, Any] = {
            "model": options.model,
            "messages": chat_messages(request.instructions, request.context),
        }
        if request.tools:
            parameters["tools"] = chat_tools(request.tools)
            parameters["tool_choice"] = chat_tool_choice(request.tool_choice)
        if request.temperature is not None:
            parameters["temperature"] = request.temperature
        if request.max_output_tokens is not None:
            parameters[options.max_tokens_param] = request.max_output_tokens
        if options.stream_usage:
            parameters["stream_options"] = {"include_usage": True}
        if options.extra_body:
            parameters["extra_body"] = options.extra_body
        return parameters


@dataclass
class _PendingCall:
    call_id: str | None = None
    name: str = ""
    arguments: str = ""


class _ToolCalls:
    """Streamed tool-call fragments, keyed by index, as calls that open one after another.

    A call opens once its name is known; its arguments stream from then on. Upstreams
    send calls one after another; fragments of an earlier call arriving after a later
    one opened cannot be streamed in order and fail the response.
    """

    def __init__(self) -> None:
        self._opened: list[int] = []
        self._pending: dict[int, _PendingCall] = {}

    def feed(self, fragment: ChoiceDeltaToolCall) -> Iterator[ResponderOutput]:
        function = fragment.function
        name = function.name if function is not None else None
        arguments = (function.arguments if function is not None else None) or ""
        if fragment.index in self._opened:
            if fragment.index != self._opened[-1]:
                raise EngineError(
                    f"upstream interleaved tool calls {fragment.index} and {self._opened[-1]}",
                    code="upstream_error",
                )
            if arguments:
                yield ToolCallArgumentsDelta(arguments)
            return
        pending = self._pending.setdefault(fragment.index, _PendingCall())
        pending.call_id = pending.call_id or fragment.id
        pending.name = pending.name or name or ""
        pending.arguments += arguments
        if pending.name:
            del self._pending[fragment.index]
            self._opened.append(fragment.index)
            yield ToolCallStart(pending.name, pending.call_id)
            if pending.arguments:
                yield ToolCallArgumentsDelta(pending.arguments)

    def check_complete(self) -> None:
        """Fail when a call never got a name."""
        if self._pending:
            index = min(self._pending)
            raise EngineError(
                f"upstream sent tool call {index} without a function name", code="upstream_error"
            )


def _usage(chunk: ChatCompletionChunk) -> Usage | None:
    usage = chunk.usage
    if usage is None:
        return None
    details = usage.prompt_tokens_details
    cached = details.cached_tokens if details is not None else None
    return Usage(usage.prompt_tokens, usage.completion_tokens, cached or 0)


def _finish(reason: str) -> Finish:
    mapped = _FINISH.get(reason)
    if mapped is None:
        # A reason of the upstream's own: the answer was cut for a reason the client
        # must see, not a normal end.
        raise EngineError(f"upstream stopped the answer: {reason}", code=reason)
    return Finish(mapped)
