"""``response.create`` and ``response.cancel``: which responses run, and on what.

At most one response writes to the default conversation at a time; out-of-band
responses (``conversation: "none"``) run beside it and beside each other. A
response's context is the default conversation when it starts, or its own
``input`` items and references.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from ....engines import CancelSignal, ContextItem, EngineError, ResponseRequest, TruncationPolicy
from ....engines.tokens import audio_tokens, count_tokens
from ....protocol import ProtocolError, ga
from .. import errors
from ..checks import check_output_modalities, check_tools, check_voice
from ..context import SessionContext
from ..conversation import Conversation, StoredItem
from ..engine_watch import EngineWatch
from ..items import client_audio
from ..tasks import SessionTasks
from ..transcription import Transcriptions
from ..view import EffectiveSession, voice_name
from .driver import drive_response
from .plan import RequestParts, ResponsePlan
from .run import ResponseRun, Stopped

__all__ = ["CancelReason", "Responses", "context_item"]

_REMEMBERED = 256
_Message = ga.SystemMessageItem | ga.UserMessageItem | ga.AssistantMessageItem
_Content = (
    ga.InputTextContent
    | ga.InputAudioContent
    | ga.InputImageContent
    | ga.OutputTextContent
    | ga.OutputAudioContent
)
_NO_OVERRIDES = ga.ResponseCreateParams()
CancelReason = Literal["turn_detected", "client_cancelled"]


class Responses:
    """The session's running responses.

    ``on_turn_started`` hears that a response began writing to the conversation;
    ``on_turn_ended`` that one ended on its own, with the seconds its audio still
    plays: the user's turn begins then.
    """

    def __init__(
        self,
        ctx: SessionContext,
        tasks: SessionTasks,
        conversation: Conversation,
        settings: EffectiveSession,
        transcriptions: Transcriptions,
        *,
        session_id: str,
        on_turn_started: Callable[[], None],
        on_turn_ended: Callable[[float], None],
    ) -> None:
        self._ctx = ctx
        self._tasks = tasks
        self._conversation = conversation
        self._settings = settings
        self._transcriptions = transcriptions
        self._session_id = session_id
        self._on_turn_started = on_turn_started
        self._on_turn_ended = on_turn_ended
        self.active: ResponseRun | None = None
        """The response writing to the default conversation, if any."""
        self._runs: dict[str, _Running] = {}
        self._finished: deque[str] = deque(maxlen=_REMEMBERED)

    @property
    def responding(self) -> bool:
        """Whether a response writes to the default conversation now."""
        return self.active is not None

    # -- client events -------------------------------------------------------------

    def create(self, event: ga.ResponseCreateEvent) -> None:
        """Start a response with the session's settings and the event's overrides."""
        params = event.response or _NO_OVERRIDES
        event_id = event.event_id
        out_of_band = params.conversation == "none"
        if not out_of_band and self.active is not None:
            raise errors.active_response(self.active.id, event_id)
        self._check_rate_limits(event_id)
        check_output_modalities(params.output_modalities, "response", event_id)
        check_tools(params.tools, params.tool_choice, "response", event_id)
        output = params.audio.output if params.audio is not None else None
        if output is not None and output.voice is not None:
            engines = self._settings.engines()
            check_voice(voice_name(output.voice), engines, "response.audio.output.voice", event_id)
        if params.input is not None:
            context = self._resolve_input(params.input, event_id)
        else:
            context = list(self._conversation)
        self._start(params, context, out_of_band=out_of_band)

    def create_automatic(self) -> None:
        """A response started by turn detection, unless one is already running.

        Past a rate limit the turn gets no response, and the client one ``error``.
        """
        if self.active is not None:
            return
        try:
            self._check_rate_limits(None)
        except ProtocolError as error:
            ctx = self._ctx
            detail = ga.ErrorDetail.model_validate(error.to_dict())
            ctx.emit(ga.ErrorEvent(event_id=ctx.event_id(), error=detail))
            return
        self._start(_NO_OVERRIDES, list(self._conversation), out_of_band=False)

    def _check_rate_limits(self, event_id: str | None) -> None:
        limit = self._ctx.rate_limits.exhausted()
        if limit is not None:
            raise errors.rate_limit_reached(limit.name, limit.limit, limit.reset_seconds, event_id)

    def cancel(self, event: ga.ResponseCancelEvent) -> None:
        """Cancel the active response, or the one named."""
        if event.response_id is None:
            if self.active is None:
                raise errors.cancel_not_active(event.event_id)
            self._cancel(self.active, "client_cancelled")
            return
        entry = self._runs.get(event.response_id)
        if entry is not None:
            self._cancel(entry.run, "client_cancelled")
        elif event.response_id in self._finished:
            raise errors.cancel_not_active(event.event_id)
        else:
            raise errors.unknown_response(event.response_id, event.event_id)

    # -- the session's own requests ----------------------------------------------

    def interrupt(self) -> None:
        """The user started speaking: cancel the active response with ``turn_detected``."""
        if self.active is not None:
            self._cancel(self.active, "turn_detected")

    def cancel_by_id(self, response_id: str, reason: CancelReason) -> None:
        """Cancel a running response, if it still runs."""
        entry = self._runs.get(response_id)
        if entry is not None:
            self._cancel(entry.run, reason)

    def cancel_all(self) -> None:
        """Cancel every running response (the server is shutting down)."""
        for entry in list(self._runs.values()):
            self._cancel(entry.run, "client_cancelled")

    def signal_all(self) -> None:
        """Tell the engines of every running response to stop (the session is closing)."""
        for entry in self._runs.values():
            entry.cancel.cancel()

    def mute(self, response_id: str, item_id: str, content_index: int, end_ms: float) -> None:
        """Stop the speech of a part a client truncated while it generates."""
        entry = self._runs.get(response_id)
        if entry is not None:
            entry.run.mute_after(item_id, content_index, end_ms)

    # -- internals -----------------------------------------------------------------

    def _start(
        self, params: ga.ResponseCreateParams, context: list[StoredItem], *, out_of_band: bool
    ) -> None:
        ctx = self._ctx
        view = self._settings.view
        conversation = None if out_of_band else self._conversation
        plan = ResponsePlan.of(params, view, conversation.id if conversation is not None else None)
        run = ResponseRun(ctx, ctx.ids.new("resp_"), plan, conversation, self._on_done)
        if not out_of_band:
            self.active = run
            self._on_turn_started()
        run.start()
        cancel = CancelSignal()
        parts = RequestParts.of(params, view, temperature_set=self._settings.temperature_set)
        task = self._tasks.spawn(self._run(run, context, parts, cancel))
        self._runs[run.id] = _Running(run, task, cancel)

    async def _run(
        self,
        run: ResponseRun,
        context: list[StoredItem],
        parts: RequestParts,
        cancel: CancelSignal,
    ) -> None:
        watch: EngineWatch | None = None
        try:
            await self._transcriptions.wait([stored.id for stored in context if stored.audio])
            run.plan.input_text_tokens, run.plan.input_audio_tokens = _input_tokens(
                parts.instructions, context
            )
            view = self._settings.view
            request = ResponseRequest(
                instructions=parts.instructions,
                context=[context_item(stored) for stored in context],
                tools=parts.tools,
                tool_choice=parts.tool_choice,
                output_modalities=tuple(run.plan.output_modalities),
                voice=run.plan.voice,
                temperature=parts.temperature,
                max_output_tokens=run.plan.token_limit,
                metadata=run.plan.metadata,
                truncation=_truncation(view.truncation),
                session_id=self._session_id,
                response_id=run.id,
                cancel=cancel,
            )
            timeouts = self._ctx.options.engine_timeouts
            watch = EngineWatch(
                self._ctx.clock,
                _current_task(),
                first=timeouts.first_output,
                between=timeouts.between_outputs,
            )
            try:
                engines = self._settings.engines()
                await drive_response(run, engines, request, speed=view.speed, progress=watch.mark)
            finally:
                watch.stop()
        except Stopped:
            pass
        except EngineError as exc:
            run.fail(exc.code, str(exc), tell_client=True)
        except asyncio.CancelledError:
            if run.done or watch is None or watch.expired is None:
                raise
            # The watch, not the session, cancelled the task: the engines went quiet.
            _current_task().uncancel()
            run.fail("engine_timeout", f"The engines gave {watch.expired}.", tell_client=True)
        except Exception as exc:
            self._ctx.log.exception("response %s crashed", run.id)
            run.fail("engine_error", repr(exc))

    def _cancel(self, run: ResponseRun, reason: CancelReason) -> None:
        entry = self._runs.get(run.id)
        run.cancel(reason)  # response.done, and (in _on_done) the engines' cancel signal
        if entry is not None:
            entry.task.cancel()

    def _on_done(self, run: ResponseRun) -> None:
        # However a response ends (done, cancelled, cut by the token limit, failed), its
        # engines hear it before anything cancels their task.
        entry = self._runs.pop(run.id, None)
        if entry is not None:
            entry.cancel.cancel()
        self._finished.append(run.id)
        if self.active is run:
            self.active = None
            # The assistant stopped on its own (done, or out of tokens): now the user's turn.
            if run.status in ("completed", "incomplete"):
                self._on_turn_ended(run.playback_left())

    def _resolve_input(self, inputs: list[ga.InputItem], event_id: str | None) -> list[StoredItem]:
        resolved: list[StoredItem] = []
        fmt = self._settings.view.input_format
        for index, entry in enumerate(inputs):
            if isinstance(entry, ga.ItemReference):
                stored = self._conversation.get(entry.id)
                if stored is None:
                    raise errors.item_not_found(entry.id, f"response.input[{index}].id", event_id)
                resolved.append(stored)
                continue
            item = entry.model_copy(deep=True)
            audio = (
                client_audio(item, fmt, event_id, f"response.input[{index}]")
                if isinstance(item, ga.UserMessageItem)
                else {}
            )
            # An inline item is never stored, but the response's work names items by id.
            item.id = item.id or self._ctx.ids.new("item_")
            resolved.append(StoredItem(item=item, audio=audio))
        return resolved


@dataclass(frozen=True)
class _Running:
    """A response that runs: its state table, its task, and its engines' cancel signal."""

    run: ResponseRun
    task: asyncio.Task[None]
    cancel: CancelSignal


