from __future__ import annotations

import numpy as np
import pytest

from openrealtime.audio import (
    G711_ALAW,
    G711_ULAW,
    AudioFormat,
    float32_to_pcm16,
    resample,
    rms,
)
from openrealtime.engines.base import WordTiming
from openrealtime.engines.scripted.speech_code import ALPHABET, decode, frequency_of, speak

TEXT = "Hello, world! Is 42 the answer? (Yes; it's 'true')."


def silence(ms: float, rate: int = 24000) -> bytes:
    return bytes(2 * round(ms * rate / 1000))


def test_alphabet_frequencies_fit_telephone_band() -> None:
    frequencies = [frequency_of(char) for char in ALPHABET]
    assert len(set(frequencies)) == len(ALPHABET) == 95
    assert min(frequencies) == 300
    assert max(frequencies) == 3500
    assert frequency_of("é") == frequency_of("?")
    assert frequency_of("\n") == frequency_of(" ")


def test_speak_length_level_and_timings() -> None:
    pcm, words = speak("Hi there", 24000, 60)
    assert len(pcm) == 2 * 8 * 1440
    assert words == [WordTiming("Hi", 0, 120), WordTiming("there", 180, 480)]
    assert 0.18 < rms(pcm) < 0.23  # about -10 dBFS peak tones
    assert np.abs(np.frombuffer(pcm, "<i2")).max() <= round(32768 * 10 ** (-10 / 20)) + 1


def test_speak_starts_and_ends_each_char_quietly() -> None:
    pcm, _ = speak("AA", 24000, 60)
    samples = np.abs(np.frombuffer(pcm, "<i2"))
    for edge in (0, 1440, 2880):
        assert samples[max(0, edge - 5) : edge + 5].max() < 500


def test_empty_text() -> None:
    assert speak("") == (b"", [])
    assert decode(b"", 24000) == ""


@pytest.mark.parametrize("rate", [24000, 16000, 8000, 22050, 48000])
def test_round_trip_at_native_rate(rate: int) -> None:
    pcm, _ = speak(TEXT, rate)
    assert decode(pcm, rate) == TEXT


def test_every_character_round_trips() -> None:
    pcm, _ = speak(ALPHABET[1:])
    assert decode(pcm, 24000) == ALPHABET[1:]


def test_unknown_characters_decode_as_question_marks_and_whitespace_as_space() -> None:
    pcm, _ = speak("café\tok")
    assert decode(pcm, 24000) == "caf? ok"


def test_round_trip_through_16k_and_back() -> None:
    pcm, _ = speak(TEXT)
    at_16k = resample(pcm, 24000, 16000)
    assert decode(at_16k, 16000) == TEXT
    assert decode(resample(at_16k, 16000, 24000), 24000) == TEXT


@pytest.mark.parametrize("codec", [G711_ULAW, G711_ALAW], ids=["ulaw", "alaw"])
@pytest.mark.parametrize("ms_per_char", [60, 40, 30])
def test_round_trip_through_g711(codec: AudioFormat, ms_per_char: float) -> None:
    pcm, _ = speak(ALPHABET, 24000, ms_per_char)
    wire = codec.encode(pcm, 24000)
    assert decode(codec.decode(wire), 8000, ms_per_char=ms_per_char) == ALPHABET.strip()


def test_silence_before_after_and_between() -> None:
    first, _ = speak("first part")
    second, _ = speak("second")
    pcm = silence(1013) + first + silence(777) + second + silence(501)
    assert decode(pcm, 24000) == "first part second"
    ulaw = G711_ULAW.decode(G711_ULAW.encode(pcm, 24000))
    assert decode(ulaw, 8000) == "first part second"


def test_short_gaps_still_realign() -> None:
    first, _ = speak("ab")
    second, _ = speak("cd")
    assert decode(first + silence(23.3) + second, 24000) == "ab cd"


def test_truncated_last_char_is_dropped() -> None:
    pcm, _ = speak("abc")
    assert decode(pcm[: len(pcm) - 2 * 1000], 24000) == "ab"


def test_noise_and_voice_like_audio_decode_to_nothing() -> None:
    rng = np.random.default_rng(7)
    assert decode(float32_to_pcm16(rng.normal(0, 0.2, 48000)), 24000) == ""
    t = np.arange(72000) / 24000
    phase = 2 * np.pi * np.cumsum(120 + 20 * np.sin(2 * np.pi * 0.5 * t)) / 24000
    voice = sum(np.sin(k * phase) / k for k in range(1, 30))
    assert decode(float32_to_pcm16(0.3 * voice / np.abs(voice).max()), 24000) == ""
    assert decode(silence(2000), 24000) == ""


def test_mismatched_pace_does_not_decode_the_text() -> None:
    pcm, _ = speak(TEXT, 24000, 30)
    assert decode(pcm, 24000, ms_per_char=30) == TEXT
    assert decode(pcm, 24000) != TEXT


def test_bad_parameters() -> None:
    with pytest.raises(ValueError, match="positive"):
        speak("a", 0)
    with pytest.raises(ValueError, match="too short"):
        decode(b"\x00\x00", 8000, ms_per_char=5)
