"""A response request as chat messages for a local model, cut to fit its context window.

The messages use only the ``system``, ``user`` and ``assistant`` roles, so every chat
template renders them: the instructions (with the tools, when the model may call
them) are the system message; audio counts by its transcript; a function call is the
assistant writing ``<tool_call>{"name": …, "arguments": …}</tool_call>``; a function's
output is the user passing back ``<tool_response>…</tool_response>``. Consecutive
messages of one role are joined, because some templates insist on turns that alternate.

**Truncation** (GA ``truncation``, protocol-semantics §10). The input may take the
window minus the room kept for the reply (``max_output_tokens``, else the engine's
``reply_reserve``). Token counts are estimated from UTF-8 bytes per token, learned
from what the model reports; a request that still overflows comes back with the real
count and is cut again. ``auto`` drops the oldest conversation messages until the rest
fits (and a cut conversation starts at a user message); ``retention_ratio`` drops down
to that share of the input room, so later turns keep a stable prefix (and the model's
prompt cache) for longer; ``disabled`` fails the response (``context_length_exceeded``).
A last message that cannot fit alone keeps its end. The instructions are never dropped;
instructions longer than half the window keep their start.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from ..base import ContextItem, EngineError, ToolSpec, TruncationPolicy

__all__ = [
    "CALL_CLOSE",
    "CALL_OPEN",
    "ChatMessage",
    "TokenEstimator",
    "build_messages",
    "fit_messages",
    "tools_prompt",
]

CALL_OPEN: Final = "<tool_call>"
CALL_CLOSE: Final = "</tool_call>"
_MESSAGE_OVERHEAD: Final = 6
"""Tokens a chat template adds around each message (role markers, separators)."""


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message for the model's chat template."""

    role: Literal["system", "user", "assistant"]
    content: str

    def as_dict(self) -> dict[str, str]:
        """The OpenAI-style message dict llama.cpp takes."""
        return {"role": self.role, "content": self.content}


class TokenEstimator:
    """Estimates tokens from UTF-8 bytes, with a bytes-per-token ratio it learns.

    It starts cautious (3 bytes per token; English BPE runs near 4) and only ever
    grows more cautious: each time the model reports the real count of a prompt,
    the ratio drops to what that prompt shows if that is lower.
    """

    def __init__(self, bytes_per_token: float = 3.0) -> None:
        self.bytes_per_token = bytes_per_token

    def count(self, message: ChatMessage) -> int:
        """The estimated tokens of one message, template overhead included."""
        size = len(message.content.encode("utf-8"))
        return math.ceil(size / self.bytes_per_token) + _MESSAGE_OVERHEAD

    def total(self, messages: Sequence[ChatMessage]) -> int:
        """The estimated tokens of a whole prompt."""
        return sum(self.count(message) for message in messages)

    def learn(self, messages: Sequence[ChatMessage], actual_tokens: int) -> None:
        """Take the real token count of ``messages`` into account."""
        size = sum(len(m.content.encode("utf-8")) for m in messages)
        spare = actual_tokens - _MESSAGE_OVERHEAD * len(messages)
        if spare > 0 and size > 0:
            self.bytes_per_token = min(self.bytes_per_token, max(size / spare, 0.5))


def tools_prompt(tools: Sequence[ToolSpec]) -> str:
    """The part of the system message that offers the functions and says how to call."""
    lines = [
        "You may call one of these functions when it helps to answer:",
        "<tools>",
        *(json.dumps(_tool_json(tool), ensure_ascii=False) for tool in tools),
        "</tools>",
        f'To call one, reply with only {CALL_OPEN}{{"name": <function name>, '
        f'"arguments": <JSON object>}}{CALL_CLOSE}. Otherwise reply in plain text.',
    ]
    return "\n".join(lines)


def _tool_json(tool: ToolSpec) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": tool.name}
    if tool.description:
        entry["description"] = tool.description
    entry["parameters"] = tool.parameters or {"type": "object", "properties": {}}
    return entry


def build_messages(
    instructions: str, context: Sequence[ContextItem], tools: Sequence[ToolSpec]
) -> tuple[ChatMessage, list[ChatMessage]]:
    """The system message and the conversation, before any cut."""
    system = instructions.strip()
    if tools:
        system = f"{system}\n\n{tools_prompt(tools)}" if system else tools_prompt(tools)
    conversation: list[ChatMessage] = []
    for item in context:
        message = _message(item)
        if message is None:
            continue
        if message.role == "system":
            system = f"{system}\n\n{message.content}" if system else message.content
            continue
        conversation.append(message)
    return ChatMessage("system", system), _normalized(conversation)


def _message(item: ContextItem) -> ChatMessage | None:
    if item.kind == "function_call":
        call = json.dumps(
            {"name": item.name or "", "arguments": _json_or_text(item.arguments or "{}")},
            ensure_ascii=False,
        )
        return ChatMessage("assistant", f"{CALL_OPEN}{call}{CALL_CLOSE}")
    if item.kind == "function_call_output":
        return ChatMessage("user", f"<tool_response>{item.output or ''}</tool_response>")
    text = item.text.strip()
    if not text or item.role is None:
        return None
    return ChatMessage(item.role, text)


def _json_or_text(arguments: str) -> Any:
    try:
        return json.loads(arguments)
    except ValueError:
        return arguments


def _normalized(messages: list[ChatMessage]) -> list[ChatMessage]:
    """Join runs of one role."""
    joined: list[ChatMessage] = []
    for message in messages:
        if joined and joined[-1].role == message.role:
            joined[-1] = ChatMessage(message.role, f"{joined[-1].content}\n\n{message.content}")
        else:
            joined.append(message)
    return joined


def fit_messages(
    system: ChatMessage,
    conversation: list[ChatMessage],
    *,
    limit: int,
    policy: TruncationPolicy,
    estimator: TokenEstimator,
) -> list[ChatMessage]:
    """The prompt to send: ``system`` and as much of ``conversation`` as ``limit`` allows."""
    messages = [system, *conversation]
    if estimator.total(messages) <= limit:
        return messages
    if policy.kind == "disabled":
        raise EngineError(
            f"The conversation (about {estimator.total(messages)} tokens) does not fit the "
            f"model's context window ({limit} tokens for input) and truncation is disabled.",
            code="context_length_exceeded",
        )
    target = limit
    if policy.kind == "retention_ratio" and policy.retention_ratio is not None:
        target = max(1, math.floor(limit * policy.retention_ratio))
    if estimator.count(system) > limit // 2:
        system = _cut(system, limit // 2, estimator, keep="head")
    room = max(target - estimator.count(system), limit // 4)
    kept = list(conversation)
    while len(kept) > 1 and estimator.total(kept) > room:
        kept.pop(0)
        # A cut conversation starts with the user when it still has a user message.
        while len(kept) > 1 and kept[0].role != "user" and any(m.role == "user" for m in kept):
            kept.pop(0)
    if kept and estimator.total(kept) > room:
        kept = [_cut(kept[-1], room, estimator, keep="tail")]
    return [system, *kept]


def _cut(
    message: ChatMessage, room: int, estimator: TokenEstimator, *, keep: Literal["head", "tail"]
) -> ChatMessage:
    """As much of ``message``'s start or end as ``room`` tokens hold."""
    budget = max(0, room - _MESSAGE_OVERHEAD)
    size = math.floor(budget * estimator.bytes_per_token)
    data = message.content.encode("utf-8")
    if len(data) <= size:
        return message
    piece = data[:size] if keep == "head" else data[len(data) - size :]
    return ChatMessage(message.role, piece.decode("utf-8", errors="ignore"))
