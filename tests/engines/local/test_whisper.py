"""faster-whisper tiny.en: transcripts, delta shapes per model name, prompt, logprobs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from openrealtime.audio import resample
from openrealtime.engines import (
    CancelSignal,
    EngineError,
    TranscriptDelta,
    TranscriptionRequest,
    TranscriptResult,
)
from openrealtime.engines.local.piper import PiperSynthesizer
from openrealtime.engines.local.whisper import WhisperTranscriber, trim_padding
from openrealtime.testing.speech import speak, with_silence, word_error_rate

from .conftest import QUESTION

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.timeout(60)]

TWO_SENTENCES = (
    "The quick brown fox jumps over the lazy dog. Then it runs into the forest and hides "
    "under a tree. Later that day, the sun sets behind the hills, and everyone goes home."
)


async def transcribe(
    whisper: WhisperTranscriber, pcm: bytes, rate: int = 24000, **fields: object
) -> tuple[list[TranscriptDelta], TranscriptResult]:
    request = TranscriptionRequest(pcm=pcm, sample_rate=rate, **fields)  # type: ignore[arg-type]
    parts = [part async for part in whisper.transcribe(request)]
    deltas = [part for part in parts if isinstance(part, TranscriptDelta)]
    results = [part for part in parts if isinstance(part, TranscriptResult)]
    assert len(results) == 1
    assert parts[-1] is results[0]
    return deltas, results[0]


@pytest.mark.parametrize("rate", [24000, 16000, 8000])
async def test_a_spoken_question_is_transcribed(
    whisper: WhisperTranscriber, framed_question_24k: bytes, rate: int
) -> None:
    pcm = resample(framed_question_24k, 24000, rate)
    _, result = await transcribe(whisper, pcm, rate)
    assert word_error_rate(QUESTION, result.text) <= 0.2
    assert result.audio_seconds == pytest.approx(len(pcm) / 2 / rate)


async def test_whisper_1_sends_the_whole_transcript_as_one_delta(
    whisper: WhisperTranscriber, piper: PiperSynthesizer
) -> None:
    pcm = await speak(piper, TWO_SENTENCES)
    deltas, result = await transcribe(whisper, pcm, model="whisper-1")
    assert [delta.text for delta in deltas] == [result.text]
    assert word_error_rate(TWO_SENTENCES, result.text) <= 0.15


@pytest.mark.parametrize(
    "model", ["gpt-4o-transcribe", "gpt-4o-mini-transcribe", "gpt-4o-mini-transcribe-2025-12-15"]
)
async def test_gpt_4o_names_send_one_delta_per_segment(
    whisper: WhisperTranscriber, piper: PiperSynthesizer, model: str
) -> None:
    pcm = await speak(piper, TWO_SENTENCES)
    deltas, result = await transcribe(whisper, pcm, model=model)
    assert len(deltas) >= 2
    assert "".join(delta.text for delta in deltas).strip() == result.text


async def test_the_prompt_is_honoured(whisper: WhisperTranscriber, piper: PiperSynthesizer) -> None:
    pcm = with_silence(
        await speak(piper, "My name is Xylia Qorvath."), 24000, before_ms=300, after_ms=300
    )
    _, plain = await transcribe(whisper, pcm)
    _, prompted = await transcribe(whisper, pcm, prompt="Xylia Qorvath")
    assert "Qorvath" not in plain.text
    assert "Xylia Qorvath" in prompted.text


async def test_logprobs_come_one_per_word_when_asked(
    whisper: WhisperTranscriber, framed_question_24k: bytes
) -> None:
    deltas, result = await transcribe(whisper, framed_question_24k, logprobs=True)
    words = [entry.token for entry in result.logprobs]
    assert "".join(words).strip() == result.text
    assert all(entry.logprob <= 0 for entry in result.logprobs)
    assert all(bytes(entry.bytes).decode() == entry.token for entry in result.logprobs)
    assert math.exp(min(entry.logprob for entry in result.logprobs)) > 0.1
    assert [entry for delta in deltas for entry in delta.logprobs] == list(result.logprobs)
    _, without = await transcribe(whisper, framed_question_24k)
    assert without.logprobs == ()


async def test_silence_gives_an_empty_transcript(whisper: WhisperTranscriber) -> None:
    deltas, result = await transcribe(whisper, bytes(24000 * 2))
    assert deltas == []
    assert result.text == ""


async def test_a_cancelled_request_yields_nothing(
    whisper: WhisperTranscriber, framed_question_24k: bytes
) -> None:
    cancel = CancelSignal()
    cancel.cancel()
    request = TranscriptionRequest(pcm=framed_question_24k, sample_rate=24000, cancel=cancel)
    assert [part async for part in whisper.transcribe(request)] == []


async def test_model_names_map_by_pattern(whisper: WhisperTranscriber) -> None:
    assert whisper.capabilities.languages == ("en",)
    for name in ("whisper-1", "gpt-4o-transcribe-2025-03-20", "gpt-4o-mini-transcribe", None):
        assert whisper.model_for(name) == "tiny.en"
    assert whisper.single_delta_for("whisper-1")
    assert not whisper.single_delta_for("gpt-4o-transcribe")
    custom = WhisperTranscriber(models={"gpt-4o-*": "/models/base", "*": "tiny.en"})
    assert custom.model_for("gpt-4o-transcribe") == "/models/base"
    assert custom.model_for("whisper-1") == "tiny.en"


async def test_a_missing_model_directory_fails_start() -> None:
    engine = WhisperTranscriber(models={"*": "/nonexistent/whisper"})
    with pytest.raises(EngineError, match="no such directory"):
        await engine.start()


async def test_the_padding_past_the_window_is_dropped() -> None:
    features = np.zeros((80, 3000), np.float32)
    features[:, :301] = 0.5
    assert trim_padding(features, 2000).shape == (80, 2000)
    assert trim_padding(features, 300).shape == (80, 402)  # 1 s after the audio, even
    assert trim_padding(features[None], 2000).shape == (1, 80, 2000)
    features[:, :2950] = 0.5
    assert trim_padding(features, 2000) is features
    assert trim_padding(features[:, :1500], 2000).shape == (80, 1500)


@pytest.mark.parametrize("window", [0.5, 31.0])
async def test_the_window_is_1_to_30_seconds(window: float) -> None:
    with pytest.raises(ValueError, match="window"):
        WhisperTranscriber(window=window)


async def test_a_short_window_hears_speech_longer_than_itself(piper: PiperSynthesizer) -> None:
    """With a 5 s window, 10 s of speech is encoded whole (the window grows to fit it)."""
    short = WhisperTranscriber(window=5.0)
    await short.start()
    try:
        pcm = with_silence(await speak(piper, TWO_SENTENCES), 24000, before_ms=300, after_ms=300)
        assert len(pcm) / 2 / 24000 > 8
        _, result = await transcribe(short, pcm)
    finally:
        await short.aclose()
    assert word_error_rate(TWO_SENTENCES, result.text) <= 0.15
