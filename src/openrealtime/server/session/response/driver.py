"""Turning an engine's output into a response's steps.

A responder yields text, function calls and (speech-to-speech engines) audio,
and may end with its token :class:`~openrealtime.engines.Usage` and a
:class:`~openrealtime.engines.Finish`. For an audio response, text goes through the
synthesizer as it streams; its speech and word timings become audio and transcript
deltas. A function call first lets the speech before it finish, so the message item
closes before the call's item opens. ``Finish("length")`` ends the response
``incomplete`` (``max_output_tokens``), as the server's own limit does;
``Finish("content_filter")`` ends it ``incomplete`` with reason ``content_filter``.

A synthesizer that gives no word timings (every chunk's ``words`` empty) still
yields a transcript: :class:`SpokenText` estimates when each word is spoken. The
text the synthesizer reads is cut into clauses, each ending at ``.``, ``!``, ``?``,
``;``, ``:`` or ``,`` followed by whitespace, or at a line break. Audio is placed in
segments: a segment closes when the synthesizer, having yielded audio, asks for more
text (it has spoken what it had), or when its stream ends. The complete clauses it
read before then (all the rest of the text, at the end) are spread over the
segment's audio: each word ends where the characters up to its end fall, in
proportion, across that audio. Their transcript deltas go out as the segment closes,
so the transcript trails the audio by at most one segment; a truncation keeps the
words whose estimated end it reaches.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Callable
from typing import Final, Literal

from ....audio.pcm import duration_ms
from ....engines import (
    AudioDelta,
    EngineSet,
    Finish,
    ResponderOutput,
    ResponseRequest,
    SpeechChunk,
    TextDelta,
    ToolCallArgumentsDelta,
    ToolCallStart,
    Usage,
)
from .run import Phase, ResponseRun

__all__ = ["SpokenText", "drive_response"]

_CLAUSE_END: Final = re.compile(r"[.!?;:,]\s|\n")
_WORD: Final = re.compile(r"\S+")


@contextlib.asynccontextmanager
async def _closing(stream: AsyncIterator[object]) -> AsyncIterator[None]:
    """Close an engine's stream when we stop early, so it frees what it holds now."""
    try:
        yield
    finally:
        aclose = getattr(stream, "aclose", None)
        if aclose is not None:
            await aclose()


class SpokenText:
    """Word timings estimated for speech from a synthesizer that gives none.

    Positions are ms from the start of the part's audio; see the module docstring.
    """

    def __init__(self) -> None:
        self._text = ""
        self._placed_ms = 0.0
        self._heard_ms = 0.0

    def read(self, text: str) -> None:
        """The synthesizer took more text to speak."""
        self._text += text

    def heard(self, ms: float) -> None:
        """The synthesizer yielded ``ms`` more audio."""
        self._heard_ms += ms

    @property
    def pending_audio(self) -> bool:
        """Whether audio has come since words were last placed."""
        return self._heard_ms > self._placed_ms

    def place(self, *, final: bool) -> list[tuple[str, float]]:
        """``(word, end_ms)`` for the complete clauses read (all the text when ``final``)."""
        if final:
            cut = len(self._text)
        else:
            ends = [match.end() for match in _CLAUSE_END.finditer(self._text)]
            cut = ends[-1] if ends else 0
        spoken, rest = self._text[:cut], self._text[cut:]
        span = spoken.rstrip()
        if not span.strip():
            if final:
                self._text, self._placed_ms = "", self._heard_ms
            return []
        self._text = rest
        start, length = self._placed_ms, self._heard_ms - self._placed_ms
        self._placed_ms = self._heard_ms
        return [
            (match.group(), start + length * match.end() / len(span))
            for match in _WORD.finditer(span)
        ]


class _Speech:
    """Text in, speech out: one synthesizer stream for one audio part."""

    def __init__(
        self,
        run: ResponseRun,
        engines: EngineSet,
        request: ResponseRequest,
        speed: float,
        progress: Callable[[], None],
    ) -> None:
        self._run = run
        self._progress = progress
        self._text: asyncio.Queue[str | None] = asyncio.Queue()
        self._spoken = SpokenText()
        self._timed: bool | None = None
        self._rate = 0
        speech = engines.synthesizer.synthesize(
            self._chunks(), voice=request.voice, speed=speed, cancel=request.cancel
        )
        self._task = asyncio.get_running_loop().create_task(self._speak(speech))

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
            self._spoken.read(text)
            yield text
            # The synthesizer asks for more: it has spoken what it had.
            if self._timed is False and self._spoken.pending_audio and not self._run.done:
                self._run.speech(b"", self._rate, self._spoken.place(final=False))

    async def _speak(self, speech: AsyncIterator[SpeechChunk]) -> None:
        async with _closing(speech):
            async for chunk in speech:
                self._progress()
                if self._run.done:
                    return
                if self._timed is None:
                    self._timed = bool(chunk.words)
                self._rate = chunk.sample_rate
                if self._timed:
                    words = [(word.word, word.end_ms) for word in chunk.words]
                    self._run.speech(chunk.pcm, chunk.sample_rate, words)
                else:
                    self._spoken.heard(duration_ms(len(chunk.pcm), chunk.sample_rate))
                    self._run.speech(chunk.pcm, chunk.sample_rate, [])
        if self._timed is False and not self._run.done:
            self._run.speech(b"", self._rate, self._spoken.place(final=True))


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
    run: ResponseRun,
    engines: EngineSet,
    request: ResponseRequest,
    *,
    speed: float,
    progress: Callable[[], None] = lambda: None,
) -> None:
    """Run the responder and feed ``run`` until the response completes.

    Raises what the engines raise; the caller turns that into a failed response.
    A run finished from outside (cancelled, or cut by the token limit) ends the
    drive quietly. ``progress`` hears of every output of the responder and every
    chunk of speech (an :class:`~..engine_watch.EngineWatch` counts them).
    """
    speech: _Speech | None = None
    finish: Literal["stop", "length", "tool_calls", "content_filter"] = "stop"
    first_token = True
    outputs: AsyncIterator[ResponderOutput] = engines.responder.respond(request)
    try:
        async with _closing(outputs):
            async for output in outputs:
                progress()
                if run.done:
                    return
                if isinstance(output, Finish):
                    finish = output.reason
                    break
                if first_token and isinstance(output, TextDelta | ToolCallStart):
                    first_token = False
                    run.ctx.turns.first_token(run.id)
                if isinstance(output, Usage):
                    run.report_usage(output)
                elif isinstance(output, TextDelta):
                    _ensure_part(run)
                    if run.plan.audio:
                        speech = speech or _Speech(run, engines, request, speed, progress)
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
        if run.done:
            return
        if finish in ("length", "content_filter"):
            if speech is not None:
                await speech.finish()
                speech = None
            run.end_incomplete("max_output_tokens" if finish == "length" else "content_filter")
        else:
            await _end_message(run, speech)
            speech = None
            run.finish("completed")
    finally:
        if speech is not None:
            await speech.abort()
