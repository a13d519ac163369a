"""Peer servers: events with missing fields, unknown types, interleaved deltas and
transcriptions out of order still reach the mirror, with one warning per event type."""

from __future__ import annotations

import logging
from collections import Counter

import pytest

from openrealtime.client import RealtimeClient
from openrealtime.protocol import ServerEventBase, beta, ga
from openrealtime.protocol._base import InvalidServerEventBase, UnknownServerEventBase
from tests.client.helpers import next_event
from tests.client.replay import TRACES, ReplayServer, fill, load

WARNING = "miss or mistype fields"


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_peer_events_reach_the_mirror(
    replay: ReplayServer, dialect: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="openrealtime.client")
    rt = RealtimeClient(replay.url("peers"), model="peer-model", dialect=dialect)
    seen: list[ServerEventBase] = []
    rt.on("*", seen.append)
    errors: list[ServerEventBase] = []
    rt.on("error", errors.append)
    async with rt:
        finished = rt.events("vendor.done_marker")
        item = await rt.send_text("Hello")
        assert (item.id, item.text, item.status) == ("item_a1", "You said: Hello", "completed")
        await next_event(finished)

        assert [i.id for i in rt.conversation] == [
            "item_u1",
            "item_a1",
            "item_f1",
            "item_v1",
            "item_v2",
        ]
        call = rt.conversation["item_f1"]
        assert (call.type, call.name, call.arguments) == (
            "function_call",
            "lookup",
            '{"q": "weather"}',
        )
        assert rt.conversation["item_v1"].transcript == "first"
        assert rt.conversation["item_v2"].transcript == "second"
        response = rt.responses.get("resp_p1")
        assert response is not None
        assert (response.status, response.usage, response.output_ids) == (
            "completed",
            None,
            ["item_a1", "item_f1"],
        )

    types = {event.type for event in seen}
    assert {"vendor.unknown_event", "conversation.item.speaker"} <= types
    assert all(
        isinstance(e, UnknownServerEventBase) for e in seen if e.type == "vendor.unknown_event"
    )
    assert len(errors) == 1
    assert isinstance(errors[0], InvalidServerEventBase)

    messages = [record.getMessage() for record in caplog.records]
    invalid = [
        message.split("'s ")[1].split(" events")[0] for message in messages if WARNING in message
    ]
    assert invalid, messages
    assert all(count == 1 for count in Counter(invalid).values()), invalid
    assert "input_audio_buffer.committed" in invalid  # sent twice, warned once
    assert sum("not JSON" in message for message in messages) == 1
    assert any("server error: server_error: vendor hiccup" in message for message in messages)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], messages


@pytest.mark.parametrize("path", sorted(TRACES.glob("*.jsonl")), ids=lambda path: path.stem)
def test_the_traces_are_valid_events_except_the_peers(path: object) -> None:
    scenario, dialect = str(getattr(path, "stem", "")).split(".")
    root = ga.ServerEvent if dialect == "ga" else beta.ServerEvent
    remembered = {
        "last": {"event_id": "evt_1", "item": {"call_id": "call_1", "output": "5"}},
        "cut": {"item_id": "item_a1", "content_index": 0, "audio_end_ms": 700},
    }
    sent = [fill(step["send"], remembered) for step in load(scenario, dialect) if "send" in step]
    assert sent
    parsed = [root.parse(event) for event in sent]
    odd = [e.type for e in parsed if isinstance(e, InvalidServerEventBase | UnknownServerEventBase)]
    if scenario == "peers":
        assert odd
    else:
        assert odd == []
