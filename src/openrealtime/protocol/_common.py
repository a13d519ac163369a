"""Resources and payload shapes that both dialects share, field for field."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ._base import WireModel

__all__ = [
    "Conversation",
    "ErrorDetail",
    "ErrorInfo",
    "LogProb",
    "PartRef",
    "RateLimit",
    "TranscriptionLanguage",
    "TranscriptionUsage",
    "TranscriptionUsageDuration",
    "TranscriptionUsageTokens",
    "TranscriptionUsageTokensDetails",
]


class PartRef(WireModel):
    """Where a content-part event belongs: response, item, output and content index."""

    response_id: str
    item_id: str
    output_index: int
    content_index: int


class ErrorInfo(WireModel):
    """An error's ``type``, ``code``, ``message`` and ``param``, all four always on the wire.

    A failed input transcription carries this shape; the ``error`` event adds ``event_id``.
    """

    type: str
    code: str | None
    message: str
    param: str | None


class ErrorDetail(ErrorInfo):
    """The ``error`` event's object: all five keys are always on the wire."""

    event_id: str | None


class Conversation(WireModel):
    """The default conversation of a session."""

    id: str
    object: Literal["realtime.conversation"] = "realtime.conversation"


class LogProb(WireModel):
    """One token's log probability in a transcription."""

    token: str
    logprob: float
    bytes: list[int]


class TranscriptionLanguage(WireModel):
    """A language detected in transcribed audio."""

    code: str


class TranscriptionUsageTokensDetails(WireModel):
    """Input tokens of a transcription by kind."""

    text_tokens: int | None = None
    audio_tokens: int | None = None


class TranscriptionUsageTokens(WireModel):
    """Transcription usage billed in tokens."""

    type: Literal["tokens"] = "tokens"
    total_tokens: int
    input_tokens: int
    input_token_details: TranscriptionUsageTokensDetails | None = None
    output_tokens: int


class TranscriptionUsageDuration(WireModel):
    """Transcription usage billed by audio duration."""

    type: Literal["duration"] = "duration"
    seconds: float


TranscriptionUsage = Annotated[
    TranscriptionUsageTokens | TranscriptionUsageDuration, Field(discriminator="type")
]


class RateLimit(WireModel):
    """One rate limit's state."""

    name: str
    limit: int
    remaining: int
    reset_seconds: float
