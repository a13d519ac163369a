from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from openrealtime.audio import (
    alaw_to_pcm16,
    int16_to_pcm16,
    pcm16_to_alaw,
    pcm16_to_int16,
    pcm16_to_ulaw,
    rms,
    ulaw_to_pcm16,
)

from .conftest import sine_pcm

Codec = Callable[[bytes], bytes]

CODECS = [
    pytest.param(pcm16_to_ulaw, ulaw_to_pcm16, id="ulaw"),
    pytest.param(pcm16_to_alaw, alaw_to_pcm16, id="alaw"),
]


def test_ulaw_known_values() -> None:
    assert pcm16_to_ulaw(int16_to_pcm16([0, 32767, -32768])) == bytes([0xFF, 0x80, 0x00])
    assert pcm16_to_int16(ulaw_to_pcm16(bytes([0xFF, 0x80, 0x00]))).tolist() == [0, 32124, -32124]


def test_alaw_known_values() -> None:
    assert pcm16_to_alaw(int16_to_pcm16([0, 32767, -32768])) == bytes([0xD5, 0xAA, 0x2A])
    assert pcm16_to_int16(alaw_to_pcm16(bytes([0xD5, 0xAA, 0x2A]))).tolist() == [8, 32256, -32256]


@pytest.mark.parametrize(("encode", "decode"), CODECS)
def test_one_byte_per_sample_and_every_code_decodes(encode: Codec, decode: Codec) -> None:
    assert len(encode(bytes(320))) == 160
    decoded = pcm16_to_int16(decode(bytes(range(256))))
    assert len(decoded) == 256
    assert len(set(decoded.tolist())) >= 255  # μ-law has two codes for zero


@pytest.mark.parametrize(("encode", "decode"), CODECS)
def test_round_trip_error_is_logarithmic(encode: Codec, decode: Codec) -> None:
    x = np.arange(-32124, 32125, dtype=np.int64)  # above 32124 μ-law clips
    y = pcm16_to_int16(decode(encode(int16_to_pcm16(x)))).astype(np.int64)
    error = np.abs(y - x)
    assert np.all(error <= 0.036 * np.abs(x) + 16)


@pytest.mark.parametrize(("encode", "decode"), CODECS)
def test_sine_survives_with_high_snr(encode: Codec, decode: Codec) -> None:
    pcm = sine_pcm(1000, 0.5, 8000, amplitude=0.3)
    back = decode(encode(pcm))
    noise = int16_to_pcm16(pcm16_to_int16(back).astype(np.int64) - pcm16_to_int16(pcm))
    snr_db = 20 * np.log10(rms(pcm) / rms(noise))
    assert snr_db > 30


def test_odd_pcm_is_refused() -> None:
    with pytest.raises(ValueError, match="even number of bytes"):
        pcm16_to_ulaw(b"\x00")
