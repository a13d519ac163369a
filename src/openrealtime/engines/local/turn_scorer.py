"""End-of-turn probability from a small local language model, for ``semantic_vad``.

The transcript so far goes into the model as an unfinished user turn of its chat
format; the probability the model gives to the end-of-turn token as the next token is
its belief that the user has finished. With SmolLM2 (ChatML) that token is
``<|im_end|>``, id 2; ``prompt`` and ``end_token_id`` adapt it to another model's
format (llama.cpp reports special tokens by id, with empty text).

The transcript's first letter is put in upper case: Whisper sometimes starts a
transcript in lower case, as if it went on from earlier speech, and the model then
rates a finished turn lower (measured: 0.03 → 0.10 for "play my favorite song.").

A 135M model is not trained for this (offline-engines.md §8): the raw probability is
small and leans on the punctuation Whisper writes. It is one signal, to be calibrated
and combined with punctuation, trailing words and the silence so far; the turn
detection that uses it does that.
"""

from __future__ import annotations

import asyncio
import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Final

from ..base import Capabilities, EngineError
from .assets import smollm2_path
from .llama_runtime import LlamaRuntime, release

__all__ = ["CHATML_PROMPT", "LlamaTurnScorer"]

CHATML_PROMPT: Final = (
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n{transcript}"
)
"""The user turn left open, in ChatML (SmolLM2's format)."""

_TOP: Final = 20


class LlamaTurnScorer:
    """P(the user finished) = P(token ``end_token_id`` next | ``prompt`` with the transcript)."""

    capabilities = Capabilities()

    def __init__(
        self,
        *,
        model_path: str | Path | None = None,
        prompt: str = CHATML_PROMPT,
        end_token_id: int = 2,
        threads: int = 1,
    ) -> None:
        if "{transcript}" not in prompt:
            raise ValueError("the turn prompt needs a {transcript} placeholder")
        self.model_path = Path(model_path) if model_path is not None else None
        self.prompt = prompt
        self.end_token_id = end_token_id
        self.threads = threads
        self._runtime: LlamaRuntime | None = None
        self._executor: ThreadPoolExecutor | None = None

    async def start(self) -> None:
        """Load the model and score one transcript, in the worker thread."""
        if self._runtime is not None:
            return
        runtime = LlamaRuntime(
            self.model_path or smollm2_path(),
            context_window=512,
            parallel=1,
            threads=self.threads,
            batch_threads=self.threads,
        )
        executor = ThreadPoolExecutor(1, thread_name_prefix="turn-scorer")
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(executor, runtime.load)
            await loop.run_in_executor(executor, self._score, runtime, "Hello.")
        except BaseException:
            executor.shutdown(wait=False)
            runtime.close()
            raise
        self._runtime, self._executor = runtime, executor

    async def aclose(self) -> None:
        """Free the model."""
        runtime, self._runtime = self._runtime, None
        executor, self._executor = self._executor, None
        await release(runtime, executor)

    async def end_of_turn(self, transcript: str) -> float:
        """The probability, 0 to 1, that the user finished with ``transcript``."""
        if self._runtime is None or self._executor is None:
            raise EngineError("the turn scorer is not started")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._score, self._runtime, transcript)

    def _score(self, runtime: LlamaRuntime, transcript: str) -> float:
        text = transcript.strip()
        result = runtime.complete(
            {
                "prompt": self.prompt.replace("{transcript}", text[:1].upper() + text[1:]),
                "n_predict": 1,
                "n_probs": _TOP,
                "temperature": 0,
            }
        )
        if "error" in result:
            raise EngineError(f"the turn scorer failed: {result['error']}")
        return _probability(result, self.end_token_id)


def _probability(result: dict[str, Any], token_id: int) -> float:
    """The end token's probability among the top candidates (0 when it is not among them)."""
    try:
        top = result["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
    except (KeyError, IndexError, TypeError):
        return 0.0
    for candidate in top:
        if candidate.get("id") == token_id:
            return math.exp(float(candidate["logprob"]))
    return 0.0
