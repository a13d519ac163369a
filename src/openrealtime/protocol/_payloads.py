"""Event payloads that both dialects share, field for field.

An event class is a payload plus its dialect's base and wire ``type``: for
example ``class InputAudioBufferCommittedEvent(CommittedPayload, ServerEvent)``.
Fields follow the base's ``type`` and ``event_id``, in the spec's order.
"""

from __future__ import annotations

import base64
from typing import Annotated, Self

from ._base import WireModel
from ._common import ErrorDetail, ErrorInfo, LogProb, RateLimit
from ._fields import B64, value_range

__all__ = [
    "AppendPayload",
    "CancelPayload",
    "CommittedPayload",
    "ErrorPayload",
    "FunctionCallRef",
    "ItemIdPayload",
    "OutputRef",
    "PreviousItemPayload",
    "RateLimitsPayload",
    "ResponseIdPayload",
    "SpeechStartedPayload",
    "SpeechStoppedPayload",
    "TranscriptionDeltaPayload",
    "TranscriptionFailedPayload",
    "TranscriptionResultPayload",
    "TruncatePayload",
]

NonNegative = Annotated[int, value_range(0)]


class AppendPayload(WireModel):
    """``input_audio_buffer.append``: base64 audio in the session's input format."""

    audio: B64

    @classmethod
    def from_pcm16(
        cls, pcm: bytes | bytearray | memoryview, *, event_id: str | None = None
    ) -> Self:
        """An append of raw audio bytes (PCM16 little-endian, or G.711 for those formats)."""
        fields = {"audio": base64.b64encode(pcm).decode("ascii")}
        if event_id is not None:
            fields["event_id"] = event_id
        return cls(**fields)


class TruncatePayload(WireModel):
    """Which audio part of which item is cut, and where."""

    item_id: str
    content_index: NonNegative
    audio_end_ms: NonNegative


class ItemIdPayload(WireModel):
    """An event about one item, named by id."""

    item_id: str


class CancelPayload(WireModel):
    """``response.cancel``: the response to cancel, or the active one."""

    response_id: str | None = None


class PreviousItemPayload(WireModel):
    """Where a new item goes: after ``previous_item_id``, or at the end."""

    previous_item_id: str | None = None


class ErrorPayload(WireModel):
    """``error``."""

    error: ErrorDetail


class CommittedPayload(WireModel):
    """``input_audio_buffer.committed``: ``previous_item_id`` is always on the wire."""

    previous_item_id: str | None
    item_id: str


class SpeechStartedPayload(WireModel):
    """``input_audio_buffer.speech_started``."""

    audio_start_ms: int
    item_id: str


class SpeechStoppedPayload(WireModel):
    """``input_audio_buffer.speech_stopped``."""

    audio_end_ms: int
    item_id: str


class ResponseIdPayload(WireModel):
    """An ``output_audio_buffer.*`` event about one response."""

    response_id: str


class TranscriptionDeltaPayload(WireModel):
    """Part of a user audio item's transcript."""

    item_id: str
    content_index: int | None = None
    delta: str | None = None
    logprobs: list[LogProb] | None = None


class TranscriptionResultPayload(WireModel):
    """A user audio item's full transcript (usage follows, per dialect)."""

    item_id: str
    content_index: int
    transcript: str
    logprobs: list[LogProb] | None = None


class TranscriptionFailedPayload(WireModel):
    """Transcribing a user audio item failed; the error carries no ``event_id``."""

    item_id: str
    content_index: int
    error: ErrorInfo


class OutputRef(WireModel):
    """Which response and output index an output item event belongs to."""

    response_id: str
    output_index: int


class FunctionCallRef(WireModel):
    """Which function call an arguments event belongs to."""

    response_id: str
    item_id: str
    output_index: int
    call_id: str


class RateLimitsPayload(WireModel):
    """``rate_limits.updated``."""

    rate_limits: list[RateLimit]
