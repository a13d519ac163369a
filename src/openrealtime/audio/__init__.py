"""Audio helpers: PCM16, G.711, resampling, the Realtime formats, base64 and WAV files.

Audio is PCM16 little-endian mono unless a name says otherwise. Importing this package
needs only the core install; numpy and soxr (the ``server`` extra) are imported by the
functions that use them.
"""

from .b64 import InvalidBase64Error, b64_audio_chunks, b64decode, b64encode, split_audio
from .formats import (
    G711_ALAW,
    G711_ULAW,
    PCM16,
    AudioFormat,
    AudioFormatError,
    StreamingEncoder,
    audio_format_from_wire,
)
from .g711 import alaw_to_pcm16, pcm16_to_alaw, pcm16_to_ulaw, ulaw_to_pcm16
from .pcm import (
    SAMPLE_WIDTH,
    bytes_for_ms,
    bytes_to_samples,
    duration_ms,
    float32_to_pcm16,
    int16_to_pcm16,
    pcm16_to_float32,
    pcm16_to_int16,
    rms,
    samples_to_bytes,
)
from .resample import StreamingResampler, resample, supported_rate
from .wav import WavFormatError, pcm16_wav_bytes, read_pcm16_wav, write_pcm16_wav

__all__ = [
    "G711_ALAW",
    "G711_ULAW",
    "PCM16",
    "SAMPLE_WIDTH",
    "AudioFormat",
    "AudioFormatError",
    "InvalidBase64Error",
    "StreamingEncoder",
    "StreamingResampler",
    "WavFormatError",
    "alaw_to_pcm16",
    "audio_format_from_wire",
    "b64_audio_chunks",
    "b64decode",
    "b64encode",
    "bytes_for_ms",
    "bytes_to_samples",
    "duration_ms",
    "float32_to_pcm16",
    "int16_to_pcm16",
    "pcm16_to_alaw",
    "pcm16_to_float32",
    "pcm16_to_int16",
    "pcm16_to_ulaw",
    "pcm16_wav_bytes",
    "read_pcm16_wav",
    "resample",
    "rms",
    "samples_to_bytes",
    "split_audio",
    "supported_rate",
    "ulaw_to_pcm16",
    "write_pcm16_wav",
]
