from __future__ import annotations

import pytest

from openrealtime.audio import (
    G711_ALAW,
    G711_ULAW,
    PCM16,
    AudioFormatError,
    audio_format_from_wire,
    pcm16_to_alaw,
    pcm16_to_ulaw,
    resample,
)
from openrealtime.protocol import ga

from .conftest import peak_frequency, sine_pcm


def test_names_rates_and_sizes() -> None:
    assert (PCM16.beta_name, PCM16.ga_object()) == ("pcm16", {"type": "audio/pcm", "rate": 24000})
    assert (G711_ULAW.beta_name, G711_ULAW.ga_object()) == ("g711_ulaw", {"type": "audio/pcmu"})
    assert (G711_ALAW.beta_name, G711_ALAW.ga_object()) == ("g711_alaw", {"type": "audio/pcma"})
    assert PCM16.bytes_per_ms == 48
    assert G711_ULAW.bytes_per_ms == G711_ALAW.bytes_per_ms == 8
    assert PCM16.duration_ms(4800) == G711_ULAW.duration_ms(800) == 100
    assert PCM16.bytes_for_ms(20) == 960
    assert G711_ALAW.bytes_for_ms(20) == 160


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("pcm16", PCM16),
        ("g711_ulaw", G711_ULAW),
        ("g711_alaw", G711_ALAW),
        ({"type": "audio/pcm", "rate": 24000}, PCM16),
        ({"type": "audio/pcm"}, PCM16),
        ({"type": "audio/pcmu"}, G711_ULAW),
        ({"type": "audio/pcma"}, G711_ALAW),
        (ga.AudioPCM(rate=24000), PCM16),
        (ga.AudioPCMU(), G711_ULAW),
        (ga.AudioPCMA(), G711_ALAW),
    ],
)
def test_audio_format_from_wire(spec: object, expected: object) -> None:
    assert audio_format_from_wire(spec) is expected


@pytest.mark.parametrize(
    "spec", ["pcm", "g711-ulaw", {"type": "audio/pcm", "rate": 16000}, {"rate": 24000}, 3]
)
def test_audio_format_from_wire_refuses_unknown(spec: object) -> None:
    with pytest.raises(AudioFormatError):
        audio_format_from_wire(spec)


def test_pcm16_is_identity_at_24k() -> None:
    pcm = sine_pcm(440, 0.1, 24000)
    assert PCM16.decode(pcm) == pcm
    assert PCM16.encode(pcm) == pcm
    assert PCM16.encode(pcm, 24000) == pcm


def test_encode_resamples_to_the_format_rate() -> None:
    pcm_24k = sine_pcm(440, 1.0, 24000)
    ulaw = G711_ULAW.encode(pcm_24k, 24000)
    assert ulaw == pcm16_to_ulaw(resample(pcm_24k, 24000, 8000))
    assert len(ulaw) == 8000
    assert peak_frequency(G711_ULAW.decode(ulaw), 8000) == pytest.approx(440, abs=2)
    pcm_16k = sine_pcm(440, 1.0, 16000)
    assert len(PCM16.encode(pcm_16k, 16000)) == 48000


def test_g711_encode_at_native_rate_is_plain_g711() -> None:
    pcm = sine_pcm(1000, 0.1, 8000)
    assert G711_ALAW.encode(pcm) == pcm16_to_alaw(pcm)
    assert len(G711_ALAW.decode(G711_ALAW.encode(pcm))) == len(pcm)


def test_streaming_encoder_matches_one_shot_length_and_pitch() -> None:
    pcm = sine_pcm(440, 1.0, 24000)
    encoder = G711_ULAW.streaming_encoder(24000)
    wire = b"".join(encoder.encode(pcm[i : i + 960]) for i in range(0, len(pcm), 960))
    wire += encoder.flush()
    assert len(wire) == len(G711_ULAW.encode(pcm, 24000))
    assert peak_frequency(G711_ULAW.decode(wire), 8000) == pytest.approx(440, abs=2)
