"""Text to speech with Piper (onnxruntime), the en_US joe voice by default.

Text streams in from the language model; each clause
(:class:`~openrealtime.engines.clauses.ClauseSplitter`) is spoken as soon as it is
complete, so the first audio leaves while the model is still writing. The first piece
is kept short so speech starts early: a pause mark ends it after 8 characters, and
without one it ends at the last space within ``first_piece_chars`` characters (30,
about two seconds of speech: Piper takes the piece whole, so its length is waited for
twice, while the model writes it and while Piper speaks it; two seconds also cover
writing and speaking the next piece, so the audio does not stall). Later pieces end at
a pause mark after ``clause_chars`` characters.
Piper's 22,050 Hz output is resampled to 24 kHz. Each clause's audio comes out one
chunk per word, each chunk carrying the word whose end it reaches, with timings from
:mod:`.word_timing`.

OpenAI's voice names map onto installed Piper voices (the ``voices`` option: name →
voice id; ``voice_files``: voice id → ``.onnx`` file, its config next to it as
``.onnx.json``). By default all ten names speak with joe. ``speed`` divides Piper's
length scale. ``alignments`` patches each voice in memory with Piper's alignment
output (it needs the ``onnx`` package), which makes word timings exact instead of
estimated. Synthesis runs in one worker thread per synthesizer, clause by clause, each
session's first clauses before anyone's later ones (:class:`.threads.PriorityWorker`);
the cancel signal is checked before every clause.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np

from ..base import CancelSignal, Capabilities, EngineError, SpeechChunk, WordTiming
from ..clauses import ClauseSplitter
from .assets import joe_voice_paths
from .threads import DEFAULT_PIPER_THREADS, PriorityWorker, onnx_session_options
from .word_timing import PhonemeChunk, word_spans

__all__ = ["BUNDLED_VOICE", "OPENAI_VOICES", "OUTPUT_RATE", "PiperSynthesizer"]

OUTPUT_RATE: Final = 24000
BUNDLED_VOICE: Final = "joe"
OPENAI_VOICES: Final = (
    "alloy",
    "ash",
    "ballad",
    "coral",
    "echo",
    "sage",
    "shimmer",
    "verse",
    "marin",
    "cedar",
)


@dataclass(frozen=True, slots=True)
class _Word:
    pcm: bytes
    word: str
    start_ms: float
    end_ms: float


class PiperSynthesizer:
    """Piper voices behind OpenAI voice names; ``capabilities.voices`` lists the names."""

    def __init__(
        self,
        *,
        voices: Mapping[str, str] | None = None,
        voice_files: Mapping[str, str] | None = None,
        threads: int = DEFAULT_PIPER_THREADS,
        clause_chars: int = 15,
        first_piece_chars: int = 30,
        alignments: bool = False,
    ) -> None:
        if threads < 1:
            raise ValueError(f"threads must be at least 1, got {threads}")
        if first_piece_chars < 8:
            raise ValueError(f"first_piece_chars must be at least 8, got {first_piece_chars}")
        self.voice_files = dict(voice_files or {})
        self.voices = dict(voices or dict.fromkeys(OPENAI_VOICES, BUNDLED_VOICE))
        installed = {BUNDLED_VOICE, *self.voice_files}
        unknown = sorted(set(self.voices.values()) - installed)
        if unknown:
            raise ValueError(f"voices map onto unknown Piper voices: {', '.join(unknown)}")
        self.threads = threads
        self.clause_chars = clause_chars
        self.first_piece_chars = first_piece_chars
        self.alignments = alignments
        names = dict.fromkeys([*self.voices, *sorted(set(self.voices.values()))])
        self.capabilities = Capabilities(voices=tuple(names))
        self._loaded: dict[str, Any] = {}
        self._worker: PriorityWorker | None = None

    async def start(self) -> None:
        """Load every mapped voice and speak one word with each, in the worker thread."""
        if self._worker is not None:
            return
        worker = PriorityWorker("piper")
        try:
            await asyncio.wrap_future(worker.submit(0, self._load))
        except BaseException:
            worker.shutdown()
            raise
        self._worker = worker

    def _load(self) -> None:
        import onnxruntime  # type: ignore[import-untyped]
        from piper import PiperVoice
        from piper.config import PiperConfig

        for voice_id in dict.fromkeys(self.voices.values()):
            if voice_id == BUNDLED_VOICE and voice_id not in self.voice_files:
                model, config = joe_voice_paths()
            else:
                model = Path(self.voice_files[voice_id])
                config = Path(f"{model}.json")
            for path in (model, config):
                if not path.is_file():
                    raise EngineError(f"Piper voice {voice_id!r}: no such file {path}")
            voice = PiperVoice(
                session=onnxruntime.InferenceSession(
                    self._model_bytes(model) if self.alignments else str(model),
                    sess_options=onnx_session_options(onnxruntime, self.threads),
                    providers=["CPUExecutionProvider"],
                ),
                config=PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8"))),
            )
            list(voice.synthesize("Ready."))
            self._loaded[voice_id] = voice

    @staticmethod
    def _model_bytes(model: Path) -> bytes:
        """The voice with Piper's alignment output added (unless it has one already)."""
        try:
            import onnx
        except ImportError:
            raise EngineError("Piper alignments need the onnx package: pip install onnx") from None
        from piper.patch_voice_with_alignment import add_alignment_output

        graph = onnx.load(str(model))
        if len(graph.graph.output) == 1:
            try:
                add_alignment_output(graph)
            except ValueError as exc:
                raise EngineError(f"Piper voice {model}: no alignments: {exc}") from None
        data: bytes = graph.SerializeToString()
        return data

    async def aclose(self) -> None:
        """Stop the worker thread and drop the voices."""
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.shutdown()
        self._loaded.clear()

    async def synthesize(
        self, text: AsyncIterator[str], *, voice: str, speed: float, cancel: CancelSignal
    ) -> AsyncIterator[SpeechChunk]:
        """Speak ``text`` clause by clause as it arrives; one chunk per word."""
        worker = self._worker
        if worker is None:
            raise EngineError("the Piper synthesizer is not started")
        voice_id = self.voices.get(voice, voice)
        piper_voice = self._loaded.get(voice_id)
        if piper_voice is None:
            raise EngineError(f"unknown voice {voice!r}", code="invalid_value")
        if speed <= 0:
            raise ValueError(f"speed must be positive, got {speed}")
        splitter = ClauseSplitter(
            clause_chars=self.clause_chars,
            max_chars=max(self.clause_chars, 160),
            first_clause_chars=min(self.clause_chars, 8),
            first_max_chars=self.first_piece_chars,
        )
        elapsed_ms = 0.0
        spoken = 0
        ended = False
        while not ended:
            try:
                clauses = splitter.feed(await anext(text))
            except StopAsyncIteration:
                tail, ended = splitter.flush(), True
                clauses = [tail] if tail else []
            for clause in clauses:
                if cancel.cancelled:
                    return
                # First clauses first, across every session: early audio for each.
                job = worker.submit(spoken, _speak, piper_voice, clause, speed)
                spoken += 1
                words = await asyncio.wrap_future(job)
                clause_ms = elapsed_ms
                for word in words:
                    timing = WordTiming(
                        word.word, word.start_ms + clause_ms, word.end_ms + clause_ms
                    )
                    yield SpeechChunk(word.pcm, OUTPUT_RATE, (timing,))
                    elapsed_ms += len(word.pcm) / 2 / OUTPUT_RATE * 1000


