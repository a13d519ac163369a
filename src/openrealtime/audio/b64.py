"""Base64 for audio payloads, and splitting audio into fixed-duration base64 pieces."""

from __future__ import annotations

import binascii
from collections.abc import Iterator

from .formats import AudioFormat

__all__ = ["InvalidBase64Error", "b64_audio_chunks", "b64decode", "b64encode", "split_audio"]


class InvalidBase64Error(ValueError):
    """The text is not valid base64."""


def b64encode(data: bytes) -> str:
    """Standard base64 with padding, no line breaks."""
    return binascii.b2a_base64(data, newline=False).decode("ascii")


def b64decode(text: str | bytes) -> bytes:
    """Decode standard base64 strictly: no whitespace, no stray characters, exact padding."""
    try:
        raw = text.encode("ascii") if isinstance(text, str) else text
        data = binascii.a2b_base64(raw, strict_mode=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidBase64Error(f"Invalid base64: {exc}") from exc
    # strict_mode still accepts padding after a complete quantum, as in "YWJj=".
    padding = len(raw) - len(raw.rstrip(b"="))
    if len(raw) % 4 or len(data) != len(raw) // 4 * 3 - padding:
        raise InvalidBase64Error("Invalid base64: wrong length or padding")
    return data


def split_audio(data: bytes, audio_format: AudioFormat, chunk_ms: float) -> Iterator[bytes]:
    """Split wire audio into pieces of ``chunk_ms`` each; the last may be shorter."""
    size = audio_format.bytes_for_ms(chunk_ms)
    if size <= 0:
        raise ValueError(f"chunk_ms must cover at least one sample, got {chunk_ms}")
    for start in range(0, len(data), size):
        yield data[start : start + size]


def b64_audio_chunks(data: bytes, audio_format: AudioFormat, chunk_ms: float) -> Iterator[str]:
    """Base64 pieces of ``chunk_ms`` of wire audio each, e.g. for ``input_audio_buffer.append``."""
    for piece in split_audio(data, audio_format, chunk_ms):
        yield b64encode(piece)
