"""Sample-rate conversion of PCM16 mono with soxr, one-shot or streaming.

soxr belongs to the ``server`` extra, so it is imported when a conversion is made.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from .pcm import SAMPLE_WIDTH, int16_to_pcm16, pcm16_to_int16

if TYPE_CHECKING:
    import soxr  # type: ignore[import-untyped]

__all__ = ["Quality", "StreamingResampler", "resample", "supported_rate"]

Quality = Literal["QQ", "LQ", "MQ", "HQ", "VHQ"]
"""soxr quality presets, quickest to best."""


def _check_rates(from_rate: int, to_rate: int) -> None:
    if from_rate <= 0 or to_rate <= 0:
        raise ValueError(f"sample rates must be positive, got {from_rate} and {to_rate}")


def supported_rate(rate: int, supported: Sequence[int] | None) -> int:
    """The rate to convert ``rate`` audio to for a consumer that takes only ``supported``.

    ``rate`` itself when it is supported (or anything is); else the lowest supported
    rate above it, so nothing is lost; else the highest below it.
    """
    if not supported or rate in supported:
        return rate
    higher = [candidate for candidate in supported if candidate > rate]
    return min(higher) if higher else max(supported)


def resample(pcm: bytes, from_rate: int, to_rate: int, *, quality: Quality = "HQ") -> bytes:
    """Convert a whole PCM16 signal from ``from_rate`` to ``to_rate``."""
    _check_rates(from_rate, to_rate)
    if from_rate == to_rate or not pcm:
        return pcm
    import soxr

    return int16_to_pcm16(soxr.resample(pcm16_to_int16(pcm), from_rate, to_rate, quality))


class StreamingResampler:
    """Converts PCM16 arriving in chunks of any size; call :meth:`flush` at the end.

    The output equals a one-shot :func:`resample` of the whole signal, up to the
    filter's rounding. A chunk may end mid-sample: the odd byte waits for the next one.
    """

    def __init__(self, from_rate: int, to_rate: int, *, quality: Quality = "HQ") -> None:
        _check_rates(from_rate, to_rate)
        self.from_rate = from_rate
        self.to_rate = to_rate
        self.quality: Quality = quality
        self._pending = b""
        self._stream = self._new_stream()

    def process(self, pcm: bytes) -> bytes:
        """Feed more input; return the output that is ready."""
        data = self._pending + pcm
        whole = len(data) - len(data) % SAMPLE_WIDTH
        self._pending = data[whole:]
        return self._convert(data[:whole], last=False)

    def flush(self) -> bytes:
        """End the stream: return the remaining output. The resampler can then be reused."""
        self._pending = b""
        out = self._convert(b"", last=True)
        # A fresh stream, because ResampleStream.clear() leaves some state behind.
        self._stream = self._new_stream()
        return out

    def _new_stream(self) -> soxr.ResampleStream | None:
        if self.from_rate == self.to_rate:
            return None
        import soxr

        return soxr.ResampleStream(
            self.from_rate, self.to_rate, 1, dtype="int16", quality=self.quality
        )

    def _convert(self, pcm: bytes, *, last: bool) -> bytes:
        if self._stream is None:
            return pcm
        return int16_to_pcm16(self._stream.resample_chunk(pcm16_to_int16(pcm), last=last))
