"""Grammars for calls, and reading the model's output as a reply or a call."""

from __future__ import annotations

import json

from openrealtime.engines import (
    FunctionChoice,
    TextDelta,
    ToolCallArgumentsDelta,
    ToolCallStart,
    ToolSpec,
)
from openrealtime.engines.local.tool_calls import OutputParser, call_grammar, offered_tools

WEATHER = ToolSpec(
    "get_weather",
    "Weather for a city.",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
TIME = ToolSpec("get_time", None, None)


def test_the_mode_follows_tool_choice() -> None:
    assert call_grammar([], "auto") == ("text", None)
    assert call_grammar([WEATHER], "none") == ("text", None)
    mode, grammar = call_grammar([WEATHER, TIME], "auto")
    assert mode == "auto"
    assert grammar is not None
    assert "start: reply | call" in grammar
    assert '"anyOf"' in grammar
    mode, grammar = call_grammar([WEATHER, TIME], "required")
    assert mode == "call"
    assert grammar is not None
    assert "reply" not in grammar
    mode, grammar = call_grammar([WEATHER, TIME], FunctionChoice("get_time"))
    assert mode == "call"
    assert grammar is not None
    schema = json.loads(grammar.split("%json ", 1)[1])
    assert schema["properties"]["name"] == {"const": "get_time"}
    assert offered_tools([WEATHER], FunctionChoice("none")) == [ToolSpec("none")]


def test_a_parameters_schema_is_closed_unless_it_says_otherwise() -> None:
    _, grammar = call_grammar([WEATHER], "required")
    assert grammar is not None
    schema = json.loads(grammar.split("%json ", 1)[1])
    assert schema["properties"]["arguments"]["additionalProperties"] is False
    open_tool = ToolSpec("t", None, {"type": "object", "additionalProperties": True})
    _, grammar = call_grammar([open_tool], "required")
    assert grammar is not None
    assert json.loads(grammar.split("%json ", 1)[1])["properties"]["arguments"] == {
        "type": "object",
        "additionalProperties": True,
    }


def test_a_reply_streams_as_text_at_once() -> None:
    parser = OutputParser("auto")
    assert parser.feed(" ") == []
    assert parser.feed(" Hel") == [TextDelta("Hel")]
    assert parser.feed("lo") == [TextDelta("lo")]
    assert parser.finish() == []
    assert not parser.called


def test_a_call_is_collected_then_given_as_name_and_arguments() -> None:
    parser = OutputParser("auto")
    for piece in ["<tool", '_call>{"name": "get_weather", ', '"arguments": {"city": "Paris"}}']:
        assert parser.feed(piece) == []
    assert parser.finish() == [
        ToolCallStart("get_weather"),
        ToolCallArgumentsDelta('{"city": "Paris"}'),
    ]
    assert parser.called


def test_a_call_cut_short_is_given_as_far_as_it_got() -> None:
    parser = OutputParser("call")
    parser.feed('{"name": "get_weather", "arguments": {"ci')
    assert parser.finish() == [
        ToolCallStart("get_weather"),
        ToolCallArgumentsDelta('{"ci'),
    ]
