"""One response's lifecycle: the only place that emits ``response.*`` events.

The invariants of the protocol live here, and nowhere else:

- exactly one ``response.done`` per ``response.created``;
- every ``*.added`` is paired with its ``*.done``, in order, even on cancel;
- items written to the default conversation appear there as they are generated.

The lifecycle is an explicit state table (:data:`STEPS`), as h11's is: for each
step, the phases it may run in and the phase each leaves the run in. One place
applies it (:meth:`ResponseRun._transition`): a step refused in the current phase
raises before it sends anything, and a step that completes moves the run to the
table's phase. Cancellation and failure are the ``finish`` step, which is allowed
in every live phase and closes whatever is open before ``response.done``; it is a
transition, not an exception that skips events.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Final, Literal, TypedDict, TypeVar

from pydantic import BaseModel

from ....audio.b64 import b64_audio_chunks
from ....audio.formats import StreamingEncoder
from ....audio.pcm import duration_ms
from ....engines import Usage
from ....engines.tokens import count_tokens
from ....protocol import ga
from ..context import SessionContext
from ..conversation import AudioTrack, Conversation, StoredItem
from .budget import TokenBudget
from .plan import ResponsePlan, ResponseStatus

__all__ = ["STEPS", "Phase", "ResponseRun", "Stopped"]


class Phase(enum.Enum):
    """Where a response is in its lifecycle."""

    CREATED = "created"
    IDLE = "idle"
    """Started, with no output item open."""
    MESSAGE = "message"
    """An assistant message is open, with no content part open."""
    PART = "part"
    """A content part of the open message is open."""
    CALL = "call"
    """A function call item is open."""
    DONE = "done"


_LIVE: Final = (Phase.IDLE, Phase.MESSAGE, Phase.PART, Phase.CALL)

STEPS: Final[dict[str, dict[Phase, Phase]]] = {
    "start": {Phase.CREATED: Phase.IDLE},
    "open_message": {Phase.IDLE: Phase.MESSAGE},
    "open_part": {Phase.MESSAGE: Phase.PART},
    "text": {Phase.PART: Phase.PART},
    "speech": {Phase.PART: Phase.PART},
    "close_part": {Phase.PART: Phase.MESSAGE},
    "open_call": {Phase.IDLE: Phase.CALL},
    "arguments": {Phase.CALL: Phase.CALL},
    "close_item": {Phase.MESSAGE: Phase.IDLE, Phase.CALL: Phase.IDLE},
    "finish": dict.fromkeys(_LIVE, Phase.DONE),
}
"""The response state table: step -> (phase it may run in -> phase it leaves the run in)."""

_Model = TypeVar("_Model", bound=BaseModel)


class _PartRef(TypedDict):
    """Where a content part's events point."""

    response_id: str
    item_id: str
    output_index: int
    content_index: int


class Stopped(Exception):
    """The response reached a terminal state while output was still coming."""


@dataclass
class _Part:
    kind: Literal["text", "audio"]
    index: int
    text: str = ""
    track: AudioTrack | None = None
    muted_after_ms: float | None = None
    accepted_ms: float = 0.0
    """Speech taken for this part (at the engine's rate), sent or still in the encoder."""


@dataclass
class _OutputItem:
    stored: StoredItem
    index: int
    previous_item_id: str | None
    parts: list[_Part] = field(default_factory=list)


