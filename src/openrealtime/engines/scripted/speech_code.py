"""A tone code that stands in for speech, so scripted engines can speak and listen.

Format. Text becomes one tone per character, back to back, with no gaps:

- The alphabet is printable ASCII (space to ``~``, 95 symbols). Symbol ``i`` is a sine
  at ``300 + i * 3200 / 94`` Hz, so the tones run from 300 Hz to 3500 Hz, about 34 Hz
  apart: all of them pass 8 kHz G.711. Whitespace is spoken as a space; any other
  character outside the alphabet as ``?``.
- Each character lasts ``ms_per_char`` (60 ms by default), measured from the start of
  the utterance so that rounding to whole samples never drifts.
- Each tone peaks at -10 dBFS and fades in and out over a tenth of its slot with a
  raised-cosine ramp, so slot boundaries carry no clicks.

Decoding finds the first loud sample (above a third of the tone's peak) and reads one
character per slot from there: a Hann-windowed DFT over the middle 60 % of the slot,
at the 95 alphabet frequencies. A slot counts only when the strongest frequency holds
most of the slot's energy, so noise and real speech decode to nothing. When the next
loud sample comes later than a slot's start allows (silence of more than 0.15 slot),
the decoder realigns on it, and the silence reads as a word break (one space).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from openrealtime.audio import float32_to_pcm16, pcm16_to_float32

from ..base import WordTiming

__all__ = ["ALPHABET", "DEFAULT_MS_PER_CHAR", "TONE_PEAK", "decode", "frequency_of", "speak"]

ALPHABET = "".join(chr(code) for code in range(32, 127))
"""The characters the code can carry, in frequency order."""

DEFAULT_MS_PER_CHAR = 60.0
TONE_PEAK = 10 ** (-10 / 20)
"""Peak amplitude of every tone, relative to full scale (-10 dBFS)."""

_LOW_HZ = 300.0
_HIGH_HZ = 3500.0
_FREQUENCIES = np.linspace(_LOW_HZ, _HIGH_HZ, len(ALPHABET))
_INDEX = {char: index for index, char in enumerate(ALPHABET)}
_RAMP_FRACTION = 0.1
_ONSET_LEVEL = TONE_PEAK / 3
_WINDOW = (0.2, 0.8)
_MIN_PURITY = 0.7
_MIN_WINDOW = 32
_WORD = re.compile(r"\S+")


def _symbol(char: str) -> int:
    if char.isspace():
        return _INDEX[" "]
    return _INDEX.get(char, _INDEX["?"])


def frequency_of(char: str) -> float:
    """The tone frequency, in Hz, that speaks ``char``."""
    return float(_FREQUENCIES[_symbol(char)])


def _check(sample_rate: int, ms_per_char: float) -> None:
    if sample_rate <= 0 or ms_per_char <= 0:
        raise ValueError(
            f"sample_rate and ms_per_char must be positive, got {sample_rate} and {ms_per_char}"
        )


def speak(
    text: str, sample_rate: int = 24000, ms_per_char: float = DEFAULT_MS_PER_CHAR
) -> tuple[bytes, list[WordTiming]]:
    """PCM16 that speaks ``text`` in the tone code, and when each word is spoken.

    Words are runs of non-whitespace; their timings are in ms from the start.
    """
    _check(sample_rate, ms_per_char)
    words = [
        WordTiming(m.group(), m.start() * ms_per_char, m.end() * ms_per_char)
        for m in _WORD.finditer(text)
    ]
    if not text:
        return b"", words
    slot = ms_per_char * sample_rate / 1000.0
    bounds = np.round(np.arange(len(text) + 1) * slot).astype(np.int64)
    ramp = max(1.0, _RAMP_FRACTION * slot)
    pieces = (
        _tone_slot(_symbol(char), int(length), sample_rate, ramp)
        for char, length in zip(text, np.diff(bounds), strict=True)
    )
    return b"".join(pieces), words


@lru_cache(maxsize=4096)
def _tone_slot(symbol: int, length: int, sample_rate: int, ramp: float) -> bytes:
    """One character's PCM16: every slot starts at phase 0, so slots are reusable."""
    position = np.arange(length, dtype=np.int64)
    tone = np.sin(2 * np.pi * _FREQUENCIES[symbol] * position / sample_rate)
    envelope = _fade(position, ramp) * _fade(length - 1 - position, ramp)
    return float32_to_pcm16(TONE_PEAK * tone * envelope)


