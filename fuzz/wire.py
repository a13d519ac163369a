"""The WebSocket target: several clients send mutated frames to a real server.

The server is ``openrealtime serve --engine scripted`` in its own process (or, for
the short slice in ``make test``, one started in-process). Each client sends a
frame, then a liveness ``session.update`` whose instructions name it; the
``session.updated`` carrying them must come within :data:`LIVENESS_S`, and the
events before it are the frame's replies: at most one ``error`` (exactly one for a
frame the dialect's models refuse), with the frame's ``event_id`` when it had a
usable one. Every event is checked with
:class:`~openrealtime.testing.invariants.SessionChecker`; the only close allowed is
1007 after a frame that is not UTF-8. The server's log must hold no ``ERROR``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from openrealtime.protocol import ProtocolError, beta, ga
from openrealtime.server.transport.edge import edge_for
from openrealtime.testing.invariants import InvariantViolation, SessionChecker

from .mutate import Frame, Mutator, dumps
from .oracle import check_error, usable_event_id
from .seeds import Dialect, LiveIds, Scenario, sdk_seeds

LIVENESS_S = 1.0
"""How long the liveness ``session.update`` may take to be answered."""
HUNG_S = 15.0
"""No answer after this long: the session hangs."""
QUIET_S = 1.0
SCRIPT = Path(__file__).parent / "script.json"


@dataclass
class WireReport:
    frames: int = 0
    connections: int = 0
    failures: list[str] = field(default_factory=list)
    slowest_liveness_s: float = 0.0


def rss_kib(pid: int) -> int:
    """The resident set size of a process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def served(log: Path, pace: float = 0.05) -> AsyncIterator[tuple[str, int]]:
    """``openrealtime serve`` on a free port, logging to ``log``: its base URL and pid."""
    port = _free_port()
    command = [
        sys.executable, "-m", "openrealtime.cli", "serve", "--engine", "scripted",
        "--script", str(SCRIPT), "--pace", str(pace), "--port", str(port),
    ]  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=environment())
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    _reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    writer.close()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"the server did not start; see {log}") from None
                    await asyncio.sleep(0.2)
            yield f"ws://127.0.0.1:{port}/v1", process.pid
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()


