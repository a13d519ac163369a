"""``response.create`` and ``response.cancel``: which responses run, and on what.

At most one response writes to the default conversation at a time; out-of-band
responses (``conversation: "none"``) run beside it and beside each other. A
response's context is the default conversation when it starts, or its own
``input`` items and references.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import TYPE_CHECKING, Any, Literal

from ....engines import ContextItem, EngineError, ResponseRequest, ToolSpec
from ....engines.tokens import audio_tokens, count_tokens
from ....protocol import ga
from .. import errors
from ..conversation import StoredItem
from .driver import drive_response
from .plan import ResponsePlan
from .run import ResponseRun, Stopped

if TYPE_CHECKING:
    from ..session import Session

__all__ = ["Responses", "context_item"]

_REMEMBERED = 256
CancelReason = Literal["turn_detected", "client_cancelled"]


class Responses:
    """The session's running responses."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self.active: ResponseRun | None = None
        """The response writing to the default conversation, if any."""
        self._runs: dict[str, tuple[ResponseRun, asyncio.Task[None]]] = {}
        self._finished: deque[str] = deque(maxlen=_REMEMBERED)

    # -- client events -------------------------------------------------------------

    def create(self, event: ga.ResponseCreateEvent) -> None:
        """Start a response with the session's settings and the event's overrides.

        A parameter given as ``null`` is no override: the session's value applies.
        """
        params = _overrides(event.response.to_dict()) if event.response is not None else {}
        event_id = event.event_id
        out_of_band = params.get("conversation") == "none"
        if not out_of_band and self.active is not None:
            raise errors.active_response(self.active.id, event_id)
        _check_params(params, event_id)
        if params.get("input") is not None and event.response is not None:
            context = self._resolve_input(event.response.input or [], event_id)
        else:
            context = list(self._session.conversation)
        self._start(params, context, out_of_band=out_of_band)

    def create_automatic(self) -> None:
        """A response started by turn detection, unless one is already running."""
        if self.active is None:
            self._start({}, list(self._session.conversation), out_of_band=False)

    def cancel(self, event: ga.ResponseCancelEvent) -> None:
        """Cancel the active response, or the one named."""
        if event.response_id is None:
            if self.active is None:
                raise errors.cancel_not_active(event.event_id)
            self._cancel(self.active, "client_cancelled")
            return
        entry = self._runs.get(event.response_id)
        if entry is not None:
            self._cancel(entry[0], "client_cancelled")
        elif event.response_id in self._finished:
            raise errors.cancel_not_active(event.event_id)
        else:
            raise errors.unknown_response(event.response_id, event.event_id)

    # -- the session's own requests ----------------------------------------------

    def interrupt(self) -> None:
        """The user started speaking: cancel the active response with ``turn_detected``."""
        if self.active is not None:
            self._cancel(self.active, "turn_detected")

    def cancel_by_id(
        self, response_id: str, reason: Literal["turn_detected", "client_cancelled"]
    ) -> None:
        """Cancel a running response, if it still runs."""
        entry = self._runs.get(response_id)
        if entry is not None:
            self._cancel(entry[0], reason)

    def cancel_all(self) -> None:
        """Cancel every running response (the server is shutting down)."""
        for run, _task in list(self._runs.values()):
            self._cancel(run, "client_cancelled")

    def mute(self, response_id: str, item_id: str, content_index: int, end_ms: float) -> None:
        """Stop the speech of a part a client truncated while it generates."""
        entry = self._runs.get(response_id)
        if entry is not None:
            entry[0].mute_after(item_id, content_index, end_ms)

    # -- internals -----------------------------------------------------------------

    def _start(
        self, params: dict[str, Any], context: list[StoredItem], *, out_of_band: bool
    ) -> None:
        session = self._session
        ctx = session.ctx
        view = session.view
        audio = _overrides((params.get("audio") or {}).get("output") or {})
        voice = audio.get("voice", view.voice)
        plan = ResponsePlan(
            output_modalities=params.get("output_modalities") or view.output_modalities,  # type: ignore[arg-type]
            voice=voice["id"] if isinstance(voice, dict) else str(voice),
            output_format=audio.get("format") or view.output_format,
            max_output_tokens=params.get("max_output_tokens", view.max_output_tokens),
            conversation_id=None if out_of_band else session.conversation.id,
            metadata=params.get("metadata"),
            temperature=params.get("temperature", view.temperature),
        )
        conversation = None if out_of_band else session.conversation
        run = ResponseRun(ctx, ctx.ids.new("resp_"), plan, conversation, self._on_done)
        if not out_of_band:
            self.active = run
            session.audio_input.cancel_idle_timer()
        run.start()
        request = _Request(
            instructions=params.get("instructions", view.instructions),
            tools=params.get("tools", view.tools),
            tool_choice=params.get("tool_choice", view.tool_choice),
        )
        task = session.spawn(self._run(run, context, request))
        self._runs[run.id] = (run, task)

    async def _run(self, run: ResponseRun, context: list[StoredItem], request: _Request) -> None:
        session = self._session
        try:
            await session.transcriptions.wait([stored.id for stored in context if stored.audio])
            items = [context_item(stored) for stored in context]
            run.plan.input_text_tokens, run.plan.input_audio_tokens = _input_tokens(
                request.instructions, context
            )
            engine_request = ResponseRequest(
                instructions=request.instructions,
                context=items,
                tools=[_tool_spec(tool) for tool in request.tools],
                tool_choice=_tool_choice(request.tool_choice),
                output_modalities=tuple(run.plan.output_modalities),
                voice=run.plan.voice,
                temperature=run.plan.temperature,
                max_output_tokens=run.plan.token_limit,
                metadata=run.plan.metadata,
            )
            await drive_response(run, session.engines(), engine_request, speed=session.view.speed)
        except Stopped:
            pass
        except EngineError as exc:
            run.fail(exc.code, str(exc))
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            session.ctx.log.exception("response %s crashed", run.id)
            run.fail("engine_error", repr(exc))

    def _cancel(
        self, run: ResponseRun, reason: Literal["turn_detected", "client_cancelled"]
    ) -> None:
        entry = self._runs.get(run.id)
        run.cancel(reason)
        if entry is not None:
            entry[1].cancel()

    def _on_done(self, run: ResponseRun) -> None:
        self._runs.pop(run.id, None)
        self._finished.append(run.id)
        if self.active is run:
            self.active = None
            # The assistant stopped on its own (done, or out of tokens): now the user's turn.
            if run.status in ("completed", "incomplete"):
                self._session.audio_input.start_idle_timer(run.playback_left())

    def _resolve_input(self, inputs: list[Any], event_id: str | None) -> list[StoredItem]:
        conversation = self._session.conversation
        resolved: list[StoredItem] = []
        for index, entry in enumerate(inputs):
            if isinstance(entry, ga.ItemReference):
                stored = conversation.get(entry.id)
                if stored is None:
                    raise errors.item_not_found(entry.id, f"response.input[{index}].id", event_id)
                resolved.append(stored)
            else:
                item = entry.model_copy(deep=True)
                audio = self._session.items.extract_audio(
                    item, event_id, f"response.input[{index}]"
                )
                # An inline item is never stored, but the response's work names items by id.
                item.id = item.id or self._session.ctx.ids.new("item_")
                resolved.append(StoredItem(item=item, audio=audio))
        return resolved


