"""A voice app's tests, written the way a user of ``openrealtime[testing]`` writes them.

Nothing here imports the plugin: installing the package registers it, and pytest
provides the ``realtime_server`` fixture and marker. The app under test talks to the
server with the official ``openai`` SDK.
"""

from __future__ import annotations

from typing import Any

import pytest
from openai import AsyncOpenAI
from websockets.sync.client import connect

from openrealtime.testing.assertions import (
    assert_event,
    assert_event_types,
    assert_invariants,
    event_types,
)

GREETING_RECORDING = "recordings/greeting.jsonl"


async def ask(server: Any, text: str, *, api_key: str | None = None) -> list[Any]:
    """What the app does: one text question, every server event until the reply is done."""
    client = AsyncOpenAI(
        api_key=api_key or server.api_key or "unused",
        base_url=server.http_url or "http://unused/v1",
        websocket_base_url=server.url,
    )
    events = []
    async with client.realtime.connect(model="gpt-realtime") as connection:
        await connection.session.update(session={"type": "realtime", "output_modalities": ["text"]})
        await connection.conversation.item.create(
            item={
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": text}],
            }
        )
        await connection.response.create()
        async for event in connection:
            events.append(event)
            if event.type == "response.done":
                break
    return events


async def test_the_assistant_answers_in_text(realtime_server: Any) -> None:
    events = await ask(realtime_server, "Hello")
    assert_event_types(
        events,
        [
            "session.created",
            "session.updated",
            "conversation.item.added",
            "conversation.item.done",
            "response.created",
            "response.output_item.added",
            "conversation.item.added",
            "response.content_part.added",
            "response.output_text.delta*",
            "response.output_text.done",
            "response.content_part.done",
            "conversation.item.done",
            "response.output_item.done",
            "response.done",
        ],
    )
    assert_event(events, "response.output_text.done", text="You said: Hello")
    assert_invariants(events)


@pytest.mark.realtime_server(script="replies.yaml")
async def test_a_scripted_reply(realtime_server: Any) -> None:
    events = await ask(realtime_server, "What's the weather in Paris?")
    assert_event(events, "response.output_text.done", text="Sunny and 21 degrees in Paris.")


async def test_a_browser_opens_a_session_with_a_client_secret(realtime_server: Any) -> None:
    secret = realtime_server.client_secret
    assert secret.startswith("ek_")
    events = await ask(realtime_server, "Hi", api_key=secret)
    assert_event(events, "response.done", response={"status": "completed"})


@pytest.mark.realtime_server(recording=GREETING_RECORDING, matching="lenient")
async def test_a_recorded_session_stands_in_for_the_server(realtime_server: Any) -> None:
    events = await ask(realtime_server, "Hello")
    assert_event(events, "response.output_text.done", text="You said: Hello")
    assert event_types(events)[-1] == "response.done"


@pytest.mark.realtime_client(session={"output_modalities": ["text"]})
async def test_the_client_fixture_is_connected(realtime_client: Any) -> None:
    item = await realtime_client.send_text("Hello")
    assert item.text == "You said: Hello"
    assert [i.role for i in realtime_client.conversation] == ["user", "assistant"]


@pytest.mark.realtime_server(script="replies.yaml")
@pytest.mark.realtime_client(dialect="beta", session={"output_modalities": ["text"]})
async def test_a_beta_client_gets_the_scripted_reply(realtime_client: Any) -> None:
    item = await realtime_client.send_text("What's the weather in Paris?")
    assert item.text == "Sunny and 21 degrees in Paris."


@pytest.mark.parametrize("realtime_server", [{"pace": 1.0}], indirect=True)
def test_sync_tests_get_a_server_too(realtime_server: Any) -> None:
    headers = {"Authorization": f"Bearer {realtime_server.api_key}"}
    with connect(realtime_server.realtime_url(), additional_headers=headers) as websocket:
        assert '"type":"session.created"' in websocket.recv(timeout=10)
