"""``openai-speech`` against the test upstream, which speaks the tone code."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from openrealtime.engines.base import CancelSignal, EngineError, SpeechChunk
from openrealtime.engines.scripted import decode
from openrealtime.engines.upstream import SpeechSynthesizer
from tests.upstream_server import UpstreamServer

PATH = "/v1/audio/speech"


@contextlib.asynccontextmanager
async def synthesizer(upstream: UpstreamServer, **options: Any) -> AsyncIterator[SpeechSynthesizer]:
    engine = SpeechSynthesizer.from_options(
        {"base_url": upstream.base_url, "model": "tts", **options}
    )
    await engine.start()
    try:
        yield engine
    finally:
        await engine.aclose()


async def pieces(*texts: str) -> AsyncIterator[str]:
    for text in texts:
        yield text


async def speak_all(
    upstream: UpstreamServer, *texts: str, voice: str = "alloy", speed: float = 1.0, **options: Any
) -> list[SpeechChunk]:
    async with synthesizer(upstream, **options) as engine:
        speech = engine.synthesize(pieces(*texts), voice=voice, speed=speed, cancel=CancelSignal())
        return [chunk async for chunk in speech]


def speech_requests(upstream: UpstreamServer, since: int) -> list[dict[str, Any]]:
    return [r.body for r in upstream.requests[since:] if r.path == PATH]


async def test_each_clause_is_one_request_and_the_audio_says_it(upstream: UpstreamServer) -> None:
    since = len(upstream.requests)
    chunks = await speak_all(upstream, "Hello there. ", "How are ", "you today?")
    assert {chunk.sample_rate for chunk in chunks} == {24000}
    assert all(not chunk.words for chunk in chunks)
    assert all(len(chunk.pcm) % 2 == 0 for chunk in chunks)
    sent = speech_requests(upstream, since)
    assert [body["input"] for body in sent] == ["Hello there.", "How are you today?"]
    assert {body["response_format"] for body in sent} == {"pcm"}
    assert "speed" not in sent[0]
    assert "instructions" not in sent[0]
    first = len(speak_text("Hello there."))
    audio = b"".join(chunk.pcm for chunk in chunks)
    assert decode(audio[:first], 24000) == "Hello there."
    assert decode(audio[first:], 24000) == "How are you today?"


def speak_text(text: str) -> bytes:
    from openrealtime.engines.scripted import speak

    return speak(text, 24000)[0]


async def test_the_first_clause_is_spoken_before_the_reply_ends(upstream: UpstreamServer) -> None:
    first_audio = asyncio.Event()

    async def reply() -> AsyncIterator[str]:
        yield "Sure thing. "
        await asyncio.wait_for(first_audio.wait(), 5)
        yield "Here it is."

    async with synthesizer(upstream) as engine:
        chunks = []
        async for chunk in engine.synthesize(
            reply(), voice="alloy", speed=1.0, cancel=CancelSignal()
        ):
            chunks.append(chunk)
            first_audio.set()
    assert decode(b"".join(c.pcm for c in chunks), 24000).startswith("Sure thing.")


async def test_other_rates_are_resampled_to_24k(upstream: UpstreamServer) -> None:
    chunks = await speak_all(upstream, "Resampled speech.", model="rate-16000", sample_rate=16000)
    audio = b"".join(chunk.pcm for chunk in chunks)
    assert {chunk.sample_rate for chunk in chunks} == {24000}
    assert abs(len(audio) - len(speak_text("Resampled speech."))) <= 4
    assert decode(audio, 24000) == "Resampled speech."


async def test_voice_map_speed_and_instructions_are_sent(upstream: UpstreamServer) -> None:
    since = len(upstream.requests)
    await speak_all(
        upstream,
        "Hi.",
        voice="marin",
        speed=1.25,
        voices={"marin": "af_heart"},
        instructions="Cheerful.",
    )
    await speak_all(upstream, "Hi.", voice="cedar", voices={"marin": "af_heart"})
    first, second = speech_requests(upstream, since)
    assert (first["voice"], first["speed"], first["instructions"]) == (
        "af_heart",
        1.25,
        "Cheerful.",
    )
    assert second["voice"] == "cedar"


async def test_text_without_words_is_not_sent(upstream: UpstreamServer) -> None:
    since = len(upstream.requests)
    assert await speak_all(upstream, "... ", "— ") == []
    assert speech_requests(upstream, since) == []


async def test_an_error_status_is_an_engine_error(upstream: UpstreamServer) -> None:
    with pytest.raises(EngineError, match="answered 500: The upstream broke down") as caught:
        await speak_all(upstream, "Hello.", model="error-500")
    assert caught.value.code == "server_error"


async def test_cancel_stops_speech_between_chunks(upstream: UpstreamServer) -> None:
    cancel = CancelSignal()
    async with synthesizer(upstream) as engine:
        chunks = []
        speech = engine.synthesize(
            pieces("One sentence here. ", "Another one there."),
            voice="alloy",
            speed=1.0,
            cancel=cancel,
        )
        async for chunk in speech:
            chunks.append(chunk)
            cancel.cancel()
    assert len(chunks) == 1