def _current_task() -> asyncio.Task[object]:
    task = asyncio.current_task()
    assert task is not None, "responses run in tasks"
    return task


def _truncation(setting: ga.Truncation | None) -> TruncationPolicy:
    if isinstance(setting, ga.TruncationRetentionRatio):
        return TruncationPolicy("retention_ratio", setting.retention_ratio)
    return TruncationPolicy("disabled") if setting == "disabled" else TruncationPolicy()


def _message_content(item: ga.Item) -> Sequence[_Content]:
    """A message's content parts; other items have none."""
    return item.content if isinstance(item, _Message) else []


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
            text += count_tokens(item.name) + stored.tokens(
                "arguments", item.arguments, count_tokens
            )
        elif isinstance(item, ga.FunctionCallOutputItem):
            text += stored.tokens("output", item.output, count_tokens)
        for index, part in enumerate(_message_content(item)):
            track = stored.audio.get(index)
            if track is not None and track.pcm:
                audio += audio_tokens(track.duration_ms)
            elif isinstance(part, ga.InputTextContent | ga.OutputTextContent):
                text += stored.tokens(f"text {index}", part.text, count_tokens)
            elif isinstance(part, ga.InputAudioContent | ga.OutputAudioContent):
                text += stored.tokens(f"transcript {index}", part.transcript or "", count_tokens)
    return text, audio


