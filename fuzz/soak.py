"""A soak: many sessions of mixed traffic for a long time, watched minute by minute.

``python -m fuzz soak`` (``make soak``) runs ``openrealtime serve --engine
scripted`` in its own process, at real-time pace, and keeps ``--sessions`` (50)
clients busy for ``--minutes`` (30): text and spoken turns, audio streamed in real
time with server VAD, tool calls and their outputs, cancels, truncations of
speech being played, items retrieved and deleted, and connections dropped in the
middle of a response (the client reconnects). Every event every client receives
goes through :class:`~openrealtime.testing.invariants.SessionChecker`.

Each minute it prints the server's RSS, its open sessions (``/healthz``) and the
p50/p95/p99 of two latencies seen by the clients: ``response.create`` to
``response.created``, and a ``session.update`` round trip. It fails (exit 1) on
any broken invariant or unexpected error, when RSS at the last minute is more
than 5 % above minute 5, or when the last minute's p99 is more than twice
minute 5's. The short version in ``make test`` runs 30 s in-process and checks
the invariants only.
"""

from __future__ import annotations

import asyncio
import base64
import json
import random
import statistics
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from openrealtime.engines.scripted import speak
from openrealtime.testing.invariants import InvariantViolation, SessionChecker

from .seeds import Dialect, LiveIds

Event = dict[str, Any]
WAIT_S = 60.0
EXPECTED_ERRORS = frozenset(
    {
        # A cancel that lost the race with the response's end, a truncation past the
        # audio a fast client had already received: the protocol's answers to races.
        "response_cancel_not_active",
        "invalid_value",
        "unsupported_content_type",
    }
)
WEATHER_TOOL: Event = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}


