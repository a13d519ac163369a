from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from openrealtime.engines.base import (
    CancelSignal,
    ContextItem,
    EngineSet,
    ResponseRequest,
    SpeechChunk,
    TextDelta,
    TranscriptionRequest,
    TranscriptResult,
)
from openrealtime.engines.scripted import (
    EnergyVad,
    PunctuationTurnScorer,
    Script,
    ScriptedResponder,
    ScriptedSynthesizer,
    ScriptedTranscriber,
    scripted_engines,
)

from .conftest import RecordingSleep


def test_factory_defaults() -> None:
    engines = scripted_engines()
    assert isinstance(engines, EngineSet)
    assert engines.name == "scripted"
    assert isinstance(engines.responder, ScriptedResponder)
    assert isinstance(engines.synthesizer, ScriptedSynthesizer)
    assert isinstance(engines.transcriber, ScriptedTranscriber)
    assert isinstance(engines.vad, EnergyVad)
    assert isinstance(engines.turn_scorer, PunctuationTurnScorer)
    assert engines.synthesizer.pace == 1.0
    assert engines.synthesizer.ms_per_char == 60


async def test_a_spoken_turn_round_trips_through_every_engine() -> None:
    sleep = RecordingSleep()
    script = Script.model_validate({"rules": [{"match": "ping", "reply": "pong", "delay_ms": 5}]})
    engines = scripted_engines(script, pace=1.0, ms_per_char=40, sleep=sleep)

    async def words(text: str) -> AsyncIterator[str]:
        yield text

    spoken: list[SpeechChunk] = [
        c
        async for c in engines.synthesizer.synthesize(
            words("ping"), voice="x", speed=1.0, cancel=CancelSignal()
        )
    ]
    user_pcm = bytes(4800) + b"".join(c.pcm for c in spoken) + bytes(4800)
    stream = engines.vad.stream(24000)
    assert max(await stream.feed(user_pcm)) == 1.0
    parts = [p async for p in engines.transcriber.transcribe(TranscriptionRequest(user_pcm, 24000))]
    assert isinstance(parts[-1], TranscriptResult)
    assert parts[-1].text == "ping"
    request = ResponseRequest("", [ContextItem("message", role="user", text=parts[-1].text)])
    reply = [o async for o in engines.responder.respond(request)]
    assert reply == [TextDelta("pong")]
    assert sleep.calls == [0.005]


@pytest.mark.parametrize(
    ("transcript", "score"),
    [
        ("I'd like a table.", 1.0),
        ("Is it open?  ", 1.0),
        ('He said "stop!"', 1.0),
        ("I want to go and", 0.0),
        ("", 0.0),
    ],
)
async def test_the_turn_scorer_hears_a_sentence_end(transcript: str, score: float) -> None:
    assert await PunctuationTurnScorer().end_of_turn(transcript) == score
