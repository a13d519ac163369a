from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from openrealtime.audio import (
    SAMPLE_WIDTH,
    bytes_for_ms,
    bytes_to_samples,
    duration_ms,
    float32_to_pcm16,
    int16_to_pcm16,
    pcm16_to_float32,
    pcm16_to_int16,
    rms,
    samples_to_bytes,
)

from .conftest import sine_pcm


def test_sizes_and_durations() -> None:
    assert SAMPLE_WIDTH == 2
    assert bytes_to_samples(4800) == 2400
    assert bytes_to_samples(4801) == 2400
    assert samples_to_bytes(2400) == 4800
    assert duration_ms(4800, 24000) == 100.0
    assert duration_ms(3200, 16000) == 100.0
    assert duration_ms(0, 8000) == 0.0
    assert bytes_for_ms(100, 24000) == 4800
    assert bytes_for_ms(20, 8000) == 320
    assert bytes_for_ms(0.03, 24000) == 2  # 0.72 samples rounds to one


def test_int16_round_trip_is_little_endian() -> None:
    pcm = b"\x01\x00\xff\x7f\x00\x80"
    assert pcm16_to_int16(pcm).tolist() == [1, 32767, -32768]
    assert int16_to_pcm16([1, 32767, -32768]) == pcm


def test_float_round_trip_is_exact_for_every_int16() -> None:
    pcm = int16_to_pcm16(np.arange(-32768, 32768, dtype=np.int16))
    floats = pcm16_to_float32(pcm)
    assert floats.dtype == np.float32
    assert floats.min() == -1.0
    assert floats.max() < 1.0
    assert float32_to_pcm16(floats) == pcm


def test_float_to_pcm16_clips() -> None:
    assert pcm16_to_int16(float32_to_pcm16([2.0, -2.0, 1.0])).tolist() == [32767, -32768, 32767]


def test_odd_byte_count_is_refused() -> None:
    with pytest.raises(ValueError, match="even number of bytes"):
        pcm16_to_float32(b"\x00\x00\x00")
    with pytest.raises(ValueError, match="even number of bytes"):
        rms(b"\x00")


def test_rms() -> None:
    assert rms(b"") == 0.0
    assert rms(bytes(480)) == 0.0
    assert rms(int16_to_pcm16([16384, -16384])) == 0.5
    assert rms(sine_pcm(1000, 1.0, 8000, amplitude=0.5)) == pytest.approx(0.5 / math.sqrt(2), 1e-3)


def test_core_import_needs_neither_numpy_nor_soxr() -> None:
    code = (
        "import sys, warnings; warnings.simplefilter('error');"
        "import openrealtime.audio as a;"
        "assert a.duration_ms(48, 24000) == 1.0;"
        "assert a.PCM16.encode(b'ab') == b'ab';"
        "assert 'numpy' not in sys.modules and 'soxr' not in sys.modules, sys.modules.keys()"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
