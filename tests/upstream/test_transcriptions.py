"""``openai-transcriptions`` against the test upstream, which decodes the tone code."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from openrealtime.audio import G711_ULAW
from openrealtime.engines.base import (
    CancelSignal,
    EngineError,
    TranscriptDelta,
    TranscriptionRequest,
    TranscriptResult,
)
from openrealtime.engines.scripted import speak
from openrealtime.engines.upstream import TranscriptionsTranscriber
from tests.upstream_server import UpstreamServer

PATH = "/v1/audio/transcriptions"
SPOKEN = "Book a table for two."


def spoken(text: str = SPOKEN, rate: int = 24000) -> bytes:
    pcm, _ = speak(text, rate)
    pause = bytes(rate // 5 * 2)
    return pause + pcm + pause


@contextlib.asynccontextmanager
async def transcriber(
    upstream: UpstreamServer, **options: Any
) -> AsyncIterator[TranscriptionsTranscriber]:
    engine = TranscriptionsTranscriber.from_options({"base_url": upstream.base_url, **options})
    await engine.start()
    try:
        yield engine
    finally:
        await engine.aclose()


async def transcribe(
    upstream: UpstreamServer, request: TranscriptionRequest, **options: Any
) -> list[TranscriptDelta | TranscriptResult]:
    async with transcriber(upstream, **options) as engine:
        return [part async for part in engine.transcribe(request)]


async def test_one_piece_answer(upstream: UpstreamServer) -> None:
    pcm = spoken()
    request = TranscriptionRequest(pcm, 24000, model="whisper-1", language="en", prompt="tables")
    parts = await transcribe(upstream, request)
    assert parts == [TranscriptDelta(SPOKEN), TranscriptResult(SPOKEN, len(pcm) / 48000)]
    sent = upstream.last(PATH).body
    assert sent["model"] == "whisper-1"
    assert sent["language"] == "en"
    assert sent["prompt"] == "tables"
    assert sent["response_format"] == "json"
    assert sent["file_rate"] == 24000
    assert sent["file_bytes"] == len(pcm)
    assert "stream" not in sent


async def test_the_options_model_wins_and_none_defaults_to_whisper_1(
    upstream: UpstreamServer,
) -> None:
    await transcribe(
        upstream, TranscriptionRequest(spoken(), 24000, model="gpt-4o-transcribe"), model="large-v3"
    )
    assert upstream.last(PATH).body["model"] == "large-v3"
    await transcribe(upstream, TranscriptionRequest(spoken(), 24000))
    assert upstream.last(PATH).body["model"] == "whisper-1"


@pytest.mark.parametrize("model", ["gpt-4o-transcribe", "vllm-style"])
async def test_streamed_deltas(upstream: UpstreamServer, model: str) -> None:
    pcm = spoken()
    parts = await transcribe(upstream, TranscriptionRequest(pcm, 24000), model=model, stream=True)
    deltas = [p.text for p in parts if isinstance(p, TranscriptDelta)]
    assert deltas == ["Book ", "a ", "table ", "for ", "two."]
    assert parts[-1] == TranscriptResult(SPOKEN, len(pcm) / 48000)
    assert upstream.last(PATH).body["stream"] == "true"


async def test_g711_audio_is_uploaded_at_8k(upstream: UpstreamServer) -> None:
    pcm = G711_ULAW.decode(G711_ULAW.encode(spoken(), 24000))
    parts = await transcribe(upstream, TranscriptionRequest(pcm, 8000))
    assert parts[-1] == TranscriptResult(SPOKEN, len(pcm) / 16000)
    assert upstream.last(PATH).body["file_rate"] == 8000


async def test_silence_is_an_empty_transcript(upstream: UpstreamServer) -> None:
    parts = await transcribe(upstream, TranscriptionRequest(bytes(9600), 24000))
    assert parts == [TranscriptResult("", 0.2)]


async def test_an_error_status_is_a_clear_failure(upstream: UpstreamServer) -> None:
    with pytest.raises(EngineError) as caught:
        await transcribe(upstream, TranscriptionRequest(spoken(), 24000), model="error-500")
    assert (
        str(caught.value) == f"upstream {upstream.base_url} answered 500: The upstream broke down."
    )


async def test_a_slow_upstream_times_out(upstream: UpstreamServer) -> None:
    with pytest.raises(EngineError, match=r"timed out after 0\.3 s") as caught:
        await transcribe(upstream, TranscriptionRequest(spoken(), 24000), model="slow", timeout=0.3)
    assert caught.value.code == "upstream_timeout"


async def test_a_cancelled_transcription_yields_nothing_more(upstream: UpstreamServer) -> None:
    cancel = CancelSignal()
    cancel.cancel()
    parts = await transcribe(
        upstream, TranscriptionRequest(spoken(), 24000, cancel=cancel), model="slow"
    )
    assert parts == []
