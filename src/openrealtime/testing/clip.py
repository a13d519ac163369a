"""The kit's speech clip: a short English utterance for audio scenarios against any server.

``data/speech.wav`` says "Please tell me a joke." (1.4 s, PCM16 mono 24 kHz). It was
synthesized once with the Piper TTS and the ``en_US-joe-medium`` voice; see
``data/SPEECH-LICENSE.md`` for how and under which terms.
"""

from __future__ import annotations

import wave
from functools import cache
from importlib.resources import files

__all__ = ["SPEECH_RATE", "SPEECH_TEXT", "speech_clip"]

SPEECH_TEXT = "Please tell me a joke."
SPEECH_RATE = 24000


@cache
def speech_clip() -> bytes:
    """The clip as PCM16 mono 24 kHz bytes."""
    with files(__package__).joinpath("data/speech.wav").open("rb") as raw, wave.open(raw) as wav:
        if (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) != (1, 2, SPEECH_RATE):
            raise ValueError("data/speech.wav must be PCM16 mono 24 kHz")
        frames: bytes = wav.readframes(wav.getnframes())
        return frames
