"""Faults: clients that leave at every point of a response.

Each cycle connects, asks for a spoken response and leaves after reading ``k``
of its events, ``k`` running through every position of the response in turn,
either politely (a close frame) or abruptly (the TCP connection torn down). The
server runs in this process, so the campaign can see what it keeps: once all
cycles are done no session may remain open and no task may be left running; RSS
is sampled as it goes, to show it flat after warm-up, and once more after the C
allocator has returned its free memory to the system (``malloc_trim``), to show how
much of the rise is memory freed but kept for reuse.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field

import websockets

from openrealtime.engines.registry import ModelRegistry
from openrealtime.server import ServerConfig, create_app
from openrealtime.server.app.runner import running

from .wire import rss_kib

TURN = [
    {
        "type": "conversation.item.create",
        "item": {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "Tell me a story"}],
        },
    },
    {"type": "response.create"},
]
RESPONSE_EVENTS = 40
"""Positions tried: the spoken reply has 35 events up to ``response.done`` (past it,
the client leaves right after ``response.done``)."""


@dataclass
class DisconnectReport:
    cycles: int = 0
    open_sessions: int = 0
    leaked_tasks: int = 0
    rss_mib: list[tuple[int, float]] = field(default_factory=list)
    rss_trimmed_mib: float | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.open_sessions or self.leaked_tasks or self.problems)

    def summary(self) -> str:
        samples = ", ".join(f"{cycle}: {rss:.1f}" for cycle, rss in self.rss_mib)
        return (
            f"disconnects: {self.cycles:,} cycles; open sessions after: {self.open_sessions}; "
            f"tasks left: {self.leaked_tasks}; problems: {len(self.problems)}\n"
            f"  RSS (MiB) by cycle: {samples}; after malloc_trim: {self.rss_trimmed_mib}"
            + "".join(f"\n  FAILED: {problem}" for problem in self.problems[:10])
        )


async def _cycle(url: str, position: int, abrupt: bool) -> None:
    async with websockets.connect(url, max_size=None) as ws:
        await ws.recv()
        for event in TURN:
            await ws.send(json.dumps(event))
        for _ in range(position):
            if json.loads(await ws.recv())["type"] == "response.done":
                break
        if abrupt:
            ws.transport.abort()


async def campaign(
    cycles: int,
    seed: int,
    *,
    clients: int = 8,
    pace: float = 0.2,
    progress: Callable[[str], None] | None = None,
) -> DisconnectReport:
    """``cycles`` connections left at every point of a response, ``clients`` at a time."""
    report = DisconnectReport()
    config = ServerConfig(models=ModelRegistry.default(options={"pace": pace}))
    app = create_app(config)
    async with running(config, app=app) as base:
        url = base.realtime()
        await _cycle(url, 3, abrupt=False)
        await _settled(app.state.sessions)
        baseline = len(asyncio.all_tasks())
        gc.collect()
        report.rss_mib.append((0, rss_kib(os.getpid()) / 1024))
        step = max(1, cycles // 10)
        counter = iter(range(cycles))

        async def worker() -> None:
            for number in counter:
                position = (number + seed) % RESPONSE_EVENTS
                try:
                    await asyncio.wait_for(_cycle(url, position, abrupt=number % 2 == 1), 30)
                except (TimeoutError, OSError, websockets.ConnectionClosed) as exc:
                    report.problems.append(f"cycle {number}: {type(exc).__name__}: {exc}")
                report.cycles += 1
                if report.cycles % step == 0:
                    report.rss_mib.append((report.cycles, rss_kib(os.getpid()) / 1024))
                    if progress is not None:
                        progress(f"  disconnects: {report.cycles:,} cycles")

        await asyncio.gather(*(worker() for _ in range(clients)))
        report.open_sessions = await _settled(app.state.sessions)
        # Give cancelled work its last turns of the loop before counting.
        await asyncio.sleep(0.5)
        report.leaked_tasks = max(0, len(asyncio.all_tasks()) - baseline)
        gc.collect()
        report.rss_trimmed_mib = _trimmed_rss_mib()
    return report


def _trimmed_rss_mib() -> float | None:
    """RSS once the C allocator has handed its free memory back (glibc only)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    libc.malloc_trim(0)
    return rss_kib(os.getpid()) / 1024


async def _settled(sessions: object, timeout: float = 10.0) -> int:
    """Wait for every session to close; how many are still open after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(sessions) and loop.time() < deadline:  # type: ignore[arg-type]
        await asyncio.sleep(0.05)
    return len(sessions)  # type: ignore[arg-type]