@dataclass
class SoakStats:
    """What the clients saw, per minute and in all."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    turns: int = 0
    reconnects: int = 0
    violations: list[str] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def take_latencies(self) -> dict[str, list[float]]:
        taken, self.latencies = self.latencies, defaultdict(list)
        return taken


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    """p50, p95 and p99 in milliseconds (zeros without samples)."""
    if not samples:
        return 0.0, 0.0, 0.0
    if len(samples) == 1:
        return (samples[0] * 1000,) * 3
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


def _chunks(pcm: bytes, ms: int = 100) -> list[str]:
    step = 48 * ms
    return [base64.b64encode(pcm[i : i + step]).decode("ascii") for i in range(0, len(pcm), step)]


SPEECH = {text: _chunks(speak(text)[0]) for text in ("Hello there", "Tell me a story")}
SILENCE = base64.b64encode(b"\x00\x00" * 2400).decode("ascii")


class SoakClient:
    """One client: connections of mixed turns, until the deadline."""

    def __init__(self, url: str, rnd: random.Random, stats: SoakStats, deadline: float) -> None:
        self.url = url
        self.rnd = rnd
        self.stats = stats
        self.deadline = deadline
        self.ws: ClientConnection
        self.dialect: Dialect = "ga"
        self.checker = SessionChecker("ga")
        self.live = LiveIds()

    async def run(self) -> None:
        """Connections of a few turns each, until the deadline."""
        while time.monotonic() < self.deadline:
            try:
                await self.connection()
            except InvariantViolation as exc:
                self.stats.violations.append(f"{self.dialect}: {exc}")
            except (TimeoutError, ConnectionClosed, OSError) as exc:
                self.stats.violations.append(f"{self.dialect}: {type(exc).__name__}: {exc}")
            self.stats.reconnects += 1

    async def connection(self) -> None:
        self.dialect = self.rnd.choice(["ga", "beta"])
        self.checker, self.live = SessionChecker(self.dialect), LiveIds()
        headers = {"OpenAI-Beta": "realtime=v1"} if self.dialect == "beta" else None
        async with websockets.connect(self.url, additional_headers=headers, max_size=None) as ws:
            self.ws = ws
            await self.until("session.created")
            turns = [
                self.text_turn,
                self.spoken_turn,
                self.voice_turn,
                self.tool_turn,
                self.cancelled_turn,
                self.truncated_turn,
                self.items,
            ]
            for _ in range(self.rnd.randint(3, 12)):
                if time.monotonic() >= self.deadline:
                    break
                await self.rnd.choice(turns)()
                self.stats.turns += 1
            if self.rnd.random() < 0.3:
                await self.leave_mid_response()
                return
            await self.quiet()
        self.checker.finish()

    # -- the turns ------------------------------------------------------------------------------

    async def text_turn(self) -> None:
        await self.update(self._modalities(text=True))
        await self.user("Hello there")
        await self.respond()

    async def spoken_turn(self) -> None:
        await self.update(self._modalities(text=False))
        await self.user(self.rnd.choice(["Hello there", "Tell me a story"]))
        await self.respond()

    async def voice_turn(self) -> None:
        """Speech streamed in real time; server VAD ends the turn and starts the response."""
        await self.update({**self._modalities(text=False), **self._vad("server_vad")})
        for chunk in [*SPEECH["Hello there"], *[SILENCE] * 8]:
            await self.send({"type": "input_audio_buffer.append", "audio": chunk})
            await asyncio.sleep(0.1)
        await self.until("response.done")
        await self.update(self._vad(None))

    async def tool_turn(self) -> None:
        await self.update({**self._modalities(text=True), "tools": [WEATHER_TOOL]})
        await self.user("What's the weather in Paris?")
        done = await self.respond()
        for item in done["response"]["output"]:
            if item["type"] == "function_call":
                output = {
                    "type": "function_call_output",
                    "call_id": item["call_id"],
                    "output": '{"temperature": 21}',
                }
                await self.send({"type": "conversation.item.create", "item": output})
        await self.respond()

    async def cancelled_turn(self) -> None:
        await self.update(self._modalities(text=False))
        await self.user("Tell me a story")
        await self.send({"type": "response.create"})
        await self.until("response.created")
        await asyncio.sleep(self.rnd.uniform(0, 1.5))
        await self.send({"type": "response.cancel"})
        await self.until("response.done")

    async def truncated_turn(self) -> None:
        """Stop listening part-way, as a user who interrupts, and truncate what was heard."""
        await self.update(self._modalities(text=False))
        await self.user("Tell me a story")
        await self.send({"type": "response.create"})
        started, item_id = None, None
        while True:
            event = await self.next_event()
            if event["type"] in ("response.output_audio.delta", "response.audio.delta"):
                started = started or time.monotonic()
                item_id = event["item_id"]
                if time.monotonic() - started > 0.8:
                    break
            if event["type"] == "response.done":
                return
        heard = int((time.monotonic() - started) * 1000)
        truncate = {"item_id": item_id, "content_index": 0, "audio_end_ms": heard}
        await self.send({"type": "conversation.item.truncate", **truncate})
        await self.send({"type": "response.cancel"})
        await self.until("response.done")

    async def items(self) -> None:
        if self.live.items:
            item_id = self.rnd.choice(self.live.items)
            await self.send({"type": "conversation.item.retrieve", "item_id": item_id})
            await self.until("conversation.item.retrieved", "error")
            if self.rnd.random() < 0.5:
                await self.send({"type": "conversation.item.delete", "item_id": item_id})
                await self.until("conversation.item.deleted", "error")

    async def leave_mid_response(self) -> None:
        await self.update(self._modalities(text=False))
        await self.user("Tell me a story")
        await self.send({"type": "response.create"})
        await self.until("response.created")
        await asyncio.sleep(self.rnd.uniform(0, 1.0))
        self.ws.transport.abort()

    # -- the wire -------------------------------------------------------------------------------

    async def send(self, event: Event) -> None:
        await self.ws.send(json.dumps(event))

    async def next_event(self, timeout: float = WAIT_S) -> Event:
        async with asyncio.timeout(timeout):
            event: Event = json.loads(await self.ws.recv())
        if event["type"] == "error":
            code = event["error"]["code"]
            self.stats.errors[code] += 1
            if code not in EXPECTED_ERRORS:
                raise InvariantViolation(f"an unexpected error: {event['error']}")
        self.checker.feed(event)
        self.live.feed(event)
        return event

    async def until(self, *types: str) -> Event:
        while (event := await self.next_event())["type"] not in types:
            pass
        return event

    async def update(self, settings: Event) -> None:
        session = {"type": "realtime", **settings} if self.dialect == "ga" else settings
        sent = time.monotonic()
        await self.send({"type": "session.update", "session": session})
        await self.until("session.updated")
        self.stats.latencies["session.update"].append(time.monotonic() - sent)

    async def user(self, text: str) -> None:
        item = {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": text}],
        }
        await self.send({"type": "conversation.item.create", "item": item})
        await self.until(
            "conversation.item.done" if self.dialect == "ga" else "conversation.item.created"
        )

    async def respond(self) -> Event:
        sent = time.monotonic()
        await self.send({"type": "response.create"})
        await self.until("response.created")
        self.stats.latencies["response.created"].append(time.monotonic() - sent)
        return await self.until("response.done")

    async def quiet(self) -> None:
        """Read until nothing more comes, so every response has ended."""
        try:
            while True:
                await self.next_event(timeout=1.0)
        except TimeoutError:
            return

    def _modalities(self, *, text: bool) -> Event:
        if self.dialect == "ga":
            return {"output_modalities": ["text" if text else "audio"]}
        return {"modalities": ["text"] if text else ["audio", "text"]}

    def _vad(self, kind: str | None) -> Event:
        detection = {"type": kind} if kind else None
        if self.dialect == "ga":
            return {"audio": {"input": {"turn_detection": detection}}}
        return {"turn_detection": detection}


def open_sessions(http_base: str) -> int:
    """The server's open sessions, from ``/healthz``."""
    with urllib.request.urlopen(f"{http_base}/healthz", timeout=5) as answer:
        return int(json.loads(answer.read())["sessions"])


