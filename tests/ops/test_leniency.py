"""``--lenient``: unknown client fields are dropped and logged once; strict is the default."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
import websockets

from openrealtime.protocol import ProtocolError
from openrealtime.server import ServerConfig
from openrealtime.server.app.runner import running
from openrealtime.server.transport.edge import edge_for
from openrealtime.server.transport.leniency import LenientEdge

from .wire import TIMEOUT

FUTURE_UPDATE: dict[str, Any] = {
    "type": "session.update",
    "future_top": 1,
    "session": {
        "type": "realtime",
        "future_setting": True,
        "tools": [
            {"type": "function", "name": "a", "future_flag": 1},
            {"type": "function", "name": "b", "future_flag": 2},
        ],
    },
}


def test_unknown_fields_are_dropped_and_reported() -> None:
    seen: list[str] = []
    edge = LenientEdge(edge_for("ga"), seen.append)
    event = edge.decode(json.dumps(FUTURE_UPDATE))
    assert event.type == "session.update"
    assert [tool.name for tool in event.session.tools or []] == ["a", "b"]  # type: ignore[union-attr]
    assert sorted(seen) == [
        "future_top",
        "session.future_setting",
        "session.tools[0].future_flag",
        "session.tools[1].future_flag",
    ]


@pytest.mark.parametrize("dialect", ["ga", "beta"])
def test_other_errors_stay_errors(dialect: str) -> None:
    edge = LenientEdge(edge_for(dialect), lambda path: None)  # type: ignore[arg-type]
    with pytest.raises(ProtocolError) as raised:
        edge.decode(json.dumps({"type": "response.create", "bogus": 1, "response": []}))
    assert raised.value.code == "invalid_type"
    with pytest.raises(ProtocolError) as raised:
        edge.decode("{not json")
    assert raised.value.code == "invalid_json"


def test_the_beta_edge_is_lenient_too() -> None:
    seen: list[str] = []
    edge = LenientEdge(edge_for("beta"), seen.append)
    event = edge.decode(json.dumps({"type": "session.update", "session": {"newer": 1}}))
    assert event.type == "session.update"
    assert seen == ["session.newer"]


async def exchange(config: ServerConfig, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    received = []
    async with running(config) as url, websockets.connect(url.realtime()) as ws:
        async with asyncio.timeout(TIMEOUT):
            received.append(json.loads(await ws.recv()))
            for event in events:
                await ws.send(json.dumps(event))
                received.append(json.loads(await ws.recv()))
    return received


async def test_a_lenient_server_logs_each_unknown_path_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="openrealtime.connection")
    received = await exchange(ServerConfig(lenient_fields=True), [FUTURE_UPDATE, FUTURE_UPDATE])
    assert [event["type"] for event in received] == [
        "session.created",
        "session.updated",
        "session.updated",
    ]
    warned = [r.getMessage() for r in caplog.records if "unknown client field" in r.getMessage()]
    assert len(warned) == 3
    assert any("'session.tools[].future_flag'" in line for line in warned)


async def test_a_strict_server_refuses_unknown_fields() -> None:
    received = await exchange(ServerConfig(), [FUTURE_UPDATE])
    assert received[-1]["error"]["code"] == "unknown_parameter"
    assert received[-1]["error"]["param"] == "future_top"


def test_a_long_unknown_field_is_dropped_though_errors_cut_its_name() -> None:
    seen: list[str] = []
    long_name = "n" * 100_000
    edge = LenientEdge(edge_for("ga"), seen.append)
    event = edge.decode(
        json.dumps({"type": "session.update", "session": {"type": "realtime", long_name: 1}})
    )
    assert event.type == "session.update"
    assert seen == [f"session.{long_name}"]


async def test_a_lenient_server_logs_long_and_many_unknown_paths_in_bounds(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="openrealtime.connection")
    updates = [
        {"type": "session.update", "session": {"type": "realtime", "m" * 100_000: 1}},
        *(
            {
                "type": "session.update",
                "session": {"type": "realtime", **{f"f{batch}_{i}": 1 for i in range(60)}},
            }
            for batch in range(5)
        ),
    ]
    received = await exchange(ServerConfig(lenient_fields=True), updates)
    assert [event["type"] for event in received[1:]] == ["session.updated"] * 6
    warned = [r.getMessage() for r in caplog.records if "unknown client field" in r.getMessage()]
    assert len(warned) == 257
    long_path = f"session.{'m' * 504}…(+99496 chars)"
    assert warned[0] == f"ignored the unknown client field '{long_path}' (lenient mode)"
    assert warned[-1] == "more unknown client fields; no more are logged (lenient mode)"
