"""openai-agents against the server: a tool round trip and a barge-in, in its default config.

openai-agents validates every server event with the SDK's GA discriminated union and
surfaces a failure as an ``error`` session event, so "no error events" is a real check.
Every raw server event is also validated here (openai-agents skips its own validation
for message items in ``response.output_item.*``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from agents import function_tool
from agents.realtime import RealtimeAgent, RealtimeRunner, RealtimeSession
from agents.realtime.config import RealtimeRunConfig, RealtimeTurnDetectionConfig

from openrealtime.server.app.runner import ServerURL

from .conftest import STORY, STORY_REPLY
from .wire import RECV_TIMEOUT, check, silence, speech

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.timeout(30)]

weather_calls: list[str] = []


@function_tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    weather_calls.append(city)
    return f"Sunny in {city}"


class Recording:
    """The session events of one openai-agents session, and the raw server events."""

    def __init__(self, session: RealtimeSession) -> None:
        self.session = session
        self.events: list[Any] = []
        self.raw: list[dict[str, Any]] = []

    def of_type(self, event_type: str) -> list[Any]:
        return [event for event in self.events if event.type == event_type]

    def raw_of_type(self, event_type: str) -> list[dict[str, Any]]:
        return [event for event in self.raw if event["type"] == event_type]

    async def until(self, done: Callable[[Recording], bool]) -> None:
        """Record events until ``done`` holds."""
        async with asyncio.timeout(RECV_TIMEOUT):
            async for event in self.session:
                self.events.append(event)
                if event.type == "raw_model_event" and event.data.type == "raw_server_event":
                    check("ga", event.data.data)
                    self.raw.append(event.data.data)
                if done(self):
                    return


def responses_done(count: int) -> Callable[[Recording], bool]:
    return lambda recording: len(recording.raw_of_type("response.done")) >= count


async def start(
    url: ServerURL, agent: RealtimeAgent[Any], config: RealtimeRunConfig | None = None
) -> RealtimeSession:
    runner = RealtimeRunner(agent, config=config)
    return await runner.run(model_config={"url": url.realtime("gpt-realtime"), "api_key": "test"})


@pytest.mark.spec("4c", "3.9.7")
async def test_agent_tool_round_trip(fast_url: ServerURL) -> None:
    weather_calls.clear()
    agent = RealtimeAgent(name="assistant", instructions="Be brief.", tools=[get_weather])
    session = await start(fast_url, agent)
    async with session:
        recording = Recording(session)
        await session.send_message('/call get_weather {"city": "Paris"}')
        await recording.until(responses_done(2))

    assert recording.of_type("error") == []
    assert weather_calls == ["Paris"]
    (tool_end,) = recording.of_type("tool_end")
    assert tool_end.tool.name == "get_weather"
    assert tool_end.arguments == '{"city": "Paris"}'
    assert tool_end.output == "Sunny in Paris"

    # The agent's default session.update was accepted as sent.
    updated = recording.raw_of_type("session.updated")[0]["session"]
    assert updated["model"] == "gpt-realtime-2.1"
    assert updated["audio"]["output"]["voice"] == "ash"
    assert updated["audio"]["input"]["transcription"]["model"] == "gpt-4o-mini-transcribe"
    assert updated["audio"]["input"]["turn_detection"]["type"] == "semantic_vad"
    assert updated["tools"][0]["name"] == "get_weather"

    first, follow_up = (event["response"] for event in recording.raw_of_type("response.done"))
    (call,) = first["output"]
    assert (call["type"], call["name"], call["arguments"]) == (
        "function_call",
        "get_weather",
        '{"city": "Paris"}',
    )
    outputs = [
        event["item"]
        for event in recording.raw_of_type("conversation.item.done")
        if event["item"]["type"] == "function_call_output"
    ]
    assert [(item["call_id"], item["output"]) for item in outputs] == [
        (call["call_id"], "Sunny in Paris")
    ]
    assert follow_up["status"] == "completed"
    assert follow_up["output"][0]["content"] == [
        {"type": "output_audio", "transcript": "Tool get_weather returned: Sunny in Paris"}
    ]


@pytest.mark.spec("4d", "3.10.2", "3.6.5")
@pytest.mark.parametrize(
    ("server_interrupts", "reason", "transcript"),
    [
        (True, "turn_detected", STORY_REPLY.split()[0]),
        # The agent truncates before it cancels: the transcript keeps only the words
        # heard by then (row 3.6.5), and the first word had not finished playing.
        (False, "client_cancelled", ""),
    ],
)
async def test_agent_barge_in(
    paced_url: ServerURL, server_interrupts: bool, reason: str, transcript: str
) -> None:
    """With ``interrupt_response`` the server cancels; without it, the agent sends the cancel."""
    agent = RealtimeAgent(name="storyteller", instructions="Tell stories.")
    config: RealtimeRunConfig = {}
    if not server_interrupts:
        vad: RealtimeTurnDetectionConfig = {"type": "semantic_vad", "interrupt_response": False}
        config = {"model_settings": {"turn_detection": vad}}
    session = await start(paced_url, agent, config)
    async with session:
        recording = Recording(session)
        await session.send_message(STORY)
        await recording.until(lambda recording: bool(recording.of_type("audio")))
        # A finished sentence: the agent's default turn detection is semantic_vad.
        await session.send_audio(speech("Stop."))
        await recording.until(
            lambda recording: bool(recording.raw_of_type("conversation.item.truncated"))
        )
        await session.send_audio(silence(800))
        await recording.until(responses_done(2))

    assert recording.of_type("error") == []
    assert len(recording.of_type("audio_interrupted")) == 1
    interrupted, answer = (event["response"] for event in recording.raw_of_type("response.done"))
    assert interrupted["status"] == "cancelled"
    assert interrupted["status_details"] == {"type": "cancelled", "reason": reason}
    assert interrupted["output"][0]["content"][0]["transcript"] == transcript
    types = [event["type"] for event in recording.raw]
    assert types.index("input_audio_buffer.speech_started") < types.index("response.done")
    (truncated,) = recording.raw_of_type("conversation.item.truncated")
    assert truncated["item_id"] == interrupted["output"][0]["id"]
    assert 0 < truncated["audio_end_ms"] <= 1620
    assert answer["status"] == "completed"
    assert answer["output"][0]["content"][0]["transcript"] == "You said: Stop."
