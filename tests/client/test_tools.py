"""Tools: schemas from signatures, and the tool loop against the scripted server.

Single calls come from the scripted engine's ``/call NAME {json}``; parallel calls from
the rules with two ``calls`` in ``script.yaml``.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, Field

from openrealtime.client import RealtimeClient, Tool
from openrealtime.protocol import ga
from tests.client.helpers import Frames, next_event
from tests.client.replay import ReplayServer
from tests.client.servers import API_KEY, ScriptedServer

TEXT = {"output_modalities": ["text"]}


def client(scripted: ScriptedServer, frames: Frames | None = None) -> RealtimeClient:
    return RealtimeClient(
        scripted.url, model="gpt-realtime", api_key=API_KEY, session=TEXT, tap=frames
    )


class Place(BaseModel):
    city: str
    country: str | None = None


def test_the_schema_comes_from_the_signature_and_the_docstring() -> None:
    def forecast(
        place: Place, days: Annotated[int, Field(ge=1, le=7)] = 1, unit: Literal["c", "f"] = "c"
    ) -> str:
        """The forecast for a place.

        Days count from today.
        """
        return ""

    tool = Tool.from_function(forecast)
    assert tool.name == "forecast"
    assert tool.description == "The forecast for a place.\n\nDays count from today."
    schema = tool.parameters
    assert schema["type"] == "object"
    assert schema["required"] == ["place"]
    assert schema["properties"]["days"]["minimum"] == 1
    assert schema["properties"]["unit"]["enum"] == ["c", "f"]
    assert schema["$defs"]["Place"]["required"] == ["city"]
    definition = tool.definition()
    assert isinstance(definition, ga.FunctionTool)
    assert ga.ClientEvent.parse(
        ga.SessionUpdateEvent(session=ga.RealtimeSession(tools=[definition])).to_text()
    )


def test_tool_names_follow_openai_rules() -> None:
    with pytest.raises(ValueError, match="1 to 64 letters"):
        Tool.from_function(lambda: None, name="has space")
    assert Tool.from_function(len, name="x", description="Length.").description == "Length."


async def test_arguments_are_checked_and_failures_become_outputs() -> None:
    async def divide(a: float, b: float) -> float:
        return a / b

    tool = Tool.from_function(divide)
    assert await tool.run('{"a": 1, "b": 4}') == "0.25"
    assert "not JSON" in json.loads(await tool.run("{oops"))["error"]
    assert "must be a JSON object" in json.loads(await tool.run("[1]"))["error"]
    invalid = json.loads(await tool.run('{"a": "x"}'))["error"]
    assert invalid.startswith("invalid arguments for divide: ")
    assert "a: Input should be a valid number" in invalid
    assert "b: Missing required argument" in invalid
    assert "ZeroDivisionError" in json.loads(await tool.run('{"a": 1, "b": 0}'))["error"]


async def test_results_are_encoded_as_json() -> None:
    place = Tool.from_function(lambda: Place(city="Oslo"), name="place")
    assert await place.run("{}") == '{"city":"Oslo","country":null}'
    assert await Tool.from_function(lambda: "as is", name="text").run("") == "as is"


async def test_registering_a_tool_sends_the_tool_list(scripted: ScriptedServer) -> None:
    async with client(scripted) as rt:

        @rt.tool
        def ping() -> str:
            """Answer pong."""
            return "pong"

        await rt.wait_for("session.updated")
        assert rt.session is not None
        assert isinstance(rt.session, ga.RealtimeSession)
        assert [tool.name for tool in rt.session.tools or []] == ["ping"]
        assert (await rt.send_text("/call ping")).text == "Tool ping returned: pong"


async def test_parallel_async_calls_run_together_then_one_response_create(
    scripted: ScriptedServer,
) -> None:
    frames = Frames()
    rt = client(scripted, frames)
    together = asyncio.Barrier(2)

    @rt.tool
    async def weather(city: str) -> dict[str, str]:
        """The weather in a city."""
        async with asyncio.timeout(5):
            await together.wait()  # both calls must be running at once to get past this
        return {"city": city, "sky": "clear"}

    async with rt:
        item = await rt.send_text("Weather in Paris and Rome?")
    assert item.text == 'Tool weather returned: {"city":"Rome","sky":"clear"}'
    sent = frames.sent_types()
    after_call = sent[sent.index("response.create") + 1 :]
    assert after_call == ["conversation.item.create", "conversation.item.create", "response.create"]
    items = [e["item"] for e in frames.sent() if e["type"] == "conversation.item.create"]
    outputs = [json.loads(i["output"]) for i in items if i["type"] == "function_call_output"]
    assert [output["city"] for output in outputs] == ["Paris", "Rome"]


async def test_parallel_sync_calls_run_in_threads_at_once(scripted: ScriptedServer) -> None:
    rt = client(scripted)
    together = threading.Barrier(2, timeout=5)
    threads: set[str] = set()

    @rt.tool
    def clock(city: str) -> str:
        """The time in a city."""
        threads.add(threading.current_thread().name)
        together.wait()
        return f"noon in {city}"

    async with rt:
        item = await rt.send_text("Time in Paris and Rome?")
    assert item.text == "Tool clock returned: noon in Rome"
    assert len(threads) == 2
    assert threading.current_thread().name not in threads


async def test_a_raising_tool_and_bad_arguments_become_error_outputs(
    scripted: ScriptedServer,
) -> None:
    rt = client(scripted)

    @rt.tool
    def boom() -> str:
        """Always fails."""
        raise ValueError("no luck")

    @rt.tool
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    async with rt:
        failed = await rt.send_text("/call boom {}")
        assert failed.text.startswith("Tool boom returned: ")
        assert "boom failed: ValueError: no luck" in failed.text
        invalid = await rt.send_text('/call add {"a": "x", "b": 1}')
        assert "invalid arguments for add: a: Input should be a valid integer" in invalid.text
        assert (await rt.send_text('/call add {"a": 1, "b": 1}')).text == "Tool add returned: 2"


async def test_no_response_create_after_a_cancelled_response(scripted: ScriptedServer) -> None:
    frames = Frames()
    rt = client(scripted, frames)
    queries: list[str] = []

    @rt.tool
    async def lookup(query: str) -> str:
        """Look something up."""
        queries.append(query)
        return f"found {query}"

    async with rt:
        items_done = rt.events("response.output_item.done")
        await rt.create_item(ga.UserMessageItem.from_text("Slow calls"))
        response = await rt.create_response()
        while (await next_event(items_done)).item.type != "function_call":
            pass
        cancelled = await rt.cancel_response()
        assert cancelled is response
        assert await response.final() is response
        assert response.status == "cancelled"
        assert response.follow_up is None
        assert queries == ["first"]  # the second call never completed
    sent = frames.sent()
    after_cancel = sent[[e["type"] for e in sent].index("response.cancel") + 1 :]
    assert [(e["type"], e["item"]["type"]) for e in after_cancel] == [
        ("conversation.item.create", "function_call_output")
    ]


async def test_manual_mode_leaves_the_calls_to_the_app(scripted: ScriptedServer) -> None:
    frames = Frames()
    rt = RealtimeClient(
        scripted.url,
        model="gpt-realtime",
        api_key=API_KEY,
        session=TEXT,
        tap=frames,
        auto_tools=False,
    )

    @rt.tool
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    async with rt:
        response = await rt.create_response(
            input=[ga.UserMessageItem.from_text('/call add {"a": 1, "b": 2}')]
        )
        await response.final()
        (call,) = [item for item in response.output if item.type == "function_call"]
        assert frames.sent_types()[-1] == "response.create"
        output = await rt.run_tool(_call(call.call_id or "", call.name or "", call.arguments or ""))
        assert output == "3"


def _call(call_id: str, name: str, arguments: str) -> Any:
    from openrealtime.client import FunctionCall

    return FunctionCall(call_id, name, arguments)


async def test_no_response_create_when_the_server_started_another(replay: ReplayServer) -> None:
    frames = Frames()
    rt = RealtimeClient(replay.url("tool_call_overtaken"), model="m", tap=frames)

    @rt.tool
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    async with rt:
        await rt.create_item(ga.UserMessageItem.from_text('/call add {"a": 2, "b": 3}'))
        response = await rt.create_response()
        assert await response.final() is response
        assert response.follow_up is None
        assert rt.responses.latest is not response
    assert frames.sent_types() == [
        "session.update",
        "conversation.item.create",
        "response.create",
        "conversation.item.create",
    ]
    assert frames.sent()[-1]["item"] == {
        "type": "function_call_output",
        "call_id": "call_1",
        "output": "5",
    }
