"""semantic_vad: the detector's decisions on frame positions, then the session core with
the scripted engines, whose turn scorer reads punctuation (1.0 at a sentence end, else 0.0).

Scripted speech is a tone code, 60 ms per character, that the scripted transcriber reads
back exactly; the energy VAD works in 20 ms frames. A draft transcript starts at a 60 ms
pause, and is judged once the harness lets tasks run (``settle``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
from typing import Any, Literal

import numpy as np
import pytest

from openrealtime.engines import EngineBase, EngineError, EngineSet
from openrealtime.engines.scripted import scripted_engines
from openrealtime.protocol import ga
from openrealtime.server.session.end_of_turn import EAGERNESS, words_log_odds
from openrealtime.server.session.turn_detection import (
    SEMANTIC_DRAFT_PAUSE_MS,
    SpeechStarted,
    SpeechStopped,
    TurnDetector,
)

from .harness import Harness, silence, speech

Eagerness = Literal["low", "medium", "high", "auto"]
FRAME_MS = 20
LEAD_MS = 400


def semantic(eagerness: Eagerness | None = None) -> dict[str, Any]:
    """A GA ``session.update``: semantic_vad, no automatic responses, transcripts on."""
    turn_detection: dict[str, Any] = {"type": "semantic_vad", "create_response": False}
    if eagerness is not None:
        turn_detection["eagerness"] = eagerness
    return {
        "type": "session.update",
        "session": {
            "type": "realtime",
            "output_modalities": ["text"],
            "audio": {
                "input": {
                    "turn_detection": turn_detection,
                    "transcription": {"model": "whisper-1"},
                }
            },
        },
    }


def stops(h: Harness) -> list[int]:
    return [event.audio_end_ms for event in h.of_type("input_audio_buffer.speech_stopped")]


def transcripts(h: Harness) -> list[str]:
    kind = "conversation.item.input_audio_transcription.completed"
    return [event.transcript for event in h.of_type(kind)]


def frames(ms: float) -> int:
    """A wait as the detector counts it: in whole frames, at least ``ms``."""
    return math.ceil(ms / FRAME_MS) * FRAME_MS


def spoken_ms(text: str) -> int:
    return 60 * len(text)


async def speak_and_pause(h: Harness, text: str) -> None:
    """Lead silence, ``text``, and the pause that starts a draft; then let it be judged."""
    await h.append(silence(LEAD_MS) + speech(text) + silence(SEMANTIC_DRAFT_PAUSE_MS))
    await h.settle()


async def wait_for_the_end(h: Harness, text: str, wait_ms: int) -> None:
    """Silence up to one frame before ``wait_ms``: still open; one more frame ends it."""
    await h.append(silence(wait_ms - SEMANTIC_DRAFT_PAUSE_MS - FRAME_MS))
    await h.settle()
    assert stops(h) == []
    await h.append(silence(FRAME_MS))
    await h.settle()
    assert stops(h) == [LEAD_MS + spoken_ms(text) + wait_ms]


# -- the detector, on frame positions -----------------------------------------------------


def detector(eagerness: Eagerness = "medium") -> TurnDetector:
    return TurnDetector(ga.SemanticVad(eagerness=eagerness), FRAME_MS)


@pytest.mark.spec("7.3")
def test_until_the_words_are_judged_only_the_longest_wait_ends_the_turn() -> None:
    d = detector("high")
    assert d.process([1.0] * 5, 0.0) == [SpeechStarted(0)]
    assert d.process([0.0] * 99, 100.0) == []
    assert d.silence_ms == 2000
    assert d.process([0.0], 2080.0) == [SpeechStopped(2100, 100.0)]


@pytest.mark.spec("7.1")
def test_a_verdict_sets_the_wait() -> None:
    d = detector("high")
    d.process([1.0] * 5 + [0.0] * 3, 0.0)
    assert d.judge(100.0, 2.0) == []
    assert d.silence_ms == EAGERNESS["high"].min_wait_ms == 200
    assert d.process([0.0] * 6, 160.0) == []
    assert d.process([0.0], 280.0) == [SpeechStopped(300, 100.0)]


@pytest.mark.spec("7.3")
def test_a_verdict_after_the_wait_ends_the_turn_where_the_audio_got_to() -> None:
    d = detector("high")
    d.process([1.0] * 5 + [0.0] * 12, 0.0)
    assert d.judge(100.0, 2.0) == [SpeechStopped(340, 100.0)]
    assert not d.speaking


@pytest.mark.spec("7.2")
def test_speech_after_the_pause_voids_its_verdict() -> None:
    d = detector("medium")
    d.process([1.0] * 5 + [0.0] * 3, 0.0)
    d.process([1.0] * 2, 160.0)
    assert d.judge(100.0, 2.0) == []  # it judged speech that has gone on since
    assert d.silence_ms == 4000
    d.process([0.0] * 3, 200.0)
    assert d.judge(200.0, 2.0) == []
    assert d.silence_ms == 400
    d.process([1.0], 260.0)
    assert d.silence_ms == 4000


def test_server_vad_ignores_verdicts_and_drafts_at_150_ms() -> None:
    d = TurnDetector(ga.ServerVad(silence_duration_ms=500), FRAME_MS)
    d.process([1.0] * 5 + [0.0] * 20, 0.0)
    assert d.judge(100.0, 5.0) == []
    assert (d.silence_ms, d.draft_pause_ms) == (500, 150)
    assert TurnDetector(ga.ServerVad(silence_duration_ms=200), FRAME_MS).draft_pause_ms == 100
    assert detector().draft_pause_ms == SEMANTIC_DRAFT_PAUSE_MS


@pytest.mark.parametrize("eagerness", [None, "auto", "medium", "low", "high"])
def test_semantic_vad_settings(eagerness: Eagerness | None) -> None:
    d = TurnDetector(ga.SemanticVad(eagerness=eagerness), FRAME_MS)
    assert (d.threshold, d.prefix_padding_ms) == (0.5, 300)
    assert d.policy == EAGERNESS[eagerness or "auto"]


# -- the session core, with the scripted engines --------------------------------------------


@pytest.mark.spec("7.1")
@pytest.mark.parametrize(
    ("eagerness", "wait_ms"), [("high", 200), ("medium", 400), ("auto", 400), ("low", 600)]
)
async def test_a_finished_sentence_ends_after_the_shortest_wait(
    eagerness: Eagerness, wait_ms: int
) -> None:
    text = "What time is it?"
    async with Harness() as h:
        await h.send(semantic(eagerness))
        await speak_and_pause(h, text)
        await wait_for_the_end(h, text, wait_ms)
        assert transcripts(h) == [text]


@pytest.mark.spec("7.1")
@pytest.mark.parametrize("eagerness", ["high", "medium", "low"])
async def test_an_unfinished_sentence_waits_longer(eagerness: Eagerness) -> None:
    text = "I want to book a flight and"
    wait_ms = frames(EAGERNESS[eagerness].wait_ms(words_log_odds(text, 0.0)))
    assert wait_ms >= 2000
    async with Harness() as h:
        await h.send(semantic(eagerness))
        await speak_and_pause(h, text)
        await wait_for_the_end(h, text, wait_ms)


@pytest.mark.spec("7.2")
async def test_speech_that_resumes_before_the_decision_keeps_the_turn_open() -> None:
    async with Harness() as h:
        await h.send(semantic())
        await speak_and_pause(h, "I want to book a flight and")
        await h.append(silence(700))
        await h.settle()
        await h.append(speech("a hotel.") + silence(500))
        await h.settle()
        assert len(h.of_type("input_audio_buffer.speech_started")) == 1
        assert len(stops(h)) == 1
        assert transcripts(h) == ["I want to book a flight and a hotel."]


class GatedScorer(EngineBase):
    """The punctuation rule, answering only once ``gate`` opens; it records cancellations."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.asked: list[str] = []
        self.cancelled: list[str] = []

    async def end_of_turn(self, transcript: str) -> float:
        self.asked.append(transcript)
        try:
            await self.gate.wait()
        except asyncio.CancelledError:
            self.cancelled.append(transcript)
            raise
        return 1.0 if transcript.endswith("?") else 0.0