async def soak(url: str, *, sessions: int, seconds: float, seed: int) -> SoakStats:
    """``sessions`` clients for ``seconds``; the stats (no per-minute report)."""
    stats = SoakStats()
    await soak_with(stats, url, sessions, seconds, seed)
    return stats


async def soak_with(stats: SoakStats, url: str, sessions: int, seconds: float, seed: int) -> None:
    """``sessions`` clients for ``seconds``, counting into ``stats``."""
    rnd = random.Random(seed)
    deadline = time.monotonic() + seconds
    clients = [
        SoakClient(url, random.Random(rnd.randrange(2**32)), stats, deadline)
        for _ in range(sessions)
    ]
    await asyncio.gather(*(client.run() for client in clients))


@dataclass
class Minute:
    """One minute of the soak."""

    minute: int
    rss_mib: float
    sessions: int
    latency_ms: dict[str, tuple[float, float, float]]

    def line(self) -> str:
        shown = "; ".join(
            f"{name} p50/p95/p99 {p50:.0f}/{p95:.0f}/{p99:.0f} ms"
            for name, (p50, p95, p99) in sorted(self.latency_ms.items())
        )
        return f"minute {self.minute:>2}: RSS {self.rss_mib:.1f} MiB, {self.sessions} open; {shown}"


async def watch_minutes(
    stats: SoakStats, pid: int, http_base: str, minutes: int, interval: float = 60.0
) -> list[Minute]:
    """Every ``interval`` seconds, one :class:`Minute`, printed as it is taken."""
    from .wire import rss_kib

    taken: list[Minute] = []
    for number in range(1, minutes + 1):
        await asyncio.sleep(interval)
        latencies = stats.take_latencies()
        minute = Minute(
            number,
            rss_kib(pid) / 1024,
            await asyncio.to_thread(open_sessions, http_base),
            {name: percentiles(samples) for name, samples in latencies.items()},
        )
        print(minute.line(), flush=True)
        taken.append(minute)
    return taken


def judge(minutes: list[Minute], stats: SoakStats, *, early: int = 5) -> list[str]:
    """What failed: invariants, RSS growth past 5 %, p99 doubled (last minute vs ``early``)."""
    problems = [f"invariant: {violation}" for violation in stats.violations[:20]]
    if len(minutes) >= early:
        first, last = minutes[early - 1], minutes[-1]
        if last.rss_mib > first.rss_mib * 1.05:
            problems.append(
                f"RSS grew from {first.rss_mib:.1f} MiB (minute {early}) to "
                f"{last.rss_mib:.1f} MiB (minute {last.minute}), more than 5 %"
            )
        for name, (_p50, _p95, p99) in last.latency_ms.items():
            before = first.latency_ms.get(name, (0.0, 0.0, 0.0))[2]
            if before and p99 > 2 * before:
                problems.append(
                    f"{name} p99 doubled: {before:.0f} ms at minute {early}, "
                    f"{p99:.0f} ms at minute {last.minute}"
                )
    return problems
