"""The blocking client, for scripts and notebooks."""

from __future__ import annotations

import pytest

from openrealtime.client import ConnectionClosedError, RealtimeClient, RealtimeError
from openrealtime.protocol import ServerEventBase, ga
from tests.client.servers import API_KEY, ScriptedServer


def test_a_script_talks_without_asyncio(scripted: ScriptedServer) -> None:
    done: list[ServerEventBase] = []
    with RealtimeClient.connect_sync(
        scripted.url, model="gpt-realtime", api_key=API_KEY, session={"output_modalities": ["text"]}
    ) as rt:
        rt.on("response.done", done.append)
        updates = rt.events("session.updated")

        @rt.tool
        def add(a: int, b: int) -> int:
            """Add two numbers."""
            return a + b

        assert next(updates).type == "session.updated"  # the tool list went out
        assert rt.send_text("Hello").text == "You said: Hello"
        assert rt.send_text('/call add {"a": 4, "b": 5}').text == "Tool add returned: 9"
        item = rt.create_item(ga.UserMessageItem.from_text("More"))
        response = rt.create_response()
        assert response.message is not None
        assert response.message.text == "You said: More"
        assert rt.conversation.items[-2] is item
        events = rt.events("response.done")
        rt.create_response()
        assert next(events).type == "response.done"
        with pytest.raises(TimeoutError):
            rt.wait_for("response.done", timeout=0.05)
        with pytest.raises(RealtimeError) as empty:
            rt.call(lambda client: client.commit_audio())
        assert empty.value.code == "input_audio_buffer_commit_empty"
    assert len(done) == 5
    with pytest.raises(ConnectionClosedError):
        RealtimeClient.connect_sync("ws://127.0.0.1:9/v1", model="m")
