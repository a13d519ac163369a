from __future__ import annotations

import numpy as np
import pytest

from openrealtime.audio import StreamingResampler, pcm16_to_int16, resample

from .conftest import peak_frequency, sine_pcm


@pytest.mark.parametrize(
    ("from_rate", "to_rate"),
    [(24000, 16000), (16000, 24000), (24000, 8000), (8000, 24000), (16000, 8000), (22050, 24000)],
)
def test_one_shot_keeps_duration_and_pitch(from_rate: int, to_rate: int) -> None:
    pcm = sine_pcm(440, 1.0, from_rate)
    out = resample(pcm, from_rate, to_rate)
    assert len(out) == 2 * to_rate
    assert peak_frequency(out, to_rate) == pytest.approx(440, abs=2)


def test_same_rate_and_empty_pass_through() -> None:
    assert resample(b"\x01\x02", 24000, 24000) == b"\x01\x02"
    assert resample(b"", 24000, 16000) == b""


def test_rates_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        resample(b"\x00\x00", 0, 16000)
    with pytest.raises(ValueError, match="positive"):
        StreamingResampler(24000, -1)


@pytest.mark.parametrize(("from_rate", "to_rate"), [(24000, 16000), (8000, 24000)])
@pytest.mark.parametrize("chunk_bytes", [480, 481, 7])
def test_streaming_matches_one_shot(from_rate: int, to_rate: int, chunk_bytes: int) -> None:
    pcm = sine_pcm(440, 0.5, from_rate)
    stream = StreamingResampler(from_rate, to_rate)
    pieces = [stream.process(pcm[i : i + chunk_bytes]) for i in range(0, len(pcm), chunk_bytes)]
    streamed = pcm16_to_int16(b"".join(pieces) + stream.flush()).astype(np.int32)
    one_shot = pcm16_to_int16(resample(pcm, from_rate, to_rate)).astype(np.int32)
    assert len(streamed) == len(one_shot)
    assert np.max(np.abs(streamed - one_shot)) <= 4


def test_streaming_resampler_can_be_reused_after_flush() -> None:
    pcm = sine_pcm(440, 0.2, 24000)
    stream = StreamingResampler(24000, 16000)
    first = stream.process(pcm) + stream.flush()
    second = stream.process(pcm) + stream.flush()
    assert first == second


def test_streaming_same_rate_passes_through_whole_samples() -> None:
    stream = StreamingResampler(16000, 16000)
    assert stream.process(b"\x01\x02\x03") == b"\x01\x02"
    assert stream.process(b"\x04") == b"\x03\x04"
    assert stream.flush() == b""
