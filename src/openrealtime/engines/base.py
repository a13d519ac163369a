"""The interfaces every engine implements, and the plain values that cross them.

An engine set serves one model name: a :class:`Responder` (the "LLM", or a whole
speech-to-speech model), a :class:`Synthesizer` (text to speech), a
:class:`Transcriber` (speech to text), a :class:`VoiceActivityDetector` and, for
``semantic_vad``, an optional :class:`TurnScorer`. Engines know nothing of the wire:
they take plain Python values and yield plain Python values; the session core turns
those into Realtime events.

Every engine has a :class:`Lifecycle`: ``start()`` loads and warms it up (heavy work
off the event loop), ``aclose()`` frees what it holds. Engines that load nothing
derive from :class:`EngineBase`. Work for one response or transcription gets a
:class:`CancelSignal`, which the server sets before it cancels the task, so work
running in a thread stops too.

Audio crosses these interfaces as PCM16 little-endian mono ``bytes`` with an
explicit sample rate. Conversions (G.711, resampling) happen outside engines: the
server gives a VAD and a transcriber audio at a rate their :class:`Capabilities` list.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

__all__ = [
    "AudioDelta",
    "CancelSignal",
    "Capabilities",
    "ContextItem",
    "EngineBase",
    "EngineError",
    "EngineSet",
    "EngineState",
    "EngineStatus",
    "Finish",
    "FunctionChoice",
    "Lifecycle",
    "Responder",
    "ResponderOutput",
    "ResponseRequest",
    "Role",
    "SpeechChunk",
    "Synthesizer",
    "TextDelta",
    "TokenLogprob",
    "ToolCallArgumentsDelta",
    "ToolCallStart",
    "ToolChoice",
    "ToolSpec",
    "Transcriber",
    "TranscriptDelta",
    "TranscriptResult",
    "TranscriptionRequest",
    "TruncationPolicy",
    "TurnScorer",
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


# -- lifecycle ---------------------------------------------------------------------------


@runtime_checkable
class Lifecycle(Protocol):
    """Loading and freeing: every engine object has both."""

    async def start(self) -> None:
        """Load and warm up, with heavy work off the event loop; idempotent."""
        ...

    async def aclose(self) -> None:
        """Free what the engine holds; idempotent. ``start`` is not called again after it."""
        ...


EngineStatus = Literal["idle", "starting", "ready", "failed", "closed"]
"""Where an engine is in its life: not started, loading, serving, failed to load, closed."""


@dataclass(frozen=True, slots=True)
class EngineState:
    """An engine's status, with the one-line reason when it ``failed``."""

    status: EngineStatus
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What an engine can do; ``None`` means anything is accepted.

    ``voices`` (synthesizers): voice names. ``languages`` (transcribers): ISO-639-1
    codes. ``sample_rates`` (VADs and transcribers): the input rates they take; the
    server resamples other audio to one of them. ``default_instructions``
    (responders): the instructions a session starts with instead of OpenAI's default,
    for a model that answers those poorly (``None``: OpenAI's default); the session
    reports them as its own, and a client's instructions replace them as usual.
    """

    voices: tuple[str, ...] | None = None
    languages: tuple[str, ...] | None = None
    sample_rates: tuple[int, ...] | None = None
    default_instructions: str | None = None


class EngineBase:
    """A base for engines with nothing to load: no-op ``start`` and ``aclose``, any input."""

    capabilities: Capabilities = Capabilities()

    async def start(self) -> None:
        """Nothing to load."""

    async def aclose(self) -> None:
        """Nothing to free."""


class CancelSignal:
    """Set once, from any thread: the work it was given to should stop.

    Engines running work in a thread poll :attr:`cancelled` between tokens or frames;
    async code may ``await signal.wait()``. The server sets it on ``response.cancel``,
    barge-in, disconnect, a token-limit cut and session close, before it cancels the
    task, so a generation stops within one token even if it never sees the task's
    cancellation.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    def cancel(self) -> None:
        """Set the signal (again is a no-op) and wake every waiter."""
        with self._lock:
            if self._event.is_set():
                return
            self._event.set()
            waiters, self._waiters = self._waiters, []
        for loop, future in waiters:
            with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits
                loop.call_soon_threadsafe(_resolve, future)

    @property
    def cancelled(self) -> bool:
        """Whether the signal is set."""
        return self._event.is_set()

    async def wait(self) -> None:
        """Return once the signal is set."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            if self._event.is_set():
                return
            entry = (loop, future)
            self._waiters.append(entry)
        try:
            await future
        finally:
            with self._lock, contextlib.suppress(ValueError):
                self._waiters.remove(entry)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


# -- responses ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContextItem:
    """One conversation item as an engine sees it.

    ``kind`` is ``message``, ``function_call`` or ``function_call_output``.
    For messages, ``text`` joins the text parts and audio transcripts; ``audio``
    holds user audio (PCM16 at ``sample_rate``) when the item carries some. ``id``
    is the conversation item's id (``None`` for a response's own ``input`` items
    that have none), so an engine can reuse a KV or prefix cache across turns.
    """

    kind: Literal["message", "function_call", "function_call_output"]
    role: Literal["system", "user", "assistant"] | None = None
    text: str = ""
    audio: bytes | None = None
    sample_rate: int | None = None
    name: str | None = None
    call_id: str | None = None
    arguments: str | None = None
    output: str | None = None
    id: str | None = None


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A function the model may call; ``parameters`` is its JSON schema."""

    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class FunctionChoice:
    """``tool_choice`` naming one function: the model must call it."""

    name: str


