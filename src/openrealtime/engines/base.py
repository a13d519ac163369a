"""The interfaces every engine implements.

An engine set serves one model name: a :class:`Responder` (the "LLM", or a whole
speech-to-speech model), a :class:`Synthesizer` (text to speech), a
:class:`Transcriber` (speech to text) and a :class:`VoiceActivityDetector`.
Engines know nothing of the wire: they take plain Python values and yield plain
Python values; the session core turns those into Realtime events.

Audio crosses these interfaces as PCM16 little-endian mono ``bytes`` with an
explicit sample rate. Conversions (G.711, resampling) happen outside engines.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeAlias, runtime_checkable

__all__ = [
    "AudioDelta",
    "CancelSignal",
    "Capabilities",
    "ContextItem",
    "EngineBase",
    "EngineError",
    "EngineSet",
    "Finish",
    "FunctionChoice",
    "Responder",
    "ResponderOutput",
    "ResponseRequest",
    "SpeechChunk",
    "Synthesizer",
    "TextDelta",
    "ToolCallArgumentsDelta",
    "ToolCallStart",
    "ToolChoice",
    "ToolSpec",
    "Transcriber",
    "TranscriptDelta",
    "TranscriptResult",
    "TranscriptionRequest",
    "Usage",
    "VadStream",
    "VoiceActivityDetector",
    "WordTiming",
]


class EngineError(Exception):
    """An engine failed. The response ends ``failed``; the session goes on."""

    def __init__(self, message: str, *, code: str = "engine_error") -> None:
        super().__init__(message)
        self.code = code


class CancelSignal:
    """Set once; thread-safe. Engines poll :attr:`cancelled` or ``await wait()``."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._lock = threading.Lock()

    def cancel(self) -> None:
        """Set the signal; wakes every waiter."""
        with self._lock:
            self._event.set()
            waiters, self._waiters = self._waiters, []
        for loop, future in waiters:
            loop.call_soon_threadsafe(_resolve, future)

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._event.is_set()

    async def wait(self) -> None:
        """Return once the signal is set."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if self._event.is_set():
                return
            self._waiters.append((loop, future))
        await future


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What an engine can do; ``None`` means anything."""

    voices: tuple[str, ...] | None = None
    languages: tuple[str, ...] | None = None
    sample_rates: tuple[int, ...] | None = None


class EngineBase:
    """No-op lifecycle and unrestricted capabilities."""

    capabilities: Capabilities = Capabilities()

    async def start(self) -> None:
        """Load and warm up; nothing to do here."""

    async def aclose(self) -> None:
        """Free what the engine holds; nothing to do here."""


@dataclass(frozen=True)
class FunctionChoice:
    """``tool_choice`` naming one function."""

    name: str


ToolChoice: TypeAlias = Literal["auto", "none", "required"] | FunctionChoice


@dataclass(frozen=True, slots=True)
class ContextItem:
    """One conversation item as an engine sees it.

    ``kind`` is ``message``, ``function_call`` or ``function_call_output``.
    For messages, ``text`` joins the text parts and audio transcripts; ``audio``
    holds user audio (PCM16 at ``sample_rate``) when the item carries some.
    """

    kind: Literal["message", "function_call", "function_call_output"]
    id: str | None = None
    role: Literal["system", "user", "assistant"] | None = None
    text: str = ""
    audio: bytes | None = None
    sample_rate: int | None = None
    name: str | None = None
    call_id: str | None = None
    arguments: str | None = None
    output: str | None = None


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A function the model may call."""

    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class ResponseRequest:
    """Everything a responder needs for one response."""

    instructions: str
    context: Sequence[ContextItem]
    tools: Sequence[ToolSpec] = ()
    tool_choice: ToolChoice = "auto"
    output_modalities: Sequence[Literal["text", "audio"]] = ("audio",)
    voice: str = "alloy"
    temperature: float | None = None
    max_output_tokens: int | None = None
    metadata: dict[str, str] | None = None
    session_id: str | None = None
    response_id: str | None = None
    cancel: CancelSignal = field(default_factory=CancelSignal)


@dataclass(frozen=True, slots=True)
class TextDelta:
    """More assistant text (or, for audio output, more of what will be spoken)."""

    text: str


@dataclass(frozen=True, slots=True)
class ToolCallStart:
    """The model starts a function call; argument deltas follow."""

    name: str
    call_id: str | None = None


@dataclass(frozen=True, slots=True)
class ToolCallArgumentsDelta:
    """More JSON arguments of the function call started last."""

    delta: str


@dataclass(frozen=True, slots=True)
class AudioDelta:
    """Speech from a speech-to-speech or relay responder, with its transcript."""

    pcm: bytes
    sample_rate: int
    transcript: str = ""


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts the engine measured; reported instead of the server's estimate."""

    input_tokens: int
    output_tokens: int
    cached_tokens: int = 0