def _fade(distance_from_edge: NDArray[np.int64], ramp: float) -> NDArray[np.float64]:
    """A raised-cosine gain: 0 at the edge, 1 from ``ramp`` samples in."""
    phase: NDArray[np.float64] = np.minimum((distance_from_edge + 0.5) / ramp, 1.0)
    gain: NDArray[np.float64] = 0.5 - 0.5 * np.cos(np.pi * phase)
    return gain


@lru_cache(maxsize=32)
def _analysis(sample_rate: int, length: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Windowed cosine and sine rows at the alphabet frequencies, and the window itself."""
    window = np.hanning(length + 2)[1:-1]
    angle = 2 * np.pi * np.outer(np.arange(length), _FREQUENCIES) / sample_rate
    rows = np.concatenate([np.cos(angle), np.sin(angle)], axis=1) * window[:, None]
    return rows, window


def _read_slots(slots: NDArray[np.float64], sample_rate: int) -> list[str | None]:
    """The character each slot (one per row) holds, or ``None`` for no clean code tone."""
    rows, window = _analysis(sample_rate, slots.shape[1])
    projections = slots @ rows
    power = projections[:, : len(ALPHABET)] ** 2 + projections[:, len(ALPHABET) :] ** 2
    best = np.argmax(power, axis=1)
    energy = np.sum((slots * window) ** 2, axis=1)
    # A pure tone at a DFT frequency scores 1: |X|^2 = (sum w)^2 A^2/4, sum (wx)^2 = sum w^2 A^2/2.
    scale = 2 * np.sum(window**2) / np.sum(window) ** 2
    peak = power[np.arange(len(best)), best]
    purity = np.divide(peak * scale, energy, out=np.zeros_like(energy), where=energy > 0)
    return [ALPHABET[b] if p >= _MIN_PURITY else None for b, p in zip(best, purity, strict=True)]


def _slot_starts(samples: NDArray[np.float32], slot: float, span: int) -> list[tuple[int, bool]]:
    """Where each slot starts, and whether silence comes before it."""
    # Within a run, a slot's first loud sample lags its start by well under this (about
    # 0.04 slot of ramp plus a quarter period); the read window starts at 0.2 slot.
    late = 0.15 * slot
    loud = np.flatnonzero(np.abs(samples) > _ONSET_LEVEL)
    starts: list[tuple[int, bool]] = []
    position = 0.0
    while True:
        start = math.floor(position)
        following = int(np.searchsorted(loud, start))
        if following == len(loud):
            return starts
        onset = int(loud[following])
        realign = onset - start > late
        if realign:
            position, start = float(onset), onset
        if start + span > len(samples):
            return starts
        starts.append((start, realign))
        position += slot


def decode(pcm: bytes, sample_rate: int, *, ms_per_char: float = DEFAULT_MS_PER_CHAR) -> str:
    """The text the tone code in ``pcm`` carries, without surrounding whitespace.

    Returns ``""`` when nothing decodes (silence, noise, real speech).
    ``ms_per_char`` must match the speaker's.
    """
    _check(sample_rate, ms_per_char)
    samples = pcm16_to_float32(pcm)
    slot = ms_per_char * sample_rate / 1000.0
    first, last = (round(slot * edge) for edge in _WINDOW)
    if last - first < _MIN_WINDOW:
        raise ValueError(f"{ms_per_char} ms per char is too short to decode at {sample_rate} Hz")
    starts = _slot_starts(samples, slot, last)
    if not starts:
        return ""
    offsets = np.array([start for start, _ in starts])[:, None] + np.arange(first, last)
    text: list[str] = []
    for (_, after_gap), char in zip(
        starts, _read_slots(samples[offsets].astype(np.float64), sample_rate), strict=True
    ):
        if char is None:
            continue
        if after_gap and text and text[-1] != " ":
            text.append(" ")
        text.append(char)
    return "".join(text).strip()
