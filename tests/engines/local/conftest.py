"""Started local engines, shared by every test of the run (each model loads once).

Each fixture skips (in CI: fails) when the local stack is not installed; tests of
the pure parts (clauses, prompts, grammars) need none of it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from openrealtime.engines.local.llama import LlamaResponder
from openrealtime.engines.local.piper import PiperSynthesizer
from openrealtime.engines.local.silero_vad import SileroVad
from openrealtime.engines.local.turn_scorer import LlamaTurnScorer
from openrealtime.engines.local.whisper import WhisperTranscriber
from openrealtime.testing.speech import speak, with_silence
from tests.local_stack import require_local_stack

QUESTION = "What is the capital of France?"


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def whisper() -> AsyncIterator[WhisperTranscriber]:
    require_local_stack()
    engine = WhisperTranscriber()
    await engine.start()
    yield engine
    await engine.aclose()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def silero() -> AsyncIterator[SileroVad]:
    require_local_stack()
    engine = SileroVad()
    await engine.start()
    yield engine
    await engine.aclose()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def llama() -> AsyncIterator[LlamaResponder]:
    require_local_stack()
    engine = LlamaResponder(parallel=4)
    await engine.start()
    yield engine
    await engine.aclose()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def turn_scorer() -> AsyncIterator[LlamaTurnScorer]:
    require_local_stack()
    engine = LlamaTurnScorer()
    await engine.start()
    yield engine
    await engine.aclose()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def question_24k(piper: PiperSynthesizer) -> bytes:
    """:data:`QUESTION` spoken by Piper at 24 kHz, with no silence around it."""
    return await speak(piper, QUESTION)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def framed_question_24k(question_24k: bytes) -> bytes:
    """The question with 1 s of silence before and 1.5 s after it."""
    return with_silence(question_24k, 24000, before_ms=1000, after_ms=1500)