ToolChoice = Literal["auto", "none", "required"] | FunctionChoice
"""A mode, or one function by name (so a function called ``none`` is not ambiguous)."""


@dataclass(frozen=True, slots=True)
class TruncationPolicy:
    """How to cut a conversation longer than the engine's context window (GA ``truncation``).

    ``auto`` drops the oldest turns as needed; ``disabled`` never cuts (the response
    fails when the context does not fit); ``retention_ratio`` keeps that fraction of
    the context window's tokens of the most recent conversation once a cut is needed.
    """

    kind: Literal["auto", "disabled", "retention_ratio"] = "auto"
    retention_ratio: float | None = None


@dataclass(frozen=True, slots=True)
class ResponseRequest:
    """Everything a responder needs for one response.

    ``session_id`` and ``response_id`` name where the request comes from (``None``
    outside a session), so an engine can keep per-session caches. ``cancel`` is set
    when the response ends early; a responder that generates in a thread polls it.
    """

    instructions: str
    context: Sequence[ContextItem]
    tools: Sequence[ToolSpec] = ()
    tool_choice: ToolChoice = "auto"
    output_modalities: Sequence[Literal["text", "audio"]] = ("audio",)
    voice: str = "alloy"
    temperature: float | None = None
    max_output_tokens: int | None = None
    metadata: dict[str, str] | None = None
    truncation: TruncationPolicy = TruncationPolicy()
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
    """The text tokens the model read and wrote, as the model counted them.

    When a responder reports usage, the response's ``usage`` takes its text counts
    (and ``cached_tokens``) instead of the server's estimate; audio tokens are still
    counted from the audio itself by the token rule (:mod:`openrealtime.engines.tokens`).
    """

    input_tokens: int
    output_tokens: int
    cached_tokens: int = 0


@dataclass(frozen=True, slots=True)
class Finish:
    """Why generation ended; the last output.

    ``length`` ends the response ``incomplete`` for ``max_output_tokens``, and
    ``content_filter`` ``incomplete`` for ``content_filter``, as OpenAI's do.
    """

    reason: Literal["stop", "length", "tool_calls", "content_filter"]


ResponderOutput = TextDelta | ToolCallStart | ToolCallArgumentsDelta | AudioDelta | Usage | Finish


@runtime_checkable
class Responder(Lifecycle, Protocol):
    """Generates one response. Raising :class:`EngineError` fails the response."""

    capabilities: Capabilities

    def respond(self, request: ResponseRequest) -> AsyncIterator[ResponderOutput]:
        """Yield the response's parts in order; return when it is complete."""
        ...


# -- speech ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WordTiming:
    """When a word is spoken, in ms from the start of the utterance."""

    word: str
    start_ms: float
    end_ms: float


@dataclass(frozen=True, slots=True)
class SpeechChunk:
    """A piece of synthesized speech and the words whose audio it carries.

    ``words`` may be empty for every chunk of a synthesizer that knows no timings;
    the server then estimates them from the text it asked to be spoken.
    """

    pcm: bytes
    sample_rate: int
    words: Sequence[WordTiming] = field(default_factory=tuple)


