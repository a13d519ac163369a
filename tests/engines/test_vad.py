from __future__ import annotations

import pytest

from openrealtime.audio import float32_to_pcm16
from openrealtime.engines.base import VoiceActivityDetector
from openrealtime.engines.scripted import EnergyVad, speak


async def test_tone_code_is_speech_and_silence_is_not() -> None:
    vad = EnergyVad()
    assert isinstance(vad, VoiceActivityDetector)
    stream = vad.stream(24000)
    assert stream.frame_ms == 20
    pcm, _ = speak("hello world")
    speech = await stream.feed(pcm)
    assert len(speech) == 11 * 3
    assert min(speech) > 0.95
    assert await stream.feed(bytes(960 * 10)) == [0.0] * 10


async def test_probability_is_rms_over_reference() -> None:
    stream = EnergyVad(reference_rms=0.1).stream(16000)
    assert await stream.feed(float32_to_pcm16([0.05, -0.05] * 160)) == [
        pytest.approx(0.5, abs=1e-3)
    ]
    assert await stream.feed(float32_to_pcm16([0.5, -0.5] * 160)) == [1.0]


@pytest.mark.parametrize("chunk", [1, 7, 333, 961, 5000])
async def test_any_chunk_size_gives_the_same_frames(chunk: int) -> None:
    pcm = bytes(4800) + speak("abc")[0] + bytes(4801)
    whole = await EnergyVad().stream(24000).feed(pcm)
    stream = EnergyVad().stream(24000)
    pieces = [await stream.feed(pcm[i : i + chunk]) for i in range(0, len(pcm), chunk)]
    assert [p for piece in pieces for p in piece] == whole
    assert len(whole) == len(pcm) // 960


async def test_frames_at_8k() -> None:
    stream = EnergyVad().stream(8000)
    assert len(await stream.feed(bytes(320 * 5 + 100))) == 5
    assert len(await stream.feed(bytes(220))) == 1


def test_bad_parameters() -> None:
    with pytest.raises(ValueError, match="positive"):
        EnergyVad(frame_ms=0)


async def test_reset_drops_an_incomplete_frame() -> None:
    stream = EnergyVad().stream(24000)
    assert await stream.feed(bytes(500)) == []
    stream.reset()
    assert await stream.feed(bytes(500)) == []
    assert len(await stream.feed(bytes(460))) == 1
