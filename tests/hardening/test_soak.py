"""The soak's short version: 30 seconds of mixed traffic from 10 clients, invariants only.

``make soak`` runs the long one (30 minutes, 50 sessions, RSS and latency rules); here
the same clients run against an in-process server, and every event they receive must
keep :class:`~openrealtime.testing.invariants.SessionChecker`'s rules, no error may come
but the protocol's answers to races, and the server may log no ``ERROR``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from fuzz import soak
from openrealtime.engines.registry import ModelRegistry
from openrealtime.server import ServerConfig
from openrealtime.server.app.runner import running

SCRIPT = Path(__file__).resolve().parents[2] / "fuzz" / "script.json"


@pytest.mark.timeout(90)
async def test_thirty_seconds_of_mixed_traffic(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="openrealtime")
    options = {"pace": 1.0, "script": str(SCRIPT)}
    async with running(ServerConfig(models=ModelRegistry.default(options=options))) as url:
        stats = await soak.soak(url.realtime(), sessions=10, seconds=30, seed=2024)
    assert stats.violations == []
    assert stats.turns > 50
    assert stats.reconnects >= 10
    assert set(stats.errors) <= soak.EXPECTED_ERRORS
    assert stats.latencies["response.created"]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_the_judge_applies_the_soak_rules() -> None:
    def minute(number: int, rss: float, p99: float) -> soak.Minute:
        return soak.Minute(number, rss, 50, {"response.created": (1.0, 2.0, p99)})

    steady = [minute(n, 100.0 + n * 0.1, 10.0) for n in range(1, 31)]
    assert soak.judge(steady, soak.SoakStats()) == []
    grew = [*steady[:29], minute(30, 106.0, 10.0)]
    assert soak.judge(grew, soak.SoakStats()) == [
        "RSS grew from 100.5 MiB (minute 5) to 106.0 MiB (minute 30), more than 5 %"
    ]
    slower = [*steady[:29], minute(30, 100.0, 21.0)]
    assert soak.judge(slower, soak.SoakStats()) == [
        "response.created p99 doubled: 10 ms at minute 5, 21 ms at minute 30"
    ]
