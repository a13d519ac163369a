"""The socket-free target: mutated frames through the dialect edge into a session core.

Each session runs on a virtual clock with the scripted engines and a fuzz script
(tools, long replies). After every frame the campaign checks what the frame got
back (:func:`check_replies`); every event any session sends is fed to
:class:`~openrealtime.testing.invariants.SessionChecker`, parsed with the dialect's
models, and, at the session's end, the conversation the events describe must be
the session's own. An exception, an ``ERROR`` log line or a broken invariant is a
failure: the session's frames are kept so :func:`replay` reproduces it.
"""

from __future__ import annotations

import functools
import json
import logging
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from tests.server.harness import Harness

from openrealtime.engines.scripted import Script
from openrealtime.protocol import ProtocolError, beta, ga
from openrealtime.server.session import errors
from openrealtime.testing.invariants import InvariantViolation, SessionChecker, check_rejection

from .mutate import Frame, Mutator, dumps
from .oracle import check_error, usable_event_id
from .seeds import Dialect, LiveIds, Scenario, sdk_seeds

SCRIPT = Script.model_validate(json.loads((Path(__file__).parent / "script.json").read_text()))
_ROOTS = {"ga": ga.ServerEvent, "beta": beta.ServerEvent}
_INVALID = ("InvalidServerEvent", "UnknownServerEvent")


@dataclass(frozen=True)
class Step:
    """One frame, then virtual time moved on by ``advance_ms`` (0: not at all)."""

    frame: Frame
    advance_ms: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {**self.frame.to_json(), "advance_ms": self.advance_ms}

    @classmethod
    def from_json(cls, entry: dict[str, Any]) -> Step:
        return cls(Frame.from_json(entry), float(entry.get("advance_ms", 0.0)))


@dataclass
class Failure:
    """What broke, and the session's steps up to it."""

    signature: str
    message: str
    dialect: Dialect
    seed: int
    steps: list[Step]

    def to_json(self) -> dict[str, Any]:
        return {
            "dialect": self.dialect,
            "seed": self.seed,
            "failure": self.message,
            "steps": [step.to_json() for step in self.steps],
        }


class _Errors(logging.Handler):
    """ERROR records of the server's loggers: each one is a bug."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _signature(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    # Positions and ids vary between occurrences of one bug.
    words = [w for w in text.split() if not any(ch.isdigit() for ch in w)]
    return f"{type(exc).__name__}: {' '.join(words)[:120]}"


class CoreSession:
    """One fuzzed session: deliver steps, check every reply and event."""

    def __init__(self, dialect: Dialect, seed: int) -> None:
        self.dialect = dialect
        self.harness = Harness(dialect=dialect, script=SCRIPT, seed=seed)
        self.checker = SessionChecker(dialect)
        self.live = LiveIds()
        self._seen = 0

    async def run(self, steps: Iterator[Step], taken: list[Step]) -> None:
        """Deliver every step (recording it in ``taken``); raises on the first failure."""
        await self.start()
        for step in steps:
            taken.append(step)
            await self.deliver(step.frame)
            await self.advance(step.advance_ms)
        await self.finish()

    async def start(self) -> None:
        """``session.created``, checked like everything after it."""
        await self.harness.start()
        self._drain()

    async def advance(self, ms: float) -> None:
        """Move virtual time on; whatever the session sends meanwhile is checked."""
        if ms:
            await self.harness.advance(ms / 1000)
            self.pump()
        self.check_conversation()

    async def finish(self) -> None:
        """Let all work end, then check the trace is complete and the conversation matches."""
        # Turn detection's idle timeout answers silence for ever: stop it, then let work end.
        off: dict[str, Any] = {"turn_detection": None}
        session = {"type": "realtime", "audio": {"input": off}} if self.dialect == "ga" else off
        await self.deliver(Frame(text=json.dumps({"type": "session.update", "session": session})))
        # The longest response (4,096 tokens) speaks for under 4 minutes of session time.
        await self.harness.settle(limit=600)
        self.pump()
        self.checker.finish()
        self.check_conversation()

    def check_conversation(self) -> None:
        """The conversation the events describe is the session's own, between responses.

        While a response runs, a beta client hears of its items later than they are
        made (the beta wire orders events differently), so only then is it compared.
        """
        if self.harness.session.responses.active is not None or self.checker.active.active:
            return
        mirrored = self.checker.chain.order
        actual = [stored.id for stored in self.harness.session.conversation]
        if mirrored != actual:
            raise InvariantViolation(f"the events describe {mirrored}, the session holds {actual}")

    async def deliver(self, frame: Frame) -> None:
        """Send one frame as the transport would, and check what it got back."""
        self.pump()
        session = self.harness.session
        if frame.text is None:
            session.report(errors.binary_frame())
            replies = self._drain()
            check_rejection(replies, None)
            return
        try:
            event = self.harness.edge.decode(frame.text)
        except ProtocolError as error:
            session.report(error)
            check_rejection(self._drain(), usable_event_id(frame.text))
            return
        await session.handle(event)
        replies = self._drain()
        if any(reply["type"] == "error" for reply in replies):
            check_rejection(replies, event.event_id)

    def pump(self) -> None:
        """Check what the session's own work sent since the last look (no error allowed)."""
        for event in self._drain():
            if event["type"] == "error":
                raise InvariantViolation(f"an error nobody asked for: {event['error']}")
            if event["type"] == "response.done" and event["response"]["status"] == "failed":
                raise InvariantViolation(
                    f"a failed response: {event['response']['status_details']}"
                )

    def _drain(self) -> list[dict[str, Any]]:
        frames = self.harness.frames[self._seen :]
        self._seen = len(self.harness.frames)
        events = []
        root = _ROOTS[self.dialect]
        for text in frames:
            text.encode("utf-8")
            parsed = root.parse(text)
            if type(parsed).__name__ in _INVALID:
                raise InvariantViolation(f"the dialect's models refuse {text[:300]}")
            event: dict[str, Any] = json.loads(text)
            if event["type"] == "error":
                check_error(event)
            self.checker.feed(event)
            self.live.feed(event)
            events.append(event)
        return events


