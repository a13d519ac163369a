"""GA responses: the ``response.create`` parameters and the response resource."""

from __future__ import annotations

from typing import Annotated, Literal

from .._base import WireModel
from .._fields import beta_only, max_items, max_length, one_of, value_range
from ._items import InputItem, Item
from ._session import AudioFormat, MaxOutputTokens, Prompt, Reasoning, Tool, ToolChoice, Voice

__all__ = [
    "CachedTokensDetails",
    "InputTokenDetails",
    "Metadata",
    "OutputTokenDetails",
    "RealtimeResponse",
    "ResponseAudio",
    "ResponseAudioOutput",
    "ResponseCreateParams",
    "ResponseStatus",
    "ResponseStatusDetails",
    "ResponseStatusError",
    "Usage",
]

Metadata = Annotated[
    dict[Annotated[str, max_length(64)], Annotated[str, max_length(512)]], max_items(16)
]
"""Up to 16 string pairs; keys up to 64 characters, values up to 512."""

ResponseStatus = Literal["in_progress", "completed", "cancelled", "failed", "incomplete"]


class ResponseAudioOutput(WireModel):
    """The output audio of one response."""

    format: AudioFormat | None = None
    voice: Voice | None = None


class ResponseAudio(WireModel):
    """``response.audio``."""

    output: ResponseAudioOutput | None = None


class ResponseCreateParams(WireModel):
    """``response.create``'s ``response``: per-response overrides of the session."""

    output_modalities: list[Literal["text", "audio"]] | None = None
    instructions: str | None = None
    audio: ResponseAudio | None = None
    tools: list[Tool] | None = None
    tool_choice: ToolChoice | None = None
    max_output_tokens: MaxOutputTokens | None = None
    conversation: Annotated[str | None, one_of("auto", "none")] = None
    metadata: Metadata | None = None
    prompt: Prompt | None = None
    input: list[InputItem] | None = None
    parallel_tool_calls: bool | None = None
    reasoning: Reasoning | None = None
    temperature: Annotated[float | None, beta_only, value_range(0.6, 1.2)] = None


class ResponseStatusError(WireModel):
    """Why a response failed: ``{type, code}``."""

    type: str | None = None
    code: str | None = None
    message: str | None = None


class ResponseStatusDetails(WireModel):
    """``status_details`` of a finished response."""

    type: Literal["completed", "cancelled", "incomplete", "failed"]
    reason: (
        Literal["turn_detected", "client_cancelled", "max_output_tokens", "content_filter"] | None
    ) = None
    error: ResponseStatusError | None = None


class CachedTokensDetails(WireModel):
    """The cached part of the input tokens."""

    text_tokens: int | None = None
    audio_tokens: int | None = None
    image_tokens: int | None = None


class InputTokenDetails(WireModel):
    """Input tokens by kind."""

    text_tokens: int | None = None
    audio_tokens: int | None = None
    image_tokens: int | None = None
    cached_tokens: int | None = None
    cached_tokens_details: CachedTokensDetails | None = None


class OutputTokenDetails(WireModel):
    """Output tokens by kind."""

    text_tokens: int | None = None
    audio_tokens: int | None = None


class Usage(WireModel):
    """Token usage of a response; ``total_tokens = input_tokens + output_tokens``."""

    total_tokens: int
    input_tokens: int
    output_tokens: int
    input_token_details: InputTokenDetails | None = None
    output_token_details: OutputTokenDetails | None = None


class RealtimeResponse(WireModel):
    """The response resource of ``response.created`` and ``response.done``.

    ``status_details``, ``usage``, ``conversation_id`` and ``metadata`` are always
    on the wire, ``null`` when empty, so they are required here.
    """

    object: Literal["realtime.response"] = "realtime.response"
    id: str
    status: ResponseStatus
    status_details: ResponseStatusDetails | None
    output: list[Item]
    conversation_id: str | None
    output_modalities: list[Literal["text", "audio"]] | None = None
    max_output_tokens: MaxOutputTokens | None = None
    audio: ResponseAudio | None = None
    usage: Usage | None
    metadata: dict[str, str] | None
    temperature: Annotated[float | None, beta_only] = None
