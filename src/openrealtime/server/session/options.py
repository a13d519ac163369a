"""The server's behaviour knobs that reach into every session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["TRANSCRIPTION_MODELS", "SessionOptions"]

TRANSCRIPTION_MODELS: Final = (
    "whisper-1",
    "gpt-4o-transcribe",
    "gpt-4o-mini-transcribe",
    "gpt-4o-mini-transcribe-2025-12-15",
    "gpt-4o-transcribe-diarize",
    "gpt-transcribe",
    "gpt-live-transcribe",
    "gpt-realtime-whisper",
)
"""Input transcription models accepted by default; all map to the session's transcriber."""


@dataclass(frozen=True)
class SessionOptions:
    """How sessions behave where OpenAI leaves room, or where we chose to differ.

    ``truncation_transcript``: after ``conversation.item.truncate``, ``"spoken"``
    keeps exactly the words heard before ``audio_end_ms`` (our default); ``"delete"``
    clears the transcript as OpenAI does.

    The ``max_*`` limits bound what one session holds (docs/operations.md):
    ``max_input_buffer_ms`` of appended, uncommitted audio; ``max_retained_audio_bytes``
    of PCM16 kept in conversation items (the oldest items lose their audio first);
    ``max_items`` conversation items.
    """

    truncation_transcript: Literal["spoken", "delete"] = "spoken"
    session_minutes: float = 60
    voice: str = "alloy"
    audio_delta_ms: int = 100
    max_append_bytes: int = 15 * 1024 * 1024
    transcription_models: tuple[str, ...] = TRANSCRIPTION_MODELS
    requests_per_minute: int = 20_000
    tokens_per_minute: int = 15_000_000
    obfuscation: bool = True
    max_input_buffer_ms: int = 90 * 60 * 1000
    max_retained_audio_bytes: int = 256 * 1024 * 1024
    max_items: int = 5000
