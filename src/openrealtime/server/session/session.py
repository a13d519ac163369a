"""The session core: client events in, server events out, no socket.

A :class:`Session` is driven by :meth:`Session.handle` with GA client events (the
one internal model; the dialect edge translates beta before it gets here) and
speaks only through its ``sink``. Time and ids are injected. Work that outlives
one event (responses, transcriptions, timers) runs in tasks the session owns and
cancels on :meth:`Session.aclose`, so nothing outlives a closed connection. It is
the core's :class:`~openrealtime.server.backend.SessionBackend`.

The session composes its parts, each given the collaborators it uses: the
transcriptions, the responses, the item events, the audio input (which hears the
responses' turns through two callbacks) and the limits, which check client events
and observe every emitted one.

The stream it emits is GA plus two internal supersets that the dialect edge
filters: ``conversation.created`` after ``session.created``, and
``rate_limits.updated`` after both ``response.created`` and ``response.done``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Final, Literal

from ...engines import EngineSet
from ...protocol import ProtocolError, ga
from ..config import SessionOptions
from . import errors
from .audio_input import AudioInput
from .clock import Clock
from .context import SessionContext
from .conversation import Conversation
from .defaults import (
    default_instructions,
    default_realtime_session,
    default_transcription_session,
)
from .ids import IdSource
from .items import Items
from .limits import SessionLimits
from .observer import NoObserver, SessionObserver
from .rate_limits import RateLimits
from .response.responses import Responses
from .session_update import UpdateRules, check_update, merge_session
from .tasks import SessionTasks
from .transcription import Transcriptions
from .view import AnySession, EffectiveSession, SessionView

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
        config: AnySession | None = None,
        observer: SessionObserver | None = None,
    ) -> None:
        options = options or SessionOptions()
        self.id = ids.new("sess_")
        self._sink = sink
        self._on_expired = on_expired
        self._closed = False
        log = logging.LoggerAdapter(logger or _LOG, {"session_id": self.id})
        self.ctx = SessionContext(
            ids=ids,
            clock=clock,
            options=options,
            sink=self._emit,
            rate_limits=RateLimits(
                clock, requests=options.requests_per_minute, tokens=options.tokens_per_minute
            ),
            log=log,
            observer=observer or NoObserver(),
        )
        expires_at = int(clock.time() + options.session_minutes * 60)
        session: AnySession
        if kind == "transcription":
            session = default_transcription_session(session_id=self.id, expires_at=expires_at)
        else:
            session = default_realtime_session(
                session_id=self.id,
                model=model or "",
                voice=options.voice,
                expires_at=expires_at,
                instructions=default_instructions(engines_for(model) if model else None),
            )
        self.settings = EffectiveSession(session, engines_for)
        if config is not None:
            self.settings.replace(merge_session(session, config), config)
        self.conversation = Conversation(ids.new("conv_"))
        self._rules = UpdateRules(
            engines_for=engines_for, transcription_models=options.transcription_models
        )
        self._tasks = SessionTasks(self._task_failed)
        self.transcriptions = Transcriptions(self.ctx, self._tasks, self.settings)
        self.responses = Responses(
            self.ctx,
            self._tasks,
            self.conversation,
            self.settings,
            self.transcriptions,
            session_id=self.id,
            on_turn_started=self._assistant_turn_started,
            on_turn_ended=self._assistant_turn_ended,
        )
        self.items = Items(
            self.ctx, self.conversation, self.settings, self.transcriptions, self.responses
        )
        self.audio_input = AudioInput(
            self.ctx,
            self._tasks,
            self.conversation,
            self.settings,
            self.items.add,
            self.transcriptions,
            self.responses,
        )
        self.limits = SessionLimits(options, self.conversation, self.audio_input, log)

    # -- the session backend ---------------------------------------------------------

    @property
    def session(self) -> AnySession:
        """The effective session configuration."""
        return self.settings.session

    @property
    def view(self) -> SessionView:
        """The effective session configuration, read with its defaults."""
        return self.settings.view

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
        self._tasks.spawn(self._expire_later(ctx.options.session_minutes))

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

    def report(self, error: ProtocolError) -> None:
        """Send one ``error`` event."""
        ctx = self.ctx
        ctx.emit(
            ga.ErrorEvent(
                event_id=ctx.event_id(), error=ga.ErrorDetail.model_validate(error.to_dict())
            )
        )

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
        await self._tasks.aclose()
        self.ctx.turns.close()

    # -- events --------------------------------------------------------------------

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

    def _update(self, event: ga.SessionUpdateEvent) -> None:
        check_update(
            self.view,
            event.session,
            self._rules,
            voice_locked=self.ctx.assistant_audio_sent,
            event_id=event.event_id,
        )
        current = self.settings.session
        merged = merge_session(current, event.session)
        self.settings.replace(self._follow_model(current, event.session, merged), event.session)
        self.audio_input.configure()
        ctx = self.ctx
        ctx.emit(ga.SessionUpdatedEvent(event_id=ctx.event_id(), session=self._snapshot()))

    def _follow_model(
        self, current: AnySession, update: AnySession, merged: AnySession
    ) -> AnySession:
        """A new model's default instructions, if the session still had the old model's."""
        if (
            not isinstance(current, ga.RealtimeSession)
            or not isinstance(merged, ga.RealtimeSession)
            or "instructions" in update.model_fields_set
            or merged.model == current.model
        ):
            return merged
        engines_for = self.settings.engines_for
        old = default_instructions(engines_for(current.model))
        new = default_instructions(engines_for(merged.model))
        if current.instructions != old or new == old:
            return merged
        return merged.model_copy(update={"instructions": new})

    def _snapshot(self) -> AnySession:
        return self.settings.session.model_copy(deep=True)

    def _emit(self, event: ga.ServerEvent) -> None:
        self._sink(event)
        self.limits.observe(event)

    # -- the parts' callbacks ----------------------------------------------------------

    def _assistant_turn_started(self) -> None:
        self.audio_input.cancel_idle_timer()

    def _assistant_turn_ended(self, playback_seconds: float) -> None:
        self.audio_input.start_idle_timer(playback_seconds)

    async def _expire_later(self, minutes: float) -> None:
        await self.ctx.clock.sleep(minutes * 60)
        self.report(errors.session_expired(minutes))
        self._closed = True
        if self._on_expired is not None:
            self._on_expired()

    def _task_failed(self, failure: BaseException) -> None:
        self.ctx.log.error("session task failed", exc_info=failure)
        if not self._closed:
            self.report(errors.server_error(self.id))
