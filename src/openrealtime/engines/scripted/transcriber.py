"""Tone-code speech to text."""

from __future__ import annotations

from collections.abc import AsyncIterator

from openrealtime.audio import duration_ms

from ..base import EngineBase, EngineError, TranscriptDelta, TranscriptionRequest, TranscriptResult
from ..tokens import split_tokens
from .speech_code import DEFAULT_MS_PER_CHAR, decode

__all__ = ["ScriptedTranscriber"]


class ScriptedTranscriber(EngineBase):
    """Transcribes audio spoken in the tone code of :mod:`.speech_code`.

    Yields one delta per token-sized piece of the text, then the result. Audio that
    carries no tone code (silence, noise, a real voice) fails with
    ``audio_unintelligible``. Language, prompt and model are accepted and ignored.
    """

    def __init__(self, *, ms_per_char: float = DEFAULT_MS_PER_CHAR) -> None:
        self.ms_per_char = ms_per_char

    async def transcribe(
        self, request: TranscriptionRequest
    ) -> AsyncIterator[TranscriptDelta | TranscriptResult]:
        """Yield deltas, then exactly one result."""
        pcm = request.pcm[: len(request.pcm) // 2 * 2]
        text = decode(pcm, request.sample_rate, ms_per_char=self.ms_per_char)
        if not text:
            raise EngineError("Audio is unintelligible.", code="audio_unintelligible")
        for piece in split_tokens(text):
            yield TranscriptDelta(piece)
        yield TranscriptResult(text, duration_ms(len(pcm), request.sample_rate) / 1000.0)
