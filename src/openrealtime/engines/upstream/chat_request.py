"""A response request as Chat Completions parameters: messages, tools, tool choice.

The conversation maps item by item. User audio reaches the upstream as its transcript
(the session core transcribes every committed audio item before a response starts);
a message with no text at all (audio whose transcription failed or heard nothing) is
left out rather than sent empty. Function calls that follow each other, or follow an
assistant message, join that assistant message's ``tool_calls``, as Chat Completions
expects; each output becomes a ``tool`` message.
"""

from __future__ import annotations

from collections.abc import Sequence

from openai.types.chat import (
    ChatCompletionAssistantMessageParam,
    ChatCompletionFunctionToolParam,
    ChatCompletionMessageFunctionToolCallParam,
    ChatCompletionMessageParam,
    ChatCompletionToolChoiceOptionParam,
)
from openai.types.shared_params import FunctionDefinition

from ..base import ContextItem, FunctionChoice, ToolChoice, ToolSpec

__all__ = ["chat_messages", "chat_tool_choice", "chat_tools"]


def chat_messages(
    instructions: str, context: Sequence[ContextItem]
) -> list[ChatCompletionMessageParam]:
    """The ``messages`` of a chat completion: instructions first, then the conversation."""
    messages: list[ChatCompletionMessageParam] = []
    if instructions.strip():
        messages.append({"role": "system", "content": instructions})
    assistant: ChatCompletionAssistantMessageParam | None = None
    """The last message, when it is the assistant's: further function calls join it."""
    for item in context:
        if item.kind == "function_call":
            call: ChatCompletionMessageFunctionToolCallParam = {
                "id": item.call_id or "",
                "type": "function",
                "function": {"name": item.name or "", "arguments": item.arguments or "{}"},
            }
            if assistant is None:
                assistant = {"role": "assistant", "content": None}
                messages.append(assistant)
            assistant["tool_calls"] = [*assistant.get("tool_calls", ()), call]
            continue
        assistant = None
        if item.kind == "function_call_output":
            messages.append(
                {"role": "tool", "tool_call_id": item.call_id or "", "content": item.output or ""}
            )
        elif not item.text.strip():
            continue
        elif item.role == "assistant":
            assistant = {"role": "assistant", "content": item.text}
            messages.append(assistant)
        elif item.role == "system":
            messages.append({"role": "system", "content": item.text})
        else:
            messages.append({"role": "user", "content": item.text})
    return messages


def chat_tools(tools: Sequence[ToolSpec]) -> list[ChatCompletionFunctionToolParam]:
    """The ``tools`` of a chat completion."""
    result: list[ChatCompletionFunctionToolParam] = []
    for tool in tools:
        function: FunctionDefinition = {"name": tool.name}
        if tool.description:
            function["description"] = tool.description
        if tool.parameters is not None:
            function["parameters"] = tool.parameters
        result.append({"type": "function", "function": function})
    return result


def chat_tool_choice(choice: ToolChoice) -> ChatCompletionToolChoiceOptionParam:
    """The ``tool_choice`` of a chat completion."""
    if isinstance(choice, FunctionChoice):
        return {"type": "function", "function": {"name": choice.name}}
    return choice
