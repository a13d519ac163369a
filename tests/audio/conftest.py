from __future__ import annotations

import numpy as np
import pytest

from openrealtime.audio import float32_to_pcm16


def sine_pcm(freq: float, seconds: float, rate: int, amplitude: float = 0.5) -> bytes:
    t = np.arange(round(seconds * rate)) / rate
    return float32_to_pcm16(amplitude * np.sin(2 * np.pi * freq * t))


def peak_frequency(pcm: bytes, rate: int) -> float:
    x = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / rate)[np.argmax(spectrum)])


@pytest.fixture
def sine_440_24k() -> bytes:
    return sine_pcm(440, 1.0, 24000)
