"""Voice latency and VAD capacity of the local engine stack, driven from another process.

The server runs in this process on the ``local`` engines (Silero VAD, Whisper tiny.en,
SmolLM2 through llama.cpp, Piper), with two probes: each VAD ``feed`` is timed from
the moment the session hands the frame over to the moment its speech probability is
back (the VAD lag), and a ticker measures the event loop's lag every 10 ms. The load
comes from a second process (this script with ``--client PHASE``), which speaks
questions synthesized by Piper beforehand, in 20 ms packets at real time, over
WebSocket on 127.0.0.1.

Phases:

- ``one``: one talker asks ``--questions`` distinct questions (at least 20), each
  preceded by 400 ms of silence and followed by silence until the reply is done,
  under ``server_vad`` (``silence_duration_ms`` 500) with input transcription on.
  Per turn, on the client's clock: ``speech_stopped`` → first audio delta, and the
  end of the real speech (known from the clip) → first audio delta; and the parts:
  ``speech_stopped`` → transcript completed, → ``response.created``, → the model's
  first text token (taken in the server, which wraps the language model, on the same
  monotonic clock), → first transcript delta (the first text the synthesizer spoke).
- ``four``: the same with 4 sessions talking at once, each turn started together.
- ``held``: ``--held`` sessions each loop a spoken question and 1.5 s of silence in
  real time under ``server_vad`` with ``create_response: false`` and no input
  transcription, for ``--hold`` seconds. The model serving them transcribes nothing
  (its transcriber is the scripted one): what is measured is the VAD's capacity, not
  Whisper's. It prints sessions, VAD lag p99, event-loop lag p99 and the server's
  CPU (all its threads) over the hold.

Targets (issue 9): ``speech_stopped`` → first audio p50 ≤ 700 ms and p95 ≤ 1.2 s for
one talker; at least 50 sessions held with VAD lag p99 ≤ 100 ms. It prints and exits
0; it asserts nothing. Run from the repository root, on a quiet machine::

    .venv/bin/python benchmarks/voice_latency.py
    .venv/bin/python benchmarks/voice_latency.py --phases held --held 80 --hold 30
    .venv/bin/python benchmarks/voice_latency.py --phases one --option whisper_threads=1
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from openrealtime.engines.local.threads import limit_math_threads

limit_math_threads()

SAMPLE_RATE = 24000
PACKET_MS = 20
PACKET_BYTES = SAMPLE_RATE * PACKET_MS // 1000 * 2
LEAD_SILENCE_MS = 400
TURN_TIMEOUT = 60.0
VAD_MODEL = "vad-only"

QUESTIONS = (
    "What is the capital of France?",
    "How tall is Mount Everest?",
    "Who wrote Romeo and Juliet?",
    "What is the boiling point of water?",
    "How many days are in a leap year?",
    "What color is the sky on a clear day?",
    "Can you recommend a good book?",
    "What is the largest planet in our solar system?",
    "How do I make a cup of tea?",
    "What time zone is London in?",
    "Why do leaves change color in autumn?",
    "What is two plus two?",
    "Tell me a fun fact about cats.",
    "What is the speed of light?",
    "How far away is the moon?",
    "What language do people speak in Brazil?",
    "Who painted the Mona Lisa?",
    "What is the tallest animal?",
    "How many continents are there?",
    "What should I cook for dinner tonight?",
    "What is the chemical symbol for gold?",
    "How do airplanes stay in the air?",
)


# -- the server side ------------------------------------------------------------------


class TimedVad:
    """Wraps the Silero VAD; each stream's ``feed`` records its lag in :data:`VAD_LAGS`."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.capabilities = inner.capabilities

    async def start(self) -> None:
        await self.inner.start()

    async def aclose(self) -> None:
        await self.inner.aclose()

    def stream(self, sample_rate: int) -> TimedStream:
        return TimedStream(self.inner.stream(sample_rate))


