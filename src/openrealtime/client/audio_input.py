"""Audio to send: PCM16 bytes, numpy arrays, WAV files or (async) iterables of them.

:func:`wire_chunks` turns any :data:`AudioSource` into pieces of the session's input
format, ``chunk_ms`` each (the last may be shorter). PCM16 at another rate than the
format's is resampled, which needs soxr and numpy (``openrealtime[audio]``); numpy
arrays need numpy, which whoever made them has.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from typing import Any, TypeAlias

from ..audio import AudioFormat, float32_to_pcm16, int16_to_pcm16, read_pcm16_wav
from ..extras import import_extra

__all__ = ["AudioSource", "wire_chunks"]

PcmLike: TypeAlias = "bytes | bytearray | memoryview | Any"
AudioSource: TypeAlias = (
    "bytes | bytearray | memoryview | str | os.PathLike[str] | Iterable[PcmLike] "
    "| AsyncIterable[PcmLike] | Any"
)
"""PCM16 bytes, a numpy array (int16, or float in [-1, 1]), a WAV file path, or an
iterable or async iterable of bytes or arrays (a microphone, a TTS stream)."""


def _is_array(value: object) -> bool:
    return hasattr(value, "dtype") and hasattr(value, "tobytes")


def _pcm(piece: Any) -> bytes:
    """One piece of audio as PCM16 bytes."""
    if isinstance(piece, bytes | bytearray | memoryview):
        return bytes(piece)
    if _is_array(piece):
        kind = getattr(getattr(piece, "dtype", None), "kind", "")
        return float32_to_pcm16(piece) if kind == "f" else int16_to_pcm16(piece)
    raise TypeError(f"audio pieces must be PCM16 bytes or numpy arrays, not {type(piece).__name__}")


async def _pieces(source: Any) -> AsyncIterator[bytes]:
    if isinstance(source, bytes | bytearray | memoryview) or _is_array(source):
        yield _pcm(source)
    elif isinstance(source, AsyncIterable):
        async for piece in source:
            yield _pcm(piece)
    elif isinstance(source, Iterable) and not isinstance(source, str):
        for piece in source:
            yield _pcm(piece)
    else:
        raise TypeError(f"cannot send audio from {type(source).__name__}")


async def wire_chunks(
    source: AudioSource, target: AudioFormat, *, sample_rate: int | None, chunk_ms: float
) -> AsyncIterator[bytes]:
    """The source as ``target``-format pieces of ``chunk_ms`` each."""
    rate = sample_rate or target.sample_rate
    if isinstance(source, str | os.PathLike):
        pcm, rate = read_pcm16_wav(os.fspath(source))
        source = pcm
    if rate != target.sample_rate:
        import_extra("numpy", "audio", "resampling audio")
        import_extra("soxr", "audio", "resampling audio")
    size = target.bytes_for_ms(chunk_ms)
    if size <= 0:
        raise ValueError(f"chunk_ms must cover at least one sample, got {chunk_ms}")
    encoder = target.streaming_encoder(rate) if rate != target.sample_rate else None
    pending = bytearray()
    odd = b""
    async for piece in _pieces(source):
        whole = odd + piece
        odd = whole[len(whole) - len(whole) % 2 :]
        whole = whole[: len(whole) - len(odd)]
        pending += encoder.encode(whole) if encoder is not None else target.encode(whole)
        while len(pending) >= size:
            yield bytes(pending[:size])
            del pending[:size]
    if encoder is not None:
        pending += encoder.flush()
    if pending:
        yield bytes(pending)
