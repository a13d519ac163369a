"""The three Realtime audio formats, named in both dialects.

- ``pcm16`` / ``{"type": "audio/pcm", "rate": 24000}``: PCM16 LE mono at 24 kHz, 48 bytes per ms.
- ``g711_ulaw`` / ``{"type": "audio/pcmu"}``: G.711 μ-law at 8 kHz, 8 bytes per ms.
- ``g711_alaw`` / ``{"type": "audio/pcma"}``: G.711 A-law at 8 kHz, 8 bytes per ms.

Decoding gives PCM16 at the format's own rate; encoding takes PCM16 at any rate and
resamples when the rate differs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .g711 import alaw_to_pcm16, pcm16_to_alaw, pcm16_to_ulaw, ulaw_to_pcm16
from .resample import StreamingResampler, resample

__all__ = [
    "G711_ALAW",
    "G711_ULAW",
    "PCM16",
    "AudioFormat",
    "AudioFormatError",
    "StreamingEncoder",
    "audio_format_from_wire",
]


def _identity(data: bytes) -> bytes:
    return data


@dataclass(frozen=True, slots=True)
class AudioFormat:
    """A Realtime audio format: its names, rate and codec."""

    beta_name: Literal["pcm16", "g711_ulaw", "g711_alaw"]
    ga_type: Literal["audio/pcm", "audio/pcmu", "audio/pcma"]
    sample_rate: int
    bytes_per_sample: int
    _encode: Callable[[bytes], bytes] = field(repr=False, compare=False)
    _decode: Callable[[bytes], bytes] = field(repr=False, compare=False)

    @property
    def bytes_per_ms(self) -> float:
        """Wire bytes per millisecond of audio."""
        return self.sample_rate * self.bytes_per_sample / 1000.0

    def ga_object(self) -> dict[str, Any]:
        """The GA format object, e.g. ``{"type": "audio/pcm", "rate": 24000}``."""
        if self.ga_type == "audio/pcm":
            return {"type": self.ga_type, "rate": self.sample_rate}
        return {"type": self.ga_type}

    def duration_ms(self, num_bytes: int) -> float:
        """The duration in ms of ``num_bytes`` of wire audio (whole samples only)."""
        return (num_bytes // self.bytes_per_sample) * 1000.0 / self.sample_rate

    def bytes_for_ms(self, ms: float) -> int:
        """The size of ``ms`` of wire audio, rounded to a whole sample."""
        return round(ms * self.sample_rate / 1000.0) * self.bytes_per_sample

    def decode(self, data: bytes) -> bytes:
        """Wire bytes to PCM16 at :attr:`sample_rate`."""
        return self._decode(data)

    def encode(self, pcm: bytes, sample_rate: int | None = None) -> bytes:
        """PCM16 at ``sample_rate`` (default: the format's rate) to wire bytes.

        For audio that arrives in pieces, use :meth:`streaming_encoder`: it resamples
        without seams between the pieces.
        """
        rate = self.sample_rate if sample_rate is None else sample_rate
        return self._encode(resample(pcm, rate, self.sample_rate))

    def streaming_encoder(self, sample_rate: int) -> StreamingEncoder:
        """An encoder for PCM16 at ``sample_rate`` that arrives in pieces."""
        return StreamingEncoder(self, sample_rate)


class StreamingEncoder:
    """Encodes a stream of PCM16 pieces at one rate to one format's wire bytes."""

    def __init__(self, audio_format: AudioFormat, sample_rate: int) -> None:
        self.audio_format = audio_format
        self.sample_rate = sample_rate
        self._resampler = StreamingResampler(sample_rate, audio_format.sample_rate)

    def encode(self, pcm: bytes) -> bytes:
        """Feed more PCM16; return the wire bytes that are ready."""
        return self.audio_format._encode(self._resampler.process(pcm))

    def flush(self) -> bytes:
        """End the stream; return the remaining wire bytes."""
        return self.audio_format._encode(self._resampler.flush())


PCM16 = AudioFormat("pcm16", "audio/pcm", 24000, 2, _identity, _identity)
G711_ULAW = AudioFormat("g711_ulaw", "audio/pcmu", 8000, 1, pcm16_to_ulaw, ulaw_to_pcm16)
G711_ALAW = AudioFormat("g711_alaw", "audio/pcma", 8000, 1, pcm16_to_alaw, alaw_to_pcm16)

_FORMATS = (PCM16, G711_ULAW, G711_ALAW)
_BY_BETA_NAME: dict[str, AudioFormat] = {f.beta_name: f for f in _FORMATS}
_BY_GA_TYPE: dict[str, AudioFormat] = {f.ga_type: f for f in _FORMATS}


class AudioFormatError(ValueError):
    """The value names no supported Realtime audio format."""


def audio_format_from_wire(spec: str | Mapping[str, Any] | object) -> AudioFormat:
    """The format a beta name or a GA format object (a mapping or a model) names.

    A GA ``audio/pcm`` object without ``rate`` means 24000 Hz; any other rate is refused.
    """
    if isinstance(spec, str):
        found = _BY_BETA_NAME.get(spec)
        if found is None:
            raise AudioFormatError(f"Unknown audio format {spec!r}")
        return found
    if isinstance(spec, Mapping):
        ga_type, rate = spec.get("type"), spec.get("rate")
    else:
        ga_type, rate = getattr(spec, "type", None), getattr(spec, "rate", None)
    found = _BY_GA_TYPE.get(ga_type) if isinstance(ga_type, str) else None
    if found is None:
        raise AudioFormatError(f"Unknown audio format type {ga_type!r}")
    if rate is not None and rate != found.sample_rate:
        raise AudioFormatError(f"Unsupported rate {rate!r} for {ga_type}")
    return found
