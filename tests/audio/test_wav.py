from __future__ import annotations

import wave
from pathlib import Path

import pytest

from openrealtime.audio import WavFormatError, pcm16_wav_bytes, read_pcm16_wav, write_pcm16_wav


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "a.wav"
    write_pcm16_wav(path, b"\x01\x00\x02\x00", 16000)
    assert read_pcm16_wav(path) == (b"\x01\x00\x02\x00", 16000)


def test_stereo_and_8_bit_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "stereo.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(1)
        wav.setframerate(8000)
        wav.writeframes(b"\x00\x00")
    with pytest.raises(WavFormatError, match="expected 16-bit mono PCM, got 8-bit with 2"):
        read_pcm16_wav(path)


def test_not_a_wav_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "text.wav"
    path.write_text("hello")
    with pytest.raises(WavFormatError, match="not a PCM WAV file"):
        read_pcm16_wav(path)


def test_wav_bytes_match_the_file(tmp_path: Path) -> None:
    path = tmp_path / "b.wav"
    pcm = bytes(range(200))
    write_pcm16_wav(path, pcm, 8000)
    data = pcm16_wav_bytes(pcm, 8000)
    assert data == path.read_bytes()
    assert data[:4] == b"RIFF"
    assert data[8:12] == b"WAVE"
