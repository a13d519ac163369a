"""Voice activity from frame energy."""

from __future__ import annotations

import math

from openrealtime.audio import SAMPLE_WIDTH, rms

from ..base import EngineBase

__all__ = ["REFERENCE_RMS", "EnergyVad", "EnergyVadStream"]

REFERENCE_RMS = 0.1
"""Frame RMS (relative to full scale, -20 dBFS) that counts as certain speech.

Tone-code speech has an RMS of about 0.2 (-13 dBFS), so its frames score 1.0; digital
silence scores 0.0, and a frame at -26 dBFS scores 0.5, the default threshold.
"""


class EnergyVadStream:
    """One session's energy VAD: speech probability = min(1, frame RMS / reference)."""

    def __init__(self, sample_rate: int, frame_ms: int, reference_rms: float) -> None:
        self.frame_ms = frame_ms
        self.sample_rate = sample_rate
        self._reference = reference_rms
        self._frame_bytes = SAMPLE_WIDTH * math.ceil(sample_rate * frame_ms / 1000)
        self._pending = b""

    async def feed(self, pcm: bytes) -> list[float]:
        """Consume audio of any length; return one probability per completed frame.

        Answers at once: a frame's energy costs next to nothing.
        """
        data = self._pending + pcm
        size = self._frame_bytes
        complete = len(data) - len(data) % size
        self._pending = data[complete:]
        return [
            min(1.0, rms(data[start : start + size]) / self._reference)
            for start in range(0, complete, size)
        ]

    def reset(self) -> None:
        """Drop the samples of an incomplete frame."""
        self._pending = b""


class EnergyVad(EngineBase):
    """Creates :class:`EnergyVadStream` s with ``frame_ms`` frames (20 ms by default)."""

    def __init__(self, *, frame_ms: int = 20, reference_rms: float = REFERENCE_RMS) -> None:
        if frame_ms <= 0 or reference_rms <= 0:
            raise ValueError("frame_ms and reference_rms must be positive")
        self.frame_ms = frame_ms
        self.reference_rms = reference_rms

    def stream(self, sample_rate: int) -> EnergyVadStream:
        """A fresh stream for audio at ``sample_rate``."""
        return EnergyVadStream(sample_rate, self.frame_ms, self.reference_rms)
