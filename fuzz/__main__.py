"""``python -m fuzz``: the fuzzing campaigns and what they found, and the soak.

``core`` (the session core, no socket), ``wire`` (clients over WebSocket against
``openrealtime serve``), ``disconnects`` (connections dropped at every point of a
response) and ``all`` of them; each prints frames tried, failures found and RSS
before and after; failing inputs go to ``fuzz/found/`` (minimized, ready to move
into ``fuzz/corpus/``) and the exit status is 1. ``soak`` (:mod:`fuzz.soak`) runs
apart."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

from . import core, disconnects, soak, wire

FOUND = Path(__file__).parent / "found"


def _rss_mib(pid: int | None = None) -> float:
    return wire.rss_kib(pid or os.getpid()) / 1024


async def run_core(frames: int, seed: int) -> int:
    before = _rss_mib()
    started = time.monotonic()
    found: list[core.Failure] = []

    def progress(report: core.CoreReport) -> None:
        if report.sessions % 500 == 0:
            print(f"  core: {report.frames:,} frames, RSS {_rss_mib():.1f} MiB", flush=True)

    report = await core.campaign(frames, seed, on_failure=found.append, progress=progress)
    elapsed = time.monotonic() - started
    print(
        f"core: {report.frames:,} frames in {report.sessions:,} sessions, {elapsed:.0f} s; "
        f"failures: {len(report.failures)} distinct, {sum(report.occurrences.values())} in all; "
        f"RSS {before:.1f} MiB -> {_rss_mib():.1f} MiB"
    )
    FOUND.mkdir(exist_ok=True)
    for number, failure in enumerate(found):
        smaller = await core.minimize(failure)
        path = FOUND / f"core-{seed}-{number}.json"
        path.write_text(json.dumps(smaller.to_json(), indent=1, ensure_ascii=True) + "\n")
        print(f"  FAILED ({report.occurrences[failure.signature]}x): {failure.message[:300]}")
        print(f"    {len(smaller.steps)} frames kept in {path}")
    return 1 if found else 0


async def run_wire(frames: int, seed: int, clients: int) -> int:
    log = Path(tempfile.mkdtemp(prefix="openrealtime-fuzz-")) / "server.log"
    async with wire.served(log) as (base, pid):
        warm = await wire.campaign(base, 200, seed + 1, clients=2)
        before = _rss_mib(pid)
        started = time.monotonic()
        report = await wire.campaign(base, frames, seed, clients=clients)
        elapsed = time.monotonic() - started
        after = _rss_mib(pid)
    problems = warm.failures + report.failures
    logged = wire.server_errors(log)
    print(
        f"wire: {report.frames:,} frames from {clients} clients over {report.connections:,} "
        f"connections, {elapsed:.0f} s; slowest liveness answer {report.slowest_liveness_s:.3f} s; "
        f"failures: {len(problems)}, server ERROR lines: {len(logged)}; "
        f"server RSS {before:.1f} MiB -> {after:.1f} MiB (after a 200-frame warm-up)"
    )
    for problem in problems[:10]:
        print(f"  FAILED: {problem}")
    for line in logged[:10]:
        print(f"  server: {line}")
    print(f"  server log: {log}")
    return 1 if problems or logged else 0


async def run_disconnects(cycles: int, seed: int) -> int:
    report = await disconnects.campaign(cycles, seed, progress=print)
    print(report.summary())
    return 0 if report.ok else 1


async def run_soak(minutes: int, sessions: int, seed: int) -> int:
    log = Path(tempfile.mkdtemp(prefix="openrealtime-soak-")) / "server.log"
    async with wire.served(log, pace=1.0) as (base, pid):
        http_base = base.replace("ws://", "http://").removesuffix("/v1")
        print(f"soak: {sessions} sessions for {minutes} minutes; server log {log}", flush=True)
        stats = soak.SoakStats()
        clients = asyncio.ensure_future(
            soak.soak_with(
                stats, f"{base}/realtime?model=gpt-realtime", sessions, minutes * 60, seed
            )
        )
        minutes_seen = await soak.watch_minutes(stats, pid, http_base, minutes)
        await clients
    problems = soak.judge(minutes_seen, stats) + [
        f"server: {line}" for line in wire.server_errors(log)[:10]
    ]
    errors = ", ".join(f"{code} {count}" for code, count in sorted(stats.errors.items()))
    print(
        f"soak: {stats.turns:,} turns over {stats.reconnects:,} connections; "
        f"errors answered: {errors or 'none'}; failures: {len(problems)}"
    )
    for problem in problems:
        print(f"  FAILED: {problem}")
    return 1 if problems else 0


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("target", choices=["core", "wire", "disconnects", "all", "soak"])
    parser.add_argument("--minutes", type=int, default=30, help="soak duration")
    parser.add_argument("--sessions", type=int, default=50, help="soak sessions at once")
    parser.add_argument("--frames", type=int, help="frames (core 1,000,000; wire 100,000)")
    parser.add_argument("--cycles", type=int, default=10_000, help="disconnect cycles")
    parser.add_argument("--clients", type=int, default=8, help="WebSocket clients at once")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    # The campaigns count the server's ERROR records themselves; nothing else is news.
    logging.getLogger("openrealtime").setLevel(logging.ERROR)
    logging.getLogger("openrealtime").propagate = False
    status = 0
    if args.target in ("core", "all"):
        status |= asyncio.run(run_core(args.frames or 1_000_000, args.seed))
    if args.target in ("wire", "all"):
        status |= asyncio.run(run_wire(args.frames or 100_000, args.seed, args.clients))
    if args.target in ("disconnects", "all"):
        status |= asyncio.run(run_disconnects(args.cycles, args.seed))
    if args.target == "soak":
        status |= asyncio.run(run_soak(args.minutes, args.sessions, args.seed))
    sys.exit(status)


if __name__ == "__main__":
    main()
