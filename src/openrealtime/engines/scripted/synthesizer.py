"""Text to tone-code speech, word by word, paced like a real voice."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Final

from openrealtime.audio import duration_ms

from ..base import CancelSignal, EngineBase, SpeechChunk, WordTiming
from .speech_code import DEFAULT_MS_PER_CHAR, speak

__all__ = ["LONGEST_WORD", "SAMPLE_RATE", "ScriptedSynthesizer", "Sleep"]

SAMPLE_RATE = 24000
"""The rate of all scripted speech."""

Sleep = Callable[[float], Awaitable[object]]
"""An ``asyncio.sleep``-like function, in seconds."""

# A word is complete once whitespace follows it; the separator before it is spoken with it.
_COMPLETE_WORD = re.compile(r"\s*\S+(?=\s)")
LONGEST_WORD: Final = 64
"""Characters of one word spoken at once; a longer one is spoken in pieces this long."""
# So that a "word" of a million characters never becomes an hour of audio made at once.
_LONG_WORD_PIECE = re.compile(rf"\s*\S{{{LONGEST_WORD}}}")


class ScriptedSynthesizer(EngineBase):
    """Speaks text in the tone code of :mod:`.speech_code`, one chunk per word.

    Whitespace between words is spoken with the word that follows it; whitespace
    before the first word and after the last is not spoken. A word longer than
    :data:`LONGEST_WORD` characters is spoken in pieces of that length. Chunks after the first wait
    ``pace`` times the previous chunk's duration, so ``pace=1.0`` streams in real time
    and ``pace=0`` as fast as possible. The voice is accepted and changes nothing.
    """

    def __init__(
        self,
        *,
        ms_per_char: float = DEFAULT_MS_PER_CHAR,
        pace: float = 1.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if pace < 0:
            raise ValueError(f"pace must not be negative, got {pace}")
        self.ms_per_char = ms_per_char
        self.pace = pace
        self._sleep = sleep

    async def synthesize(
        self, text: AsyncIterator[str], *, voice: str, speed: float, cancel: CancelSignal
    ) -> AsyncIterator[SpeechChunk]:
        """Speak ``text`` as words complete; word timings run from the utterance start.

        Stops at the next word once ``cancel`` is set.
        """
        if speed <= 0:
            raise ValueError(f"speed must be positive, got {speed}")
        ms_per_char = self.ms_per_char / speed
        elapsed_ms = 0.0
        previous_ms: float | None = None
        buffer = ""
        ended = False
        while not ended and not cancel.cancelled:
            try:
                buffer += await anext(text)
            except StopAsyncIteration:
                ended = True
            while not cancel.cancelled and (split := _next_word(buffer, ended)):
                spoken, buffer = split
                if previous_ms is None:
                    spoken = spoken.lstrip()
                elif self.pace > 0:
                    await self._sleep(previous_ms * self.pace / 1000.0)
                pcm, words = speak(spoken, SAMPLE_RATE, ms_per_char)
                timings = tuple(
                    WordTiming(w.word, w.start_ms + elapsed_ms, w.end_ms + elapsed_ms)
                    for w in words
                )
                previous_ms = duration_ms(len(pcm), SAMPLE_RATE)
                elapsed_ms += previous_ms
                yield SpeechChunk(pcm, SAMPLE_RATE, timings)


def _next_word(buffer: str, ended: bool) -> tuple[str, str] | None:
    """The next complete word with the whitespace before it, and the rest of ``buffer``.

    A word longer than :data:`LONGEST_WORD` comes in pieces of that many characters.
    """
    match = _LONG_WORD_PIECE.match(buffer) or _COMPLETE_WORD.match(buffer)
    if match is not None:
        return match.group(), buffer[match.end() :]
    if ended and buffer.strip():
        return buffer.rstrip(), ""
    return None
