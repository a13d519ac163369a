"""``openai-speech``: a synthesizer backed by ``/v1/audio/speech`` with ``response_format: pcm``.

The reply text streams in; each clause (:class:`~openrealtime.engines.clauses.ClauseSplitter`)
becomes one speech request, so the first audio comes after the first clause rather than
after the whole reply. Each answer's PCM16 streams out as it arrives, resampled from the
upstream's rate (``sample_rate``, 24 kHz for OpenAI) to 24 kHz when they differ. The
upstream gives no word timings, so chunks carry none: the server spreads each clause's
words over its audio.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Final

import openai
from pydantic import Field

from ...audio import StreamingResampler, bytes_for_ms
from ..base import CancelSignal, SpeechChunk
from ..clauses import ClauseSplitter
from .cancel import until_cancelled
from .engine import UpstreamEngine
from .errors import upstream_error
from .options import UpstreamOptions, parse_options

__all__ = ["OUTPUT_RATE", "SpeechOptions", "SpeechSynthesizer"]

KIND: Final = "openai-speech"

OUTPUT_RATE: Final = 24000
"""The rate of every chunk this synthesizer yields."""

_CHUNK_MS: Final = 100


class SpeechOptions(UpstreamOptions):
    """Options of ``openai-speech``; ``model`` is required."""

    model: str = Field(min_length=1)
    sample_rate: int = Field(default=OUTPUT_RATE, gt=0)
    """The rate of the upstream's PCM answer (OpenAI: 24000; some servers: 22050)."""
    voices: dict[str, str] = Field(default_factory=dict)
    """Realtime voice names to the upstream's; unmapped names are sent as they are."""
    instructions: str | None = None
    """How to speak, for upstreams that take it (``gpt-4o-mini-tts``)."""
    clause_chars: int = Field(default=40, ge=1)
    """The shortest piece cut at a comma rather than at the end of a sentence."""


class SpeechSynthesizer(UpstreamEngine[SpeechOptions]):
    """Speaks reply text through an OpenAI-compatible speech upstream, clause by clause."""

    kind = KIND

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> SpeechSynthesizer:
        """Build from registry options; raises ``UpstreamOptionsError`` on bad ones."""
        return cls(parse_options(SpeechOptions, KIND, options))

    async def synthesize(
        self, text: AsyncIterator[str], *, voice: str, speed: float, cancel: CancelSignal
    ) -> AsyncIterator[SpeechChunk]:
        """Speak ``text`` clause by clause; upstream failures raise :class:`EngineError`."""
        client = self._started_client()
        splitter = ClauseSplitter(clause_chars=self.options.clause_chars)
        ended = False
        while not ended and not cancel.cancelled:
            try:
                pieces = splitter.feed(await anext(text))
            except StopAsyncIteration:
                ended = True
                pieces = [piece for piece in (splitter.flush(),) if piece is not None]
            for piece in pieces:
                if any(char.isalnum() for char in piece):
                    async for pcm in self._speak(client, piece, voice, speed, cancel):
                        yield SpeechChunk(pcm, OUTPUT_RATE)

    async def _speak(
        self, client: openai.AsyncOpenAI, piece: str, voice: str, speed: float, cancel: CancelSignal
    ) -> AsyncIterator[bytes]:
        options = self.options
        parameters: dict[str, Any] = {
            "model": options.model,
            "voice": options.voices.get(voice, voice),
            "input": piece,
            "response_format": "pcm",
        }
        if speed != 1.0:
            parameters["speed"] = speed
        if options.instructions:
            parameters["instructions"] = options.instructions
        if options.extra_body:
            parameters["extra_body"] = options.extra_body
        resampler = StreamingResampler(options.sample_rate, OUTPUT_RATE)
        chunk_bytes = bytes_for_ms(_CHUNK_MS, options.sample_rate)
        try:
            async with client.audio.speech.with_streaming_response.create(**parameters) as answer:
                async for data in until_cancelled(answer.iter_bytes(chunk_bytes), cancel):
                    if pcm := resampler.process(data):
                        yield pcm
        except openai.OpenAIError as exc:
            raise upstream_error(exc, options) from exc
        if not cancel.cancelled and (tail := resampler.flush()):
            yield tail
