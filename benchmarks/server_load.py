"""Server load: latency, CPU and memory of one openrealtime server under many sessions.

The server runs in this process with a ``LatencyProbe`` (``openrealtime.server.transport.probe``),
which takes its timestamps inside the server on the monotonic clock; the samples stay
in this process. The load comes from a second process, this script again with
``--client PHASE``, one per phase; both talk over 127.0.0.1. Each process raises its
open-file limit to the hard limit.

Phases, in the default order (a text or audio load process first runs one warm-up
session, whose samples are discarded):

- idle: M sessions (``--idle-sessions``, default 500) opened and held ``--hold``
  seconds, then each makes one no-op ``session.update`` round trip.
- text: N sessions (``--sessions``, default 100), each switched to text output, then
  ``--text-turns`` turns of ``conversation.item.create`` (12 words) and
  ``response.create``. The scripted reply is "You said: <the 12 words>", in 15 token
  deltas. Between turns a session waits 0.5 to 1.5 times ``--think`` seconds.
- audio: N sessions streaming a microphone: 20 ms ``input_audio_buffer.append`` frames
  in real time, carrying the scripted ``speak(<12 words>)`` tone code (3.48 s), then
  silence until ``response.done``. Server VAD commits the turn and starts the response;
  the reply is spoken, paced in real time (``--pace``), in audio deltas of
  ``--audio-delta-ms``.

It prints p50/p99/max of the server-side latencies, sessions held, and the CPU and RSS
of the server, next to the targets. It prints and exits 0; it asserts nothing.

Run from the repository root::

    .venv/bin/python benchmarks/server_load.py
    .venv/bin/python benchmarks/server_load.py --sessions 200 --idle-sessions 1000 --hold 30
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import cProfile
import gc
import json
import math
import os
import platform
import random
import resource
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from typing import Any

import uvicorn
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.protocol import State

from openrealtime.engines.registry import ModelRegistry
from openrealtime.engines.tokens import split_tokens
from openrealtime.server import ServerConfig, SessionOptions, create_app
from openrealtime.server.app.admission import OpenSessions
from openrealtime.server.app.runner import running
from openrealtime.server.latency import LatencyProbe, created_metric

SAY = "please tell me the time and the weather in paris for today"  # 12 words
REPLY = f"You said: {SAY}"
WARM_UP_SAY = "hi"
MODEL = "gpt-realtime"
SAMPLE_RATE = 24000
FRAME_MS = 20
FRAME_BYTES = SAMPLE_RATE * FRAME_MS // 1000 * 2
CONNECT_AT_ONCE = 50
TURN_TIMEOUT = 60.0
BLAS_THREADS = "OPENBLAS_NUM_THREADS"

TARGET_SESSIONS = 100
TEXT_P99_MS = 5.0
AUDIO_P99_MS = 20.0
IDLE_TARGET = 500

TEXT_METRICS = [created_metric("response.create"), "response.output_text.delta"]
AUDIO_METRICS = [
    created_metric("input_audio_buffer.append"),
    "response.output_audio.delta",
    "response.output_audio_transcript.delta",
]


def raise_open_files() -> int:
    """Raise RLIMIT_NOFILE's soft limit to the hard limit; returns the soft limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # Linux refuses an infinite soft limit for open files; a large finite one will do.
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def speech(text: str) -> bytes:
    """The scripted engine's tone code for ``text``: PCM16 at 24 kHz."""
    # Imported late: numpy must not load before main() has settled its BLAS threads.
    from openrealtime.engines.scripted import speak

    return speak(text, SAMPLE_RATE)[0]


