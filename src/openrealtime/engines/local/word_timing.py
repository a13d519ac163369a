"""When each word of a synthesized clause is spoken.

Piper speaks a clause as one audio chunk per sentence, each with the phonemes that
made it: espeak-ng phonemes, one symbol each, with a space between words and the
clause's punctuation kept. Words are found in two ways:

- **Alignments.** A voice exported (or patched) with Piper's alignment output gives the
  samples each phoneme lasts. A word then runs from its first phoneme's start to its
  last phoneme's end: exact up to one hop (256 samples, 12 ms at 22,050 Hz).
- **Phoneme count** (voices without alignments, the bundled joe voice among them).
  Piper predicts a duration for every symbol it is given: the start and end marks,
  each phoneme, stress and length marks, the spaces between words and punctuation.
  Measured on the joe voice, these last about the same (1,000-1,300 samples) except
  punctuation (a comma about three times as long). So the chunk's audio is shared out
  over its symbols by those weights (:data:`_WEIGHTS`, 1 for anything else), and a word
  runs from its first symbol to its last. ``benchmarks/word_timings.py`` measures this
  against the alignments of the same voice.

Phoneme words become text words one to one when their counts agree; otherwise each
text word is phonemized alone to learn how many phoneme words it makes ("42" makes
two); failing that, the clause's voiced span is shared out by characters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

__all__ = ["PhonemeChunk", "Span", "word_spans"]

_PUNCTUATION: Final = frozenset(".,;:!?¡¿—…\"'()[]«»")
_BOUNDARY: Final = frozenset("^$_")
_WEIGHTS: Final = {" ": 1.2, ",": 3.1, ";": 2.0, ":": 2.0, ".": 1.65, "!": 3.0, "?": 2.0}
"""Symbol durations relative to a phoneme's, measured on the joe voice's alignments."""
_FRAME_MS: Final = 10
_VOICED_DB: Final = 26.0


@dataclass(frozen=True, slots=True)
class PhonemeChunk:
    """One sentence of Piper's output: its audio, phonemes and, if any, alignments."""

    audio: npt.NDArray[np.float32]
    sample_rate: int
    phonemes: Sequence[str]
    alignments: Sequence[tuple[str, int]] | None = None
    """``(phoneme, samples)`` from the beginning-of-sentence mark to the end mark."""


@dataclass(frozen=True, slots=True)
class Span:
    """A word's start and end, in samples from the clause's start."""

    start: int
    end: int


Phonemize = Callable[[str], Sequence[Sequence[str]]]
"""Text to phonemes per sentence, as the voice would phonemize it."""


def word_spans(
    words: Sequence[str], chunks: Sequence[PhonemeChunk], phonemize: Phonemize
) -> list[Span]:
    """The span of each of ``words`` in the clause audio that ``chunks`` make up."""
    groups: list[Span] = []
    weights: list[int] = []
    offset = 0
    for chunk in chunks:
        spans, counts = (
            _aligned_groups(chunk.alignments)
            if chunk.alignments is not None
            else _counted_groups(chunk)
        )
        groups.extend(Span(span.start + offset, span.end + offset) for span in spans)
        weights.extend(counts)
        offset += len(chunk.audio)
    if not words:
        return []
    if len(groups) == len(words):
        return groups
    per_word = [_group_count(phonemize(word)) for word in words]
    if groups and sum(per_word) == len(groups):
        spans, index = [], 0
        for count in per_word:
            if count == 0:
                at = groups[index].start if index < len(groups) else groups[-1].end
                spans.append(Span(at, at))
                continue
            spans.append(Span(groups[index].start, groups[index + count - 1].end))
            index += count
        return spans
    start = groups[0].start if groups else 0
    end = groups[-1].end if groups else offset
    return _share(start, end, [len(word) for word in words])


def _group_count(sentences: Sequence[Sequence[str]]) -> int:
    return sum(len(_split_words(sentence)) for sentence in sentences)


def _split_words(phonemes: Sequence[str]) -> list[list[str]]:
    """Phoneme words: runs between spaces, each with at least one sounding phoneme."""
    words: list[list[str]] = [[]]
    for phoneme in phonemes:
        if phoneme == " ":
            words.append([])
        else:
            words[-1].append(phoneme)
    return [word for word in words if any(_sounds(p) for p in word)]


def _sounds(phoneme: str) -> bool:
    return phoneme not in _PUNCTUATION and phoneme not in _BOUNDARY and phoneme != " "


def _aligned_groups(alignments: Sequence[tuple[str, int]]) -> tuple[list[Span], list[int]]:
    spans: list[Span] = []
    counts: list[int] = []
    position = 0
    current: Span | None = None
    count = 0
    for phoneme, samples in alignments:
        if _sounds(phoneme):
            if current is None:
                current = Span(position, position + samples)
            else:
                current = Span(current.start, position + samples)
            count += 1
        elif phoneme == " " or phoneme in _BOUNDARY:
            if current is not None:
                spans.append(current)
                counts.append(count)
            current, count = None, 0
        position += samples
    if current is not None:
        spans.append(current)
        counts.append(count)
    return spans, counts


def _counted_groups(chunk: PhonemeChunk) -> tuple[list[Span], list[int]]:
    """Words of a chunk without alignments: its voiced audio shared out over its symbols."""
    symbols = list(chunk.phonemes)
    while symbols and not _sounds(symbols[-1]):
        symbols.pop()
    weights = [_WEIGHTS.get(symbol, 1.0) for symbol in symbols]
    start, end = _voiced(chunk.audio, chunk.sample_rate)
    scale = (end - start) / sum(weights) if weights else 0.0
    estimated = [("^", start)]
    estimated += [
        (symbol, round(weight * scale)) for symbol, weight in zip(symbols, weights, strict=True)
    ]
    return _aligned_groups(estimated)


def _voiced(audio: npt.NDArray[np.float32], sample_rate: int) -> tuple[int, int]:
    """The first and last sample of the frames within 26 dB of the loudest frame."""
    frame = max(1, sample_rate * _FRAME_MS // 1000)
    whole = len(audio) // frame
    if whole == 0:
        return 0, len(audio)
    energy: Any = np.sqrt(np.mean(np.square(audio[: whole * frame].reshape(whole, frame)), axis=1))
    peak = float(energy.max())
    if peak <= 0:
        return 0, len(audio)
    loud = np.flatnonzero(energy >= peak * 10 ** (-_VOICED_DB / 20))
    return int(loud[0]) * frame, min(len(audio), (int(loud[-1]) + 1) * frame)


def _share(start: int, end: int, weights: Sequence[int]) -> list[Span]:
    """``[start, end)`` cut into consecutive spans in proportion to ``weights``."""
    total = sum(max(w, 1) for w in weights)
    spans: list[Span] = []
    at = float(start)
    for weight in weights:
        length = (end - start) * max(weight, 1) / total if total else 0.0
        spans.append(Span(round(at), round(at + length)))
        at += length
    return spans
