"""Silero v6 voice activity detection with onnxruntime, off the event loop.

The model is the ONNX file faster-whisper ships (``faster_whisper/assets/silero_vad_v6.onnx``):
16 kHz audio in 512-sample frames (32 ms) with 64 samples of the previous frame as
context, and an LSTM state ``h``, ``c`` of shape ``[1, 1, 128]``. The model has no
batch axis, so sessions cannot share one inference; its first axis is time, so one
run scores every frame one session has ready.

Every stream's audio goes through one :class:`_Batcher` per detector: a ``feed`` queues
its audio and waits; once per event-loop tick the batcher hands everything queued to
one worker thread in one hop, which resamples each stream's audio (24 kHz and 8 kHz
through streaming soxr resamplers, see :func:`_resampler`), runs the model once per
stream with frames ready, each with its own state, and answers every waiting ``feed``.
One hop at a time is in flight; audio that arrives meanwhile goes in the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from ..base import Capabilities, EngineError
from .assets import silero_vad_path
from .threads import onnx_session_options

__all__ = ["FRAME_MS", "SileroVad", "SileroVadStream"]

MODEL_RATE: Final = 16000
FRAME_SAMPLES: Final = 512
CONTEXT_SAMPLES: Final = 64
FRAME_MS: Final = FRAME_SAMPLES * 1000 // MODEL_RATE
"""Each probability covers 32 ms."""
INPUT_RATES: Final = (8000, 16000, 24000)

Float32Array = npt.NDArray[np.float32]


class SileroVadStream:
    """One session's detector: its own resampler, pending samples and LSTM state."""

    frame_ms = FRAME_MS

    def __init__(self, detector: SileroVad, sample_rate: int) -> None:
        if sample_rate not in INPUT_RATES:
            raise ValueError(f"Silero VAD takes {INPUT_RATES} Hz audio, got {sample_rate}")
        self.sample_rate = sample_rate
        self._detector = detector
        self._resampler = _resampler(sample_rate)
        self._odd_byte = b""
        self._pending: Float32Array = np.zeros(0, np.float32)
        self._context: Float32Array = np.zeros(CONTEXT_SAMPLES, np.float32)
        self._h: Float32Array = np.zeros((1, 1, 128), np.float32)
        self._c: Float32Array = np.zeros((1, 1, 128), np.float32)

    async def feed(self, pcm: bytes) -> list[float]:
        """Consume PCM16 audio; return one speech probability per completed 32 ms frame."""
        return await self._detector.batcher.submit(self, pcm)

    def reset(self) -> None:
        """Start afresh: the reset happens in order with the audio fed before it."""
        self._detector.batcher.submit_reset(self)

    # -- worker-thread side -------------------------------------------------------------

    def _score(self, pcm: bytes, run: Callable[..., Any]) -> list[float]:
        data = self._odd_byte + pcm
        whole = len(data) - len(data) % 2
        self._odd_byte = data[whole:]
        samples = np.frombuffer(data[:whole], "<i2").astype(np.float32) / 32768.0
        if self._resampler is not None:
            samples = self._resampler.resample_chunk(samples)
        ready = np.concatenate([self._pending, samples]) if self._pending.size else samples
        count = ready.size // FRAME_SAMPLES
        self._pending = ready[count * FRAME_SAMPLES :]
        if count == 0:
            return []
        frames = ready[: count * FRAME_SAMPLES].reshape(count, FRAME_SAMPLES)
        contexts = np.empty((count, CONTEXT_SAMPLES), np.float32)
        contexts[0] = self._context
        contexts[1:] = frames[:-1, -CONTEXT_SAMPLES:]
        self._context = frames[-1, -CONTEXT_SAMPLES:].copy()
        batch = np.concatenate([contexts, frames], axis=1)
        probs, self._h, self._c = run(None, {"input": batch, "h": self._h, "c": self._c})
        return [float(p) for p in np.asarray(probs).reshape(-1)]

    def _reset_now(self) -> None:
        self._resampler = _resampler(self.sample_rate)
        self._odd_byte = b""
        self._pending = np.zeros(0, np.float32)
        self._context = np.zeros(CONTEXT_SAMPLES, np.float32)
        self._h = np.zeros((1, 1, 128), np.float32)
        self._c = np.zeros((1, 1, 128), np.float32)


def _resampler(sample_rate: int) -> Any:
    """A streaming soxr resampler to 16 kHz (``None`` at 16 kHz).

    Quick quality (cubic): the filters of the better presets hold audio back and let it
    out in bursts (HQ: 21 ms at 24 kHz, 66 ms at 8 kHz, in 40-100 ms bursts), which a VAD
    would add to its lag; speech detection does not need their stop band. It works in
    float32, because soxr dithers int16 output, which would make the scores of digital
    silence vary from run to run.
    """
    if sample_rate == MODEL_RATE:
        return None
    import soxr  # type: ignore[import-untyped]

    return soxr.ResampleStream(sample_rate, MODEL_RATE, 1, dtype="float32", quality="QQ")


