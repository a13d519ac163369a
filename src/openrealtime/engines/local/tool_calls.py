"""Function calling for a local model: a grammar that allows a reply or a valid call.

With tools offered, generation is constrained by an llguidance grammar (llama.cpp's
JSON-schema grammars): under ``auto`` the output is either plain text that does not
start with ``<``, or ``<tool_call>`` followed by a JSON object
``{"name": <one of the tools>, "arguments": <matching that tool's parameters>}``;
under ``required`` or a named function only the JSON object is allowed, so the call is
forced. A parameters schema without ``additionalProperties`` gets ``false`` at its top
level, so the model cannot ramble on in invented keys: every call it makes is still
valid against the schema as given.

:class:`OutputParser` reads the stream: the first character tells a reply (streamed
on as text deltas at once) from a call (collected, then given as the call's name and
arguments).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final, Literal

from ..base import (
    FunctionChoice,
    ResponderOutput,
    TextDelta,
    ToolCallArgumentsDelta,
    ToolCallStart,
    ToolChoice,
    ToolSpec,
)
from .prompt import CALL_CLOSE, CALL_OPEN

__all__ = ["Mode", "OutputParser", "call_grammar", "offered_tools"]

Mode = Literal["text", "auto", "call"]
"""What the output may be: a reply only, a reply or a call, a call only."""

_GRAMMAR_HEADER: Final = "%llguidance {}\n"


def offered_tools(tools: Sequence[ToolSpec], choice: ToolChoice) -> list[ToolSpec]:
    """The tools the model sees: none under ``none``; the named one when it is named."""
    if choice == "none":
        return []
    if isinstance(choice, FunctionChoice):
        named = [tool for tool in tools if tool.name == choice.name]
        return named or [ToolSpec(choice.name)]
    return list(tools)


def call_grammar(tools: Sequence[ToolSpec], choice: ToolChoice) -> tuple[Mode, str | None]:
    """The output mode and the grammar that enforces it (``None``: unconstrained text)."""
    offered = offered_tools(tools, choice)
    if not offered:
        return "text", None
    call = json.dumps(_call_schema(offered), ensure_ascii=False, separators=(",", ":"))
    if choice == "auto":
        grammar = (
            f"{_GRAMMAR_HEADER}start: reply | call\n"
            "reply: /\\s*[^<\\s][\\s\\S]*/\n"
            f"call: {json.dumps(CALL_OPEN)} body\n"
            f"body: %json {call}\n"
        )
        return "auto", grammar
    return "call", f"{_GRAMMAR_HEADER}start: %json {call}\n"


def _call_schema(tools: Sequence[ToolSpec]) -> dict[str, Any]:
    options = [
        {
            "type": "object",
            "properties": {"name": {"const": tool.name}, "arguments": _closed(tool.parameters)},
            "required": ["name", "arguments"],
            "additionalProperties": False,
        }
        for tool in tools
    ]
    return options[0] if len(options) == 1 else {"anyOf": options}


def _closed(parameters: dict[str, Any] | None) -> dict[str, Any]:
    schema = dict(parameters or {"type": "object", "properties": {}})
    if schema.get("type") == "object" and "additionalProperties" not in schema:
        schema["additionalProperties"] = False
    return schema


class OutputParser:
    """Turns the model's streamed text into replies and calls, per the mode."""

    def __init__(self, mode: Mode) -> None:
        self.mode: Mode = mode
        self.called = False
        self._buffer = ""
        self._started = False

    def feed(self, text: str) -> list[ResponderOutput]:
        """More model output; returns what can be said already."""
        if self.mode == "auto" and not self._started:
            self._buffer += text
            head = self._buffer.lstrip()
            if not head:
                return []
            self.mode = "call" if head.startswith("<") else "text"
            text, self._buffer = self._buffer, ""
        if self.mode == "call":
            self._buffer += text
            return []
        if not self._started:
            text = text.lstrip()
            if not text:
                return []
        self._started = True
        return [TextDelta(text)]

    def finish(self) -> list[ResponderOutput]:
        """The end of the output: a collected call, if any."""
        if self.mode != "call":
            return []
        body = self._buffer.strip().removeprefix(CALL_OPEN).removesuffix(CALL_CLOSE).strip()
        if not body:
            return []
        self.called = True
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict) or not isinstance(parsed.get("name"), str):
            # Cut short (max_output_tokens): the call as far as it got.
            return [
                ToolCallStart(_string_after(body, '"name"')),
                ToolCallArgumentsDelta(_value_after(body, '"arguments"')),
            ]
        arguments = parsed.get("arguments", {})
        return [
            ToolCallStart(parsed["name"]),
            ToolCallArgumentsDelta(json.dumps(arguments, ensure_ascii=False)),
        ]


def _value_after(body: str, key: str) -> str:
    """The raw text of ``key``'s value in a JSON object that may be cut short."""
    at = body.find(key)
    if at < 0:
        return ""
    return body[at + len(key) :].lstrip().removeprefix(":").lstrip()


def _string_after(body: str, key: str) -> str:
    value = _value_after(body, key)
    return value[1:].split('"', 1)[0] if value.startswith('"') else ""
