"""PCM16 little-endian mono: sizes, durations and numpy conversions.

numpy belongs to the ``server`` extra, so it is imported inside the functions that
need it: the size and duration helpers work on the core install.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

__all__ = [
    "SAMPLE_WIDTH",
    "bytes_for_ms",
    "bytes_to_samples",
    "duration_ms",
    "float32_to_pcm16",
    "int16_to_pcm16",
    "pcm16_to_float32",
    "pcm16_to_int16",
    "rms",
    "samples_to_bytes",
]

SAMPLE_WIDTH = 2
"""Bytes per PCM16 mono sample."""

_FULL_SCALE = 32768.0


def bytes_to_samples(num_bytes: int) -> int:
    """The number of whole samples in ``num_bytes`` of PCM16."""
    return num_bytes // SAMPLE_WIDTH


def samples_to_bytes(num_samples: int) -> int:
    """The size in bytes of ``num_samples`` PCM16 samples."""
    return num_samples * SAMPLE_WIDTH


def duration_ms(num_bytes: int, sample_rate: int) -> float:
    """The duration in ms of ``num_bytes`` of PCM16 at ``sample_rate``."""
    return bytes_to_samples(num_bytes) * 1000.0 / sample_rate


def bytes_for_ms(ms: float, sample_rate: int) -> int:
    """The size in bytes of ``ms`` of PCM16 at ``sample_rate``, rounded to a whole sample."""
    return samples_to_bytes(round(ms * sample_rate / 1000.0))


def _check_whole_samples(pcm: bytes) -> None:
    if len(pcm) % SAMPLE_WIDTH:
        raise ValueError(f"PCM16 audio must have an even number of bytes, got {len(pcm)}")


def pcm16_to_int16(pcm: bytes) -> NDArray[np.int16]:
    """PCM16 bytes as a native-endian int16 array (a copy)."""
    import numpy as np

    _check_whole_samples(pcm)
    return np.frombuffer(pcm, dtype="<i2").astype(np.int16)


def int16_to_pcm16(samples: ArrayLike) -> bytes:
    """An int16 array (or anything convertible to one) as PCM16 bytes."""
    import numpy as np

    return np.asarray(samples, dtype=np.int16).astype("<i2").tobytes()


def pcm16_to_float32(pcm: bytes) -> NDArray[np.float32]:
    """PCM16 bytes as float32 samples in [-1, 1)."""
    import numpy as np

    _check_whole_samples(pcm)
    return (np.frombuffer(pcm, dtype="<i2") / np.float32(_FULL_SCALE)).astype(np.float32)


def float32_to_pcm16(samples: ArrayLike) -> bytes:
    """Float samples in [-1, 1] as PCM16 bytes, rounded and clipped to the int16 range."""
    import numpy as np

    scaled = np.rint(np.asarray(samples, dtype=np.float64) * _FULL_SCALE)
    return np.clip(scaled, -32768, 32767).astype("<i2").tobytes()


def rms(pcm: bytes) -> float:
    """Root mean square of PCM16 audio relative to full scale (0.0 for silence or no audio)."""
    import numpy as np

    _check_whole_samples(pcm)
    if not pcm:
        return 0.0
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    # A dot product: one pass and no temporary array, on the VAD's per-frame path.
    return math.sqrt(float(np.dot(samples, samples)) / len(samples)) / _FULL_SCALE
