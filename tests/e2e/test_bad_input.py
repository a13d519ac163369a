"""Bad frames over a real socket: one ``error`` each, and the session carries on.

Binary frames cannot be sent through the SDK, so these tests speak raw WebSocket with
the ``websockets`` client. Every server frame is still validated with the SDK's models.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import websockets

from openrealtime.server.app.runner import ServerURL

from ..server.core_checks import invalid_request
from ..traces import session_start, text_turn
from .wire import RECV_TIMEOUT, Dialect, types, validate

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.timeout(30)]

GA_TYPES = (
    "'session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit', "
    "'input_audio_buffer.clear', 'conversation.item.create', 'conversation.item.truncate', "
    "'conversation.item.delete', 'conversation.item.retrieve', 'response.create', "
    "and 'response.cancel'"
)
BETA_TYPES = (
    "'session.update', 'transcription_session.update', 'input_audio_buffer.append', "
    "'input_audio_buffer.commit', 'input_audio_buffer.clear', 'conversation.item.create', "
    "'conversation.item.truncate', 'conversation.item.delete', 'conversation.item.retrieve', "
    "'response.create', and 'response.cancel'"
)

JSON_PREFIX = "Invalid event: failed to parse JSON value. "


# (frame, the error it gets); the unknown-field and bad-value frames differ per dialect.
COMMON: list[tuple[str | bytes, dict[str, Any]]] = [
    (
        b"\x00\x01binary",
        invalid_request(
            "invalid_event",
            "Expected a text WebSocket message; binary frames are not supported.",
            None,
            None,
        ),
    ),
    (
        '{"type": "response.create", "event_id": "json_1"',
        invalid_request(
            "invalid_json",
            JSON_PREFIX,
            None,
            None,
        ),
    ),
    (
        '{"event_id": "type_1"}',
        invalid_request("invalid_event", "The 'type' field is missing.", None, "type_1"),
    ),
    (
        '{"type": "input_audio_buffer.append", "event_id": "audio_1", "audio": "not base64!"}',
        invalid_request(
            "invalid_value", "Invalid 'audio': expected base64-encoded audio.", "audio", "audio_1"
        ),
    ),
]
PER_DIALECT: dict[Dialect, list[tuple[str | bytes, dict[str, Any]]]] = {
    "ga": [
        (
            '{"type": "nope", "event_id": "unknown_1"}',
            invalid_request(
                "invalid_value",
                f"Invalid value: 'nope'. Supported values are: {GA_TYPES}.",
                "type",
                "unknown_1",
            ),
        ),
        (
            '{"type": "session.update", "event_id": "field_1",'
            ' "session": {"type": "realtime", "bogus_field": 1}}',
            invalid_request(
                "unknown_parameter",
                "Unknown parameter: 'session.bogus_field'.",
                "session.bogus_field",
                "field_1",
            ),
        ),
        (
            '{"type": "session.update", "event_id": "value_1",'
            ' "session": {"type": "realtime", "output_modalities": ["video"]}}',
            invalid_request(
                "invalid_value",
                "Invalid value: 'video'. Supported values are: 'text' and 'audio'.",
                "session.output_modalities[0]",
                "value_1",
            ),
        ),
    ],
    "beta": [
        (
            '{"type": "nope", "event_id": "unknown_1"}',
            invalid_request(
                "invalid_value",
                f"Invalid value: 'nope'. Supported values are: {BETA_TYPES}.",
                "type",
                "unknown_1",
            ),
        ),
        (
            '{"type": "session.update", "event_id": "field_1", "session": {"bogus_field": 1}}',
            invalid_request(
                "unknown_parameter",
                "Unknown parameter: 'session.bogus_field'.",
                "session.bogus_field",
                "field_1",
            ),
        ),
        (
            '{"type": "session.update", "event_id": "value_1",'
            ' "session": {"input_audio_format": "g711-ulaw"}}',
            invalid_request(
                "invalid_value",
                "Invalid value: 'g711-ulaw'. Supported values are: "
                "'pcm16', 'g711_ulaw', and 'g711_alaw'.",
                "session.input_audio_format",
                "value_1",
            ),
        ),
    ],
}


@pytest.mark.spec("12.7", "12.8", "12.9", "12.10", "3.2.6", "2.1")
@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_each_bad_frame_gets_one_error_and_the_session_goes_on(
    fast_url: ServerURL, dialect: Dialect
) -> None:
    cases = COMMON + PER_DIALECT[dialect]
    turn = text_turn(dialect, deltas=4)  # You, said, :, Hi
    headers = {"OpenAI-Beta": "realtime=v1"} if dialect == "beta" else {}
    item = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi"}]}
    session = (
        {"type": "realtime", "output_modalities": ["text"]}
        if dialect == "ga"
        else {"modalities": ["text"]}
    )
    async with websockets.connect(
        fast_url.realtime(), additional_headers=headers, open_timeout=RECV_TIMEOUT
    ) as ws:
        for frame, _expected in cases:
            await ws.send(frame)
        for frame in (
            {"type": "session.update", "session": session},
            {"type": "conversation.item.create", "item": item},
            {"type": "response.create"},
        ):
            await ws.send(json.dumps(frame))
        opening = 1 if dialect == "ga" else 2
        expected_count = opening + len(cases) + 1 + len(turn)
        async with asyncio.timeout(RECV_TIMEOUT):
            events = [validate(dialect, await ws.recv()) for _ in range(expected_count)]

    assert types(events) == [
        *session_start(dialect),
        *["error"] * len(cases),
        "session.updated",
        *turn,
    ]
    errors = events[opening : opening + len(cases)]
    received = [event["error"] for event in errors]
    # The invalid-JSON message ends with the parser's own detail.
    json_message = received[1]["message"]
    assert json_message.startswith(JSON_PREFIX)
    assert len(json_message) > len(JSON_PREFIX)
    received[1]["message"] = JSON_PREFIX
    assert received == [expected for _frame, expected in cases]
    assert len({event["event_id"] for event in events}) == len(events)
    assert events[-2 if dialect == "ga" else -1]["response"]["status"] == "completed"
