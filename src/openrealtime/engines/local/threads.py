"""Thread counts, set explicitly so the engines' pools do not oversubscribe the cores.

The defaults suit a 2-core machine, where a turn runs in stages: the transcriber
(CTranslate2, 2 threads), then the language model reads the prompt (llama.cpp, 2
threads) and writes the reply (1 thread) while Piper (onnxruntime, 1 thread) speaks
the first clauses; the VAD (onnxruntime, 1 thread) is small and constant. llama.cpp's
threads wait for each other at every step, so a decode sharing the cores with anything
else collapses: measured here with other work running, 2 decode threads made 2 to 6
tokens/s where 1 made 50. Every count is an option of the ``local`` engine kind
(``vad_threads``, ``whisper_threads``, ``llm_threads``, ``llm_batch_threads``,
``piper_threads``);
:func:`limit_math_threads` caps OpenBLAS and OpenMP pools, which numpy and CTranslate2
would otherwise size to the machine.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from typing import Any, Final

__all__ = [
    "DEFAULT_LLM_BATCH_THREADS",
    "DEFAULT_LLM_THREADS",
    "DEFAULT_MATH_THREADS",
    "DEFAULT_PIPER_THREADS",
    "DEFAULT_VAD_THREADS",
    "DEFAULT_WHISPER_THREADS",
    "limit_math_threads",
    "onnx_session_options",
]

DEFAULT_VAD_THREADS: Final = 1
DEFAULT_WHISPER_THREADS: Final = 2
DEFAULT_LLM_THREADS: Final = 1
DEFAULT_LLM_BATCH_THREADS: Final = 2
DEFAULT_PIPER_THREADS: Final = 1
DEFAULT_MATH_THREADS: Final = 1

_MATH_POOLS: Final = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def limit_math_threads(
    threads: int = DEFAULT_MATH_THREADS, environ: MutableMapping[str, str] | None = None
) -> None:
    """Cap OpenBLAS, OpenMP and MKL pools unless the environment already sets them.

    These libraries read the variables when they load, so call this before numpy or
    CTranslate2 is imported (``openrealtime serve`` does, first thing).
    """
    env = os.environ if environ is None else environ
    for name in _MATH_POOLS:
        env.setdefault(name, str(threads))


def onnx_session_options(onnxruntime: Any, threads: int) -> Any:
    """onnxruntime session options with ``threads`` intra-op threads and quiet logs."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return options
