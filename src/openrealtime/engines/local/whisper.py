"""Speech to text with faster-whisper (CTranslate2), Whisper tiny.en by default.

Requested transcription model names map to Whisper models by glob pattern (the
``whisper_models`` option, first match wins); the default sends ``whisper-1``,
``gpt-4o-transcribe``, ``gpt-4o-mini-transcribe``, their dated names and anything else
to the bundled tiny.en. Deltas follow what each name does at OpenAI: ``whisper-1``
(and any name in ``single_delta``) sends the whole transcript as one delta; the
others one delta per segment, as faster-whisper decodes them.

Log probabilities (``include: ["item.input_audio_transcription.logprobs"]``) come one
per word: faster-whisper's word probability is the mean of the probabilities of the
word's tokens, and the logprob is its natural log. Asking for them turns on word
timestamps, which costs a cross-attention alignment pass per segment.

Decoding runs in one worker thread per transcriber, so requests queue in order and
the event loop never waits. The request's cancel signal is polled between segments.

**The encoder's window.** faster-whisper pads every segment's features to Whisper's
30 s window, and the encoder's cost grows faster than the window. CTranslate2 encodes
any length, so the model drops the padding past ``window`` seconds (20 by default),
keeping at least 1 s after the audio. ``benchmarks/semantic_vad.py --whisper-window``
measures it on Piper speech (92 sentences, and 46 halves cut at a pause); on this
2-core machine, shared with another engineer's work, a transcription took a median
433 ms with 30 s, 197 ms with 20 s and 81 ms with 10 s. With 20 s the word error rate
stayed 4.0 % and 45 of 46 complete sentences still ended with a final mark (46 with
30 s); with 10 s the error rate was 4.6 % and 4 complete sentences lost their mark,
which ``semantic_vad`` reads as unfinished. ``window=30`` keeps faster-whisper's own
behaviour.
"""

from __future__ import annotations

import asyncio
import fnmatch
import logging
import math
from collections.abc import AsyncIterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np

from openrealtime.audio import resample

from ..base import (
    Capabilities,
    EngineError,
    TokenLogprob,
    TranscriptDelta,
    TranscriptionRequest,
    TranscriptResult,
)
from .assets import whisper_tiny_en_path
from .threads import DEFAULT_WHISPER_THREADS

__all__ = [
    "BUNDLED",
    "DEFAULT_MODEL_MAP",
    "DEFAULT_SINGLE_DELTA",
    "DEFAULT_WINDOW",
    "WhisperTranscriber",
    "trim_padding",
]

BUNDLED: Final = "tiny.en"
"""The model name that means the bundled Whisper tiny.en; any other value is a path."""

DEFAULT_MODEL_MAP: Final[Mapping[str, str]] = {
    "whisper-1": BUNDLED,
    "gpt-4o-transcribe*": BUNDLED,
    "gpt-4o-mini-transcribe*": BUNDLED,
    "*": BUNDLED,
}
"""Requested name pattern → Whisper model (``tiny.en`` or a CTranslate2 model directory)."""

DEFAULT_SINGLE_DELTA: Final = ("whisper-1",)
"""Name patterns that send the whole transcript as one delta."""

MODEL_RATE: Final = 16000
INPUT_RATES: Final = (8000, 16000, 24000)
DEFAULT_WINDOW: Final = 20.0
"""Seconds of features the encoder sees at least (Whisper's own window is 30)."""
_FRAMES_PER_SECOND: Final = 100
_FULL_WINDOW: Final = 30.0
_MARGIN_FRAMES: Final = 100


@dataclass(frozen=True, slots=True)
class _Segment:
    text: str
    logprobs: tuple[TokenLogprob, ...]