@runtime_checkable
class Synthesizer(Lifecycle, Protocol):
    """Text to speech, streaming in both directions; ``capabilities.voices`` lists its voices."""

    capabilities: Capabilities

    def synthesize(
        self, text: AsyncIterator[str], *, voice: str, speed: float, cancel: CancelSignal
    ) -> AsyncIterator[SpeechChunk]:
        """Speak ``text`` as it arrives; word timings run from the utterance start."""
        ...


# -- transcription -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TranscriptionRequest:
    """One committed audio segment to transcribe, at a rate the transcriber takes.

    ``logprobs`` says the client asked for them (``include``); an engine may skip the
    work they cost (Whisper's word alignment) when it is false.
    """

    pcm: bytes
    sample_rate: int
    model: str | None = None
    language: str | None = None
    prompt: str | None = None
    logprobs: bool = False
    cancel: CancelSignal = field(default_factory=CancelSignal)


@dataclass(frozen=True, slots=True)
class TokenLogprob:
    """The log probability of one piece of a transcript, as the engine splits it."""

    token: str
    logprob: float
    bytes: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class TranscriptDelta:
    """More of the transcript, with its pieces' log probabilities when asked for."""

    text: str
    logprobs: tuple[TokenLogprob, ...] = ()


@dataclass(frozen=True, slots=True)
class TranscriptResult:
    """The final transcript, with the audio duration it covers and, when asked, logprobs."""

    text: str
    audio_seconds: float
    logprobs: tuple[TokenLogprob, ...] = ()


@runtime_checkable
class Transcriber(Lifecycle, Protocol):
    """Speech to text. Raising :class:`EngineError` reports a failed transcription."""

    capabilities: Capabilities

    def transcribe(
        self, request: TranscriptionRequest
    ) -> AsyncIterator[TranscriptDelta | TranscriptResult]:
        """Yield deltas, then exactly one :class:`TranscriptResult`."""
        ...


# -- turns -------------------------------------------------------------------------------


class VadStream(Protocol):
    """Per-session voice activity state: audio in, speech probabilities out."""

    frame_ms: int
    """The duration each probability covers."""

    async def feed(self, pcm: bytes) -> list[float]:
        """Consume PCM16 audio; return one probability per completed frame.

        Awaitable, so a model can run off the event loop; a cheap detector answers at once.
        """
        ...

    def reset(self) -> None:
        """Drop recurrent state and pending samples: the next audio starts afresh."""
        ...


@runtime_checkable
class VoiceActivityDetector(Lifecycle, Protocol):
    """Creates voice activity streams; one detector may serve many sessions."""

    capabilities: Capabilities

    def stream(self, sample_rate: int) -> VadStream:
        """A fresh stream for audio at ``sample_rate`` (one of ``capabilities.sample_rates``)."""
        ...


@runtime_checkable
class TurnScorer(Lifecycle, Protocol):
    """Judges from the words whether the user has finished their turn (``semantic_vad``)."""

    capabilities: Capabilities

    async def end_of_turn(self, transcript: str) -> float:
        """The probability, 0 to 1, that the user finished speaking with ``transcript``."""
        ...


Role = Literal["responder", "synthesizer", "transcriber", "vad", "turn_scorer"]
"""The parts of an engine set, by the names the model registry uses."""


@dataclass(frozen=True, slots=True)
class EngineSet:
    """The engines behind one model name."""

    responder: Responder
    synthesizer: Synthesizer
    transcriber: Transcriber
    vad: VoiceActivityDetector
    name: str = "engines"
    turn_scorer: TurnScorer | None = None

    def members(self) -> dict[Role, Lifecycle]:
        """Each role's engine (the turn scorer only when there is one)."""
        members: dict[Role, Lifecycle] = {
            "responder": self.responder,
            "synthesizer": self.synthesizer,
            "transcriber": self.transcriber,
            "vad": self.vad,
        }
        if self.turn_scorer is not None:
            members["turn_scorer"] = self.turn_scorer
        return members

    @property
    def default_instructions(self) -> str | None:
        """The instructions its responder suggests for a new session, if any."""
        return self.responder.capabilities.default_instructions