def percentile(ordered: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of sorted values."""
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


# ------------------------------------------------------------------------ the load process


def event(type_: str, **fields: Any) -> str:
    return json.dumps({"type": type_, **fields}, separators=(",", ":"))


def user_text(text: str) -> str:
    content = [{"type": "input_text", "text": text}]
    return event(
        "conversation.item.create", item={"type": "message", "role": "user", "content": content}
    )


TEXT_OUTPUT = event("session.update", session={"type": "realtime", "output_modalities": ["text"]})
NO_OP_UPDATE = event("session.update", session={"type": "realtime"})
RESPONSE_CREATE = event("response.create")


def append_frames(pcm: bytes) -> list[str]:
    """``input_audio_buffer.append`` frames of 20 ms each, the last padded with silence."""
    pcm += bytes(-len(pcm) % FRAME_BYTES)
    return [
        event(
            "input_audio_buffer.append", audio=base64.b64encode(pcm[i : i + FRAME_BYTES]).decode()
        )
        for i in range(0, len(pcm), FRAME_BYTES)
    ]


SILENCE = append_frames(bytes(FRAME_BYTES))[0]


@dataclass
class Tally:
    """What the load process saw."""

    responses: int = 0
    deltas: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    send_lag: list[float] = field(default_factory=list)
    """How late each paced audio frame went out, in seconds (the load process's own lag)."""
    extensions: set[str] = field(default_factory=set)
    stamps: dict[str, tuple[float, float]] = field(default_factory=dict)

    def fail(self, what: str) -> None:
        self.failures.append(what)

    def mark(self, name: str) -> None:
        """Tell the server process where the phase is; note this process's CPU time."""
        self.stamps[name] = (time.perf_counter(), time.process_time())
        print(f"mark {name}", flush=True)

    def cpu_percent(self, first: str, last: str) -> float:
        (wall_a, cpu_a), (wall_b, cpu_b) = self.stamps[first], self.stamps[last]
        return 100 * (cpu_b - cpu_a) / (wall_b - wall_a)


async def open_sessions(
    url: str, count: int, args: argparse.Namespace, tally: Tally, setup: str | None = None
) -> list[ClientConnection]:
    """Open ``count`` sessions, ``CONNECT_AT_ONCE`` at a time; each sends ``setup`` first."""
    gate = asyncio.Semaphore(CONNECT_AT_ONCE)
    compression = "deflate" if args.compression else None

    async def one() -> ClientConnection:
        async with gate:
            ws = await websockets.connect(url, compression=compression, max_size=None)
            await expect(ws, "session.created")
            if setup is not None:
                await ws.send(setup)
                await expect(ws, "session.updated")
        tally.extensions.update(str(extension.name) for extension in ws.protocol.extensions)
        return ws

    opened = await asyncio.gather(*(one() for _ in range(count)), return_exceptions=True)
    for failure in opened:
        if isinstance(failure, BaseException):
            tally.fail(f"connect: {failure!r}")
    return [ws for ws in opened if isinstance(ws, ClientConnection)]


async def expect(ws: ClientConnection, wanted: str) -> dict[str, Any]:
    async with asyncio.timeout(TURN_TIMEOUT):
        while True:
            received = json.loads(await ws.recv())
            if received["type"] == wanted:
                return received
            if received["type"] == "error":
                raise RuntimeError(f"error while waiting for {wanted}: {received['error']}")


async def reply_of(ws: ClientConnection, tally: Tally) -> tuple[str, str]:
    """Read one response to its end: its status, and its text or transcript."""
    text: list[str] = []
    async with asyncio.timeout(TURN_TIMEOUT):
        while True:
            received = json.loads(await ws.recv())
            kind = received["type"]
            if kind.endswith(".delta"):
                tally.deltas[kind] += 1
                if kind != "response.output_audio.delta":
                    text.append(received["delta"])
            elif kind == "response.done":
                tally.responses += 1
                return received["response"]["status"], "".join(text)
            elif kind == "error":
                tally.fail(f"error event: {received['error'].get('message')}")


def check_reply(tally: Tally, status: str, reply: str, expected: str) -> None:
    if status != "completed" or reply != expected:
        tally.fail(f"response {status}: {reply[:60]!r}")


async def text_turns(
    ws: ClientConnection,
    args: argparse.Namespace,
    turns: int,
    say: str,
    rng: random.Random,
    tally: Tally,
) -> None:
    await asyncio.sleep(rng.uniform(0, args.think))  # spread the first turns out
    for turn in range(turns):
        if turn:
            await asyncio.sleep(rng.uniform(0.5, 1.5) * args.think)
        await ws.send(user_text(say))
        await ws.send(RESPONSE_CREATE)
        check_reply(tally, *await reply_of(ws, tally), f"You said: {say}")


class Microphone:
    """Sends 20 ms frames on a real-time schedule, noting how late each one goes out."""

    def __init__(self, ws: ClientConnection, tally: Tally) -> None:
        self.ws = ws
        self.tally = tally
        self._loop = asyncio.get_running_loop()
        self._due = self._loop.time()

    async def send(self, frames: Sequence[str]) -> None:
        for frame in frames:
            wait = self._due - self._loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            self.tally.send_lag.append(max(0.0, self._loop.time() - self._due))
            await self.ws.send(frame)
            self._due += FRAME_MS / 1000

    async def silence(self, seconds: float) -> None:
        await self.send([SILENCE] * round(seconds * 1000 / FRAME_MS))


async def audio_turns(
    ws: ClientConnection,
    args: argparse.Namespace,
    turns: int,
    utterance: list[str],
    expected: str,
    rng: random.Random,
    tally: Tally,
) -> None:
    mic = Microphone(ws, tally)
    await mic.silence(rng.uniform(0, 1.0))  # spread the first turns out
    for turn in range(turns):
        if turn:
            await mic.silence(rng.uniform(0.5, 1.5) * args.think)
        await mic.send(utterance)
        # The microphone stays open: silence goes on while the reply plays.
        reply = asyncio.ensure_future(reply_of(ws, tally))
        try:
            while not reply.done():
                await mic.send([SILENCE])
        finally:
            reply.cancel()
        check_reply(tally, *reply.result(), expected)


async def idle_phase(url: str, args: argparse.Namespace, tally: Tally) -> dict[str, Any]:
    tally.mark("start")
    sockets = await open_sessions(url, args.idle_sessions, args, tally)
    tally.mark("held")
    await asyncio.sleep(args.hold)
    tally.mark("released")
    closed = sum(1 for ws in sockets if ws.state is not State.OPEN)

    async def round_trip(ws: ClientConnection) -> bool:
        try:
            await ws.send(NO_OP_UPDATE)
            await expect(ws, "session.updated")
        except Exception as exc:
            tally.fail(f"session.update: {exc!r}")
            return False
        return True

    answered = sum(await asyncio.gather(*(round_trip(ws) for ws in sockets)))
    await asyncio.gather(*(ws.close() for ws in sockets))
    return {"opened": len(sockets), "closed_during_hold": closed, "answered": answered}


async def guarded(work: Awaitable[None], tally: Tally) -> None:
    """Run one session; a failure is counted, and the other sessions go on."""
    try:
        await work
    except Exception as exc:
        tally.fail(repr(exc))


async def turns_phase(phase: str, url: str, args: argparse.Namespace, tally: Tally) -> None:
    """A warm-up session, then N sessions opened together, then their turns."""
    setup = TEXT_OUTPUT if phase == "text" else None
    utterances = {say: append_frames(speech(say)) for say in (WARM_UP_SAY, SAY)}

    async def turns(ws: ClientConnection, count: int, say: str, seed: str, into: Tally) -> None:
        rng = random.Random(f"{args.seed}-{seed}")
        if phase == "text":
            await text_turns(ws, args, count, say, rng, into)
        else:
            await audio_turns(ws, args, count, utterances[say], f"You said: {say}", rng, into)

    for warm_up in await open_sessions(url, 1, args, Tally(), setup):
        async with warm_up:
            await turns(warm_up, 1, WARM_UP_SAY, "warm-up", Tally())
    sockets = await open_sessions(url, args.sessions, args, tally, setup)
    count = args.text_turns if phase == "text" else args.audio_turns
    tally.mark("start")
    await asyncio.gather(
        *(
            guarded(turns(ws, count, SAY, str(index), tally), tally)
            for index, ws in enumerate(sockets)
        )
    )
    tally.mark("end")
    await asyncio.gather(*(ws.close() for ws in sockets))


async def load(phase: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    tally = Tally()
    extra: dict[str, Any] = {}
    if phase == "idle":
        extra = await idle_phase(url, args, tally)
    else:
        await turns_phase(phase, url, args, tally)
    lag = sorted(tally.send_lag)
    window = ("held", "released") if phase == "idle" else ("start", "end")
    return {
        "responses": tally.responses,
        "deltas": dict(tally.deltas),
        "failures": tally.failures[:3],
        "failure_count": len(tally.failures),
        "send_lag_p99_ms": percentile(lag, 99) * 1000 if lag else None,
        "send_lag_max_ms": lag[-1] * 1000 if lag else None,
        "cpu_percent": tally.cpu_percent(*window),
        "extensions": sorted(tally.extensions),
        "open_files": raise_open_files(),
        **extra,
    }


def client_main(args: argparse.Namespace) -> int:
    raise_open_files()
    result = asyncio.run(load(args.client, args.url, args))
    print(f"result {json.dumps(result)}", flush=True)
    return 0


# ---------------------------------------------------------------------- the server process


@dataclass(frozen=True)
class Stamp:
    """The server process at one mark of a phase."""

    wall: float
    cpu: float
    sessions: int
    rss: int


def rss_bytes() -> int:
    """This process's resident set size now."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def stamp(sessions: OpenSessions) -> Stamp:
    return Stamp(time.perf_counter(), time.process_time(), len(sessions), rss_bytes())


class GcPauses:
    """The garbage collector's stop-the-world pauses in this process, in seconds."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []
        self._started = 0.0
        gc.callbacks.append(self._note)

    def _note(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((info["generation"], time.perf_counter() - self._started))

    def take(self) -> list[tuple[int, float]]:
        """The pauses since the last take, as ``(generation, seconds)``."""
        pauses, self.pauses = self.pauses, []
        return pauses


@dataclass
class PhaseRun:
    """One phase as the server process saw it, and the load process's result."""

    phase: str
    stamps: dict[str, Stamp]
    result: dict[str, Any]
    samples: dict[str, list[float]]
    gc_pauses: list[tuple[int, float]] = field(default_factory=list)

    @property
    def window(self) -> tuple[str, str]:
        """The marks the phase is measured between: the hold for idle, else the phase."""
        return ("held", "released") if self.phase == "idle" else ("start", "end")

    @property
    def complete(self) -> bool:
        return all(name in self.stamps for name in self.window)


async def drive(
    phase: str,
    url: str,
    args: argparse.Namespace,
    probe: LatencyProbe,
    sessions: OpenSessions,
    profiler: cProfile.Profile | None,
    collector: GcPauses,
) -> PhaseRun:
    """Start the load process of ``phase`` and follow its marks, stamping the server."""
    # Closed sessions are freed by the cycle collector: collect what earlier phases left,
    # so that no phase pays for another's garbage.
    gc.collect()
    command = [sys.executable, os.path.abspath(__file__), "--client", phase, "--url", url]
    for name in ("sessions", "idle_sessions", "text_turns", "audio_turns", "think", "hold", "seed"):
        command += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    if args.compression:
        command.append("--compression")
    process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
    assert process.stdout is not None
    run = PhaseRun(phase, {}, {}, {})
    first, last = run.window
    async for raw in process.stdout:
        kind, _, rest = raw.decode().strip().partition(" ")
        if kind == "mark":
            if rest == "start":
                probe.drain()  # the warm-up's samples
            if profiler is not None and rest == last:
                profiler.disable()
            run.stamps[rest] = stamp(sessions)
            if rest == first:
                collector.take()
            elif rest == last:
                run.gc_pauses = collector.take()
            if profiler is not None and rest == first:
                profiler.enable()
        elif kind == "result":
            run.samples = probe.drain()
            run.result = json.loads(rest)
    await process.wait()
    if process.returncode != 0 or not run.result:
        run.result.setdefault("failures", []).append(f"load process exited {process.returncode}")
    return run


async def serve_and_load(args: argparse.Namespace, phases: list[str]) -> tuple[list[PhaseRun], int]:
    open_files = raise_open_files()
    probe = LatencyProbe()
    config = ServerConfig(
        models=ModelRegistry.default(options={"pace": args.pace}),
        session=SessionOptions(audio_delta_ms=args.audio_delta_ms),
        probe=probe,
    )
    app = create_app(config)  # running() starts its engines before the port opens
    collector = GcPauses()
    runs = []
    async with running(config, app=app) as url:
        # As `openrealtime serve` does once it has started.
        gc.collect()
        gc.freeze()
        for phase in phases:
            profiler = cProfile.Profile() if args.profile else None
            runs.append(
                await drive(
                    phase, url.realtime(MODEL), args, probe, app.state.sessions, profiler, collector
                )
            )
            if profiler is not None:
                profiler.dump_stats(f"{args.profile}.{phase}")
    return runs, open_files


# ------------------------------------------------------------------------------- output


def mib(size: int) -> str:
    return f"{size / 2**20:.0f}"


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def print_header(args: argparse.Namespace, runs: list[PhaseRun], open_files: int) -> None:
    speech_s = len(speech(SAY)) / 2 / SAMPLE_RATE
    reply_s = len(speech(REPLY)) / 2 / SAMPLE_RATE
    load_files = sorted({str(run.result.get("open_files")) for run in runs})
    extensions = sorted({ext for run in runs for ext in run.result.get("extensions", [])})
    think = f"{args.think * 0.5:g}-{args.think * 1.5:g} s between turns"
    pace = "real time" if args.pace == 1 else "0: at once" if args.pace == 0 else "not real time"
    print(
        f"openrealtime server load: the server in this process (pid {os.getpid()}), the load from"
        " a second process per phase, both on 127.0.0.1\n"
        f"Python {platform.python_version()} ({platform.machine()}, {os.cpu_count()} CPUs),"
        f" websockets {websockets.__version__}, uvicorn {uvicorn.__version__};"
        f" {BLAS_THREADS}={os.environ.get(BLAS_THREADS)}; RLIMIT_NOFILE soft limit:"
        f" server {open_files}, load {', '.join(load_files)}\n"
        f"WebSocket extensions: {', '.join(extensions) or 'none (the official SDK offers none)'}."
        " Latencies are taken inside the server (LatencyProbe, time.monotonic) up to the"
        " writer's send_text returning.\n"
        "\nWorkload\n"
        f"  text : {args.sessions} sessions x {args.text_turns} turns: conversation.item.create"
        f" ({len(SAY.split())} words) + response.create; text output; the reply"
        f" 'You said: <{len(SAY.split())} words>' in {len(split_tokens(REPLY))} token deltas,"
        f" all at once (scripted engine); {think}\n"
        f"  audio: {args.sessions} sessions x {args.audio_turns} turns: {FRAME_MS} ms appends in"
        f" real time, speak(<{len(SAY.split())} words>) = {speech_s:.2f} s, then silence until"
        " response.done; server VAD commits and responds;\n"
        f"         the reply spoken ({reply_s:.2f} s) at pace {args.pace:g} ({pace}), audio"
        f" deltas of {args.audio_delta_ms} ms (SessionOptions.audio_delta_ms); {think}\n"
        f"  idle : {args.idle_sessions} sessions opened ({CONNECT_AT_ONCE} at a time), held"
        f" {args.hold:g} s, then one no-op session.update round trip each"
    )


def print_phases(runs: list[PhaseRun]) -> None:
    print(
        f"\n{'phase':<6} {'sessions':>8} {'responses':>9} {'wall s':>7} {'server CPU %':>12}"
        f" {'server RSS MiB':>14} {'load CPU %':>10}  measured over"
    )
    for run in runs:
        if not run.complete:
            print(f"{run.phase:<6} did not complete: {run.result.get('failures')}")
            continue
        first, last = run.window
        a, b = run.stamps[first], run.stamps[last]
        wall = b.wall - a.wall
        cpu = 100 * (b.cpu - a.cpu) / wall
        sessions = b.sessions if run.phase == "idle" else run.result.get("sessions")
        responses = run.result.get("responses") if run.phase != "idle" else "-"
        window = "the hold" if run.phase == "idle" else "the turns (sessions opened before)"
        print(
            f"{run.phase:<6} {sessions!s:>8} {responses!s:>9} {wall:>7.1f} {cpu:>12.1f}"
            f" {mib(b.rss):>14} {run.result.get('cpu_percent', 0):>10.1f}  {window}"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"Peak RSS of the server process: {mib(peak)} MiB")
    print("Garbage collection in the server over each window (each collection stops the loop):")
    for run in runs:
        if run.complete:
            pauses = [1000 * seconds for _, seconds in run.gc_pauses]
            full = [1000 * seconds for generation, seconds in run.gc_pauses if generation == 2]
            listed = ", ".join(f"{ms:.0f} ms" for ms in full) or "none"
            print(
                f"  {run.phase:<5} {len(pauses)} collections, {sum(pauses):.0f} ms in all, longest"
                f" {max(pauses, default=0):.1f} ms; full collections: {listed}"
            )


def print_latency(runs: list[PhaseRun], sessions: int) -> None:
    caveat = "" if sessions == TARGET_SESSIONS else f"; targets are for {TARGET_SESSIONS} sessions"
    print(f"\nServer-side latency, ms (nearest-rank percentiles{caveat})")
    print(
        f"{'phase':<6} {'from -> to':<55} {'samples':>7} {'p50':>7} {'p99':>7} {'max':>7}  target"
    )
    for run in runs:
        if run.phase == "idle":
            continue
        metrics, target = (
            (TEXT_METRICS, TEXT_P99_MS) if run.phase == "text" else (AUDIO_METRICS, AUDIO_P99_MS)
        )
        for metric in metrics:
            values = sorted(run.samples.get(metric, []))
            label = metric if "->" in metric else f"{metric} emitted -> sent"
            if not values:
                print(f"{run.phase:<6} {label:<55} {0:>7}  (no samples)")
                continue
            p50, p99, top = (
                1000 * v for v in (percentile(values, 50), percentile(values, 99), values[-1])
            )
            print(
                f"{run.phase:<6} {label:<55} {len(values):>7} {p50:>7.2f} {p99:>7.2f} {top:>7.2f}"
                f"  p99 <= {target:g} ms: {verdict(p99 <= target)}"
            )


def print_idle(runs: list[PhaseRun]) -> None:
    for run in runs:
        if run.phase != "idle" or not run.complete:
            continue
        result = run.result
        server_held = run.stamps["released"].sessions
        held = min(server_held, result["answered"])
        before, after = run.stamps["start"], run.stamps["held"]
        opened = max(1, result["opened"])
        grown = after.rss - before.rss
        cpu_ms = 1000 * (after.cpu - before.cpu) / opened
        per_session = f", {grown / opened / 1024:.0f} KiB each" if grown else ""
        print(
            f"\nIdle: {held} sessions held (target >= {IDLE_TARGET}:"
            f" {verdict(held >= IDLE_TARGET)}): {result['opened']} opened, {server_held} open on"
            f" the server at the end of the hold, {result['closed_during_hold']} closed during"
            f" it, {result['answered']} answered session.update. Opening them took"
            f" {after.wall - before.wall:.1f} s and {cpu_ms:.1f} ms"
            f" of server CPU each, and grew its RSS by {mib(grown)} MiB{per_session}."
        )


def print_load(runs: list[PhaseRun]) -> None:
    print("\nLoad process")
    for run in runs:
        result = run.result
        deltas = ", ".join(f"{n} {kind}" for kind, n in sorted(result.get("deltas", {}).items()))
        lag = ""
        if result.get("send_lag_p99_ms") is not None:
            lag = (
                f"; its appends went out late by p99 {result['send_lag_p99_ms']:.1f} ms,"
                f" max {result['send_lag_max_ms']:.1f} ms"
            )
        failures = result.get("failure_count", len(result.get("failures", [])))
        detail = f" {result['failures']}" if failures else ""
        print(
            f"  {run.phase:<5} failures: {failures}{detail}; received {deltas or 'no deltas'}{lag}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    # Before numpy loads (with the scripted engines): the scripted decoder's matrix
    # product would otherwise wake a BLAS thread pool that spins on the cores the event
    # loop and the load process need. Set the variable yourself to measure otherwise.
    os.environ.setdefault(BLAS_THREADS, "1")
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100, help="sessions of text and audio (N)")
    parser.add_argument("--idle-sessions", type=int, default=500, help="idle sessions (M)")
    parser.add_argument("--text-turns", type=int, default=5, help="turns per text session")
    parser.add_argument("--audio-turns", type=int, default=2, help="turns per audio session")
    parser.add_argument("--think", type=float, default=0.5, help="mean seconds between turns")
    parser.add_argument("--hold", type=float, default=25.0, help="seconds idle sessions are held")
    parser.add_argument("--pace", type=float, default=1.0, help="speech pace: 1 real time, 0 now")
    parser.add_argument("--audio-delta-ms", type=int, default=100, help="audio delta size, ms")
    parser.add_argument("--phases", default="idle,text,audio", help="phases to run, in order")
    parser.add_argument("--seed", type=int, default=1, help="seed of the jitter")
    parser.add_argument(
        "--compression",
        action="store_true",
        help="offer permessage-deflate, as browsers do (the official SDK does not)",
    )
    parser.add_argument(
        "--profile",
        metavar="PREFIX",
        help="cProfile the server over each phase's window into PREFIX.PHASE (slows it)",
    )
    parser.add_argument("--client", choices=["text", "audio", "idle"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client:
        return client_main(args)
    phases = [phase for phase in args.phases.split(",") if phase]
    started = time.perf_counter()
    runs, open_files = asyncio.run(serve_and_load(args, phases))
    for run in runs:
        run.result.setdefault("sessions", args.sessions)
    print_header(args, runs, open_files)
    print_phases(runs)
    print_latency(runs, args.sessions)
    print_idle(runs)
    print_load(runs)
    print(f"\n(run in {time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
