"""Spoken test audio and transcript scoring, for voice tests and benchmarks.

:func:`word_error_rate` scores a transcript the usual way (lower case, punctuation
dropped, digits spelled out, then edit distance over words). :func:`with_silence` and
:func:`packets` shape a clip the way a client streams it. :func:`speak` makes the clip
with a started synthesizer, e.g. the local Piper engine.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Final

from openrealtime.audio import bytes_for_ms, resample
from openrealtime.engines import CancelSignal, Synthesizer

__all__ = ["normalize_words", "packets", "speak", "with_silence", "word_error_rate"]

_DIGITS: Final = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
)


def normalize_words(text: str) -> list[str]:
    """``text`` as scoring words: lower case, no punctuation, each digit a word."""
    text = re.sub(r"\d", lambda m: f" {_DIGITS[int(m.group())]} ", text.lower())
    return re.sub(r"[^\w\s']|_", " ", text).replace("'", "").split()


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word edits (substitutions, insertions, deletions) over the reference's words."""
    ref, hyp = normalize_words(reference), normalize_words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    row = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(hyp, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (word != other))
    return row[-1] / len(ref)


def with_silence(pcm: bytes, sample_rate: int, *, before_ms: int, after_ms: int) -> bytes:
    """``pcm`` with digital silence before and after it."""
    before, after = bytes_for_ms(before_ms, sample_rate), bytes_for_ms(after_ms, sample_rate)
    return bytes(before) + pcm + bytes(after)


def packets(pcm: bytes, sample_rate: int, packet_ms: int = 20) -> Iterator[bytes]:
    """``pcm`` cut into packets of ``packet_ms`` (the last one may be shorter)."""
    size = bytes_for_ms(packet_ms, sample_rate)
    for start in range(0, len(pcm), size):
        yield pcm[start : start + size]


async def speak(
    synthesizer: Synthesizer, text: str, *, sample_rate: int = 24000, voice: str = "alloy"
) -> bytes:
    """``text`` spoken by a started ``synthesizer``, as PCM16 at ``sample_rate``."""

    async def once() -> AsyncIterator[str]:
        yield text

    pieces: list[bytes] = []
    rate = sample_rate
    async for chunk in synthesizer.synthesize(
        once(), voice=voice, speed=1.0, cancel=CancelSignal()
    ):
        pieces.append(chunk.pcm)
        rate = chunk.sample_rate
    return resample(b"".join(pieces), rate, sample_rate)
