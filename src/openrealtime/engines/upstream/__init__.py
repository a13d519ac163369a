"""Engines that delegate to OpenAI-compatible HTTP upstreams, through the official SDK.

Three kinds, each one role, so a model can mix them with local engines in the registry:

- ``openai-chat`` (:class:`ChatResponder`): any Chat Completions endpoint (vLLM,
  Ollama, llama.cpp's server, OpenAI), streaming, with tool calls;
- ``openai-transcriptions`` (:class:`TranscriptionsTranscriber`): ``/v1/audio/transcriptions``;
- ``openai-speech`` (:class:`SpeechSynthesizer`): ``/v1/audio/speech`` with PCM out.

They need the ``upstream`` extra (``openai``). An upstream's failure (an error status,
a timeout, a dropped connection) raises :class:`~openrealtime.engines.base.EngineError`
with the upstream's message; the server ends that response ``failed`` (or reports the
transcription ``failed``) and the session goes on.
"""

from .chat import ChatOptions, ChatResponder
from .options import UpstreamOptions, UpstreamOptionsError
from .speech import SpeechOptions, SpeechSynthesizer
from .transcriptions import TranscriptionsOptions, TranscriptionsTranscriber

__all__ = [
    "ChatOptions",
    "ChatResponder",
    "SpeechOptions",
    "SpeechSynthesizer",
    "TranscriptionsOptions",
    "TranscriptionsTranscriber",
    "UpstreamOptions",
    "UpstreamOptionsError",
]
