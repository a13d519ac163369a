"""The embedded offline stack end to end: ``openrealtime serve`` (local engines by default)
driven by the official SDK with speech that Piper spoke, streamed like a microphone.

One server process serves the whole module, so each model loads once per run. The
microphone sends 20 ms packets at real time, silence between what it is told to say.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio
import websockets
from openai import AsyncOpenAI

from openrealtime.audio import StreamingResampler, pcm16_to_ulaw
from openrealtime.engines import TranscriptionRequest, TranscriptResult
from openrealtime.engines.local.llama import SMOLLM2_INSTRUCTIONS
from openrealtime.engines.local.piper import PiperSynthesizer
from openrealtime.engines.local.whisper import WhisperTranscriber
from openrealtime.server.app.runner import ServerURL
from openrealtime.testing.speech import normalize_words, speak, word_error_rate
from tests.local_stack import require_local_stack

from .wire import SdkWire, validate

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.timeout(90)]

QUESTION = "What is the capital of France?"
STORY = "Please tell me a long story about a brave little dragon."
BARGE_IN = "Wait, stop, I have another question."
RATE = 24000
PACKET_MS = 20
PACKET = RATE * PACKET_MS // 1000 * 2
BRIEF = "You are a friendly voice assistant. Answer in one short sentence."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def local_url() -> Iterator[ServerURL]:
    """``openrealtime serve`` with no ``--engine``: the local stack is the default."""
    require_local_stack()
    port = free_port()
    command = [sys.executable, "-m", "openrealtime.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        while not lines or not lines[-1].startswith("listening"):
            line = process.stdout.readline()
            assert line, f"serve stopped before listening: {''.join(lines)}"
            lines.append(line)
        output = "".join(lines)
        assert "local.responder ready in" in output
        assert "local.vad ready in" in output
        yield ServerURL(f"ws://127.0.0.1:{port}/v1")
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def spoken(piper: PiperSynthesizer) -> dict[str, bytes]:
    return {text: await speak(piper, text) for text in (QUESTION, STORY, BARGE_IN)}


class Microphone:
    """Streams 20 ms packets at real time: what it is told to say, else silence.

    ``ulaw`` sends G.711 μ-law at 8 kHz instead of PCM16 at 24 kHz.
    """

    def __init__(self, connection: Any, *, ulaw: bool = False) -> None:
        self._connection = connection
        self._ulaw = ulaw
        self._queue = bytearray()
        self._down = StreamingResampler(RATE, 8000)
        self.sent_ms = 0.0
        self.said_until_ms = 0.0
        self._task = asyncio.get_running_loop().create_task(self._run())

    def say(self, pcm: bytes) -> tuple[float, float]:
        """Queue ``pcm``; returns when it starts and ends, in ms of the input stream."""
        start = self.sent_ms + len(self._queue) / 2 / RATE * 1000
        self._queue += pcm
        end = start + len(pcm) / 2 / RATE * 1000
        self.said_until_ms = end
        return start, end

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        while True:
            packet = bytes(self._queue[:PACKET]).ljust(PACKET, b"\0")
            del self._queue[:PACKET]
            wire = pcm16_to_ulaw(self._down.process(packet)) if self._ulaw else packet
            await self._connection.input_audio_buffer.append(
                audio=base64.b64encode(wire).decode("ascii")
            )
            self.sent_ms += PACKET_MS
            await asyncio.sleep(max(0.0, started + self.sent_ms / 1000 - loop.time()))

    async def stop(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


@contextlib.asynccontextmanager
async def session(url: ServerURL, **settings: Any) -> AsyncIterator[tuple[Any, SdkWire]]:
    client = AsyncOpenAI(api_key="test", base_url=url.http, websocket_base_url=str(url))
    try:
        async with client.realtime.connect(model="gpt-realtime") as connection:
            wire = SdkWire(connection, "ga")
            await wire.until("session.created")
            await connection.session.update(session={"type": "realtime", **settings})
            await wire.until("session.updated")
            yield connection, wire
    finally:
        await client.close()


async def events_until(wire: SdkWire, event_type: str, timeout: float = 30) -> list[dict[str, Any]]:
    async with asyncio.timeout(timeout):
        taken = [await wire.recv()]
        while taken[-1]["type"] != event_type:
            taken.append(await wire.recv())
    return taken


def first(events: list[dict[str, Any]], event_type: str) -> dict[str, Any]:
    return next(event for event in events if event["type"] == event_type)


def index(events: list[dict[str, Any]], event_type: str) -> int:
    return next(i for i, event in enumerate(events) if event["type"] == event_type)


def received_ms(events: list[dict[str, Any]]) -> float:
    """The duration of the PCM16 audio deltas among ``events``."""
    deltas = [e["delta"] for e in events if e["type"] == "response.output_audio.delta"]
    return sum(len(base64.b64decode(delta)) for delta in deltas) / 2 / RATE * 1000


def voice_settings(**input_extra: Any) -> dict[str, Any]:
    return {
        "instructions": BRIEF,
        "include": ["item.input_audio_transcription.logprobs"],
        "audio": {
            "input": {
                "transcription": {"model": "whisper-1"},
                "turn_detection": {"type": "server_vad", "silence_duration_ms": 500},
                **input_extra,
            },
            "output": {"voice": "marin"},
        },
    }


@pytest.mark.spec("4b", "3.2.5", "3.3.4")
async def test_a_spoken_question_gets_a_spoken_answer(
    local_url: ServerURL, spoken: dict[str, bytes]
) -> None:
    async with session(local_url, **voice_settings()) as (connection, wire):
        mic = Microphone(connection)
        mic.say(bytes(2 * RATE))  # 1 s of silence first
        speech_start, speech_end = mic.say(spoken[QUESTION])
        completed_type = "conversation.item.input_audio_transcription.completed"
        try:
            events = await events_until(wire, "response.done")
            if completed_type not in [event["type"] for event in events]:
                events += await events_until(wire, completed_type)
        finally:
            await mic.stop()

    kinds = [event["type"] for event in events]
    order = [
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        "conversation.item.added",
        "response.created",
        "response.output_audio.delta",
        "response.done",
    ]
    positions = [kinds.index(kind) for kind in order]
    assert positions == sorted(positions), kinds
    assert kinds.count("input_audio_buffer.speech_started") == 1
    started = first(events, "input_audio_buffer.speech_started")
    stopped = first(events, "input_audio_buffer.speech_stopped")
    assert started["item_id"] == stopped["item_id"]
    # audio_start_ms includes the 300 ms prefix padding; audio_end_ms the 500 ms of silence.
    assert abs(started["audio_start_ms"] - (speech_start - 300)) <= 200
    assert abs(stopped["audio_end_ms"] - (speech_end + 500)) <= 300

    completed = first(events, "conversation.item.input_audio_transcription.completed")
    assert completed["item_id"] == started["item_id"]
    assert word_error_rate(QUESTION, completed["transcript"]) <= 0.2
    logprobs = completed["logprobs"]
    assert "".join(entry["token"] for entry in logprobs).strip() == completed["transcript"]
    assert all(entry["logprob"] <= 0 for entry in logprobs)
    deltas = [e for e in events if e["type"] == "conversation.item.input_audio_transcription.delta"]
    assert [delta["delta"] for delta in deltas] == [completed["transcript"]]  # whisper-1

    done = first(events, "response.done")["response"]
    assert done["status"] == "completed"
    content = done["output"][0]["content"][0]
    assert content["type"] == "output_audio"
    assert content["transcript"].strip()
    audio = b"".join(
        base64.b64decode(e["delta"]) for e in events if e["type"] == "response.output_audio.delta"
    )
    assert len(audio) / 2 / RATE > 0.5
    transcript = "".join(
        e["delta"] for e in events if e["type"] == "response.output_audio_transcript.delta"
    )
    assert transcript == content["transcript"]
    usage = done["usage"]
    assert usage["output_token_details"]["audio_tokens"] > 0


@pytest.mark.spec("11.2")
async def test_out_of_the_box_the_assistant_answers_briefly_in_english(
    local_url: ServerURL,
) -> None:
    client = AsyncOpenAI(api_key="test", base_url=local_url.http, websocket_base_url=local_url)
    try:
        async with client.realtime.connect(model="gpt-realtime") as connection:
            wire = SdkWire(connection, "ga")
            created = (await wire.until("session.created"))[-1]
            assert created["session"]["instructions"] == SMOLLM2_INSTRUCTIONS
            await connection.conversation.item.create(
                item={
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": QUESTION}],
                }
            )
            await connection.response.create()
            done = (await events_until(wire, "response.done"))[-1]["response"]
    finally:
        await client.close()
    assert done["status"] == "completed"
    transcript = done["output"][0]["content"][0]["transcript"]
    assert "Paris" in transcript
    assert len(transcript.split()) <= 40


async def test_g711_in_and_out(local_url: ServerURL, spoken: dict[str, bytes]) -> None:
    settings = voice_settings(format={"type": "audio/pcmu"})
    settings["audio"]["output"]["format"] = {"type": "audio/pcmu"}
    async with session(local_url, **settings) as (connection, wire):
        mic = Microphone(connection, ulaw=True)
        mic.say(bytes(RATE))
        mic.say(spoken[QUESTION])
        completed_type = "conversation.item.input_audio_transcription.completed"
        try:
            events = await events_until(wire, "response.done")
            if completed_type not in [event["type"] for event in events]:
                events += await events_until(wire, completed_type)
        finally:
            await mic.stop()
    assert word_error_rate(QUESTION, first(events, completed_type)["transcript"]) <= 0.3
    done = first(events, "response.done")["response"]
    assert done["status"] == "completed"
    ulaw = b"".join(
        base64.b64decode(e["delta"]) for e in events if e["type"] == "response.output_audio.delta"
    )
    # One byte per sample at 8 kHz: the reply's duration from its byte count.
    transcript = done["output"][0]["content"][0]["transcript"]
    assert len(ulaw) / 8000 > 0.15 * len(transcript.split())


@pytest.mark.spec("4d", "3.6.1")
async def test_speech_during_a_reply_cancels_it_and_truncation_keeps_the_words_heard(
    local_url: ServerURL, spoken: dict[str, bytes]
) -> None:
    settings = voice_settings()
    settings["instructions"] = "You are a storyteller. Tell long, detailed stories."
    # A token limit of its own: the engine's bound on spoken replies (behaviour.md 11.4)
    # would end the story before the user talks over it.
    settings["max_output_tokens"] = 4096
    async with session(local_url, **settings) as (connection, wire):
        mic = Microphone(connection)
        mic.say(bytes(RATE))
        mic.say(spoken[STORY])
        try:
            events = await events_until(wire, "response.output_audio.delta")
            while received_ms(events) < 2000:
                events += await events_until(wire, "response.output_audio.delta")
            mic.say(spoken[BARGE_IN])  # the user talks over the reply
            events += await events_until(wire, "response.done")
            done = events[-1]["response"]
            assistant = next(item for item in done["output"] if item["type"] == "message")
            audio = b"".join(
                base64.b64decode(e["delta"])
                for e in events
                if e["type"] == "response.output_audio.delta"
            )
            # The client played half of what it got before the user spoke.
            played_ms = round(len(audio) / 2 / RATE * 1000 / 2)
            await connection.conversation.item.truncate(
                item_id=assistant["id"], content_index=0, audio_end_ms=played_ms
            )
            events += await events_until(wire, "conversation.item.truncated")
            await connection.send(
                {"type": "conversation.item.retrieve", "item_id": assistant["id"]}
            )
            retrieved = (await events_until(wire, "conversation.item.retrieved"))[-1]["item"]
        finally:
            await mic.stop()

    kinds = [event["type"] for event in events]
    barge = [i for i, kind in enumerate(kinds) if kind == "input_audio_buffer.speech_started"]
    assert len(barge) == 2
    assert barge[1] < index(events, "response.done")
    assert done["status"] == "cancelled"
    assert done["status_details"]["reason"] == "turn_detected"

    full = " ".join(
        e["delta"] for e in events if e["type"] == "response.output_audio_transcript.delta"
    ).split()
    kept = retrieved["content"][0]["transcript"].split()
    assert kept == full[: len(kept)]
    assert played_ms >= 1000
    # What was heard by then, by Whisper's ear: the kept words, give or take one.
    whisper = WhisperTranscriber()
    await whisper.start()
    try:
        heard_pcm = audio[: played_ms * RATE // 1000 * 2]
        parts = [part async for part in whisper.transcribe(TranscriptionRequest(heard_pcm, RATE))]
    finally:
        await whisper.aclose()
    result = parts[-1]
    assert isinstance(result, TranscriptResult)
    heard = normalize_words(result.text)
    assert 1 <= len(kept) < len(full)
    assert abs(len(normalize_words(" ".join(kept))) - len(heard)) <= 1


async def test_a_named_function_gets_a_schema_valid_call(local_url: ServerURL) -> None:
    tool = {
        "type": "function",
        "name": "get_weather",
        "description": "Get the current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city", "unit"],
        },
    }
    async with session(local_url, output_modalities=["text"], tools=[tool], instructions=BRIEF) as (
        connection,
        wire,
    ):
        await connection.conversation.item.create(
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "Is it raining in Paris?"}],
            }
        )
        await connection.response.create(
            response={"tool_choice": {"type": "function", "name": "get_weather"}}
        )
        events = await events_until(wire, "response.done")

    done = events[-1]["response"]
    assert done["status"] == "completed"
    call = next(item for item in done["output"] if item["type"] == "function_call")
    assert call["name"] == "get_weather"
    arguments = json.loads(call["arguments"])
    assert set(arguments) == {"city", "unit"}
    assert isinstance(arguments["city"], str)
    assert arguments["unit"] in ("celsius", "fahrenheit")
    streamed = "".join(
        e["delta"] for e in events if e["type"] == "response.function_call_arguments.delta"
    )
    assert streamed == call["arguments"]


async def test_an_unsupported_transcription_language_is_refused(local_url: ServerURL) -> None:
    client = AsyncOpenAI(api_key="test", base_url=local_url.http, websocket_base_url=str(local_url))
    try:
        async with client.realtime.connect(model="gpt-realtime") as connection:
            wire = SdkWire(connection, "ga")
            await wire.until("session.created")
            await connection.session.update(
                session={
                    "type": "realtime",
                    "audio": {"input": {"transcription": {"model": "whisper-1", "language": "fr"}}},
                },
                event_id="client_fr",
            )
            error = (await events_until(wire, "error"))[-1]["error"]
    finally:
        await client.close()
    assert error["code"] == "invalid_value"
    assert error["event_id"] == "client_fr"
    assert "en" in error["message"]


@pytest.mark.spec("4g")
async def test_a_transcription_session_uses_the_same_engines(
    local_url: ServerURL, spoken: dict[str, bytes]
) -> None:
    update = {
        "type": "session.update",
        "session": {
            "type": "transcription",
            "audio": {
                "input": {
                    "transcription": {"model": "gpt-4o-transcribe"},
                    "turn_detection": {"type": "server_vad", "silence_duration_ms": 500},
                }
            },
        },
    }
    pcm = bytes(RATE) + spoken[QUESTION] + bytes(2 * RATE)
    async with websockets.connect(f"{local_url}/realtime?intent=transcription") as ws:
        await ws.send(json.dumps(update))
        for start in range(0, len(pcm), PACKET):
            chunk = base64.b64encode(pcm[start : start + PACKET]).decode("ascii")
            await ws.send(json.dumps({"type": "input_audio_buffer.append", "audio": chunk}))
        events: list[dict[str, Any]] = []
        async with asyncio.timeout(30):
            while not events or not events[-1]["type"].endswith("transcription.completed"):
                events.append(validate("ga", await ws.recv()))
    kinds = [event["type"] for event in events]
    assert kinds[0] == "session.created"
    assert "input_audio_buffer.speech_stopped" in kinds
    deltas = [e["delta"] for e in events if e["type"].endswith("transcription.delta")]
    assert deltas
    assert "".join(deltas).strip() == events[-1]["transcript"]
    assert word_error_rate(QUESTION, events[-1]["transcript"]) <= 0.2
