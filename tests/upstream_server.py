"""A small OpenAI-compatible HTTP server for tests: real HTTP and SSE on 127.0.0.1.

It stands in for vLLM, Ollama or OpenAI behind the ``openai-*`` engine kinds, in its
own thread with its own event loop, so a stalled upstream never stalls the test's loop.

- ``POST /v1/chat/completions`` (streaming or not): replies ``You said: <last user
  text>``, one SSE chunk per word; after a tool message, ``Tool returned: <output>``.
  A user text ``/call NAME {json}`` naming a request tool, a ``tool_choice`` naming a
  function, or ``required`` streams a tool call (its arguments in three fragments).
  ``max_tokens`` / ``max_completion_tokens`` cut the reply to that many words
  (``finish_reason: length``); ``stream_options.include_usage`` adds a usage chunk.
- ``POST /v1/audio/transcriptions``: decodes the scripted engine's tone code from the
  uploaded WAV, so a real round trip runs with no model. ``stream=true`` streams OpenAI's
  ``transcript.text.*`` events (or vLLM's ``transcription.chunk`` ones, model
  ``vllm-style``).
- ``POST /v1/audio/speech``: speaks ``input`` in the tone code as PCM16, streamed.
- ``GET /v1/models``.

The requested model name picks a misbehaviour (:data:`MODELS`): ``slow`` waits 30 s
before answering, ``stall`` streams two chunks and then nothing, ``error-500`` and
``error-429`` answer with that status and an OpenAI-style error body, ``midstream-error``
sends an SSE error event after two chunks, ``filtered`` ends with ``content_filter``,
``rate-16000`` speaks PCM at 16 kHz. Every request is recorded (:attr:`requests`), and
every stream the client closed before its end is counted (:attr:`disconnects`).
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import threading
import time
import wave
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from openrealtime.engines.scripted import decode, speak

__all__ = ["MODELS", "Recorded", "UpstreamServer"]

MODELS = (
    "echo",
    "slow",
    "stall",
    "error-500",
    "error-429",
    "midstream-error",
    "filtered",
    "vllm-style",
    "rate-16000",
)
"""Model names with a meaning here; any other name behaves like ``echo``."""

SLOW_SECONDS = 30.0
_CALL = re.compile(r"/call\s+(\S+)\s*(.*)", re.DOTALL)


@dataclass
class Recorded:
    """One request the server received."""

    path: str
    body: dict[str, Any]
    """The JSON body, or the form fields (the uploaded file as its decoded PCM rate)."""
    headers: dict[str, str] = field(default_factory=dict)


class UpstreamServer:
    """Serves the fake upstream on 127.0.0.1 and a free port, in a thread."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.disconnects = 0
        self._lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        """The API root to give the SDK: ``http://127.0.0.1:PORT/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> UpstreamServer:
        app = Starlette(
            routes=[
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/audio/transcriptions", self._transcriptions, methods=["POST"]),
                Route("/v1/audio/speech", self._speech, methods=["POST"]),
                Route("/v1/models", self._models, methods=["GET"]),
            ]
        )
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="upstream", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test upstream did not start")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)

    def __enter__(self) -> UpstreamServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def last(self, path: str) -> Recorded:
        """The last request to ``path`` (``/v1/chat/completions``, ...)."""
        with self._lock:
            return next(r for r in reversed(self.requests) if r.path == path)

    def _record(self, request: Request, body: dict[str, Any]) -> None:
        with self._lock:
            self.requests.append(Recorded(request.url.path, body, dict(request.headers)))

    def _disconnected(self) -> None:
        with self._lock:
            self.disconnects += 1

    # -- endpoints ----------------------------------------------------------------------

    async def _models(self, request: Request) -> Response:
        data = [{"id": name, "object": "model", "owned_by": "test"} for name in MODELS]
        return JSONResponse({"object": "list", "data": data})

    async def _chat(self, request: Request) -> Response:
        body = await request.json()
        self._record(request, body)
        model = str(body.get("model"))
        if (failure := await self._misbehave(request, model)) is not None:
            return failure
        plan = _chat_plan(body)
        if not body.get("stream"):
            return JSONResponse(_chat_completion(model, plan))
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        chunks = _chat_chunks(model, plan, include_usage)
        return self._sse(request, chunks, model, done=True)

    async def _transcriptions(self, request: Request) -> Response:
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            return _error(400, "Missing required parameter: 'file'.", "invalid_request_error")
        pcm, rate = _read_wav(await upload.read())
        fields = {key: value for key, value in form.items() if isinstance(value, str)}
        self._record(request, {**fields, "file_rate": rate, "file_bytes": len(pcm)})
        model = fields.get("model", "")
        if (failure := await self._misbehave(request, model)) is not None:
            return failure
        text = decode(pcm, rate)
        if fields.get("stream") != "true":
            return JSONResponse({"text": text})
        words = re.findall(r"\S+\s*", text)
        if model == "vllm-style":
            chunks: Iterator[dict[str, Any]] = (
                {
                    "id": "trsc-1",
                    "object": "transcription.chunk",
                    "created": 0,
                    "model": model,
                    "choices": [{"delta": {"content": word}}],
                }
                for word in words
            )
            return self._sse(request, chunks, model, done=True)
        events = [{"type": "transcript.text.delta", "delta": word} for word in words]
        events.append(
            {
                "type": "transcript.text.done",
                "text": text,
                "usage": {"type": "tokens", "input_tokens": 5, "output_tokens": len(words)},
            }
        )
        return self._sse(request, iter(events), model, done=False)

    async def _speech(self, request: Request) -> Response:
        body = await request.json()
        self._record(request, body)
        model = str(body.get("model"))
        if (failure := await self._misbehave(request, model)) is not None:
            return failure
        if body.get("response_format") != "pcm":
            return _error(400, "Only pcm is spoken here.", "invalid_request_error")
        rate = int(model.removeprefix("rate-")) if model.startswith("rate-") else 24000
        pcm, _ = speak(str(body.get("input", "")), rate)

        async def audio() -> AsyncIterator[bytes]:
            for start in range(0, len(pcm), 3001):  # odd sizes: chunks split samples
                yield pcm[start : start + 3001]
                await asyncio.sleep(0)

        return StreamingResponse(audio(), media_type="audio/pcm")

    # -- behaviours -----------------------------------------------------------------------

    async def _misbehave(self, request: Request, model: str) -> Response | None:
        if model.startswith("error-"):
            status = int(model.removeprefix("error-"))
            if status == 429:
                return _error(429, "Rate limit reached for requests.", "rate_limit_exceeded")
            return _error(status, "The upstream broke down.", "server_error")
        if model == "slow":
            await self._wait_for_disconnect(request, SLOW_SECONDS)
            return _error(504, "Too slow.", "timeout")
        return None

    async def _wait_for_disconnect(self, request: Request, seconds: float) -> bool:
        """Wait up to ``seconds``; ``True`` when the client went away first."""
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline:
                if await request.is_disconnected():
                    self._disconnected()
                    return True
                await asyncio.sleep(0.02)
        except asyncio.CancelledError:
            # Inside a streaming response, Starlette notices the disconnect itself and
            # cancels the stream.
            self._disconnected()
            raise
        return False

    def _sse(
        self, request: Request, events: Iterator[dict[str, Any]], model: str, *, done: bool
    ) -> StreamingResponse:
        async def stream() -> AsyncIterator[bytes]:
            for index, event in enumerate(events):
                if index == 2 and model == "stall":
                    await self._wait_for_disconnect(request, SLOW_SECONDS)
                    return
                if index == 2 and model == "midstream-error":
                    error = {"message": "The model crashed mid-answer.", "type": "server_error"}
                    yield f"data: {json.dumps({'error': error})}\n\n".encode()
                    return
                yield f"data: {json.dumps(event)}\n\n".encode()
                await asyncio.sleep(0.001)
            if done:
                yield b"data: [DONE]\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream")


# -- chat ------------------------------------------------------------------------------


@dataclass
class _ChatPlan:
    words: list[str]
    call: tuple[str, str] | None
    finish: str
    prompt_tokens: int


def _chat_plan(body: dict[str, Any]) -> _ChatPlan:
    messages = body.get("messages") or []
    tools = [tool["function"]["name"] for tool in body.get("tools") or []]
    last = messages[-1] if messages else {}
    text = last.get("content") if isinstance(last.get("content"), str) else ""
    prompt_tokens = sum(len(str(m.get("content") or "").split()) for m in messages)
    call = _forced_call(body.get("tool_choice"), tools, text)
    if call is not None:
        return _ChatPlan([], call, "tool_calls", prompt_tokens)
    if last.get("role") == "tool":
        reply = f"Tool returned: {last.get('content')}"
    elif last.get("role") == "user" and text:
        reply = f"You said: {text}"
    else:
        reply = "Hello!"
    words = re.findall(r"\S+\s*", reply)
    limit = body.get("max_completion_tokens") or body.get("max_tokens")
    finish = "stop"
    if isinstance(limit, int) and len(words) > limit:
        words, finish = words[:limit], "length"
    if body.get("model") == "filtered":
        finish = "content_filter"
    return _ChatPlan(words, None, finish, prompt_tokens)


def _forced_call(choice: Any, tools: list[str], text: str) -> tuple[str, str] | None:
    if not tools or choice == "none":
        return None
    match = _CALL.fullmatch(text.strip())
    arguments = match.group(2).strip() if match and match.group(2).strip() else "{}"
    if isinstance(choice, dict):
        return choice["function"]["name"], arguments
    if match and match.group(1) in tools:
        return match.group(1), arguments
    if choice == "required":
        return tools[0], arguments
    return None


def _chat_chunks(model: str, plan: _ChatPlan, include_usage: bool) -> Iterator[dict[str, Any]]:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    yield chunk({"role": "assistant", "content": ""})
    for word in plan.words:
        yield chunk({"content": word})
    if plan.call is not None:
        name, arguments = plan.call
        first = {"index": 0, "id": "call_up1", "type": "function"}
        yield chunk({"tool_calls": [{**first, "function": {"name": name, "arguments": ""}}]})
        third = max(1, len(arguments) // 3)
        for start in range(0, len(arguments), third):
            piece = {"index": 0, "function": {"arguments": arguments[start : start + third]}}
            yield chunk({"tool_calls": [piece]})
    yield chunk({}, plan.finish)
    if include_usage:
        yield {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": model,
            "choices": [],
            "usage": {
                "prompt_tokens": plan.prompt_tokens,
                "completion_tokens": len(plan.words) + (1 if plan.call else 0),
                "total_tokens": plan.prompt_tokens + len(plan.words),
                "prompt_tokens_details": {"cached_tokens": 2},
            },
        }


def _chat_completion(model: str, plan: _ChatPlan) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": "".join(plan.words)}
    if plan.call is not None:
        name, arguments = plan.call
        function = {"name": name, "arguments": arguments}
        message["tool_calls"] = [{"id": "call_up1", "type": "function", "function": function}]
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": plan.finish}],
    }


# -- helpers ---------------------------------------------------------------------------


def _error(status: int, message: str, code: str) -> JSONResponse:
    kind = "invalid_request_error" if status < 500 else "server_error"
    return JSONResponse(
        {"error": {"message": message, "type": kind, "param": None, "code": code}},
        status_code=status,
    )


def _read_wav(data: bytes) -> tuple[bytes, int]:
    with wave.open(io.BytesIO(data), "rb") as wav:
        return wav.readframes(wav.getnframes()), wav.getframerate()
