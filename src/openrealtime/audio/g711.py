"""G.711 μ-law and A-law: PCM16 to 8-bit codes and back, via ``audioop``.

``audioop`` is the standard library module on Python 3.11 and 3.12 (deprecated there)
and the ``audioop-lts`` package on Python 3.13 and later (the ``server`` extra installs
it). Without it, importing this module still works; encoding or decoding raises.
``audioop`` works in host byte order, so PCM16 is byte-swapped on big-endian hosts.
"""

from __future__ import annotations

import sys
import warnings

__all__ = ["alaw_to_pcm16", "pcm16_to_alaw", "pcm16_to_ulaw", "ulaw_to_pcm16"]

try:
    with warnings.catch_warnings():
        # The stdlib module warns about its removal in 3.13; audioop-lts replaces it there.
        warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
        import audioop
except ModuleNotFoundError:
    _AUDIOOP_MISSING = True
else:
    _AUDIOOP_MISSING = False

_WIDTH = 2
_BIG_ENDIAN_HOST = sys.byteorder == "big"


def _require_audioop() -> None:
    if _AUDIOOP_MISSING:
        raise ModuleNotFoundError(
            "G.711 needs the audioop-lts package on Python >= 3.13: "
            "pip install 'openrealtime[server]'"
        )


def _check_whole_samples(pcm: bytes) -> None:
    if len(pcm) % _WIDTH:
        raise ValueError(f"PCM16 audio must have an even number of bytes, got {len(pcm)}")


def _host_order(pcm: bytes) -> bytes:
    """Little-endian PCM16 to host order, or back (the swap is its own inverse)."""
    return audioop.byteswap(pcm, _WIDTH) if _BIG_ENDIAN_HOST else pcm


def pcm16_to_ulaw(pcm: bytes) -> bytes:
    """Encode PCM16 to G.711 μ-law, one byte per sample."""
    _require_audioop()
    _check_whole_samples(pcm)
    return audioop.lin2ulaw(_host_order(pcm), _WIDTH)


def ulaw_to_pcm16(data: bytes) -> bytes:
    """Decode G.711 μ-law to PCM16."""
    _require_audioop()
    return _host_order(audioop.ulaw2lin(data, _WIDTH))


def pcm16_to_alaw(pcm: bytes) -> bytes:
    """Encode PCM16 to G.711 A-law, one byte per sample."""
    _require_audioop()
    _check_whole_samples(pcm)
    return audioop.lin2alaw(_host_order(pcm), _WIDTH)


def alaw_to_pcm16(data: bytes) -> bytes:
    """Decode G.711 A-law to PCM16."""
    _require_audioop()
    return _host_order(audioop.alaw2lin(data, _WIDTH))
