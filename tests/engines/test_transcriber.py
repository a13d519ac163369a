from __future__ import annotations

import numpy as np
import pytest

from openrealtime.audio import G711_ALAW, float32_to_pcm16
from openrealtime.engines.base import (
    EngineError,
    Transcriber,
    TranscriptDelta,
    TranscriptionRequest,
    TranscriptResult,
)
from openrealtime.engines.scripted import ScriptedTranscriber, speak


async def transcribe(
    pcm: bytes, rate: int = 24000, **kw: float
) -> list[TranscriptDelta | TranscriptResult]:
    transcriber = ScriptedTranscriber(**kw)
    assert isinstance(transcriber, Transcriber)
    return [part async for part in transcriber.transcribe(TranscriptionRequest(pcm, rate))]


async def test_deltas_then_result() -> None:
    pcm, _ = speak("Hi there, friend.")
    parts = await transcribe(bytes(9600) + pcm + bytes(4800))
    assert parts == [
        TranscriptDelta("Hi"),
        TranscriptDelta(" there"),
        TranscriptDelta(","),
        TranscriptDelta(" friend"),
        TranscriptDelta("."),
        TranscriptResult("Hi there, friend.", 0.2 + 17 * 0.06 + 0.1),
    ]


async def test_g711_audio_at_8k() -> None:
    pcm, _ = speak("ok")
    wire = G711_ALAW.encode(pcm, 24000)
    parts = await transcribe(G711_ALAW.decode(wire), 8000)
    assert parts == [TranscriptDelta("ok"), TranscriptResult("ok", 0.12)]


async def test_other_pace() -> None:
    pcm, _ = speak("fast", 24000, 30)
    parts = await transcribe(pcm, ms_per_char=30)
    assert parts[-1] == TranscriptResult("fast", 0.12)


@pytest.mark.parametrize(
    "pcm",
    [
        bytes(48000),
        b"",
        float32_to_pcm16(np.random.default_rng(3).normal(0, 0.3, 24000)),
    ],
    ids=["silence", "empty", "noise"],
)
async def test_unintelligible(pcm: bytes) -> None:
    with pytest.raises(EngineError, match=r"^Audio is unintelligible\.$") as caught:
        await transcribe(pcm)
    assert caught.value.code == "audio_unintelligible"


async def test_odd_trailing_byte_is_ignored() -> None:
    pcm, _ = speak("x")
    parts = await transcribe(pcm + b"\x00")
    assert parts[-1] == TranscriptResult("x", 0.06)
