"""The input audio buffer: PCM16 since the last commit, on the session's timeline.

Positions are milliseconds of all audio appended in the session, so they match
``audio_start_ms`` and ``audio_end_ms`` across commits.
"""

from __future__ import annotations

from ...audio.pcm import duration_ms

__all__ = ["InputAudioBuffer"]


class InputAudioBuffer:
    """Audio appended since the last commit or clear, as PCM16 at one sample rate."""

    def __init__(self, sample_rate: int, *, position_ms: float = 0.0) -> None:
        self.sample_rate = sample_rate
        self._pcm = bytearray()
        self._start_ms = position_ms
        self._end_ms = position_ms

    @property
    def start_ms(self) -> float:
        """Session position of the first buffered sample."""
        return self._start_ms

    @property
    def end_ms(self) -> float:
        """Session position just after the last appended sample."""
        return self._end_ms

    @property
    def duration_ms(self) -> float:
        """How much audio is buffered."""
        return self._end_ms - self._start_ms

    def append(self, pcm: bytes) -> None:
        """Add audio at the end."""
        self._pcm += pcm
        self._end_ms += duration_ms(len(pcm), self.sample_rate)

    def peek(self, start_ms: float, end_ms: float) -> bytes:
        """The audio between two positions, left in the buffer."""
        return bytes(self._pcm[self._offset(start_ms) : self._offset(end_ms)])

    def take(self, start_ms: float | None = None, end_ms: float | None = None) -> bytes:
        """Remove and return the audio between two positions (default: all of it).

        Audio before ``end_ms`` leaves the buffer; audio after it stays.
        """
        first = self._offset(self._start_ms if start_ms is None else start_ms)
        last = self._offset(self._end_ms if end_ms is None else end_ms)
        audio = bytes(self._pcm[first:last])
        del self._pcm[:last]
        self._start_ms += duration_ms(last, self.sample_rate)
        return audio

    def clear(self) -> None:
        """Drop everything buffered; positions keep counting."""
        self._pcm.clear()
        self._start_ms = self._end_ms

    def _offset(self, position_ms: float) -> int:
        samples = round((position_ms - self._start_ms) * self.sample_rate / 1000)
        return max(0, min(len(self._pcm), samples * 2))