class ResponseRun:
    """Emits one response's events in protocol order and keeps its invariants.

    ``conversation`` is ``None`` for out-of-band responses: they write nothing to
    the default conversation and emit no ``conversation.item.*`` events.
    """

    def __init__(
        self,
        ctx: SessionContext,
        response_id: str,
        plan: ResponsePlan,
        conversation: Conversation | None,
        on_done: Callable[[ResponseRun], None],
    ) -> None:
        self.ctx = ctx
        self.id = response_id
        self.plan = plan
        self.conversation = conversation
        self.phase = Phase.CREATED
        self.status: ResponseStatus = "in_progress"
        self._on_done = on_done
        self._output: list[_OutputItem] = []
        # "inf" is the most a model produces, not unbounded: output grows memory.
        limit = plan.token_limit
        self._budget = TokenBudget(ctx.options.inf_output_tokens if limit is None else limit)
        self._call_arguments = ""
        self._first_audio_at: float | None = None
        self._audio_format = plan.output_format
        self._encoder: StreamingEncoder | None = None

    # -- the state table ------------------------------------------------------------

    @contextlib.contextmanager
    def _transition(self, name: str) -> Iterator[None]:
        """Run step ``name``: refused outside its phases, then moved on as :data:`STEPS` says.

        A step that ends the response early (the token limit) leaves it ``DONE``.
        """
        target = STEPS[name].get(self.phase)
        if target is None:
            raise RuntimeError(f"response step {name!r} is not allowed in phase {self.phase}")
        yield
        self.phase = target

    @property
    def done(self) -> bool:
        """Whether ``response.done`` has been sent."""
        return self.phase is Phase.DONE

    # -- steps ---------------------------------------------------------------------

    def start(self) -> None:
        """``response.created`` (and the session's rate limits)."""
        with self._transition("start"):
            self.ctx.emit(
                ga.ResponseCreatedEvent(event_id=self.ctx.event_id(), response=self._resource())
            )
            self.ctx.turns.response_created(self.id)
            self.ctx.rate_limits_updated(requests=1)

    def open_message(self) -> None:
        """Begin an assistant message item."""
        with self._transition("open_message"):
            item = ga.AssistantMessageItem(
                id=self.ctx.ids.new("item_"), type="message", status="in_progress", content=[]
            )
            self._open_item(item)

    def open_part(self) -> None:
        """Begin the message's content part: audio with a transcript, or text."""
        with self._transition("open_part"):
            out = self._output[-1]
            kind: Literal["text", "audio"] = "audio" if self.plan.audio else "text"
            part = _Part(kind=kind, index=len(out.parts))
            content: ga.OutputAudioContent | ga.OutputTextContent
            wire_part: ga.AudioPart | ga.TextPart
            if kind == "audio":
                part.track = AudioTrack(
                    self._audio_format.beta_name, self._audio_format.sample_rate
                )
                out.stored.audio[part.index] = part.track
                content = ga.OutputAudioContent(transcript="")
                wire_part = ga.AudioPart(transcript="")
            else:
                content = ga.OutputTextContent(text="")
                wire_part = ga.TextPart(text="")
            out.parts.append(part)
            self._message(out).content.append(content)
            self.ctx.emit(
                ga.ResponseContentPartAddedEvent(
                    event_id=self.ctx.event_id(), **self._ref(out, part), part=wire_part
                )
            )

    def text(self, delta: str) -> None:
        """More text; raises :class:`Stopped` once the token limit ends the response."""
        with self._transition("text"):
            out, part = self._output[-1], self._output[-1].parts[-1]
            for piece in self._budget.take_text(delta):
                part.text += piece
                self.ctx.emit(
                    ga.ResponseOutputTextDeltaEvent(
                        event_id=self.ctx.event_id(),
                        **self._ref(out, part),
                        delta=piece,
                        **self.ctx.obfuscation(piece),
                    )
                )
            self._stop_if_limited()

    def speech(self, pcm: bytes, sample_rate: int, words: list[tuple[str, float]]) -> None:
        """Speech with the words it carries (``(word, end_ms)`` from the part's start).

        Transcript deltas go out first, then the audio in deltas of the configured
        size, in the session's output format. ``pcm`` may be empty: words of speech
        already sent (estimated for a synthesizer without timings). A chunk that
        would pass the token limit is not sent; the response ends ``incomplete``. A
        part cut by a truncation while it was generating drops further speech.
        """
        with self._transition("speech"):
            out, part = self._output[-1], self._output[-1].parts[-1]
            assert part.track is not None, "speech goes to audio parts"
            if part.muted_after_ms is not None:
                return
            pieces = [f" {word}" if part.text or i else word for i, (word, _) in enumerate(words)]
            chunk_ms = duration_ms(len(pcm), sample_rate)
            # Budgeted before encoding, so a refused chunk never reaches the encoder's tail.
            if not self._budget.admit(self._budget.speech_cost(pieces, chunk_ms)):
                self._stop_if_limited()
            part.accepted_ms += chunk_ms
            self._budget.accepted_ms += chunk_ms
            wire = self._encode(out, part, pcm, sample_rate) if pcm else b""
            self._send_speech(out, part, wire, pieces, [end_ms for _word, end_ms in words])

    def _encode(self, out: _OutputItem, part: _Part, pcm: bytes, sample_rate: int) -> bytes:
        if self._encoder is not None and self._encoder.sample_rate != sample_rate:
            self._flush(out, part)
        if self._encoder is None:
            self._encoder = self._audio_format.streaming_encoder(sample_rate)
        return self._encoder.encode(pcm)

    def engine_speech(self, pcm: bytes, sample_rate: int, transcript: str) -> None:
        """Speech from a speech-to-speech engine: the transcript ends with its audio."""
        part = self._output[-1].parts[-1] if self.phase is Phase.PART else None
        start_ms = part.accepted_ms if part is not None else 0.0
        end_ms = start_ms + duration_ms(len(pcm), sample_rate)
        words = [(word, end_ms) for word in transcript.split()]
        self.speech(pcm, sample_rate, words)

    def _send_speech(
        self, out: _OutputItem, part: _Part, wire: bytes, pieces: list[str], ends: list[float]
    ) -> None:
        track = part.track
        assert track is not None, "speech goes to audio parts"
        fmt = self._audio_format
        for piece, end_ms in zip(pieces, ends, strict=True):
            self._budget.text += count_tokens(piece)
            part.text += piece
            track.words.append((end_ms, len(part.text)))
            self.ctx.emit(
                ga.ResponseOutputAudioTranscriptDeltaEvent(
                    event_id=self.ctx.event_id(),
                    **self._ref(out, part),
                    delta=piece,
                    **self.ctx.obfuscation(piece),
                )
            )
        if not wire:
            return
        self._budget.audio_ms += fmt.duration_ms(len(wire))
        first = self._first_audio_at is None
        if first:
            self._first_audio_at = self.ctx.clock.monotonic()
        track.pcm += fmt.decode(wire)
        for chunk in b64_audio_chunks(wire, fmt, self.ctx.options.audio_delta_ms):
            self.ctx.emit(
                ga.ResponseOutputAudioDeltaEvent(
                    event_id=self.ctx.event_id(), **self._ref(out, part), delta=chunk
                )
            )
        if first:
            self.ctx.turns.first_audio(self.id)
        self.ctx.note_assistant_audio()

    def _flush(self, out: _OutputItem, part: _Part) -> None:
        """Send what the encoder still holds: the last milliseconds of resampled speech."""
        assert self._encoder is not None
        tail = self._encoder.flush()
        self._encoder = None
        if tail:
            self._send_speech(out, part, tail, [], [])

    def close_part(self) -> None:
        """``*.done`` events of the open part, then ``content_part.done``."""
        with self._transition("close_part"):
            self._close_part()

    def open_call(self, name: str, call_id: str | None) -> None:
        """Begin a function call item; its name counts as output, like its arguments."""
        with self._transition("open_call"):
            cost = count_tokens(name)
            if not self._budget.admit(cost):
                self._stop_if_limited()
            self._budget.text += cost
            item = ga.FunctionCallItem(
                id=self.ctx.ids.new("item_"),
                type="function_call",
                status="in_progress",
                name=name,
                call_id=call_id or self.ctx.ids.new("call_", 16),
                arguments="",
            )
            self._call_arguments = ""
            self._open_item(item)

    def arguments(self, delta: str) -> None:
        """More JSON arguments of the open function call."""
        with self._transition("arguments"):
            out = self._output[-1]
            call = out.stored.item
            assert isinstance(call, ga.FunctionCallItem)
            for piece in self._budget.take_text(delta):
                self._call_arguments += piece
                self.ctx.emit(
                    ga.ResponseFunctionCallArgumentsDeltaEvent(
                        event_id=self.ctx.event_id(),
                        response_id=self.id,
                        item_id=out.stored.id,
                        output_index=out.index,
                        call_id=call.call_id or "",
                        delta=piece,
                    )
                )
            self._stop_if_limited()

    def close_item(self, status: Literal["completed", "incomplete"] = "completed") -> None:
        """Finish the open item: ``conversation.item.done`` then ``output_item.done``."""
        with self._transition("close_item"):
            self._close_item(status)

    def finish(
        self,
        status: Literal["completed", "cancelled", "incomplete", "failed"],
        details: ga.ResponseStatusDetails | None = None,
    ) -> None:
        """Close whatever is open, then ``response.done``; idempotent once done."""
        if self.phase is Phase.DONE:
            return
        with self._transition("finish"):
            item_status: Literal["completed", "incomplete"] = (
                "completed" if status == "completed" else "incomplete"
            )
            if status == "cancelled":
                # Cancelled speech stops at what was sent: the encoder's tail stays unsaid.
                self._encoder = None
            if self.phase is Phase.PART:
                self._close_part()
            if self.phase in (Phase.PART, Phase.MESSAGE, Phase.CALL):
                self._close_item(item_status)
            self.status = status
            usage = self._wire_usage()
            self.ctx.emit(
                ga.ResponseDoneEvent(
                    event_id=self.ctx.event_id(),
                    response=self._resource(status=status, details=details, usage=usage),
                )
            )
            self.ctx.rate_limits_updated(tokens=usage.total_tokens)
        self.ctx.turns.response_done(self.id, status)
        self._on_done(self)

    def cancel(self, reason: Literal["turn_detected", "client_cancelled"]) -> None:
        """Finish as cancelled."""
        self.finish("cancelled", ga.ResponseStatusDetails(type="cancelled", reason=reason))

    def fail(self, code: str, message: str, *, tell_client: bool = False) -> None:
        """Finish as failed, with a server error in ``status_details``.

        ``message`` is always logged; the client sees it (``status_details.error.message``)
        only with ``tell_client``: an engine's own :class:`EngineError` is meant to be
        read, an unexpected exception is not.
        """
        error = (
            ga.ResponseStatusError(type="server_error", code=code, message=message)
            if tell_client
            else ga.ResponseStatusError(type="server_error", code=code)
        )
        self.ctx.log_engine_failure(self.id, code, message)
        self.finish("failed", ga.ResponseStatusDetails(type="failed", error=error))

    def report_usage(self, usage: Usage) -> None:
        """The engine's own token counts, reported in ``usage`` instead of the estimate."""
        self._budget.reported = usage

    def playback_left(self) -> float:
        """Seconds of this response's audio a real-time player has yet to play."""
        if self._first_audio_at is None:
            return 0.0
        played = self.ctx.clock.monotonic() - self._first_audio_at
        return max(0.0, self._budget.audio_ms / 1000 - played)

    def mute_after(self, item_id: str, content_index: int, end_ms: float) -> None:
        """Stop sending speech for a part a client truncated while it generates."""
        for out in self._output:
            if out.stored.id == item_id and content_index < len(out.parts):
                out.parts[content_index].muted_after_ms = end_ms
                return

    # -- internals -----------------------------------------------------------------

    def _open_item(self, item: ga.AssistantMessageItem | ga.FunctionCallItem) -> None:
        stored = StoredItem(item=item, response_id=self.id)
        previous = self.conversation.insert(stored) if self.conversation is not None else None
        out = _OutputItem(stored=stored, index=len(self._output), previous_item_id=previous)
        self._output.append(out)
        self.ctx.emit(
            ga.ResponseOutputItemAddedEvent(
                event_id=self.ctx.event_id(),
                response_id=self.id,
                output_index=out.index,
                item=_snapshot(item),
            )
        )
        if self.conversation is not None:
            self.ctx.emit(
                ga.ConversationItemAddedEvent(
                    event_id=self.ctx.event_id(), previous_item_id=previous, item=_snapshot(item)
                )
            )

    def _close_part(self) -> None:
        out = self._output[-1]
        part = out.parts[-1]
        ref = self._ref(out, part)
        message = self._message(out)
        if part.kind == "text":
            message.content[part.index] = ga.OutputTextContent(text=part.text)
            self.ctx.emit(
                ga.ResponseOutputTextDoneEvent(event_id=self.ctx.event_id(), **ref, text=part.text)
            )
            wire_part: ga.TextPart | ga.AudioPart = ga.TextPart(text=part.text)
        else:
            if self._encoder is not None and part.muted_after_ms is None:
                self._flush(out, part)
            self._encoder = None
            transcript = self._final_transcript(part)
            message.content[part.index] = ga.OutputAudioContent(transcript=transcript)
            self.ctx.emit(ga.ResponseOutputAudioDoneEvent(event_id=self.ctx.event_id(), **ref))
            self.ctx.emit(
                ga.ResponseOutputAudioTranscriptDoneEvent(
                    event_id=self.ctx.event_id(), **ref, transcript=transcript
                )
            )
            wire_part = ga.AudioPart(transcript=transcript)
        self.ctx.emit(
            ga.ResponseContentPartDoneEvent(event_id=self.ctx.event_id(), **ref, part=wire_part)
        )

    def _final_transcript(self, part: _Part) -> str:
        if part.muted_after_ms is None or part.track is None:
            return part.text
        mode = self.ctx.options.truncation_transcript
        return part.track.kept_transcript(part.text, part.muted_after_ms, mode)

    def _close_item(self, status: Literal["completed", "incomplete"]) -> None:
        out = self._output[-1]
        item = out.stored.item
        assert isinstance(item, ga.AssistantMessageItem | ga.FunctionCallItem)
        if isinstance(item, ga.FunctionCallItem):
            item.arguments = self._call_arguments
            self.ctx.emit(
                ga.ResponseFunctionCallArgumentsDoneEvent(
                    event_id=self.ctx.event_id(),
                    response_id=self.id,
                    item_id=out.stored.id,
                    output_index=out.index,
                    call_id=item.call_id or "",
                    name=item.name,
                    arguments=self._call_arguments,
                )
            )
        item.status = status
        out.stored.response_id = None
        if self.conversation is not None:
            self.ctx.emit(
                ga.ConversationItemDoneEvent(
                    event_id=self.ctx.event_id(),
                    previous_item_id=_previous(self.conversation, out),
                    item=_snapshot(item),
                )
            )
        self.ctx.emit(
            ga.ResponseOutputItemDoneEvent(
                event_id=self.ctx.event_id(),
                response_id=self.id,
                output_index=out.index,
                item=_snapshot(item),
            )
        )

    def _message(self, out: _OutputItem) -> ga.AssistantMessageItem:
        item = out.stored.item
        assert isinstance(item, ga.AssistantMessageItem)
        return item

    def _ref(self, out: _OutputItem, part: _Part) -> _PartRef:
        return {
            "response_id": self.id,
            "item_id": out.stored.id,
            "output_index": out.index,
            "content_index": part.index,
        }

    # -- token limit ---------------------------------------------------------------

    def end_incomplete(self, reason: Literal["max_output_tokens", "content_filter"]) -> None:
        """Finish ``incomplete``: a token limit (the engine's or ours) or the engine's filter."""
        self.finish("incomplete", ga.ResponseStatusDetails(type="incomplete", reason=reason))

    def _stop_if_limited(self) -> None:
        if self._budget.exhausted:
            self.end_incomplete("max_output_tokens")
            raise Stopped

    # -- the resource --------------------------------------------------------------

    def _wire_usage(self) -> ga.Usage:
        # The input counts once the model produced something: a response that ends
        # before any output reports all zeros, as OpenAI's immediate cancels do.
        if not self._output:
            return self._budget.usage(0, 0)
        return self._budget.usage(self.plan.input_text_tokens, self.plan.input_audio_tokens)

    def _resource(
        self,
        status: ResponseStatus = "in_progress",
        details: ga.ResponseStatusDetails | None = None,
        usage: ga.Usage | None = None,
    ) -> ga.RealtimeResponse:
        output: list[ga.Item] = (
            [] if status == "in_progress" else [_snapshot(o.stored.item) for o in self._output]
        )
        return self.plan.resource(self.id, status, details, output, usage)


def _snapshot(item: _Model) -> _Model:
    """A copy of an item for one event, so later changes do not alter sent events."""
    return item.model_copy(deep=True)


def _previous(conversation: Conversation, out: _OutputItem) -> str | None:
    if out.stored.id in conversation:
        return conversation.previous_id(out.stored.id)
    return out.previous_item_id