async def run_session(
    dialect: Dialect, seed: int, make_steps: Callable[[LiveIds], Iterator[Step]]
) -> Failure | None:
    """Run one session (ids seeded with ``seed``); the failure, if any, with its steps."""
    taken: list[Step] = []
    session = CoreSession(dialect, seed)
    watcher = _Errors()
    logger = logging.getLogger("openrealtime")
    logger.addHandler(watcher)
    failure: Failure | None = None
    try:
        await session.run(make_steps(session.live), taken)
    except Exception as exc:
        failure = Failure(_signature(exc), f"{type(exc).__name__}: {exc}", dialect, seed, taken)
    finally:
        logger.removeHandler(watcher)
        await session.harness.close()
    if failure is None and watcher.records:
        record = watcher.records[0]
        detail = f" {record.exc_info[1]!r}" if record.exc_info else ""
        message = f"logged: {record.getMessage()}{detail}"
        failure = Failure(f"log: {record.getMessage()[:80]}", message, dialect, seed, taken)
    return failure


def generate(dialect: Dialect, rnd: random.Random, live: LiveIds, *, count: int) -> Iterator[Step]:
    """``count`` steps: valid scenario events and mutations of them and of the SDK's examples."""
    event_types = [*ga.ClientEvent.event_types(), *beta.ClientEvent.event_types()]
    mutator = Mutator(event_types, allow_bytes=False)
    seeds = sdk_seeds(dialect)
    scenario = Scenario(dialect, rnd, live)
    for _ in range(count):
        base = scenario.next() if rnd.random() < 0.6 else rnd.choice(seeds)
        if rnd.random() < 0.5:
            known = [*live.items[-4:], *live.responses[-2:], *live.calls[-2:]]
            frame = mutator.mutate(base, rnd, known)
        else:
            frame = Frame(text=dumps(base))
        advance = rnd.choice([0.0, 0.0, 0.0, 20.0, 100.0, 400.0, 1500.0])
        yield Step(frame, advance)


@dataclass
class CoreReport:
    frames: int = 0
    sessions: int = 0
    failures: dict[str, Failure] = field(default_factory=dict)
    occurrences: dict[str, int] = field(default_factory=dict)


async def campaign(
    frames: int,
    seed: int,
    *,
    session_frames: int = 200,
    on_failure: Callable[[Failure], None] | None = None,
    progress: Callable[[CoreReport], None] | None = None,
) -> CoreReport:
    """Fuzz sessions of both dialects, in turn, until ``frames`` frames were sent."""
    rnd = random.Random(seed)
    report = CoreReport()
    dialects: tuple[Dialect, ...] = ("ga", "beta")
    while report.frames < frames:
        dialect = dialects[report.sessions % 2]
        count = min(session_frames, frames - report.frames)
        session_seed, steps_rnd = rnd.randrange(2**32), random.Random(rnd.randrange(2**32))
        failure = await run_session(
            dialect, session_seed, functools.partial(generate, dialect, steps_rnd, count=count)
        )
        report.frames += count
        report.sessions += 1
        if failure is not None:
            report.occurrences[failure.signature] = report.occurrences.get(failure.signature, 0) + 1
            if failure.signature not in report.failures:
                report.failures[failure.signature] = failure
                if on_failure is not None:
                    on_failure(failure)
        if progress is not None:
            progress(report)
    return report


async def replay(dialect: Dialect, steps: list[Step], seed: int) -> Failure | None:
    """Run recorded steps in a fresh session: the failure they cause, if any."""
    return await run_session(dialect, seed, lambda live: iter(steps))


async def minimize(failure: Failure) -> Failure:
    """Fewer steps that still fail the same way (delta debugging over the steps)."""
    steps = failure.steps
    chunk = max(1, len(steps) // 2)
    while chunk >= 1:
        start = 0
        while start < len(steps):
            candidate = steps[:start] + steps[start + chunk :]
            again = await replay(failure.dialect, candidate, failure.seed) if candidate else None
            if again is not None and again.signature == failure.signature:
                steps = candidate
            else:
                start += chunk
        chunk //= 2
    found = await replay(failure.dialect, steps, failure.seed)
    return found if found is not None else failure


@dataclass(frozen=True)
class CorpusEntry:
    """A kept input: the frames that once broke the server, and what broke."""

    name: str
    dialect: Dialect
    seed: int
    steps: list[Step]
    failure: str


def load_corpus(directory: Path) -> list[CorpusEntry]:
    """Every corpus file of ``directory``."""
    entries = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        dialect: Literal["ga", "beta"] = data["dialect"]
        steps = [Step.from_json(step) for step in data["steps"]]
        entries.append(
            CorpusEntry(path.stem, dialect, int(data.get("seed", 0)), steps, data["failure"])
        )
    return entries
