"""The session core: client events in, server events out, no socket.

A :class:`Session` is driven by :meth:`Session.handle` with GA client events (the
one internal model; the dialect edge translates beta before it gets here) and
speaks only through its ``sink``. Time and ids are injected. Work that outlives
one event (responses, transcriptions, timers) runs in tasks the session owns and
cancels on :meth:`Session.aclose`, so nothing outlives a closed connection.

The stream it emits is GA plus two internal supersets that the dialect edge
filters: ``conversation.created`` after ``session.created``, and
``rate_limits.updated`` after both ``response.created`` and ``response.done``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Final, Literal

from ...engines import EngineSet
from ...protocol import ProtocolError, ga
from ..config import SessionOptions
from . import errors
from .audio_input import AudioInput
from .clock import Clock
from .context import SessionContext
from .conversation import Conversation
from .defaults import default_realtime_session, default_transcription_session
from .ids import IdSource
from .items import Items
from .limits import SessionLimits
from .rate_limits import RateLimits
from .response.responses import Responses
from .session_update import SessionView, UpdateRules, check_update, merge_session
from .transcription import Transcriptions

__all__ = ["REALTIME_EVENTS", "TRANSCRIPTION_EVENTS", "Session"]

_LOG = logging.getLogger("openrealtime.session")

REALTIME_EVENTS: Final = (
    "session.update",
    "input_audio_buffer.append",
    "input_audio_buffer.commit",
    "input_audio_buffer.clear",
    "conversation.item.create",
    "conversation.item.retrieve",
    "conversation.item.truncate",
    "conversation.item.delete",
    "response.create",
    "response.cancel",
)
"""The client events a realtime session accepts (WebRTC's ``output_audio_buffer.clear`` aside)."""

TRANSCRIPTION_EVENTS: Final = (
    "session.update",
    "input_audio_buffer.append",
    "input_audio_buffer.commit",
    "input_audio_buffer.clear",
    "conversation.item.delete",
    "conversation.item.retrieve",
)
"""The client events a transcription session accepts."""


class Session:
    """One Realtime session's state and rules.

    ``engines_for`` maps a model name to its engines (``None`` when the server does
    not serve it); ``on_expired`` is called once the session reaches its maximum
    duration, after the ``session_expired`` error went out. ``config`` is a starting
    configuration (a client secret's), merged into the defaults as an update would be.
    """

    def __init__(
        self,
        *,
        kind: Literal["realtime", "transcription"],
        model: str | None,
        engines_for: Callable[[str | None], EngineSet | None],
        sink: Callable[[ga.ServerEvent], None],
        ids: IdSource,
        clock: Clock,
        options: SessionOptions | None = None,
        on_expired: Callable[[], None] | None = None,
        logger: logging.Logger | None = None,
        config: ga.RealtimeSession | ga.TranscriptionSession | None = None,
    ) -> None:
        options = options or SessionOptions()
        self.id = ids.new("sess_")
        log = logging.LoggerAdapter(logger or _LOG, {"session_id": self.id})
        self.ctx = SessionContext(
            ids=ids,
            clock=clock,
            options=options,
            sink=sink,
            rate_limits=RateLimits(
                clock, requests=options.requests_per_minute, tokens=options.tokens_per_minute
            ),
            log=log,
        )
        self._engines_for = engines_for
        self._on_expired = on_expired
        self._tasks: set[asyncio.Task[Any]] = set()
        self._background: set[asyncio.Task[Any]] = set()
        self._closed = False
        expires_at = int(clock.time() + options.session_minutes * 60)
        self._session: ga.RealtimeSession | ga.TranscriptionSession
        if kind == "transcription":
            self._session = default_transcription_session(session_id=self.id, expires_at=expires_at)
        else:
            self._session = default_realtime_session(
                session_id=self.id, model=model or "", voice=options.voice, expires_at=expires_at
            )
        if config is not None:
            self._session = merge_session(self._session, config)
        self.view = SessionView(self._session)
        self.conversation = Conversation(ids.new("conv_"))
        self._rules = UpdateRules(
            engines_for=engines_for, transcription_models=options.transcription_models
        )
        self.transcriptions = Transcriptions(self)
        self.items = Items(self)
        self.responses = Responses(self)
        self.audio_input = AudioInput(self)
        self.limits = SessionLimits(self)

    # -- lifecycle -----------------------------------------------------------------

    @property
    def session(self) -> ga.RealtimeSession | ga.TranscriptionSession:
        """The effective session configuration."""
        return self._session

    def engines(self) -> EngineSet:
        """The engines of the session's current model."""
        engines = self._engines_for(self.view.model)
        assert engines is not None, "a session's model always has engines"
        return engines

    async def open(self) -> None:
        """Send ``session.created`` (and, internally, ``conversation.created``); arm expiry."""
        ctx = self.ctx
        ctx.emit(ga.SessionCreatedEvent(event_id=ctx.event_id(), session=self._snapshot()))
        if not self.view.is_transcription:
            ctx.emit(
                ga.ConversationCreatedEvent(
                    event_id=ctx.event_id(),
                    conversation=ga.Conversation(
                        id=self.conversation.id, object="realtime.conversation"
                    ),
                )
            )
        self.spawn(self._expire_later(ctx.options.session_minutes), background=True)

    async def handle(self, event: ga.ClientEvent) -> None:
        """Apply one client event; a rejected one produces exactly one ``error`` event.

        Events are applied one at a time, in order: the caller awaits each before it
        hands over the next. Only an audio append awaits anything (voice activity).
        """
        if self._closed:
            return
        try:
            accepted = TRANSCRIPTION_EVENTS if self.view.is_transcription else REALTIME_EVENTS
            if event.type not in accepted:
                raise errors.unsupported_event(event.type, accepted, event.event_id)
            self.limits.check(event)
            await self._apply(event)
        except ProtocolError as error:
            if error.event_id is None:
                error.event_id = event.event_id
            self.report(error)

    async def _apply(self, event: ga.ClientEvent) -> None:
        match event:
            case ga.SessionUpdateEvent():
                self._update(event)
            case ga.InputAudioBufferAppendEvent():
                await self.audio_input.append(event)
            case ga.InputAudioBufferCommitEvent():
                self.audio_input.commit(event)
            case ga.InputAudioBufferClearEvent():
                self.audio_input.clear(event)
            case ga.ConversationItemCreateEvent():
                self.items.create(event)
            case ga.ConversationItemRetrieveEvent():
                self.items.retrieve(event)
            case ga.ConversationItemTruncateEvent():
                self.items.truncate(event)
            case ga.ConversationItemDeleteEvent():
                self.items.delete(event)
            case ga.ResponseCreateEvent():
                self.responses.create(event)
            case ga.ResponseCancelEvent():
                self.responses.cancel(event)

    def report(self, error: ProtocolError) -> None:
        """Send one ``error`` event."""
        ctx = self.ctx
        ctx.emit(
            ga.ErrorEvent(
                event_id=ctx.event_id(), error=ga.ErrorDetail.model_validate(error.to_dict())
            )
        )

    def spawn(
        self, coroutine: Coroutine[Any, Any, Any], *, background: bool = False
    ) -> asyncio.Task[Any]:
        """Run work the session owns; it is cancelled when the session closes.

        ``background`` marks timers (expiry, idle timeout) that :meth:`idle` ignores.
        """
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        if background:
            self._background.add(task)
        task.add_done_callback(self._task_done)
        return task

    @property
    def busy(self) -> bool:
        """Whether responses, transcriptions or other work are still running."""
        return bool(self._tasks - self._background)

    async def idle(self) -> None:
        """Wait until no work of the session runs (timers aside)."""
        while work := self._tasks - self._background:
            await asyncio.wait(work)

    def cancel_responses(self) -> None:
        """Cancel every running response, sending their ``response.done``."""
        self.responses.cancel_all()

    async def aclose(self) -> None:
        """Stop everything the session runs; nothing is sent afterwards.

        Engines hear it first, through their cancel signals, then the tasks are cancelled.
        """
        self._closed = True
        self.responses.signal_all()
        self.transcriptions.signal_all()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    # -- session.update ------------------------------------------------------------

    def _update(self, event: ga.SessionUpdateEvent) -> None:
        check_update(
            self.view,
            event.session,
            self._rules,
            voice_locked=self.ctx.assistant_audio_sent,
            event_id=event.event_id,
        )
        self._session = merge_session(self._session, event.session)
        self.view = SessionView(self._session)
        self.audio_input.configure()
        ctx = self.ctx
        ctx.emit(ga.SessionUpdatedEvent(event_id=ctx.event_id(), session=self._snapshot()))

    def _snapshot(self) -> ga.RealtimeSession | ga.TranscriptionSession:
        return self._session.model_copy(deep=True)

    # -- internals -----------------------------------------------------------------

    async def _expire_later(self, minutes: float) -> None:
        await self.ctx.clock.sleep(minutes * 60)
        self.report(errors.session_expired(minutes))
        self._closed = True
        if self._on_expired is not None:
            self._on_expired()

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.ctx.log.error("session task failed", exc_info=task.exception())
            if not self._closed:
                self.report(errors.server_error(self.id))