class TimedResponder:
    """Wraps the local language model; records each response's first text token.

    The time is ``perf_counter`` (CLOCK_MONOTONIC, the same clock in both processes),
    keyed by response id, in :data:`FIRST_TOKENS`.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.capabilities = inner.capabilities

    async def start(self) -> None:
        await self.inner.start()

    async def aclose(self) -> None:
        await self.inner.aclose()

    async def respond(self, request: Any) -> AsyncIterator[Any]:
        from openrealtime.engines import TextDelta

        async for output in self.inner.respond(request):
            if isinstance(output, TextDelta) and request.response_id not in FIRST_TOKENS:
                FIRST_TOKENS[request.response_id] = time.perf_counter()
            yield output


class TimedStream:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.frame_ms = inner.frame_ms

    async def feed(self, pcm: bytes) -> list[float]:
        started = time.perf_counter()
        probabilities: list[float] = await self.inner.feed(pcm)
        if probabilities:
            VAD_LAGS.append(time.perf_counter() - started)
        return probabilities

    def reset(self) -> None:
        self.inner.reset()


VAD_LAGS: list[float] = []
LOOP_LAGS: list[float] = []
FIRST_TOKENS: dict[str, float] = {}


async def loop_ticker(period: float = 0.01) -> None:
    """Record how late the loop wakes a 10 ms sleep."""
    loop = asyncio.get_running_loop()
    while True:
        planned = loop.time() + period
        await asyncio.sleep(period)
        LOOP_LAGS.append(max(0.0, loop.time() - planned))


def registry(options: Mapping[str, Any]) -> Any:
    from openrealtime.engines.local_kind import local_responder, local_vad
    from openrealtime.engines.registry import ModelRegistry, register_kind

    register_kind("timed-silero", roles={"vad": lambda options: TimedVad(local_vad(options))})
    register_kind(
        "timed-llama",
        roles={"responder": lambda options: TimedResponder(local_responder(options))},
    )
    return ModelRegistry.from_dict(
        {
            "models": [
                {
                    "name": "gpt-realtime",
                    "match": ["gpt-realtime*"],
                    "engine": "local",
                    "options": dict(options),
                    "vad": {"engine": "timed-silero", "options": dict(options)},
                    "responder": {"engine": "timed-llama", "options": dict(options)},
                },
                {
                    "name": VAD_MODEL,
                    "engine": "local",
                    "options": dict(options),
                    "vad": {"engine": "timed-silero", "options": dict(options)},
                    "responder": {"engine": "timed-llama", "options": dict(options)},
                    "transcriber": {"engine": "scripted"},
                },
            ]
        }
    )


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def serve(args: argparse.Namespace) -> None:
    from openrealtime.server import ServerConfig
    from openrealtime.server.app.runner import running

    started = time.perf_counter()
    options: dict[str, Any] = {}
    for pair in args.option:
        key, _, value = pair.partition("=")
        try:
            options[key] = json.loads(value)
        except ValueError:
            options[key] = value
    async with running(ServerConfig(models=registry(options))) as url:
        print(f"engines loaded and listening in {time.perf_counter() - started:.1f} s")
        print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
        print(f"local engine options: {options or 'the defaults'}")
        ticker = asyncio.get_running_loop().create_task(loop_ticker())
        try:
            for phase in args.phases.split(","):
                await run_phase(phase, str(url), args)
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker


async def run_phase(phase: str, url: str, args: argparse.Namespace) -> None:
    VAD_LAGS.clear()
    LOOP_LAGS.clear()
    cpu_before, wall_before = cpu_seconds(), time.perf_counter()
    command = [
        sys.executable,
        __file__,
        "--client",
        phase,
        "--url",
        url,
        "--questions",
        str(args.questions),
        "--held",
        str(args.held),
        "--hold",
        str(args.hold),
    ]
    process = await asyncio.create_subprocess_exec(*command, stdout=subprocess.PIPE)
    out, _ = await process.communicate()
    cpu = (cpu_seconds() - cpu_before) / (time.perf_counter() - wall_before)
    try:
        report = json.loads(out.decode().strip().splitlines()[-1])
    except (IndexError, ValueError):
        print(f"{phase}: the client failed (exit {process.returncode})")
        return
    if phase == "held":
        print_held(report, cpu)
    else:
        for turn in report["turns"]:
            turn["first_token"] = FIRST_TOKENS.get(turn["response_id"] or "")
        print_turns(phase, report)


def ms(value: float) -> str:
    return f"{value * 1000:.0f} ms"


def print_turns(phase: str, report: Mapping[str, Any]) -> None:
    turns = [Turn(**turn) for turn in report["turns"]]
    done = [turn for turn in turns if turn.first_audio is not None]
    talkers = "one talker" if phase == "one" else "4 talkers at once"
    print(f"\n{talkers}: {len(done)} of {len(turns)} turns answered with audio")
    if not done:
        return

    def row(name: str, values: list[float], target: str = "") -> None:
        print(
            f"  {name:<44} p50 {ms(percentile(values, 0.5)):>8}   "
            f"p95 {ms(percentile(values, 0.95)):>8}  {target}"
        )

    stops = [t for t in done if t.speech_stopped is not None]
    row(
        "speech_stopped -> first audio delta",
        [t.first_audio - t.speech_stopped for t in stops],  # type: ignore[operator]
        "(target p50 <= 700 ms, p95 <= 1200 ms)" if phase == "one" else "",
    )
    row("end of real speech -> first audio delta", [t.first_audio - t.speech_end for t in done])  # type: ignore[operator]
    for name, attr in (
        ("speech_stopped -> transcript completed", "transcript"),
        ("speech_stopped -> response.created", "created"),
        ("speech_stopped -> first model token (server)", "first_token"),
        ("speech_stopped -> first transcript delta", "first_text"),
    ):
        values = [getattr(t, attr) - t.speech_stopped for t in stops if getattr(t, attr)]
        row(name, values)
    words = [statistics.mean(t.wer for t in done)]
    print(f"  mean word error rate of the transcripts: {words[0]:.1%}")


def print_held(report: Mapping[str, Any], cpu: float) -> None:
    print(
        f"\nsessions held: {report['sessions']} for {report['seconds']:.0f} s, "
        f"{report['speech_started']} speech_started, {report['errors']} errors"
    )
    print(
        f"  VAD lag p50 {ms(percentile(VAD_LAGS, 0.5))}, p99 {ms(percentile(VAD_LAGS, 0.99))}, "
        f"max {ms(max(VAD_LAGS, default=0.0))} over {len(VAD_LAGS)} feeds "
        "(target p99 <= 100 ms with >= 50 sessions)"
    )
    print(
        f"  event-loop lag p99 {ms(percentile(LOOP_LAGS, 0.99))}, "
        f"max {ms(max(LOOP_LAGS, default=0.0))}"
    )
    print(f"  server CPU {cpu:.2f} cores (all threads)")


# -- the client side ------------------------------------------------------------------


@dataclass
class Turn:
    question: str
    speech_end: float
    speech_stopped: float | None = None
    transcript: float | None = None
    created: float | None = None
    first_text: float | None = None
    first_audio: float | None = None
    wer: float = 1.0
    response_id: str | None = None
    first_token: float | None = None


@dataclass
class Talker:
    """One session of the client: its socket and what its events said, with times."""

    ws: Any
    turns: list[Turn] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    speech_started: int = 0
    errors: int = 0

    async def receive(self) -> None:
        from openrealtime.testing.speech import word_error_rate

        async for raw in self.ws:
            now = time.perf_counter()
            event = json.loads(raw)
            kind = event["type"]
            turn = self.turns[-1] if self.turns else None
            if kind == "input_audio_buffer.speech_started":
                self.speech_started += 1
            elif kind == "error":
                self.errors += 1
            if turn is None:
                continue
            if kind == "input_audio_buffer.speech_stopped" and turn.speech_stopped is None:
                turn.speech_stopped = now
            elif kind == "conversation.item.input_audio_transcription.completed":
                turn.transcript = turn.transcript or now
                turn.wer = word_error_rate(turn.question, event["transcript"])
            elif kind == "response.created":
                turn.created = turn.created or now
                turn.response_id = turn.response_id or event["response"]["id"]
            elif kind == "response.output_audio_transcript.delta":
                turn.first_text = turn.first_text or now
            elif kind == "response.output_audio.delta":
                turn.first_audio = turn.first_audio or now
            elif kind == "response.done":
                self.done.set()


async def stream(ws: Any, pcm: bytes, started: float) -> None:
    """Send ``pcm`` in 20 ms packets on the real-time schedule that began at ``started``."""
    for index in range(0, len(pcm), PACKET_BYTES):
        due = started + index / 2 / SAMPLE_RATE
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        chunk = base64.b64encode(pcm[index : index + PACKET_BYTES]).decode()
        await ws.send(json.dumps({"type": "input_audio_buffer.append", "audio": chunk}))


async def talk(talker: Talker, question: str, clip: bytes) -> None:
    """One turn: silence, the question, then silence until the reply is done."""
    silence = bytes(LEAD_SILENCE_MS * SAMPLE_RATE // 1000 * 2)
    started = time.perf_counter()
    speech_end = started + (len(silence) + len(clip)) / 2 / SAMPLE_RATE
    talker.done.clear()
    talker.turns.append(Turn(question, speech_end))
    await stream(talker.ws, silence + clip, started)
    tail = bytes(PACKET_BYTES)
    deadline = time.perf_counter() + TURN_TIMEOUT
    while not talker.done.is_set() and time.perf_counter() < deadline:
        await talker.ws.send(
            json.dumps(
                {"type": "input_audio_buffer.append", "audio": base64.b64encode(tail).decode()}
            )
        )
        await asyncio.sleep(PACKET_MS / 1000)
    # Let the last transcription event arrive before the next turn starts.
    await asyncio.sleep(0.3)


async def connect(url: str, model: str, session: dict[str, Any]) -> Talker:
    import websockets

    ws = await websockets.connect(f"{url}/realtime?model={model}", max_size=None)
    talker = Talker(ws)
    asyncio.get_running_loop().create_task(talker.receive())
    await ws.send(json.dumps({"type": "session.update", "session": session}))
    return talker


def voice_session() -> dict[str, Any]:
    return {
        "type": "realtime",
        "instructions": "You are a friendly voice assistant. Answer in one short sentence.",
        "max_output_tokens": 60,
        "audio": {
            "input": {
                "transcription": {"model": "whisper-1"},
                "turn_detection": {"type": "server_vad", "silence_duration_ms": 500},
            }
        },
    }


async def clips(questions: Sequence[str]) -> dict[str, bytes]:
    from openrealtime.engines.local.piper import PiperSynthesizer
    from openrealtime.testing.speech import speak

    piper = PiperSynthesizer()
    await piper.start()
    try:
        return {question: await speak(piper, question) for question in questions}
    finally:
        await piper.aclose()


async def client(args: argparse.Namespace) -> dict[str, Any]:
    count = max(args.questions, 1)
    questions = [QUESTIONS[i % len(QUESTIONS)] for i in range(count)]
    spoken = await clips(sorted(set(questions)))
    if args.client == "held":
        return await held(args, spoken)
    talkers = [
        await connect(args.url, "gpt-realtime", voice_session())
        for _ in range(1 if args.client == "one" else 4)
    ]
    await talk(talkers[0], questions[0], spoken[questions[0]])  # warm-up, not counted
    talkers[0].turns.clear()
    for index in range(count):
        await asyncio.gather(
            *(
                talk(talker, questions[(index + n) % count], spoken[questions[(index + n) % count]])
                for n, talker in enumerate(talkers)
            )
        )
    for talker in talkers:
        await talker.ws.close()
    return {"turns": [asdict(turn) for talker in talkers for turn in talker.turns]}


async def held(args: argparse.Namespace, spoken: Mapping[str, bytes]) -> dict[str, Any]:
    session = {
        "type": "realtime",
        "audio": {
            "input": {
                "transcription": None,
                "turn_detection": {
                    "type": "server_vad",
                    "create_response": False,
                    "interrupt_response": False,
                    "silence_duration_ms": 500,
                },
            }
        },
    }
    clip_list = list(spoken.values())
    silence = bytes(1500 * SAMPLE_RATE // 1000 * 2)
    talkers: list[Talker] = []
    for index in range(args.held):
        talkers.append(await connect(args.url, VAD_MODEL, session))
        if index % 25 == 24:
            await asyncio.sleep(0.2)
    started = time.perf_counter()

    async def loop_clips(n: int, talker: Talker) -> None:
        pcm = b"".join(clip + silence for clip in clip_list[n % len(clip_list) :] + clip_list)
        # Sessions start at different points of a 1 s cycle, as real callers would.
        offset = started + (n % 50) / 50
        while time.perf_counter() - started < args.hold:
            await stream(talker.ws, pcm[: int((args.hold + 1) * SAMPLE_RATE) * 2], offset)
            offset = time.perf_counter()

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(
            asyncio.gather(*(loop_clips(n, t) for n, t in enumerate(talkers))), args.hold + 5
        )
    for talker in talkers:
        await talker.ws.close()
    return {
        "sessions": len(talkers),
        "seconds": time.perf_counter() - started,
        "speech_started": sum(t.speech_started for t in talkers),
        "errors": sum(t.errors for t in talkers),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phases", default="one,four,held", help="comma-separated phases")
    parser.add_argument("--questions", type=int, default=20, help="turns per talker")
    parser.add_argument("--held", type=int, default=50, help="sessions in the held phase")
    parser.add_argument("--hold", type=float, default=20.0, help="seconds of the held phase")
    parser.add_argument(
        "--option", action="append", default=[], help="a local engine option, KEY=VALUE"
    )
    parser.add_argument("--client", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        print(json.dumps(asyncio.run(client(args))))
    else:
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