def context_item(stored: StoredItem) -> ContextItem:
    """An item as engines see it: text (transcripts included) and user audio."""
    item = stored.item
    if isinstance(item, ga.FunctionCallItem):
        return ContextItem(
            id=item.id,
            kind="function_call",
            name=item.name,
            call_id=item.call_id,
            arguments=item.arguments,
        )
    if isinstance(item, ga.FunctionCallOutputItem):
        return ContextItem(
            id=item.id, kind="function_call_output", call_id=item.call_id, output=item.output
        )
    texts: list[str] = []
    for part in _message_content(item):
        if isinstance(part, ga.InputTextContent | ga.OutputTextContent):
            texts.append(part.text)
        elif isinstance(part, ga.InputAudioContent):
            transcript = stored.transcript if stored.transcript is not None else part.transcript
            texts.append(transcript or "")
        elif isinstance(part, ga.OutputAudioContent):
            texts.append(part.transcript or "")
    track = stored.audio.get(0)
    role = item.role if isinstance(item, _Message) else None
    return ContextItem(
        id=item.id,
        kind="message",
        role=role,
        text=" ".join(text for text in texts if text),
        audio=bytes(track.pcm) if track is not None and role == "user" else None,
        sample_rate=track.sample_rate if track is not None and role == "user" else None,
    )