class _Request:
    """The request fields that do not shape the response resource."""

    def __init__(self, instructions: str, tools: list[dict[str, Any]], tool_choice: Any) -> None:
        self.instructions = instructions or ""
        self.tools = tools or []
        self.tool_choice = tool_choice


def _overrides(params: dict[str, Any]) -> dict[str, Any]:
    """The parameters that override the session: those given, and not ``null``."""
    return {key: value for key, value in params.items() if value is not None}


def _check_params(params: dict[str, Any], event_id: str | None) -> None:
    modalities = params.get("output_modalities")
    if isinstance(modalities, list) and len(set(modalities)) > 1:
        raise errors.output_modalities(modalities, "response.output_modalities", event_id)
    for index, tool in enumerate(params.get("tools") or []):
        if tool.get("type") != "function":
            raise errors.unsupported_value(
                str(tool.get("type")), ["function"], f"response.tools[{index}].type", event_id
            )
    choice = params.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") != "function":
        raise errors.unsupported_value(
            str(choice.get("type")), ["function"], "response.tool_choice.type", event_id
        )


def _tool_spec(tool: dict[str, Any]) -> ToolSpec:
    return ToolSpec(
        name=str(tool.get("name")),
        description=tool.get("description"),
        parameters=tool.get("parameters"),
    )


def _tool_choice(choice: Any) -> str:
    if isinstance(choice, dict):
        return str(choice.get("name"))
    return str(choice or "auto")


def _input_tokens(instructions: str, context: list[StoredItem]) -> tuple[int, int]:
    """A response's input as ``(text, audio)`` tokens, by the token rule.

    Every part counts once: a content part with audio as its audio (its transcript
    says the same thing), any other part as its text. Function calls count their
    name and arguments, their outputs the output.
    """
    text, audio = count_tokens(instructions), 0
    for stored in context:
        item = stored.item
        if isinstance(item, ga.FunctionCallItem):
            text += count_tokens(item.name) + count_tokens(item.arguments)
        elif isinstance(item, ga.FunctionCallOutputItem):
            text += count_tokens(item.output)
        for index, part in enumerate(getattr(item, "content", [])):
            track = stored.audio.get(index)
            if track is not None and track.pcm:
                audio += audio_tokens(track.duration_ms)
            elif isinstance(part, ga.InputTextContent | ga.OutputTextContent):
                text += count_tokens(part.text)
            elif isinstance(part, ga.InputAudioContent | ga.OutputAudioContent):
                text += count_tokens(part.transcript or "")
    return text, audio


def context_item(stored: StoredItem) -> ContextItem:
    """An item as engines see it: text (transcripts included) and user audio."""
    item = stored.item
    if isinstance(item, ga.FunctionCallItem):
        return ContextItem(
            kind="function_call", name=item.name, call_id=item.call_id, arguments=item.arguments
        )
    if isinstance(item, ga.FunctionCallOutputItem):
        return ContextItem(kind="function_call_output", call_id=item.call_id, output=item.output)
    texts: list[str] = []
    for part in getattr(item, "content", []):
        if isinstance(part, ga.InputTextContent | ga.OutputTextContent):
            texts.append(part.text)
        elif isinstance(part, ga.InputAudioContent):
            transcript = stored.transcript if stored.transcript is not None else part.transcript
            texts.append(transcript or "")
        elif isinstance(part, ga.OutputAudioContent):
            texts.append(part.transcript or "")
    track = stored.audio.get(0)
    role = getattr(item, "role", None)
    return ContextItem(
        kind="message",
        role=role if role in ("system", "user", "assistant") else None,
        text=" ".join(text for text in texts if text),
        audio=bytes(track.pcm) if track is not None and role == "user" else None,
        sample_rate=track.sample_rate if track is not None and role == "user" else None,
    )
