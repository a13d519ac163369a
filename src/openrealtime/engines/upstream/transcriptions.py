"""``openai-transcriptions``: a transcriber backed by ``/v1/audio/transcriptions``.

The committed audio is uploaded as a WAV file at its own sample rate. With ``stream``
on, the upstream's deltas are passed on as they come: OpenAI's ``transcript.text.delta``
events, or the ``choices[0].delta.content`` chunks vLLM sends. Without it, one request
gives the whole text, which the transcriber yields as a single delta.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Final

import openai

from ...audio import duration_ms, pcm16_wav_bytes
from ..base import (
    TranscriptDelta,
    TranscriptionRequest,
    TranscriptResult,
)
from .cancel import unless_cancelled, until_cancelled
from .engine import UpstreamEngine
from .errors import upstream_error
from .options import UpstreamOptions, parse_options

__all__ = ["TranscriptionsOptions", "TranscriptionsTranscriber"]

KIND: Final = "openai-transcriptions"

DEFAULT_MODEL: Final = "whisper-1"
"""Sent when neither the options nor the session name a transcription model."""


class TranscriptionsOptions(UpstreamOptions):
    """Options of ``openai-transcriptions``.

    ``model`` is the upstream's model; without it, the session's transcription model
    (``whisper-1``, ``gpt-4o-transcribe``, ...) is sent as it is, which suits OpenAI.
    """

    stream: bool = False
    """Ask for streamed deltas (OpenAI's ``gpt-4o-*-transcribe``, vLLM); ``whisper-1``
    and most other servers answer in one piece."""


class TranscriptionsTranscriber(UpstreamEngine[TranscriptionsOptions]):
    """Transcribes committed audio through an OpenAI-compatible upstream."""

    kind = KIND

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> TranscriptionsTranscriber:
        """Build from registry options; raises ``UpstreamOptionsError`` on bad ones."""
        return cls(parse_options(TranscriptionsOptions, KIND, options))

    async def transcribe(
        self, request: TranscriptionRequest
    ) -> AsyncIterator[TranscriptDelta | TranscriptResult]:
        """Yield deltas, then the result; upstream failures raise :class:`EngineError`."""
        client = self._started_client()
        pcm = request.pcm[: len(request.pcm) // 2 * 2]
        parameters = self._parameters(request, pcm)
        seconds = duration_ms(len(pcm), request.sample_rate) / 1000.0
        transcriptions = client.audio.transcriptions
        try:
            if self.options.stream:
                text = ""
                stream = await transcriptions.create(**parameters, stream=True)
                async with stream:
                    async for event in until_cancelled(stream, request.cancel):
                        delta, done = _stream_event(event)
                        if delta:
                            text += delta
                            yield TranscriptDelta(delta)
                        if done is not None:
                            text = done
            else:
                result = await unless_cancelled(
                    transcriptions.create(**parameters, response_format="json"), request.cancel
                )
                if result is None:
                    return
                text = result.text
                if text:
                    yield TranscriptDelta(text)
        except openai.OpenAIError as exc:
            raise upstream_error(exc, self.options) from exc
        if not request.cancel.cancelled:
            yield TranscriptResult(text.strip(), seconds)

    def _parameters(self, request: TranscriptionRequest, pcm: bytes) -> dict[str, Any]:
        parameters: dict[str, Any] = {
            "model": self.options.model or request.model or DEFAULT_MODEL,
            "file": ("audio.wav", pcm16_wav_bytes(pcm, request.sample_rate), "audio/wav"),
        }
        if request.language:
            parameters["language"] = request.language
        if request.prompt:
            parameters["prompt"] = request.prompt
        if self.options.extra_body:
            parameters["extra_body"] = self.options.extra_body
        return parameters


def _stream_event(event: object) -> tuple[str, str | None]:
    """The delta an event carries, and the whole text when it is the last one."""
    kind = getattr(event, "type", None)
    if kind == "transcript.text.delta":
        return str(getattr(event, "delta", "") or ""), None
    if kind == "transcript.text.done":
        return "", str(getattr(event, "text", "") or "")
    # vLLM streams chat-style chunks: {"object": "transcription.chunk", "choices": [...]}.
    choices = getattr(event, "choices", None)
    if isinstance(choices, list) and choices:
        delta = choices[0].get("delta") if isinstance(choices[0], dict) else None
        content = delta.get("content") if isinstance(delta, dict) else None
        return (content if isinstance(content, str) else ""), None
    return "", None