class WhisperTranscriber:
    """faster-whisper with a model per requested name; English-only unless every model is
    multilingual (``capabilities.languages`` then lists nothing and any language goes).
    """

    def __init__(
        self,
        *,
        models: Mapping[str, str] | None = None,
        single_delta: Sequence[str] = DEFAULT_SINGLE_DELTA,
        threads: int = DEFAULT_WHISPER_THREADS,
        beam_size: int = 1,
        compute_type: str = "int8",
        window: float = DEFAULT_WINDOW,
    ) -> None:
        if threads < 1 or beam_size < 1:
            raise ValueError("threads and beam_size must be at least 1")
        if not 1.0 <= window <= _FULL_WINDOW:
            raise ValueError(f"window must be 1 to 30 seconds, got {window}")
        self.window = window
        self.models = dict(models or DEFAULT_MODEL_MAP)
        if not self.models:
            raise ValueError("whisper_models must map at least one name")
        self.single_delta = tuple(single_delta)
        self.threads = threads
        self.beam_size = beam_size
        self.compute_type = compute_type
        self.capabilities = Capabilities(languages=("en",), sample_rates=INPUT_RATES)
        self._loaded: dict[str, Any] = {}
        self._executor: ThreadPoolExecutor | None = None

    async def start(self) -> None:
        """Load every mapped model and transcribe a second of silence, in the worker thread."""
        if self._executor is not None:
            return
        executor = ThreadPoolExecutor(1, thread_name_prefix="whisper")
        try:
            await asyncio.get_running_loop().run_in_executor(executor, self._load)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        self._executor = executor

    def _load(self) -> None:
        from faster_whisper import WhisperModel  # type: ignore[import-untyped]

        if self.window < _FULL_WINDOW:
            WhisperModel = _windowed(WhisperModel, round(self.window * _FRAMES_PER_SECOND))

        # It logs every transcription at INFO; the server's own logs say enough.
        logging.getLogger("faster_whisper").setLevel(logging.WARNING)
        for target in dict.fromkeys(self.models.values()):
            path = whisper_tiny_en_path() if target == BUNDLED else Path(target)
            if not path.is_dir():
                raise EngineError(f"Whisper model {target!r}: no such directory {path}")
            model = WhisperModel(
                str(path),
                device="cpu",
                compute_type=self.compute_type,
                cpu_threads=self.threads,
                num_workers=1,
            )
            segments, _ = model.transcribe(
                np.zeros(MODEL_RATE, np.float32), beam_size=1, without_timestamps=True
            )
            list(segments)
            self._loaded[target] = model
        if all(model.model.is_multilingual for model in self._loaded.values()):
            self.capabilities = Capabilities(sample_rates=INPUT_RATES)

    async def aclose(self) -> None:
        """Stop the worker thread and drop the models."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
        self._loaded.clear()

    def model_for(self, name: str | None) -> str:
        """The Whisper model a requested transcription model name maps to."""
        requested = name or ""
        for pattern, target in self.models.items():
            if fnmatch.fnmatchcase(requested, pattern):
                return target
        return next(iter(self.models.values()))

    def single_delta_for(self, name: str | None) -> bool:
        """Whether ``name`` gets the whole transcript as one delta."""
        return any(fnmatch.fnmatchcase(name or "", pattern) for pattern in self.single_delta)

    async def transcribe(
        self, request: TranscriptionRequest
    ) -> AsyncIterator[TranscriptDelta | TranscriptResult]:
        """Yield deltas (one, or one per segment), then the result."""
        if self._executor is None:
            raise EngineError("the Whisper transcriber is not started")
        if request.sample_rate not in INPUT_RATES:
            raise EngineError(
                f"Whisper takes audio at {INPUT_RATES} Hz, got {request.sample_rate}",
                code="invalid_audio",
            )
        model = self._loaded[self.model_for(request.model)]
        pcm = request.pcm[: len(request.pcm) // 2 * 2]
        audio = np.frombuffer(resample(pcm, request.sample_rate, MODEL_RATE), np.int16)
        seconds = len(pcm) / 2 / request.sample_rate
        loop = asyncio.get_running_loop()
        single = self.single_delta_for(request.model)
        segments = await loop.run_in_executor(
            self._executor, self._begin, model, audio.astype(np.float32) / 32768.0, request, single
        )
        text = ""
        logprobs: list[TokenLogprob] = []
        while not request.cancel.cancelled:
            segment = await loop.run_in_executor(self._executor, _next_segment, segments)
            if segment is None:
                break
            # Whisper starts each segment with a space; the transcript does not.
            piece = segment.text if text else segment.text.lstrip()
            text += piece
            logprobs.extend(segment.logprobs)
            if not single and piece:
                yield TranscriptDelta(piece, logprobs=segment.logprobs)
        if request.cancel.cancelled:
            return
        text = text.rstrip()
        if single and text:
            yield TranscriptDelta(text, logprobs=tuple(logprobs))
        yield TranscriptResult(text, seconds, logprobs=tuple(logprobs))

    def _begin(self, model: Any, audio: Any, request: TranscriptionRequest, single: bool) -> Any:
        # Segments come from Whisper's timestamp tokens: skipped when one delta is sent
        # anyway and no word timings (logprobs) are wanted.
        # An English-only model has no language token to set; the server refused others.
        language = request.language if model.model.is_multilingual else "en"
        segments, _ = model.transcribe(
            audio,
            language=language,
            initial_prompt=request.prompt or None,
            beam_size=self.beam_size,
            condition_on_previous_text=False,
            word_timestamps=request.logprobs,
            without_timestamps=single and not request.logprobs,
            vad_filter=False,
        )
        return iter(segments)


def trim_padding(features: Any, minimum: int) -> Any:
    """``features`` (mel bins by frames, last axis frames) without the zero frames that
    pad them, keeping at least ``minimum`` frames and 1 s after the last nonzero one."""
    frames = features.shape[-1]
    if frames <= minimum:
        return features
    bins = tuple(range(features.ndim - 1))
    heard = np.flatnonzero(np.any(features != 0, axis=bins))
    end = int(heard[-1]) + 1 if len(heard) else 0
    keep = max(minimum, end + _MARGIN_FRAMES)
    keep += keep % 2  # the encoder's second convolution has a stride of 2
    return features[..., :keep] if keep < frames else features


def _windowed(base: Any, minimum: int) -> Any:
    """``base`` (faster-whisper's model class) encoding at most the padding ``minimum`` needs."""

    class WindowedWhisperModel(base):  # type: ignore[misc]
        def encode(self, features: Any) -> Any:
            return super().encode(trim_padding(features, minimum))

    return WindowedWhisperModel


def _next_segment(segments: Any) -> _Segment | None:
    """Decode the next segment (in the worker thread); ``None`` at the end."""
    segment = next(segments, None)
    if segment is None:
        return None
    words = segment.words or ()
    return _Segment(
        text=segment.text,
        logprobs=tuple(
            TokenLogprob(
                token=word.word,
                logprob=math.log(max(float(word.probability), 1e-12)),
                bytes=tuple(word.word.encode("utf-8")),
            )
            for word in words
        ),
    )
