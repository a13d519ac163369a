"""A deterministic responder: echoes, scripted rules, ``/call`` and tool outputs."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, replace

from openrealtime.audio import bytes_for_ms

from ..base import (
    AudioDelta,
    ContextItem,
    EngineBase,
    EngineError,
    FunctionChoice,
    ResponderOutput,
    ResponseRequest,
    TextDelta,
    ToolCallArgumentsDelta,
    ToolCallStart,
)
from ..tokens import split_tokens
from .script import Actions, Script, ScriptedAudio, expand
from .speech_code import DEFAULT_MS_PER_CHAR, decode
from .synthesizer import SAMPLE_RATE, Sleep

__all__ = ["GREETING", "ScriptedResponder"]

GREETING = "Hello! How can I help?"
"""The reply when the conversation has no user text."""

_AUDIO_CHUNK_MS = 100
_SLASH_CALL = re.compile(r"/call\s+([^\s{]+)\s*(.*)", re.DOTALL)
_ANY_TEXT = re.compile(r".*", re.DOTALL)


@dataclass(frozen=True, slots=True)
class _Plan:
    """One response, before streaming."""

    text: str | None = None
    calls: Sequence[tuple[str, str]] = ()
    audio: ScriptedAudio | None = None
    delay_ms: float = 0
    delta_delay_ms: float = 0
    fault: str | None = None


class ScriptedResponder(EngineBase):
    """Replies by rule, the same way every time.

    The input is the last user message's text (or, when it has none, its audio decoded
    from the tone code). In order:

    1. After a ``function_call_output``: ``Tool NAME returned: OUTPUT``.
    2. With no user text: :data:`GREETING`.
    3. The first script rule that matches.
    4. ``/call NAME {json}``, when ``NAME`` is one of the request's tools and the JSON
       (optional, default ``{}``) is an object: that call, with the JSON as written.
    5. The script's ``default`` rule, else ``You said: TEXT``.

    ``tool_choice`` then applies: ``none`` drops every call (``/call`` is plain text);
    ``auto`` keeps the plan; ``required`` keeps a plan that calls something and
    otherwise replaces it with a call to the first tool; a function name keeps the
    plan's calls to that function, or else replaces the plan with one call to it.
    Replacement calls take ``{}``. Script calls are made even to functions the request
    does not list. Text streams one token-sized piece per delta, then the calls, each
    a :class:`ToolCallStart` (the server assigns call ids) and its arguments in pieces.
    Output stops once the request's cancel signal is set.
    """

    def __init__(
        self,
        script: Script | None = None,
        *,
        ms_per_char: float = DEFAULT_MS_PER_CHAR,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.script = script or Script()
        self.ms_per_char = ms_per_char
        self._sleep = sleep

    async def respond(self, request: ResponseRequest) -> AsyncIterator[ResponderOutput]:
        """Yield the response's parts in order."""
        plan = self._apply_tool_choice(self._plan(request), request)
        if plan.delay_ms:
            await self._sleep(plan.delay_ms / 1000.0)
        for index, output in enumerate(_outputs(plan, request)):
            if index and plan.delta_delay_ms:
                await self._sleep(plan.delta_delay_ms / 1000.0)
            if request.cancel.cancelled:
                return
            yield output

    def _plan(self, request: ResponseRequest) -> _Plan:
        context = request.context
        if context and context[-1].kind == "function_call_output":
            output = context[-1]
            name = _function_name(context, output.call_id)
            return _Plan(text=f"Tool {name} returned: {output.output or ''}")
        text = self._user_text(context)
        if not text:
            return _Plan(text=GREETING)
        found = self.script.find(text)
        if found is not None:
            rule, match = found
            return _from_actions(rule, match)
        if request.tool_choice != "none":
            call = _slash_call(text, {tool.name for tool in request.tools})
            if call is not None:
                return _Plan(calls=[call])
        if self.script.default is not None:
            return _from_actions(self.script.default, _whole(text))
        return _Plan(text=f"You said: {text}")

    def _user_text(self, context: Sequence[ContextItem]) -> str:
        for item in reversed(context):
            if item.kind == "message" and item.role == "user":
                if item.text.strip() or not item.audio:
                    return item.text.strip()
                audio = item.audio[: len(item.audio) // 2 * 2]
                rate = item.sample_rate or SAMPLE_RATE
                return decode(audio, rate, ms_per_char=self.ms_per_char)
        return ""

    @staticmethod
    def _apply_tool_choice(plan: _Plan, request: ResponseRequest) -> _Plan:
        choice = request.tool_choice
        if choice == "auto":
            return plan
        if choice == "none":
            return replace(plan, calls=())
        if isinstance(choice, FunctionChoice):
            wanted = choice.name
            kept = [call for call in plan.calls if call[0] == wanted]
            if kept:
                return replace(plan, calls=kept)
        elif plan.calls or not request.tools:
            return plan
        else:
            wanted = request.tools[0].name
        return replace(plan, text=None, audio=None, calls=[(wanted, "{}")])


def _outputs(plan: _Plan, request: ResponseRequest) -> Iterator[ResponderOutput]:
    """The plan's outputs in order; raises at the fault, after the reply."""
    if plan.text:
        yield from (TextDelta(piece) for piece in split_tokens(plan.text))
    if plan.audio is not None:
        if "audio" in request.output_modalities:
            yield from _audio_deltas(plan.audio)
        else:
            yield from (TextDelta(piece) for piece in split_tokens(plan.audio.transcript))
    if plan.fault is not None:
        raise EngineError(plan.fault)
    for name, arguments in plan.calls:
        yield ToolCallStart(name)
        yield from (ToolCallArgumentsDelta(piece) for piece in split_tokens(arguments))


def _whole(text: str) -> re.Match[str]:
    """A match of all of ``text``, so ``$0`` works in the default rule."""
    match = _ANY_TEXT.fullmatch(text)
    assert match is not None  # '.*' with DOTALL matches every string
    return match


def _function_name(context: Sequence[ContextItem], call_id: str | None) -> str:
    for item in context:
        if item.kind == "function_call" and item.call_id == call_id and item.name:
            return item.name
    return "unknown"


def _slash_call(text: str, tools: set[str]) -> tuple[str, str] | None:
    match = _SLASH_CALL.fullmatch(text)
    if match is None or match.group(1) not in tools:
        return None
    arguments = match.group(2).strip() or "{}"
    try:
        parsed = json.loads(arguments)
    except json.JSONDecodeError:
        return None
    return (match.group(1), arguments) if isinstance(parsed, dict) else None


def _from_actions(actions: Actions, match: re.Match[str]) -> _Plan:
    return _Plan(
        text=None if actions.reply is None else expand(actions.reply, match),
        calls=[call.render(match) for call in actions.calls],
        audio=actions.audio,
        delay_ms=actions.delay_ms,
        delta_delay_ms=actions.delta_delay_ms,
        fault=actions.fault,
    )


def _audio_deltas(audio: ScriptedAudio) -> list[AudioDelta]:
    """The audio in 100 ms chunks, the transcript's pieces spread evenly over them."""
    size = bytes_for_ms(_AUDIO_CHUNK_MS, audio.sample_rate)
    chunks = [audio.pcm[start : start + size] for start in range(0, len(audio.pcm), size)]
    chunks = chunks or [b""]
    pieces = split_tokens(audio.transcript)
    bounds = [len(pieces) * i // len(chunks) for i in range(len(chunks) + 1)]
    return [
        AudioDelta(chunk, audio.sample_rate, "".join(pieces[bounds[i] : bounds[i + 1]]))
        for i, chunk in enumerate(chunks)
    ]
