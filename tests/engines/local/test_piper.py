"""Piper: streamed clauses, 24 kHz, word timings, voices, speed, round trip through Whisper."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from openrealtime.engines import CancelSignal, EngineError, SpeechChunk, TranscriptionRequest
from openrealtime.engines.local.piper import OPENAI_VOICES, OUTPUT_RATE, PiperSynthesizer
from openrealtime.engines.local.whisper import WhisperTranscriber
from openrealtime.testing.speech import speak, word_error_rate

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.timeout(60)]

REPLY = "Sure! The capital of France is Paris, a city of 42 bridges."


async def pieces(*parts: str) -> AsyncIterator[str]:
    for part in parts:
        yield part


async def collect(piper: PiperSynthesizer, text: str, **kwargs: object) -> list[SpeechChunk]:
    options: dict[str, object] = {"voice": "alloy", "speed": 1.0, "cancel": CancelSignal()}
    options.update(kwargs)
    words = (f"{word} " for word in text.split())
    return [chunk async for chunk in piper.synthesize(pieces(*words), **options)]  # type: ignore[arg-type]


async def test_every_word_comes_once_in_order_with_timings(piper: PiperSynthesizer) -> None:
    chunks = await collect(piper, REPLY)
    assert all(chunk.sample_rate == OUTPUT_RATE for chunk in chunks)
    words = [word for chunk in chunks for word in chunk.words]
    assert [word.word for word in words] == REPLY.split()
    ends = [word.end_ms for word in words]
    assert ends == sorted(ends)
    assert all(word.start_ms <= word.end_ms for word in words)
    elapsed = 0.0
    for chunk in chunks:
        elapsed += len(chunk.pcm) / 2 / OUTPUT_RATE * 1000
        # A chunk's audio reaches the end of the word it carries.
        assert chunk.words[-1].end_ms <= elapsed + 1


async def test_speech_starts_before_the_text_ends(piper: PiperSynthesizer) -> None:
    first_audio = asyncio.Event()

    async def slow_text() -> AsyncIterator[str]:
        yield "Hello there, my friend. "
        await asyncio.wait_for(first_audio.wait(), timeout=10)
        yield "How are you today?"

    words: list[str] = []
    async for chunk in piper.synthesize(
        slow_text(), voice="alloy", speed=1.0, cancel=CancelSignal()
    ):
        first_audio.set()
        words.extend(word.word for word in chunk.words)
    assert words == ["Hello", "there,", "my", "friend.", "How", "are", "you", "today?"]


async def test_a_run_on_first_sentence_is_spoken_from_its_first_words(
    piper: PiperSynthesizer,
) -> None:
    first_audio = asyncio.Event()
    run_on = "The biggest ocean on the planet is the Pacific which covers a third of it"

    async def slow_text() -> AsyncIterator[str]:
        read = 0
        for word in run_on.split():
            if read > piper.first_piece_chars + 5:
                await asyncio.wait_for(first_audio.wait(), timeout=10)
            read += len(word) + 1
            yield f"{word} "

    words: list[str] = []
    async for chunk in piper.synthesize(
        slow_text(), voice="alloy", speed=1.0, cancel=CancelSignal()
    ):
        first_audio.set()
        words.extend(word.word for word in chunk.words)
    assert words == run_on.split()


async def test_whisper_hears_what_piper_says(
    piper: PiperSynthesizer, whisper: WhisperTranscriber
) -> None:
    pcm = await speak(piper, REPLY)
    parts = [
        part async for part in whisper.transcribe(TranscriptionRequest(pcm=pcm, sample_rate=24000))
    ]
    assert word_error_rate(REPLY, parts[-1].text) <= 0.2  # type: ignore[union-attr]


async def test_speed_scales_the_duration(piper: PiperSynthesizer) -> None:
    normal = sum(len(c.pcm) for c in await collect(piper, REPLY))
    fast = sum(len(c.pcm) for c in await collect(piper, REPLY, speed=1.5))
    slow = sum(len(c.pcm) for c in await collect(piper, REPLY, speed=0.5))
    # Not exactly 1 / speed: Piper rounds each phoneme's scaled duration up to whole
    # frames. Over 30 runs here: fast 0.69 to 0.75 of normal, slow 1.70 to 1.85.
    assert 0.55 <= fast / normal <= 0.8
    assert 1.55 <= slow / normal <= 2.2


async def test_the_openai_voices_map_onto_installed_ones(piper: PiperSynthesizer) -> None:
    assert set(OPENAI_VOICES) <= set(piper.capabilities.voices or ())
    assert len(OPENAI_VOICES) == 10
    assert "joe" in (piper.capabilities.voices or ())
    with pytest.raises(EngineError, match="unknown voice"):
        await collect(piper, "Hi.", voice="nova")
    with pytest.raises(ValueError, match="unknown Piper voices: amy"):
        PiperSynthesizer(voices={"alloy": "amy"})


async def test_a_cancelled_signal_stops_before_the_next_clause(piper: PiperSynthesizer) -> None:
    cancel = CancelSignal()
    words: list[str] = []
    async for chunk in piper.synthesize(
        pieces("One, two, three. ", "Four, five, six. ", "Seven."),
        voice="alloy",
        speed=1.0,
        cancel=cancel,
    ):
        words.extend(word.word for word in chunk.words)
        cancel.cancel()
    # The first clause ends early (two words and a comma), and nothing follows it.
    assert words == ["One,", "two,"]