def _speak(voice: Any, clause: str, speed: float) -> list[_Word]:
    """Synthesize one clause (worker thread): its 24 kHz audio cut after each word."""
    from piper.config import SynthesisConfig

    config = SynthesisConfig(length_scale=voice.config.length_scale / speed)
    chunks = [
        PhonemeChunk(
            audio=chunk.audio_float_array,
            sample_rate=chunk.sample_rate,
            phonemes=chunk.phonemes,
            alignments=(
                [(a.phoneme, int(a.num_samples)) for a in chunk.phoneme_alignments]
                if chunk.phoneme_alignments
                else None
            ),
        )
        for chunk in voice.synthesize(clause, syn_config=config, include_alignments=True)
    ]
    words = clause.split()
    if not chunks or not words:
        return []
    rate = chunks[0].sample_rate
    audio = np.concatenate([chunk.audio for chunk in chunks])
    if rate != OUTPUT_RATE:
        import soxr  # type: ignore[import-untyped]

        # In float32, converted once: soxr would dither int16 output.
        audio = soxr.resample(audio, rate, OUTPUT_RATE, "HQ")
    pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    total = len(pcm) // 2
    spans = word_spans(words, chunks, voice.phonemize)
    out: list[_Word] = []
    cut = 0
    for index, (word, span) in enumerate(zip(words, spans, strict=True)):
        end = total if index == len(words) - 1 else min(total, span.end * OUTPUT_RATE // rate)
        end = max(end, cut)
        start_ms = span.start / rate * 1000
        end_ms = max(span.end / rate * 1000, start_ms)
        out.append(_Word(pcm[cut * 2 : end * 2], word, start_ms, end_ms))
        cut = end
    return out
