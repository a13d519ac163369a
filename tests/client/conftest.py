"""Fixtures of the client suite: the scripted server, the replay server, and the targets.

``target`` runs a shared test four times: against ``openrealtime serve`` (scripted
engine) and against the trace replay, each in the GA and the beta dialect.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.client.replay import ReplayServer
from tests.client.servers import API_KEY, ScriptedServer, Target

TARGETS = ["scripted-ga", "scripted-beta", "replay-ga", "replay-beta"]


@pytest.fixture(scope="session")
def scripted() -> Iterator[ScriptedServer]:
    server = ScriptedServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def replay() -> Iterator[ReplayServer]:
    server = ReplayServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=TARGETS)
def target(request: pytest.FixtureRequest) -> Target:
    kind, dialect = str(request.param).split("-")
    if kind == "scripted":
        server: ScriptedServer = request.getfixturevalue("scripted")
        return Target(kind, dialect, lambda _scenario: server.url, {"api_key": API_KEY})
    replay: ReplayServer = request.getfixturevalue("replay")
    return Target(kind, dialect, replay.url, replay=replay)
