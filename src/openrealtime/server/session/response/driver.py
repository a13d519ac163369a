"""Turning an engine's output into a response's steps.

A responder yields text, function calls and (speech-to-speech engines) audio.
For an audio response, text goes through the synthesizer as it streams; its
speech and word timings become audio and transcript deltas. A function call
first lets the speech before it finish, so the message item closes before the
call's item opens.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from ....engines import (
    AudioDelta,
    EngineSet,
    ResponseRequest,
    SpeechChunk,
    TextDelta,
    ToolCallArgumentsDelta,
    ToolCallStart,
)
from .run import Phase, ResponseRun

__all__ = ["drive_response"]


@contextlib.asynccontextmanager
async def _closing(stream: AsyncIterator[Any]) -> AsyncIterator[None]:
    """Close an engine's stream when we stop early, so it frees what it holds now."""
    try:
        yield
    finally:
        aclose = getattr(stream, "aclose", None)
        if aclose is not None:
            await aclose()


class _Speech:
    """Text in, speech out: one synthesizer stream for one audio part."""

    def __init__(self, run: ResponseRun, engines: EngineSet, voice: str, speed: float) -> None:
        self._run = run
        self._text: asyncio.Queue[str | None] = asyncio.Queue()
        self._task = asyncio.get_running_loop().create_task(
            self._speak(engines.synthesizer.synthesize(self._chunks(), voice=voice, speed=speed))
        )

    def say(self, text: str) -> None:
        self._text.put_nowait(text)

    async def finish(self) -> None:
        """End the text and wait for the last of the speech (re-raising its failure)."""
        self._text.put_nowait(None)
        await self._task

    async def abort(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._task

    async def _chunks(self) -> AsyncIterator[str]:
        while (text := await self._text.get()) is not None:
            yield text

    async def _speak(self, speech: AsyncIterator[SpeechChunk]) -> None:
        async with _closing(speech):
            async for chunk in speech:
                if self._run.done:
                    return
                words = [(word.word, word.end_ms) for word in chunk.words]
                self._run.speech(chunk.pcm, chunk.sample_rate, words)


def _ensure_part(run: ResponseRun) -> None:
    if run.phase is Phase.CALL:
        run.close_item()
    if run.phase is Phase.IDLE:
        run.open_message()
    if run.phase is Phase.MESSAGE:
        run.open_part()


async def _end_message(run: ResponseRun, speech: _Speech | None) -> None:
    if speech is not None:
        await speech.finish()
    if run.phase is Phase.PART:
        run.close_part()
    if run.phase in (Phase.MESSAGE, Phase.CALL):
        run.close_item()


async def drive_response(
    run: ResponseRun, engines: EngineSet, request: ResponseRequest, *, speed: float
) -> None:
    """Run the responder and feed ``run`` until the response completes.

    Raises what the engines raise; the caller turns that into a failed response.
    A run finished from outside (cancelled, or cut by the token limit) ends the
    drive quietly.
    """
    speech: _Speech | None = None
    outputs = engines.responder.respond(request)
    try:
        async with _closing(outputs):
            async for output in outputs:
                if run.done:
                    return
                if isinstance(output, TextDelta):
                    _ensure_part(run)
                    if run.plan.audio:
                        speech = speech or _Speech(run, engines, request.voice, speed)
                        speech.say(output.text)
                    else:
                        run.text(output.text)
                        # Fair to other sessions: an engine that produces a whole reply
                        # at once must not hold the loop for all of its deltas.
                        await asyncio.sleep(0)
                elif isinstance(output, AudioDelta):
                    _ensure_part(run)
                    run.engine_speech(output.pcm, output.sample_rate, output.transcript)
                elif isinstance(output, ToolCallStart):
                    await _end_message(run, speech)
                    speech = None
                    run.open_call(output.name, output.call_id)
                elif isinstance(output, ToolCallArgumentsDelta) and run.phase is Phase.CALL:
                    run.arguments(output.delta)
            if not run.done:
                await _end_message(run, speech)
                speech = None
                run.finish("completed")
    finally:
        if speech is not None:
            await speech.abort()