@dataclass(slots=True)
class _Job:
    stream: SileroVadStream
    pcm: bytes | None
    """``None`` asks for a reset."""
    future: asyncio.Future[list[float]] | None


class _Batcher:
    """Collects every stream's audio for one tick and scores it in one worker hop."""

    def __init__(self, run: Callable[..., Any], executor: ThreadPoolExecutor) -> None:
        self._run = run
        self._executor = executor
        self._queued: list[_Job] = []
        self._scheduled = False
        self._in_flight = False
        self.hops = 0
        """Worker hops made so far."""

    def submit(self, stream: SileroVadStream, pcm: bytes) -> asyncio.Future[list[float]]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[float]] = loop.create_future()
        self._queued.append(_Job(stream, pcm, future))
        self._schedule(loop)
        return future

    def submit_reset(self, stream: SileroVadStream) -> None:
        self._queued.append(_Job(stream, None, None))
        with contextlib.suppress(RuntimeError):  # no loop: the next feed schedules it
            self._schedule(asyncio.get_running_loop())

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        if not self._scheduled and not self._in_flight:
            self._scheduled = True
            loop.call_soon(self._dispatch, loop)

    def _dispatch(self, loop: asyncio.AbstractEventLoop) -> None:
        self._scheduled = False
        if self._in_flight or not self._queued:
            return
        jobs, self._queued = self._queued, []
        self._in_flight = True
        self.hops += 1
        try:
            hop = loop.run_in_executor(self._executor, self._work, jobs)
        except RuntimeError as exc:  # the detector was closed
            hop = loop.create_future()
            hop.set_exception(exc)
        hop.add_done_callback(lambda done: self._finish(loop, jobs, done))

    def _work(self, jobs: list[_Job]) -> list[list[float] | BaseException]:
        results: list[list[float] | BaseException] = []
        for job in jobs:
            if job.pcm is None:
                job.stream._reset_now()
                results.append([])
                continue
            try:
                results.append(job.stream._score(job.pcm, self._run))
            except Exception as exc:
                results.append(exc)
        return results

    def _finish(
        self,
        loop: asyncio.AbstractEventLoop,
        jobs: list[_Job],
        done: asyncio.Future[list[list[float] | BaseException]],
    ) -> None:
        self._in_flight = False
        failure = None if done.cancelled() else done.exception()
        results = done.result() if failure is None and not done.cancelled() else None
        for index, job in enumerate(jobs):
            if job.future is None or job.future.done():
                continue
            result = results[index] if results is not None else None
            if isinstance(result, list):
                job.future.set_result(result)
            else:
                cause = result or failure or RuntimeError("the VAD worker stopped")
                job.future.set_exception(EngineError(f"voice activity detection failed: {cause}"))
        if self._queued:
            self._schedule(loop)


class SileroVad:
    """Silero v6 through onnxruntime; one detector (and one worker thread) for every session.

    ``threads`` is onnxruntime's intra-op thread count (1 by default: a frame costs
    about 70 µs, and the worker thread runs one stream at a time anyway).
    """

    capabilities = Capabilities(sample_rates=INPUT_RATES)

    def __init__(self, *, model_path: str | Path | None = None, threads: int = 1) -> None:
        if threads < 1:
            raise ValueError(f"threads must be at least 1, got {threads}")
        self.model_path = Path(model_path) if model_path is not None else None
        self.threads = threads
        self._executor: ThreadPoolExecutor | None = None
        self._batcher: _Batcher | None = None

    @property
    def hops(self) -> int:
        """Worker hops made so far, each serving every stream with audio queued."""
        return self._batcher.hops if self._batcher is not None else 0

    @property
    def batcher(self) -> _Batcher:
        if self._batcher is None:
            raise EngineError("the Silero VAD is not started")
        return self._batcher

    async def start(self) -> None:
        """Load the model and score one frame of silence, in the worker thread."""
        if self._batcher is not None:
            return
        executor = ThreadPoolExecutor(1, thread_name_prefix="silero-vad")
        try:
            run = await asyncio.get_running_loop().run_in_executor(executor, self._load)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        self._executor = executor
        self._batcher = _Batcher(run, executor)

    def _load(self) -> Callable[..., Any]:
        import onnxruntime  # type: ignore[import-untyped]

        path = self.model_path or silero_vad_path()
        session = onnxruntime.InferenceSession(
            str(path),
            sess_options=onnx_session_options(onnxruntime, self.threads),
            providers=["CPUExecutionProvider"],
        )
        run: Callable[..., Any] = session.run
        run(
            None,
            {
                "input": np.zeros((1, CONTEXT_SAMPLES + FRAME_SAMPLES), np.float32),
                "h": np.zeros((1, 1, 128), np.float32),
                "c": np.zeros((1, 1, 128), np.float32),
            },
        )
        return run

    async def aclose(self) -> None:
        """Stop the worker thread."""
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    def stream(self, sample_rate: int) -> SileroVadStream:
        """A fresh stream for 8, 16 or 24 kHz audio."""
        return SileroVadStream(self, sample_rate)
