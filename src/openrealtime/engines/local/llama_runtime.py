"""llama.cpp in-process through xllamacpp, reachable only from this process.

xllamacpp runs llama.cpp's server inside Python and always opens a listener for it.
Here that listener is a Unix socket in a fresh private directory (mode 0700) with a
random API key, so no TCP port opens and no other user can reach the model; requests
go through Python calls that block until done, so they run in worker threads.

``threads`` write the reply and ``batch_threads`` read the prompt (see
:mod:`.threads`). ``parallel`` slots decode together (continuous batching), each with
``context_window`` tokens of its own; requests beyond that wait in llama.cpp's queue
in arrival order.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..base import EngineError

__all__ = ["LlamaRuntime", "check_gguf", "release"]


def check_gguf(path: Path) -> None:
    """Raise :class:`EngineError` unless ``path`` is a readable GGUF file."""
    try:
        with path.open("rb") as file:
            magic = file.read(4)
    except OSError as exc:
        raise EngineError(f"language model {path}: {exc.strerror or exc}") from None
    if magic != b"GGUF":
        raise EngineError(f"language model {path}: not a GGUF file")


class LlamaRuntime:
    """One loaded GGUF model with its slots; :meth:`load` and the calls block."""

    def __init__(
        self,
        model_path: Path,
        *,
        context_window: int,
        parallel: int,
        threads: int,
        batch_threads: int,
    ) -> None:
        if context_window < 256 or parallel < 1 or min(threads, batch_threads) < 1:
            raise ValueError("need context_window >= 256, parallel >= 1 and threads >= 1")
        self.model_path = model_path
        self.context_window = context_window
        self.parallel = parallel
        self.threads = threads
        self.batch_threads = batch_threads
        self._server: Any = None
        self._directory: str | None = None

    def load(self) -> None:
        """Load the model and run llama.cpp's warm-up decode."""
        import xllamacpp  # type: ignore[import-untyped]

        check_gguf(self.model_path)
        self._directory = tempfile.mkdtemp(prefix="openrealtime-llm-")
        params = xllamacpp.CommonParams()
        params.model.path = str(self.model_path)
        params.n_ctx = self.context_window * self.parallel
        params.n_parallel = self.parallel
        params.cpuparams.n_threads = self.threads
        params.cpuparams_batch.n_threads = self.batch_threads
        # Waiting threads sleep rather than spin: spinning steals the core they wait for.
        params.cpuparams.poll = 0
        params.cpuparams_batch.poll = 0
        params.hostnames = [str(Path(self._directory) / "llm.sock")]
        params.api_keys = [secrets.token_urlsafe(24)]
        params.verbosity = 0
        params.warmup = True
        try:
            self._server = xllamacpp.Server(params)
        except RuntimeError as exc:
            self.close()
            raise EngineError(f"language model {self.model_path}: {exc}") from None

    def close(self) -> None:
        """Free the model and remove the socket directory."""
        self._server = None
        directory, self._directory = self._directory, None
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)

    @property
    def server(self) -> Any:
        if self._server is None:
            raise EngineError("the language model is not loaded")
        return self._server

    def chat(self, body: dict[str, Any], on_chunk: Callable[[dict[str, Any]], bool]) -> None:
        """Stream a chat completion; ``on_chunk`` returns ``True`` to stop generating."""
        self.server.handle_chat_completions({**body, "stream": True}, on_chunk)

    def complete(self, body: dict[str, Any]) -> dict[str, Any]:
        """A raw (template-free) completion, whole."""
        result: dict[str, Any] = self.server.handle_completions(body)
        return result


async def release(runtime: LlamaRuntime | None, executor: ThreadPoolExecutor | None) -> None:
    """Drop the work queued on ``executor`` and free ``runtime`` off the event loop."""
    if executor is not None:
        executor.shutdown(wait=False, cancel_futures=True)
    if runtime is not None:
        await asyncio.to_thread(runtime.close)
