"""The embedded offline engines: every model ships in a pip package, nothing downloads.

- :class:`SileroVad`: Silero v6 voice activity (onnxruntime), off the event loop.
- :class:`WhisperTranscriber`: faster-whisper, Whisper tiny.en by default.
- :class:`LlamaResponder`: a GGUF chat model in-process with llama.cpp (xllamacpp),
  SmolLM2-135M-Instruct by default.
- :class:`PiperSynthesizer`: Piper text to speech, the en_US joe voice by default.
- :class:`LlamaTurnScorer`: end-of-turn probability for ``semantic_vad``.

The ``local`` engine kind builds them from registry options (:mod:`.factories`).
Importing this package needs numpy (the ``server`` extra); each engine imports its
own packages (the ``local`` extra) when it starts.
"""

from .llama import LlamaResponder
from .piper import OPENAI_VOICES, PiperSynthesizer
from .silero_vad import SileroVad, SileroVadStream
from .threads import limit_math_threads
from .turn_scorer import LlamaTurnScorer
from .whisper import WhisperTranscriber

__all__ = [
    "OPENAI_VOICES",
    "LlamaResponder",
    "LlamaTurnScorer",
    "PiperSynthesizer",
    "SileroVad",
    "SileroVadStream",
    "WhisperTranscriber",
    "limit_math_threads",
]