@pytest.mark.spec("7.2")
async def test_scoring_is_cancelled_when_speech_resumes() -> None:
    scorer = GatedScorer()
    engines = dataclasses.replace(scripted_engines(), turn_scorer=scorer)
    async with Harness(engines=engines) as h:
        await h.send(semantic())
        await speak_and_pause(h, "What time")
        assert (scorer.asked, scorer.cancelled) == (["What time"], [])
        await h.append(speech("is it?"))
        await h.settle()
        assert scorer.cancelled == ["What time"]
        await h.append(silence(SEMANTIC_DRAFT_PAUSE_MS))
        await h.settle()
        assert scorer.asked == ["What time", "What time is it?"]
        assert stops(h) == []
        scorer.gate.set()
        await h.settle()
        await wait_for_the_end(h, "What time is it?", 400)
        assert transcripts(h) == ["What time is it?"]


@pytest.mark.spec("7.3")
async def test_a_verdict_that_comes_late_ends_the_turn_where_the_audio_got_to() -> None:
    text = "What time is it?"
    async with Harness() as h:
        await h.send(semantic())
        # Appended without a pause for tasks to run: every frame is heard before the
        # words are judged, so only the longest wait could end the turn meanwhile.
        await h.append(silence(LEAD_MS) + speech(text) + silence(1000))
        assert stops(h) == []
        await h.settle()
        assert stops(h) == [LEAD_MS + spoken_ms(text) + 1000]
        assert transcripts(h) == [text]


