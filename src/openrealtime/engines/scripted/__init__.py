"""Deterministic engines that need no model weights: for tests, demos and CI.

The responder follows rules and an optional script; the synthesizer "speaks" in a tone
code that the transcriber decodes back exactly (see :mod:`.speech_code`); the VAD
thresholds frame energy. Given the same inputs, every engine gives the same outputs.
"""

from __future__ import annotations

import asyncio

from ..base import EngineSet
from .responder import GREETING, ScriptedResponder
from .script import Script, ScriptError, load_script
from .speech_code import DEFAULT_MS_PER_CHAR, decode, speak
from .synthesizer import ScriptedSynthesizer, Sleep
from .transcriber import ScriptedTranscriber
from .turn_scorer import PunctuationTurnScorer
from .vad import EnergyVad

__all__ = [
    "GREETING",
    "EnergyVad",
    "PunctuationTurnScorer",
    "Script",
    "ScriptError",
    "ScriptedResponder",
    "ScriptedSynthesizer",
    "ScriptedTranscriber",
    "decode",
    "load_script",
    "scripted_engines",
    "speak",
]


def scripted_engines(
    script: Script | None = None,
    *,
    pace: float = 1.0,
    ms_per_char: float = DEFAULT_MS_PER_CHAR,
    sleep: Sleep = asyncio.sleep,
) -> EngineSet:
    """The scripted engine set; ``sleep`` drives every wait (pacing and script delays)."""
    return EngineSet(
        responder=ScriptedResponder(script, ms_per_char=ms_per_char, sleep=sleep),
        synthesizer=ScriptedSynthesizer(ms_per_char=ms_per_char, pace=pace, sleep=sleep),
        transcriber=ScriptedTranscriber(ms_per_char=ms_per_char),
        vad=EnergyVad(),
        name="scripted",
        turn_scorer=PunctuationTurnScorer(),
    )
