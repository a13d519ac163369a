"""Logs: the session id on every line about a session; the trace; never audio or keys."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
import websockets

from openrealtime.audio.b64 import b64encode
from openrealtime.engines.registry import ModelRegistry
from openrealtime.engines.scripted import scripted_engines
from openrealtime.server import ServerConfig
from openrealtime.server.app.runner import running
from openrealtime.server.transport.logs import SessionIdFilter, describe_frame
from tests.server.harness import speech

from .wire import TEXT_TURN, TIMEOUT

KEY = "sk-secret-logging-key-0123456789QQQQ"


async def test_a_traced_session_logs_ids_and_events_but_no_audio_or_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.handler.addFilter(SessionIdFilter())
    caplog.set_level(logging.DEBUG)
    config = ServerConfig(
        models=ModelRegistry.with_engines(scripted_engines(pace=0)),
        api_keys=(KEY,),
        trace_events=True,
    )
    audio = b64encode(speech("Hello there"))
    sent_audio: list[str] = [audio]
    async with (
        running(config) as url,
        asyncio.timeout(TIMEOUT),
        websockets.connect(
            url.realtime(), additional_headers={"Authorization": f"Bearer {KEY}"}
        ) as ws,
    ):
        await ws.send(json.dumps({"type": "input_audio_buffer.append", "audio": audio}))
        for event in TEXT_TURN:
            await ws.send(json.dumps(event))
        while True:
            event = json.loads(await ws.recv())
            if event["type"] == "response.output_audio.delta":
                sent_audio.append(event["delta"])
            if event["type"] == "response.done":
                break
    server_records = [r for r in caplog.records if r.name.startswith(("openrealtime", "uvicorn"))]
    text = "\n".join(caplog.handler.format(record) for record in server_records)
    assert KEY not in text
    for chunk in sent_audio:
        assert chunk[:32] not in text
    traced = [r.getMessage() for r in server_records if r.name == "openrealtime.trace"]
    for line in (
        'client {"type":"input_audio_buffer.append"',
        'client {"type":"conversation.item.create"',
        'server {"type":"response.output_audio.delta"',
    ):
        assert any(traced_line.startswith(line) for traced_line in traced), line
    session_records = [
        r for r in server_records if r.name in ("openrealtime.trace", "openrealtime.connection")
    ]
    assert session_records
    assert all(getattr(r, "session_id", None) for r in session_records)
    assert len({r.session_id for r in session_records}) == 1  # type: ignore[attr-defined]


def test_the_trace_redacts_audio_and_credentials() -> None:
    append = json.dumps({"type": "input_audio_buffer.append", "audio": "QUJD" * 100})
    assert describe_frame(append) == (
        '{"type":"input_audio_buffer.append","audio":"<400 base64 chars>"}'
    )
    delta = json.dumps({"type": "response.output_audio.delta", "delta": "QUJD" * 10})
    assert '"delta":"<40 base64 chars>"' in describe_frame(delta)
    transcript = json.dumps({"type": "response.output_audio_transcript.delta", "delta": "Hi"})
    assert '"delta":"Hi"' in describe_frame(transcript)
    mcp = json.dumps(
        {
            "type": "session.update",
            "session": {"tools": [{"type": "mcp", "authorization": "sk-x", "headers": {"a": "b"}}]},
        }
    )
    assert "sk-x" not in describe_frame(mcp)
    assert '"headers":"<redacted>"' in describe_frame(mcp)
    assert describe_frame("{not json") == "<not JSON, 9 bytes>"
