"""Reading and writing PCM16 mono WAV files with the standard library."""

from __future__ import annotations

import io
import wave
from pathlib import Path
from typing import BinaryIO

__all__ = ["WavFormatError", "pcm16_wav_bytes", "read_pcm16_wav", "write_pcm16_wav"]


class WavFormatError(ValueError):
    """The file is not a PCM16 mono WAV file."""


def read_pcm16_wav(path: str | Path) -> tuple[bytes, int]:
    """The PCM16 samples and sample rate of a mono 16-bit PCM WAV file."""
    try:
        with wave.open(str(path), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            pcm = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as exc:
        raise WavFormatError(f"not a PCM WAV file ({exc})") from exc
    if channels != 1 or width != 2:
        raise WavFormatError(
            f"expected 16-bit mono PCM, got {8 * width}-bit with {channels} channel(s)"
        )
    return pcm, rate


def write_pcm16_wav(path: str | Path, pcm: bytes, sample_rate: int) -> None:
    """Write PCM16 mono samples as a WAV file."""
    with open(path, "wb") as file:
        _write(file, pcm, sample_rate)


def pcm16_wav_bytes(pcm: bytes, sample_rate: int) -> bytes:
    """PCM16 mono samples as the bytes of a WAV file, for an upload."""
    buffer = io.BytesIO()
    _write(buffer, pcm, sample_rate)
    return buffer.getvalue()


def _write(file: BinaryIO, pcm: bytes, sample_rate: int) -> None:
    with wave.open(file, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm)
