"""semantic_vad with the real engines: Piper speech, streamed in 20 ms packets at real time
into a session core that runs Silero, Whisper and the SmolLM2 turn scorer.

A sentence with a 700 ms pause after "of" stays one turn (under server_vad at 500 ms
that pause would end it); a complete question ends well before the longest wait.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from typing import Any

import pytest

from openrealtime.audio.b64 import b64encode
from openrealtime.engines.local.piper import PiperSynthesizer
from openrealtime.engines.local.silero_vad import SileroVad
from openrealtime.engines.local.turn_scorer import LlamaTurnScorer
from openrealtime.engines.local.whisper import WhisperTranscriber
from openrealtime.engines.scripted import scripted_engines
from openrealtime.protocol import ga
from openrealtime.server import SeededIds, Session, SystemClock
from openrealtime.server.transport.edge import edge_for
from openrealtime.testing.speech import packets, speak, with_silence, word_error_rate

from .conftest import QUESTION

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.timeout(60)]

RATE = 24000
PACKET_MS = 20
LEAD_MS = 500
TAIL_MS = 1500
LONGEST_WAIT_MS = 4000


async def stream_turns(
    engines: Any, pcm: bytes
) -> tuple[list[ga.InputAudioBufferSpeechStoppedEvent], list[str]]:
    """Stream ``pcm`` at real time under semantic_vad; the stops and the transcripts."""
    events: list[ga.ServerEvent] = []
    session = Session(
        kind="realtime",
        model="gpt-realtime",
        engines_for=lambda _name: engines,
        sink=events.append,
        ids=SeededIds(0),
        clock=SystemClock(),
    )
    edge = edge_for("ga")

    async def send(event: dict[str, Any]) -> None:
        await session.handle(edge.decode(json.dumps(event)))

    await session.open()
    turn_detection = {"type": "semantic_vad", "create_response": False}
    audio = {"input": {"turn_detection": turn_detection, "transcription": {"model": "whisper-1"}}}
    await send({"type": "session.update", "session": {"type": "realtime", "audio": audio}})
    started = time.perf_counter()
    for index, packet in enumerate(packets(pcm, RATE, PACKET_MS)):
        await asyncio.sleep(max(0.0, started + index * PACKET_MS / 1000 - time.perf_counter()))
        await send({"type": "input_audio_buffer.append", "audio": b64encode(packet)})
    await asyncio.sleep(0.5)  # the last transcript
    await session.aclose()
    stops = [e for e in events if isinstance(e, ga.InputAudioBufferSpeechStoppedEvent)]
    done = ga.ConversationItemInputAudioTranscriptionCompletedEvent
    return stops, [e.transcript for e in events if isinstance(e, done)]


@pytest.mark.spec("7.1", "7.2")
async def test_a_pause_after_of_is_not_cut_and_a_question_ends_soon(
    piper: PiperSynthesizer,
    whisper: WhisperTranscriber,
    silero: SileroVad,
    turn_scorer: LlamaTurnScorer,
    question_24k: bytes,
) -> None:
    engines = dataclasses.replace(
        scripted_engines(), transcriber=whisper, vad=silero, turn_scorer=turn_scorer
    )
    first = await speak(piper, "Tell me about the history of")
    second = await speak(piper, "the Roman empire.")
    paused = first + bytes(700 * RATE // 1000 * 2) + second
    stops, transcripts = await stream_turns(
        engines, with_silence(paused, RATE, before_ms=LEAD_MS, after_ms=TAIL_MS)
    )
    speech_end_ms = LEAD_MS + len(paused) / 2 / RATE * 1000
    assert len(stops) == 1, transcripts
    assert stops[0].audio_end_ms > speech_end_ms
    assert "Roman" in transcripts[0]

    stops, transcripts = await stream_turns(
        engines, with_silence(question_24k, RATE, before_ms=LEAD_MS, after_ms=TAIL_MS)
    )
    speech_end_ms = LEAD_MS + len(question_24k) / 2 / RATE * 1000
    assert len(stops) == 1, transcripts
    # Ended by the words, not by the longest wait (the machine may be busy: half of it).
    assert stops[0].audio_end_ms - speech_end_ms < LONGEST_WAIT_MS / 2
    assert word_error_rate(QUESTION, transcripts[0]) <= 0.2
