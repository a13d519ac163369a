"""Thread counts, set explicitly so the engines' pools do not oversubscribe the cores.

The defaults suit a 2-core machine, where a turn runs in stages: the transcriber
(CTranslate2, 2 threads), then the language model (llama.cpp, 1 thread, reading the
prompt and writing the reply) while Piper (onnxruntime, 1 thread) speaks the first
clauses on the other core; the VAD (onnxruntime, 1 thread) is small and constant.
llama.cpp's threads wait for each other at every step, so a language model sharing
the cores with anything else collapses: measured here with other work running, 2
threads wrote 2 to 6 tokens/s where 1 wrote 50, and read a prompt at 60 tokens/s where
1 read 160. Every count is an option of the ``local`` engine kind
(``vad_threads``, ``whisper_threads``, ``llm_threads``, ``llm_batch_threads``,
``piper_threads``);
:func:`limit_math_threads` caps OpenBLAS and OpenMP pools, which numpy and CTranslate2
would otherwise size to the machine.
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
from collections.abc import Callable, MutableMapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

__all__ = [
    "DEFAULT_LLM_BATCH_THREADS",
    "DEFAULT_LLM_THREADS",
    "DEFAULT_MATH_THREADS",
    "DEFAULT_PIPER_THREADS",
    "DEFAULT_VAD_THREADS",
    "DEFAULT_WHISPER_THREADS",
    "PriorityWorker",
    "limit_math_threads",
    "onnx_session_options",
]

DEFAULT_VAD_THREADS: Final = 1
DEFAULT_WHISPER_THREADS: Final = 2
DEFAULT_LLM_THREADS: Final = 1
DEFAULT_LLM_BATCH_THREADS: Final = 1
DEFAULT_PIPER_THREADS: Final = 1
DEFAULT_MATH_THREADS: Final = 1

_MATH_POOLS: Final = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_T = TypeVar("_T")


def limit_math_threads(
    threads: int = DEFAULT_MATH_THREADS, environ: MutableMapping[str, str] | None = None
) -> None:
    """Cap OpenBLAS, OpenMP and MKL pools, and make idle OpenMP threads sleep, unless
    the environment already says otherwise.

    OpenMP threads spin for a while after each parallel region by default: after a
    transcription, CTranslate2's would steal the core the language model needs next.
    These libraries read the variables when they load, so call this before numpy or
    CTranslate2 is imported (``openrealtime serve`` does, first thing).
    """
    env = os.environ if environ is None else environ
    for name in _MATH_POOLS:
        env.setdefault(name, str(threads))
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def onnx_session_options(onnxruntime: Any, threads: int) -> Any:
    """onnxruntime session options with ``threads`` intra-op threads and quiet logs."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return options


class PriorityWorker:
    """One worker thread running jobs lowest priority first, then in order of arrival.

    The synthesizer gives each clause its number in its utterance as the priority, so
    every session's first clause goes before anyone's later ones.
    """

    def __init__(self, name: str) -> None:
        self._jobs: queue.PriorityQueue[_Job] = queue.PriorityQueue()
        self._order = itertools.count()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, priority: float, fn: Callable[..., _T], *args: Any) -> Future[_T]:
        """Run ``fn(*args)`` in the worker; raises ``RuntimeError`` once shut down."""
        if self._closed:
            raise RuntimeError("the worker is shut down")
        future: Future[_T] = Future()
        self._jobs.put(_Job(priority, next(self._order), future, lambda: fn(*args)))
        return future

    def shutdown(self) -> None:
        """Stop after the running job; the queued ones are cancelled."""
        self._closed = True
        self._jobs.put(_Job(float("-inf"), -1, None, None))

    def _run(self) -> None:
        while (job := self._jobs.get()).future is not None:
            if job.call is not None and job.future.set_running_or_notify_cancel():
                try:
                    job.future.set_result(job.call())
                except BaseException as exc:
                    job.future.set_exception(exc)
        while not self._jobs.empty():
            left = self._jobs.get_nowait().future
            if left is not None:
                left.cancel()


@dataclass(order=True, frozen=True)
class _Job:
    priority: float
    order: int
    future: Future[Any] | None = field(compare=False)
    call: Callable[[], Any] | None = field(compare=False)