class WireClient:
    """One client: sessions of mutated frames, each checked as it goes."""

    def __init__(
        self,
        base: str,
        rnd: random.Random,
        report: WireReport,
        *,
        session_frames: int,
        liveness_s: float,
    ) -> None:
        self.base = base
        self.liveness_s = liveness_s
        self.rnd = rnd
        self.report = report
        self.session_frames = session_frames
        types = [*ga.ClientEvent.event_types(), *beta.ClientEvent.event_types()]
        self.mutator = Mutator(types, allow_bytes=True)
        self.log: list[str] = []

    async def run(self, frames: int) -> None:
        """Send ``frames`` frames over as many connections as it takes."""
        sent = 0
        while sent < frames:
            dialect: Dialect = self.rnd.choice(["ga", "beta"])
            count = min(self.session_frames, frames - sent)
            try:
                sent += await self.session(dialect, count)
            except (InvariantViolation, TimeoutError, ConnectionClosed, OSError) as exc:
                sent += max(1, len(self.log))
                recent = "\n    ".join(self.log[-5:])
                self.report.failures.append(
                    f"{dialect}: {type(exc).__name__}: {exc}\n  last frames:\n    {recent}"
                )

    async def session(self, dialect: Dialect, count: int) -> int:
        """One connection; returns the frames sent on it."""
        self.log = []
        headers = {"OpenAI-Beta": "realtime=v1"} if dialect == "beta" else None
        url = f"{self.base}/realtime?model=gpt-realtime"
        async with websockets.connect(url, additional_headers=headers, max_size=None) as ws:
            self.report.connections += 1
            checker, live = SessionChecker(dialect), LiveIds()
            edge = edge_for(dialect)
            first = await self._events(ws, checker, live, until=("session.created",))
            if dialect == "beta":
                first = await self._events(ws, checker, live, until=("conversation.created",))
            del first
            scenario = Scenario(dialect, self.rnd, live)
            seeds = sdk_seeds(dialect)
            for number in range(count):
                base = scenario.next() if self.rnd.random() < 0.6 else self.rnd.choice(seeds)
                if self.rnd.random() < 0.5:
                    frame = self.mutator.mutate(base, self.rnd, [*live.items[-4:]])
                else:
                    frame = Frame(text=dumps(base))
                self.log.append(frame.describe(200))
                if frame.data is not None and not frame.binary:
                    await self._not_utf8(ws, frame.data)
                    self.report.frames += 1
                    return number + 1
                await self._exchange(ws, dialect, edge, frame, number, checker, live)
                self.report.frames += 1
            await self._wind_down(ws, dialect, checker, live)
            checker.finish()
        return count

    async def _exchange(
        self,
        ws: ClientConnection,
        dialect: Dialect,
        edge: Any,
        frame: Frame,
        number: int,
        checker: SessionChecker,
        live: LiveIds,
    ) -> None:
        refused, expected_id = True, None
        if frame.binary:
            await ws.send(frame.data or b"")
        else:
            text = frame.text or ""
            await ws.send(text)
            expected_id = usable_event_id(text)
            with contextlib.suppress(ProtocolError):
                expected_id = edge.decode(text).event_id
                refused = False
        marker = f"live-{number}"
        await ws.send(json.dumps(_liveness(dialect, marker)))
        started = time.monotonic()
        replies = await self._events(ws, checker, live, marker=marker)
        took = time.monotonic() - started
        self.report.slowest_liveness_s = max(self.report.slowest_liveness_s, took)
        if took > self.liveness_s:
            raise InvariantViolation(f"the liveness session.update took {took:.2f} s")
        errors = [event for event in replies if event["type"] == "error"]
        if refused and len(errors) != 1:
            raise InvariantViolation(f"a refused frame got {len(errors)} errors")
        if len(errors) > 1:
            raise InvariantViolation(f"one frame got {len(errors)} errors: {errors}")
        if errors and errors[0]["error"]["event_id"] != expected_id:
            got = errors[0]["error"]["event_id"]
            raise InvariantViolation(f"the error carries event_id {got!r}, not {expected_id!r}")

    async def _events(
        self,
        ws: ClientConnection,
        checker: SessionChecker,
        live: LiveIds,
        *,
        marker: str | None = None,
        until: tuple[str, ...] = (),
    ) -> list[dict[str, Any]]:
        """Events up to the liveness answer (or an event of ``until``), checked."""
        taken: list[dict[str, Any]] = []
        # Past the liveness limit the answer is still awaited, to tell slow from hung.
        async with asyncio.timeout(HUNG_S):
            while True:
                event = json.loads(await ws.recv())
                if event["type"] == "error":
                    check_error(event)
                checker.feed(event)
                live.feed(event)
                taken.append(event)
                if event["type"] in until:
                    return taken
                if _answers(event, marker):
                    return taken

    async def _not_utf8(self, ws: ClientConnection, data: bytes) -> None:
        await ws.send(data, text=True)
        try:
            async with asyncio.timeout(10):
                while True:
                    await ws.recv()
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd is not None else None
            if code != 1007:
                raise InvariantViolation(
                    f"a frame not UTF-8 closed with {code}, not 1007"
                ) from None

    async def _wind_down(
        self, ws: ClientConnection, dialect: Dialect, checker: SessionChecker, live: LiveIds
    ) -> None:
        """Stop turn detection and responses, then read until the session is quiet."""
        off: dict[str, Any] = {"turn_detection": None}
        session = {"type": "realtime", "audio": {"input": off}} if dialect == "ga" else off
        await ws.send(json.dumps({"type": "session.update", "session": session}))
        await ws.send(json.dumps({"type": "response.cancel"}))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                async with asyncio.timeout(QUIET_S):
                    event = json.loads(await ws.recv())
            except TimeoutError:
                return
            if event["type"] == "error" and event["error"]["code"] != "response_cancel_not_active":
                check_error(event)
            checker.feed(event)
            live.feed(event)


def _answers(event: dict[str, Any], marker: str | None) -> bool:
    """Whether ``event`` answers the liveness update named ``marker``."""
    return (
        marker is not None
        and event["type"] == "session.updated"
        and event["session"].get("instructions") == marker
    )


def _liveness(dialect: Dialect, marker: str) -> dict[str, Any]:
    session = (
        {"type": "realtime", "instructions": marker}
        if dialect == "ga"
        else {"instructions": marker}
    )
    return {"type": "session.update", "session": session}


def server_errors(log: Path) -> list[str]:
    """Log lines of the server that report a bug."""
    lines = log.read_text(errors="replace").splitlines()
    return [line for line in lines if line.startswith("ERROR") or "Traceback" in line]


async def campaign(
    base: str,
    frames: int,
    seed: int,
    *,
    clients: int = 8,
    session_frames: int = 300,
    liveness_s: float = LIVENESS_S,
) -> WireReport:
    """``frames`` frames from ``clients`` clients at once."""
    rnd = random.Random(seed)
    report = WireReport()
    workers = [
        WireClient(
            base,
            random.Random(rnd.randrange(2**32)),
            report,
            session_frames=session_frames,
            liveness_s=liveness_s,
        )
        for _ in range(clients)
    ]
    share = frames // clients
    await asyncio.gather(
        *(
            worker.run(share + (1 if i < frames % clients else 0))
            for i, worker in enumerate(workers)
        )
    )
    return report


def environment() -> dict[str, str]:
    """The environment for a server subprocess: this checkout's sources first."""
    env = dict(os.environ)
    source = str(Path(__file__).resolve().parent.parent / "src")
    env["PYTHONPATH"] = os.pathsep.join([source, env.get("PYTHONPATH", "")])
    return env
