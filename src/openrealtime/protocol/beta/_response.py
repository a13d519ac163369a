"""Beta responses: flat ``response.create`` parameters and the response resource."""

from __future__ import annotations

from typing import Annotated, Literal

from .._base import WireModel
from .._fields import one_of, value_range
from ..ga._response import Metadata, ResponseStatus, ResponseStatusDetails, Usage
from ..ga._session import FunctionTool, MaxOutputTokens
from ._items import InputItem, Item
from ._session import AudioFormat, ToolChoice, Voice

__all__ = ["RealtimeResponse", "ResponseCreateParams"]


class ResponseCreateParams(WireModel):
    """``response.create``'s ``response``: per-response overrides of the session."""

    modalities: list[Literal["text", "audio"]] | None = None
    instructions: str | None = None
    voice: Voice | None = None
    output_audio_format: AudioFormat | None = None
    tools: list[FunctionTool] | None = None
    tool_choice: ToolChoice | None = None
    temperature: Annotated[float | None, value_range(0.6, 1.2)] = None
    max_response_output_tokens: MaxOutputTokens | None = None
    conversation: Annotated[str | None, one_of("auto", "none")] = None
    metadata: Metadata | None = None
    input: list[InputItem] | None = None


class RealtimeResponse(WireModel):
    """The response resource of ``response.created`` and ``response.done``."""

    object: Literal["realtime.response"] = "realtime.response"
    id: str
    status: ResponseStatus
    status_details: ResponseStatusDetails | None
    output: list[Item]
    conversation_id: str | None
    modalities: list[Literal["text", "audio"]] | None = None
    voice: str | None = None
    output_audio_format: AudioFormat | None = None
    temperature: float | None = None
    max_output_tokens: MaxOutputTokens | None = None
    usage: Usage | None
    metadata: dict[str, str] | None