class FailingScorer(EngineBase):
    async def end_of_turn(self, transcript: str) -> float:
        raise EngineError("the scorer is gone")


@pytest.mark.spec("7.4")
@pytest.mark.parametrize("scorer", [None, FailingScorer()], ids=["no scorer", "failing scorer"])
@pytest.mark.parametrize("text", ["What time is it?", "What time is it"])
async def test_without_a_score_the_form_of_the_words_decides(
    scorer: EngineBase | None, text: str
) -> None:
    engines: EngineSet = dataclasses.replace(scripted_engines(), turn_scorer=scorer)  # type: ignore[arg-type]
    wait_ms = frames(EAGERNESS["medium"].wait_ms(words_log_odds(text, None)))
    async with Harness(engines=engines) as h:
        await h.send(semantic())
        await speak_and_pause(h, text)
        await wait_for_the_end(h, text, wait_ms)
    assert wait_ms == (400 if text.endswith("?") else 1120)


@pytest.mark.spec("7.4")
async def test_a_pause_with_no_words_counts_as_neither() -> None:
    noise = (np.random.default_rng(7).normal(0, 0.3, 24000 // 2) * 32767).clip(-32768, 32767)
    pcm = noise.astype("<i2").tobytes()  # 500 ms that the tone decoder cannot read
    async with Harness() as h:
        await h.send(semantic())
        await h.append(silence(LEAD_MS) + pcm + silence(SEMANTIC_DRAFT_PAUSE_MS))
        await h.settle()
        await h.append(silence(800 - SEMANTIC_DRAFT_PAUSE_MS - FRAME_MS))
        await h.settle()
        assert stops(h) == []
        await h.append(silence(FRAME_MS))
        await h.settle()
        assert stops(h) == [LEAD_MS + 500 + 800]


class SilentScorer(EngineBase):
    """A scorer that never answers (a hung engine)."""

    async def end_of_turn(self, transcript: str) -> float:
        never: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        return await never


@pytest.mark.spec("7.3")
async def test_a_scorer_that_never_answers_holds_the_turn_only_until_the_longest_wait() -> None:
    text = "What time is it?"
    engines = dataclasses.replace(scripted_engines(), turn_scorer=SilentScorer())
    async with Harness(engines=engines) as h:
        await h.send(semantic("high"))
        await speak_and_pause(h, text)
        await wait_for_the_end(h, text, 2000)
        assert transcripts(h) == [text]