@dataclass(frozen=True, slots=True)
class Finish:
    """The last output: why generation stopped."""

    reason: Literal["stop", "length", "tool_calls"]


ResponderOutput = (
    TextDelta | ToolCallStart | ToolCallArgumentsDelta | AudioDelta | Usage | Finish
)


@runtime_checkable
class Responder(Protocol):
    """Generates one response. Raising :class:`EngineError` fails the response."""

    def respond(self, request: ResponseRequest) -> AsyncIterator[ResponderOutput]:
        """Yield the response's parts in order; return when it is complete."""
        ...


@dataclass(frozen=True, slots=True)
class WordTiming:
    """When a word is spoken, in ms from the start of the utterance."""

    word: str
    start_ms: float
    end_ms: float


@dataclass(frozen=True, slots=True)
class SpeechChunk:
    """A piece of synthesized speech and the words whose audio it carries."""

    pcm: bytes
    sample_rate: int
    words: Sequence[WordTiming] = field(default_factory=tuple)


@runtime_checkable
class Synthesizer(Protocol):
    """Text to speech, streaming in both directions."""

    def synthesize(
        self, text: AsyncIterator[str], *, voice: str, speed: float, cancel: CancelSignal
    ) -> AsyncIterator[SpeechChunk]:
        """Speak ``text`` as it arrives; word timings run from the utterance start."""
        ...


@dataclass(frozen=True, slots=True)
class TranscriptionRequest:
    """One committed audio segment to transcribe."""

    pcm: bytes
    sample_rate: int
    model: str | None = None
    language: str | None = None
    prompt: str | None = None
    cancel: CancelSignal = field(default_factory=CancelSignal)


@dataclass(frozen=True, slots=True)
class TranscriptDelta:
    """More of the transcript."""

    text: str


@dataclass(frozen=True, slots=True)
class TranscriptResult:
    """The final transcript, with the audio duration it covers."""

    text: str
    audio_seconds: float


@runtime_checkable
class Transcriber(Protocol):
    """Speech to text. Raising :class:`EngineError` reports a failed transcription."""

    def transcribe(
        self, request: TranscriptionRequest
    ) -> AsyncIterator[TranscriptDelta | TranscriptResult]:
        """Yield deltas, then exactly one :class:`TranscriptResult`."""
        ...


class VadStream(Protocol):
    """Per-session voice activity state: audio in, speech probabilities out."""

    frame_ms: int
    """The duration each probability covers."""

    def feed(self, pcm: bytes) -> list[float]:
        """Consume PCM16 audio; return one probability per completed frame."""
        ...


@runtime_checkable
class VoiceActivityDetector(Protocol):
    """Creates voice activity streams; one detector may serve many sessions."""

    def stream(self, sample_rate: int) -> VadStream:
        """A fresh stream for audio at ``sample_rate``."""
        ...


@dataclass(frozen=True, slots=True)
class EngineSet:
    """The engines behind one model name."""

    responder: Responder
    synthesizer: Synthesizer
    transcriber: Transcriber
    vad: VoiceActivityDetector
    name: str = "engines"
