"""The engine seam as the session core uses it (docs: engines/base.py, engine-contract).

Cancel signals that stop work in a thread, engines' own usage and finish reason, item
and session ids in requests, typed tool choice, truncation, capabilities that bound
``session.update``, audio at the rates a detector or transcriber takes, and a
transcript for a synthesizer without word timings.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from openrealtime.audio import duration_ms
from openrealtime.engines import (
    CancelSignal,
    Capabilities,
    EngineBase,
    Finish,
    FunctionChoice,
    ResponderOutput,
    ResponseRequest,
    SpeechChunk,
    TextDelta,
    TranscriptDelta,
    TranscriptionRequest,
    TranscriptResult,
    TruncationPolicy,
    Usage,
)
from openrealtime.engines.scripted import EnergyVad, ScriptedSynthesizer
from openrealtime.engines.scripted.vad import EnergyVadStream

from .dialects import configure, user_text
from .harness import Harness, silence, speech
from .invariants import Make, traced

TOKEN_SECONDS = 0.01


@pytest.fixture
async def make() -> AsyncIterator[Make]:
    async with traced() as factory:
        yield factory


# -- cancel signals: generation in a thread ------------------------------------------------


class ThreadedResponder(EngineBase):
    """Generates in a thread, a word every 10 ms, and stops only when the signal says so.

    Cancelling the task that reads the words does not stop the thread: only the
    request's cancel signal does.
    """

    def __init__(self) -> None:
        self.words = 0
        self.stopped = threading.Event()
        self.started = threading.Event()

    async def respond(self, request: ResponseRequest) -> AsyncIterator[ResponderOutput]:
        loop = asyncio.get_running_loop()
        words: asyncio.Queue[str] = asyncio.Queue()

        def generate() -> None:
            while not request.cancel.cancelled and self.words < 10_000:
                self.words += 1
                loop.call_soon_threadsafe(words.put_nowait, " word")
                self.started.set()
                time.sleep(TOKEN_SECONDS)
            self.stopped.set()

        threading.Thread(target=generate, daemon=True).start()
        while True:
            yield TextDelta(await words.get())


async def generating(h: Harness, responder: ThreadedResponder, *, vad: bool) -> None:
    """Start a text response and wait until the thread has produced some words."""
    await h.send(configure(h.dialect, text=True, vad=vad, max_tokens=4096))
    await h.send(user_text("Talk for a long time."))
    await h.send({"type": "response.create"})
    assert await asyncio.to_thread(responder.started.wait, 5)
    await asyncio.sleep(0.05)


async def assert_stops_within_a_word(responder: ThreadedResponder) -> None:
    at_signal = responder.words
    assert await asyncio.to_thread(responder.stopped.wait, 1), "the thread never stopped"
    assert responder.words <= at_signal + 1


async def _cancel(h: Harness) -> None:
    await h.send({"type": "response.cancel"})


async def _barge_in(h: Harness) -> None:
    await h.append(speech("stop"))


async def _close(h: Harness) -> None:
    await h.close()


@pytest.mark.parametrize(
    "stop", [_cancel, _barge_in, _close], ids=["response.cancel", "barge-in", "disconnect"]
)
async def test_a_generation_in_a_thread_is_stopped_by_the_signal(
    stop: Callable[[Harness], Any],
) -> None:
    responder = ThreadedResponder()
    async with Harness() as h:
        h.engines = dataclasses.replace(h.engines, responder=responder)
        await generating(h, responder, vad=stop is _barge_in)
        await stop(h)
        await assert_stops_within_a_word(responder)


async def test_the_token_limit_stops_a_generation_in_a_thread() -> None:
    responder = ThreadedResponder()
    async with Harness() as h:
        h.engines = dataclasses.replace(h.engines, responder=responder)
        await h.send(configure("ga", text=True))
        await h.send(user_text("Talk."))
        await h.send({"type": "response.create", "response": {"max_output_tokens": 3}})
        assert await asyncio.to_thread(responder.stopped.wait, 2), "the thread never stopped"
        (done,) = h.of_type("response.done")
        assert done.response.status_details.reason == "max_output_tokens"
        assert responder.words <= 4


async def test_session_close_signals_a_running_transcription() -> None:
    heard: list[CancelSignal] = []
    release = asyncio.Event()

    class Waiting(EngineBase):
        async def transcribe(
            self, request: TranscriptionRequest
        ) -> AsyncIterator[TranscriptDelta | TranscriptResult]:
            heard.append(request.cancel)
            await release.wait()
            yield TranscriptResult("never", 0.0)

    async with Harness() as h:
        h.engines = dataclasses.replace(h.engines, transcriber=Waiting())
        await h.send(configure("ga", text=True))
        await h.append(speech("hello"))
        await h.send({"type": "input_audio_buffer.commit"})
        await asyncio.sleep(0)
        (signal,) = heard
        assert not signal.cancelled
    assert signal.cancelled


# -- what a request carries ---------------------------------------------------------------


class Recording(EngineBase):
    """Answers "ok" and keeps every request."""

    def __init__(self, *outputs: ResponderOutput) -> None:
        self.requests: list[ResponseRequest] = []
        self.outputs = outputs or (TextDelta("ok"),)

    async def respond(self, request: ResponseRequest) -> AsyncIterator[ResponderOutput]:
        self.requests.append(request)
        for output in self.outputs:
            yield output


async def test_requests_carry_item_ids_session_and_response_ids(make: Make) -> None:
    responder = Recording()
    h = await make().start()
    h.engines = dataclasses.replace(h.engines, responder=responder)
    await h.send(configure("ga", text=True))
    await h.send(user_text("one", item_id="item_one"))
    await h.send({"type": "response.create"})
    await h.settle()
    await h.send(user_text("two", item_id="item_two"))
    await h.send({"type": "response.create"})
    await h.settle()
    first, second = responder.requests
    reply_id = h.of_type("response.output_item.added")[0].item.id
    assert [item.id for item in first.context] == ["item_one"]
    assert [item.id for item in second.context] == ["item_one", reply_id, "item_two"]
    assert {first.session_id, second.session_id} == {h.session.id}
    assert [first.response_id, second.response_id] == [
        event.response.id for event in h.of_type("response.created")
    ]


async def test_tool_choice_is_typed_and_truncation_passes_through(make: Make) -> None:
    responder = Recording()
    h = await make().start()
    h.engines = dataclasses.replace(h.engines, responder=responder)
    tool = {"type": "function", "name": "none", "parameters": {"type": "object"}}
    await h.send(
        {
            "type": "session.update",
            "session": {
                "type": "realtime",
                "output_modalities": ["text"],
                "tools": [tool],
                "tool_choice": {"type": "function", "name": "none"},
                "truncation": {"type": "retention_ratio", "retention_ratio": 0.5},
            },
        }
    )
    await h.send(user_text("hi"))
    await h.send({"type": "response.create"})
    await h.send(
        {"type": "response.create", "response": {"conversation": "none", "tool_choice": "none"}}
    )
    await h.settle()
    named, mode = responder.requests
    assert named.tool_choice == FunctionChoice("none")
    assert mode.tool_choice == "none"
    assert named.truncation == TruncationPolicy("retention_ratio", 0.5)


# -- usage and finish reasons -----------------------------------------------------------


async def test_an_engines_usage_replaces_the_estimate(make: Make) -> None:
    h = await make().start()
    responder = Recording(TextDelta("Hello there"), Usage(120, 9, cached_tokens=100))
    h.engines = dataclasses.replace(h.engines, responder=responder)
    await h.send(configure("ga", text=True))
    await h.send(user_text("hi"))
    await h.send({"type": "response.create"})
    await h.settle()
    (done,) = h.of_type("response.done")
    usage = done.response.usage.to_dict()
    assert done.response.status == "completed"
    assert (usage["input_tokens"], usage["output_tokens"], usage["total_tokens"]) == (120, 9, 129)
    assert usage["input_token_details"]["cached_tokens"] == 100
    assert usage["input_token_details"]["cached_tokens_details"]["text_tokens"] == 100
    assert usage["output_token_details"] == {"text_tokens": 9, "audio_tokens": 0}


@pytest.mark.parametrize(
    ("finish", "reason"),
    [(Finish("length"), "max_output_tokens"), (Finish("content_filter"), "content_filter")],
)
async def test_finish_length_or_filter_ends_the_response_incomplete(
    make: Make, finish: Finish, reason: str
) -> None:
    h = await make().start()
    responder = Recording(TextDelta("Once upon"), finish, TextDelta(" ignored"))
    h.engines = dataclasses.replace(h.engines, responder=responder)
    await h.send(configure("ga", text=True))
    await h.send(user_text("hi"))
    await h.send({"type": "response.create"})
    await h.settle()
    (done,) = h.of_type("response.done")
    assert done.response.status == "incomplete"
    assert done.response.status_details.reason == reason
    (item,) = done.response.output
    assert item.status == "incomplete"
    assert item.content[0].text == "Once upon"


async def test_finish_stop_completes_and_ends_the_output(make: Make) -> None:
    h = await make().start()
    responder = Recording(TextDelta("Done."), Finish("stop"), TextDelta(" Not this."))
    h.engines = dataclasses.replace(h.engines, responder=responder)
    await h.send(configure("ga", text=True))
    await h.send(user_text("hi"))
    await h.send({"type": "response.create"})
    await h.settle()
    (done,) = h.of_type("response.done")
    assert done.response.status == "completed"
    assert done.response.output[0].content[0].text == "Done."


# -- a synthesizer without word timings -----------------------------------------------------


class UntimedSynthesizer(ScriptedSynthesizer):
    """The scripted voice, with every word timing dropped."""

    async def synthesize(
        self, text: AsyncIterator[str], *, voice: str, speed: float, cancel: CancelSignal
    ) -> AsyncIterator[SpeechChunk]:
        speech = super().synthesize(text, voice=voice, speed=speed, cancel=cancel)
        async for chunk in speech:
            yield SpeechChunk(chunk.pcm, chunk.sample_rate)


REPLY = "You said: Hello there, my friend. How are you?"


async def spoken_reply(h: Harness) -> str:
    """The id of the assistant item of a spoken reply to "Hello there, my friend. How are you?"."""
    h.engines = dataclasses.replace(h.engines, synthesizer=UntimedSynthesizer(pace=0))
    await h.send(configure("ga"))
    await h.send(user_text("Hello there, my friend. How are you?"))
    await h.send({"type": "response.create"})
    await h.settle()
    item_id: str = h.of_type("response.output_item.added")[0].item.id
    return item_id


async def test_a_synthesizer_without_timings_yields_a_transcript(make: Make) -> None:
    h = await make().start()
    item_id = await spoken_reply(h)
    deltas = [e.delta for e in h.of_type("response.output_audio_transcript.delta")]
    assert len(deltas) == len(REPLY.split())
    assert "".join(deltas) == REPLY
    (done,) = h.of_type("response.output_audio_transcript.done")
    assert done.transcript == REPLY
    h.take()
    await h.send({"type": "conversation.item.retrieve", "item_id": item_id})
    (retrieved,) = h.take()
    assert retrieved.item.content[0].transcript == REPLY


async def test_untimed_transcript_deltas_trail_the_audio_by_at_most_a_clause(make: Make) -> None:
    h = await make().start()
    await spoken_reply(h)
    kinds = [
        event.type
        for event in h.wire()
        if event.type in ("response.output_audio.delta", "response.output_audio_transcript.delta")
    ]
    # Each clause's words follow its audio: "You said:", "Hello there,", "my friend.", ...
    first_words = kinds.index("response.output_audio_transcript.delta")
    assert 0 < first_words < len(kinds) - 1
    assert kinds[-1] == "response.output_audio_transcript.delta"
    assert kinds.count("response.output_audio_transcript.delta") == len(REPLY.split())


async def test_truncation_keeps_the_words_estimated_before_the_cut(make: Make) -> None:
    """The scripted voice spends 60 ms a character, so the estimate lands on the words."""
    h = await make().start()
    item_id = await spoken_reply(h)
    cut_ms = len("You said: Hello there,") * 60 + 30
    await h.send(
        {
            "type": "conversation.item.truncate",
            "item_id": item_id,
            "content_index": 0,
            "audio_end_ms": cut_ms,
        }
    )
    h.take()
    await h.send({"type": "conversation.item.retrieve", "item_id": item_id})
    (retrieved,) = h.take()
    assert retrieved.item.content[0].transcript == "You said: Hello there,"


# -- capabilities ---------------------------------------------------------------------------


def _voices(h: Harness, *voices: str) -> None:
    synthesizer = ScriptedSynthesizer(pace=0)
    synthesizer.capabilities = Capabilities(voices=voices)
    h.engines = dataclasses.replace(h.engines, synthesizer=synthesizer)


async def test_session_update_refuses_a_voice_the_synthesizer_lacks(make: Make) -> None:
    h = await make().start()
    _voices(h, "marin", "cedar")
    h.take()
    update = {"type": "realtime", "audio": {"output": {"voice": "ash"}}}
    await h.send({"type": "session.update", "event_id": "u1", "session": update})
    assert h.errors() == [
        {
            "type": "invalid_request_error",
            "code": "invalid_value",
            "message": "Invalid value: 'ash'. Supported values are: 'marin' and 'cedar'.",
            "param": "session.audio.output.voice",
            "event_id": "u1",
        }
    ]
    assert h.of_type("session.updated") == []
    update = {"type": "realtime", "audio": {"output": {"voice": "cedar"}}}
    await h.send({"type": "session.update", "session": update})
    (updated,) = h.of_type("session.updated")
    assert updated.session.audio.output.voice == "cedar"


async def test_response_create_refuses_a_voice_the_synthesizer_lacks(make: Make) -> None:
    h = await make().start()
    _voices(h, "marin")
    h.take()
    response = {"audio": {"output": {"voice": "ash"}}}
    await h.send({"type": "response.create", "event_id": "r1", "response": response})
    (error,) = h.errors()
    assert (error["param"], error["event_id"]) == ("response.audio.output.voice", "r1")
    assert h.of_type("response.created") == []


async def test_session_update_refuses_a_language_the_transcriber_lacks(make: Make) -> None:
    h = await make().start()
    transcriber = h.engines.transcriber
    transcriber.capabilities = Capabilities(languages=("en",))
    h.take()
    for language in ("fr", "en"):
        transcription = {"model": "whisper-1", "language": language}
        update = {"type": "realtime", "audio": {"input": {"transcription": transcription}}}
        await h.send({"type": "session.update", "event_id": language, "session": update})
    assert h.errors() == [
        {
            "type": "invalid_request_error",
            "code": "invalid_value",
            "message": "Invalid value: 'fr'. Supported values are: 'en'.",
            "param": "session.audio.input.transcription.language",
            "event_id": "fr",
        }
    ]
    assert len(h.of_type("session.updated")) == 1


# -- audio at the rates engines take ------------------------------------------------------


class RateRecordingVad(EnergyVad):
    capabilities = Capabilities(sample_rates=(16000,))

    def __init__(self) -> None:
        super().__init__()
        self.rates: list[int] = []

    def stream(self, sample_rate: int) -> EnergyVadStream:
        self.rates.append(sample_rate)
        return super().stream(sample_rate)


class RateRecordingTranscriber(EngineBase):
    capabilities = Capabilities(sample_rates=(16000,))

    def __init__(self) -> None:
        self.requests: list[TranscriptionRequest] = []

    async def transcribe(
        self, request: TranscriptionRequest
    ) -> AsyncIterator[TranscriptDelta | TranscriptResult]:
        self.requests.append(request)
        yield TranscriptResult("heard", duration_ms(len(request.pcm), request.sample_rate) / 1000)


async def test_audio_reaches_vad_and_transcriber_at_a_rate_they_take(make: Make) -> None:
    vad, transcriber = RateRecordingVad(), RateRecordingTranscriber()
    h = await make().start()
    h.engines = dataclasses.replace(h.engines, vad=vad, transcriber=transcriber)
    session = {"type": "realtime", "output_modalities": ["text"], "audio": {"input": {}}}
    await h.send(
        {
            "type": "session.update",
            "session": session
            | {
                "audio": {
                    "input": {"turn_detection": {"type": "server_vad", "create_response": False}}
                }
            },
        }
    )
    await h.append(silence(500) + speech("hello there") + silence(600))
    await h.settle()
    assert vad.rates == [16000]
    (started,) = h.of_type("input_audio_buffer.speech_started")
    assert abs(started.audio_start_ms - 200) <= 20
    (request,) = transcriber.requests
    assert request.sample_rate == 16000
    (stopped,) = h.of_type("input_audio_buffer.speech_stopped")
    expected_ms = stopped.audio_end_ms - started.audio_start_ms
    # The transcript was drafted at the pause: the turn without the last of its silence.
    silence_ms = 200
    drafted_ms = duration_ms(len(request.pcm), 16000)
    assert expected_ms - silence_ms <= drafted_ms <= expected_ms
