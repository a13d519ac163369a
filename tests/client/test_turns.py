"""The shared client suite: every test runs against ``openrealtime serve`` (scripted engine)
and against the trace replay, each in the GA and beta dialects.

The replay traces (``traces/*.jsonl``) are §4's sketches made concrete; the scripted
server answers the same inputs the same way, so one test body holds for both.
"""

from __future__ import annotations

import json

import pytest

from openrealtime.client import RealtimeClient, RealtimeError
from openrealtime.protocol import ga
from tests.client.helpers import Frames, next_event, utterance
from tests.client.servers import Target


async def test_a_text_turn(target: Target) -> None:
    async with RealtimeClient.connect(**target.connect_options("text_turn")) as rt:
        session = await rt.update_session(instructions="Be brief.", output_modalities=["text"])
        assert session is not None
        assert session.instructions == "Be brief."
        item = await rt.send_text("Hello")
        assert (item.role, item.status, item.text) == ("assistant", "completed", "You said: Hello")
        assert [(i.role, i.text) for i in rt.conversation] == [
            ("user", "Hello"),
            ("assistant", "You said: Hello"),
        ]
        response = rt.responses.get(item.response_id or "")
        assert response is not None
        assert response.status == "completed"
        assert response.usage is not None
        assert response.usage.total_tokens > 0


async def test_a_tool_call_is_answered_and_the_model_continues(target: Target) -> None:
    rt = RealtimeClient(
        **target.connect_options("tool_call", session={"output_modalities": ["text"]})
    )

    @rt.tool
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    async with rt:
        item = await rt.send_text('/call add {"a": 2, "b": 3}')
        assert item.text == "Tool add returned: 5"
        user, call, output, reply = rt.conversation.items
        assert (call.type, call.name, json.loads(call.arguments or "")) == (
            "function_call",
            "add",
            {"a": 2, "b": 3},
        )
        assert (output.type, output.call_id, output.output) == (
            "function_call_output",
            call.call_id,
            "5",
        )
        assert (user.text, reply.text) == ('/call add {"a": 2, "b": 3}', "Tool add returned: 5")


async def test_a_spoken_turn_with_transcription(target: Target) -> None:
    async with RealtimeClient.connect(**target.connect_options("spoken_turn")) as rt:
        await rt.update_session(audio={"input": {"transcription": {"model": "whisper-1"}}})
        done = rt.events("response.done")
        transcribed = rt.events("conversation.item.input_audio_transcription.completed")
        await rt.send_audio(utterance("what time is it"), realtime=False)
        await next_event(done)
        await next_event(transcribed)
        user, reply = rt.conversation.items
        assert (user.role, user.transcript) == ("user", "what time is it")
        assert (reply.role, reply.transcript) == ("assistant", "You said: what time is it")
        assert reply.sample_rate == 24000
        assert len(reply.audio) == 1500 * 48  # 25 characters of 60 ms


async def test_an_interruption_truncates_where_playback_stopped(target: Target) -> None:
    async with RealtimeClient.connect(**target.connect_options("interruption")) as rt:
        item = await rt.send_text("Tell me a story")
        assert item.transcript == "You said: Tell me a story"
        assert len(item.audio) == 1500 * 48
        truncated = rt.events("conversation.item.truncated")
        retrieved = rt.events("conversation.item.retrieved")
        rt.playback.played(item.id, 700.6)
        await rt.send_audio(utterance("stop"), realtime=False)
        event = await next_event(truncated)
        assert (event.item_id, event.audio_end_ms) == (item.id, 700)
        assert item.truncated
        assert len(item.audio) == 700 * 48
        if target.dialect == "ga":
            await next_event(retrieved)
            assert item.transcript == "You said:"  # the words heard by 700 ms, from the server
        else:
            assert item.transcript is None  # the server rewrote it; beta is not asked
        assert not rt.playback.playing


async def test_items_go_where_the_server_puts_them(target: Target) -> None:
    async with RealtimeClient.connect(**target.connect_options("item_ops")) as rt:
        await rt.create_item(ga.UserMessageItem.from_text("first", id="item_a"))
        await rt.create_item(
            ga.UserMessageItem.from_text("zero", id="item_b"), previous_item_id="root"
        )
        middle = await rt.create_item(
            ga.UserMessageItem.from_text("between", id="item_c"), previous_item_id="item_b"
        )
        assert middle.text == "between"
        assert [i.id for i in rt.conversation] == ["item_b", "item_c", "item_a"]
        await rt.delete_item("item_a")
        assert [i.id for i in rt.conversation] == ["item_b", "item_c"]
        assert "item_a" not in rt.conversation
        refreshed = await rt.refresh("item_c")
        assert refreshed is middle
        assert refreshed.text == "between"


async def test_an_error_fails_the_call_that_caused_it(target: Target) -> None:
    frames = Frames()
    async with RealtimeClient.connect(**target.connect_options("errors", tap=frames)) as rt:
        seen: list[str | None] = []
        rt.on("error", lambda event: seen.append(event.error.code))
        with pytest.raises(RealtimeError) as cancel:
            await rt.cancel_response()
        assert cancel.value.code == "response_cancel_not_active"
        assert cancel.value.event_id == frames.sent()[-1]["event_id"]
        with pytest.raises(RealtimeError) as truncate:
            await rt.truncate_item("nope", 100)
        assert (truncate.value.code, truncate.value.param) == (
            "item_truncate_invalid_item_id",
            "item_id",
        )
        assert truncate.value.event_id == frames.sent()[-1]["event_id"]
        item = await rt.create_item(ga.UserMessageItem.from_text("Still here"))
        assert item.text == "Still here"
        assert seen == ["response_cancel_not_active", "item_truncate_invalid_item_id"]


async def test_an_out_of_band_response_stays_out_of_the_conversation(target: Target) -> None:
    async with RealtimeClient.connect(**target.connect_options("out_of_band")) as rt:
        response = await rt.create_response(
            conversation="none",
            metadata={"topic": "classification"},
            output_modalities=["text"],
            input=[ga.UserMessageItem.from_text("Is this spam?")],
        )
        await response.wait()
        assert response.out_of_band
        assert response.metadata == {"topic": "classification"}
        message = response.message
        assert message is not None
        assert message.text == "You said: Is this spam?"
        assert len(rt.conversation) == 0
        assert rt.conversation.get(message.id) is message
