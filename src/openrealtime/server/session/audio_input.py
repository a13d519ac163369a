"""The input audio path: append, commit, clear, and the turns that VAD finds.

Appends are decoded once, to PCM16 at the input format's own rate (24 kHz PCM, or
8 kHz for G.711), and kept in the :class:`InputAudioBuffer`. With turn detection
on, each append also feeds the session's voice activity stream (resampled to a
rate the detector takes, and awaited: a real detector runs off the event loop); a
turn end commits the speech (from ``audio_start_ms`` to ``audio_end_ms``) as a
user item and, with ``create_response``, starts a response. A pause starts a draft
transcript of the turn so far; under ``semantic_vad`` the :class:`.PauseJudge` scores
it and the detector hears the verdict, which may end the turn between two appends.
After a response that ends on its own, ``idle_timeout_ms`` of silence (past the
response's playback) commits what the buffer holds and asks for another.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

from ...audio.b64 import InvalidBase64Error, b64decode
from ...audio.formats import AudioFormat
from ...audio.resample import StreamingResampler, supported_rate
from ...engines import VadStream, VoiceActivityDetector
from ...protocol import ga
from . import errors
from .context import SessionContext
from .conversation import AudioTrack, Conversation, StoredItem
from .input_buffer import InputAudioBuffer
from .pause_judge import PauseJudge
from .tasks import SessionTasks
from .transcription import Transcriptions
from .turn_detection import SpeechStarted, SpeechStopped, TurnDetector, TurnEvent
from .view import EffectiveSession, TurnDetection

__all__ = ["MIN_COMMIT_MS", "AudioInput", "TurnResponses"]

MIN_COMMIT_MS = 100.0


class TurnResponses(Protocol):
    """What turn detection needs of the session's responses."""

    @property
    def responding(self) -> bool:
        """Whether a response writes to the default conversation now."""
        ...

    def interrupt(self) -> None:
        """The user started speaking: cancel the active response."""
        ...

    def create_automatic(self) -> None:
        """A response started by turn detection, unless one is already running."""
        ...


class AudioInput:
    """The input buffer and turn detection of one session.

    ``add_item`` inserts and announces a committed user item (the conversation's
    item events); ``responses`` hears the turns.
    """

    def __init__(
        self,
        ctx: SessionContext,
        tasks: SessionTasks,
        conversation: Conversation,
        settings: EffectiveSession,
        add_item: Callable[[StoredItem, str | None], None],
        transcriptions: Transcriptions,
        responses: TurnResponses,
    ) -> None:
        self._ctx = ctx
        self._tasks = tasks
        self._conversation = conversation
        self._settings = settings
        self._add_item = add_item
        self._transcriptions = transcriptions
        self._responses = responses
        self.format: AudioFormat = settings.view.input_format
        self.buffer = InputAudioBuffer(self.format.sample_rate)
        self._turn_config: TurnDetection | None = None
        self._detector: TurnDetector | None = None
        self._vad: VadStream | None = None
        self._vad_source: tuple[VoiceActivityDetector, int] | None = None
        self._vad_resampler: StreamingResampler | None = None
        self._vad_origin_ms = 0.0
        self._vad_frames = 0
        self._speech_item_id: str | None = None
        self._turn_start_ms = 0.0
        self._idle_timer: asyncio.Task[None] | None = None
        self._judge = PauseJudge(ctx, tasks, settings, transcriptions, self._judged)
        self.configure()

    @property
    def speaking(self) -> bool:
        """Whether turn detection hears an open turn."""
        return self._detector is not None and self._detector.speaking

    @property
    def detecting_turns(self) -> bool:
        """Whether turn detection is on: every append may commit an item."""
        return self._turn_config is not None

    def configure(self) -> None:
        """Follow the effective session: input format and turn detection."""
        view = self._settings.view
        fmt = view.input_format
        if fmt != self.format:
            # A new input format starts a new buffer: old samples mean nothing at the new rate.
            self.format = fmt
            self.buffer = InputAudioBuffer(fmt.sample_rate, position_ms=self.buffer.end_ms)
            self._turn_config = None
        config = view.turn_detection
        if config == self._turn_config and (config is None) == (self._detector is None):
            return
        self._turn_config = config
        self._speech_item_id = None
        self._drop_draft()
        self.cancel_idle_timer()
        if config is None:
            self._detector, self._vad, self._vad_source = None, None, None
            return
        self._vad = self._vad_stream()
        self._detector = TurnDetector(config, self._vad.frame_ms)
        self._detector.reset(self.buffer.end_ms)
        self._vad_origin_ms, self._vad_frames = self.buffer.end_ms, 0

    def _vad_stream(self) -> VadStream:
        """The session's VAD stream, reset when the detector and rate are unchanged."""
        detector = self._settings.engines().vad
        rate = supported_rate(self.format.sample_rate, detector.capabilities.sample_rates)
        self._vad_resampler = (
            StreamingResampler(self.format.sample_rate, rate)
            if rate != self.format.sample_rate
            else None
        )
        if self._vad is not None and self._vad_source == (detector, rate):
            self._vad.reset()
            return self._vad
        self._vad_source = (detector, rate)
        return detector.stream(rate)

    # -- client events -------------------------------------------------------------

    async def append(self, event: ga.InputAudioBufferAppendEvent) -> None:
        """Decode and buffer audio; run turn detection over it."""
        try:
            wire = b64decode(event.audio)
        except InvalidBase64Error:
            raise errors.invalid_audio(event.event_id) from None
        limit = self._ctx.options.max_append_bytes
        if len(wire) > limit:
            raise errors.audio_too_large(len(wire), limit, event.event_id)
        pcm = self.format.decode(wire)
        self.buffer.append(pcm)
        if self._vad is not None and self._detector is not None:
            resampler = self._vad_resampler
            clock = self._ctx.clock
            arrived = clock.monotonic()
            probabilities = await self._vad.feed(resampler.process(pcm) if resampler else pcm)
            if probabilities:
                self._ctx.observer.vad_lag(clock.monotonic() - arrived)
            start = self._vad_origin_ms + self._vad_frames * self._vad.frame_ms
            self._vad_frames += len(probabilities)
            self._turn_events(self._detector.process(probabilities, start))
            self._follow_pause()

    def _turn_events(self, events: list[TurnEvent]) -> None:
        for turn in events:
            if isinstance(turn, SpeechStarted):
                self._speech_started(turn.audio_start_ms)
            else:
                self._speech_stopped(turn)

    def _follow_pause(self) -> None:
        """Draft (and, under ``semantic_vad``, judge) the turn so far at a pause; drop the
        draft when speech goes on."""
        detector, transcriptions = self._detector, self._transcriptions
        if detector is None or not detector.speaking:
            return
        drafted = transcriptions.draft_speech_end_ms
        if drafted is not None and drafted != detector.speech_end_ms:
            self._drop_draft()
            drafted = None
        pause = detector.pause_ms
        if drafted is None and pause > 0 and pause >= detector.draft_pause_ms:
            pcm = self.buffer.peek(self._turn_start_ms, self.buffer.end_ms)
            transcriptions.draft(pcm, self.format.sample_rate, detector.speech_end_ms)
            if detector.policy is not None:
                self._judge.judge(detector.speech_end_ms)

    def _judged(self, speech_end_ms: float, log_odds: float) -> None:
        """A pause's words were judged: the turn may end now."""
        if self._detector is not None:
            self._turn_events(self._detector.judge(speech_end_ms, log_odds))

    def _drop_draft(self) -> None:
        self._judge.cancel()
        self._transcriptions.drop_draft()

    def commit(self, event: ga.InputAudioBufferCommitEvent) -> None:
        """Commit everything buffered as a user audio item (at least 100 ms)."""
        buffered = self.buffer.duration_ms
        if buffered < MIN_COMMIT_MS:
            raise errors.commit_empty(buffered, event.event_id)
        item_id = self._speech_item_id or self._ctx.ids.new("item_")
        self._speech_item_id = None
        self._judge.cancel()
        audio = self.buffer.take()
        if self._detector is not None:
            self._detector.reset(self.buffer.end_ms)
        self._commit(audio, item_id)

    def clear(self, event: ga.InputAudioBufferClearEvent) -> None:
        """Drop the buffer and any open turn, without ``speech_stopped``."""
        self.buffer.clear()
        self._speech_item_id = None
        self._drop_draft()
        if self._detector is not None:
            self._detector.reset(self.buffer.end_ms)
        ctx = self._ctx
        ctx.emit(ga.InputAudioBufferClearedEvent(event_id=ctx.event_id()))

    # -- turns ---------------------------------------------------------------------

    def _speech_started(self, audio_start_ms: int) -> None:
        ctx = self._ctx
        self.cancel_idle_timer()
        self._speech_item_id = ctx.ids.new("item_")
        self._turn_start_ms = audio_start_ms
        ctx.emit(
            ga.InputAudioBufferSpeechStartedEvent(
                event_id=ctx.event_id(), audio_start_ms=audio_start_ms, item_id=self._speech_item_id
            )
        )
        # The effective session's turn detection is complete: unset means explicit null.
        config = self._turn_config
        interrupt = config is not None and bool(config.interrupt_response)
        if interrupt and not self._settings.view.is_transcription:
            self._responses.interrupt()

    def _speech_stopped(self, turn: SpeechStopped) -> None:
        ctx = self._ctx
        item_id = self._speech_item_id or ctx.ids.new("item_")
        self._speech_item_id = None
        self._judge.cancel()
        ctx.emit(
            ga.InputAudioBufferSpeechStoppedEvent(
                event_id=ctx.event_id(), audio_end_ms=turn.audio_end_ms, item_id=item_id
            )
        )
        ctx.turns.speech_stopped(item_id)
        audio = self.buffer.take(self._turn_start_ms, turn.audio_end_ms)
        self._commit(audio, item_id, speech_end_ms=turn.speech_end_ms)
        config = self._turn_config
        respond = config is not None and bool(config.create_response)
        if respond and not self._settings.view.is_transcription:
            self._responses.create_automatic()

    def _commit(self, audio: bytes, item_id: str, *, speech_end_ms: float | None = None) -> None:
        ctx = self._ctx
        previous = self._conversation.last_id
        ctx.emit(
            ga.InputAudioBufferCommittedEvent(
                event_id=ctx.event_id(), previous_item_id=previous, item_id=item_id
            )
        )
        item = ga.UserMessageItem(
            id=item_id,
            type="message",
            status="completed",
            content=[ga.InputAudioContent(transcript=None)],
        )
        track = AudioTrack(self.format.beta_name, self.format.sample_rate, bytearray(audio))
        stored = StoredItem(item=item, audio={0: track})
        self._add_item(stored, None)
        self._transcriptions.start(
            stored, audio, self.format.sample_rate, speech_end_ms=speech_end_ms
        )

    # -- idle timeout --------------------------------------------------------------

    def start_idle_timer(self, playback_seconds: float) -> None:
        """After a response: wait for playback, then ``idle_timeout_ms`` of silence."""
        config = self._turn_config
        if not isinstance(config, ga.ServerVad) or config.idle_timeout_ms is None:
            return
        if self.speaking:
            return
        self.cancel_idle_timer()
        delay = playback_seconds + config.idle_timeout_ms / 1000
        self._idle_timer = self._tasks.spawn(self._idle(delay))

    def cancel_idle_timer(self) -> None:
        """Stop waiting for the user: they spoke, or something else happened."""
        if self._idle_timer is not None and not self._idle_timer.done():
            self._idle_timer.cancel()
        self._idle_timer = None

    async def _idle(self, seconds: float) -> None:
        await self._ctx.clock.sleep(seconds)
        self._idle_timer = None
        if self.speaking or self._responses.responding:
            return
        ctx = self._ctx
        item_id = ctx.ids.new("item_")
        ctx.emit(
            ga.InputAudioBufferTimeoutTriggeredEvent(
                event_id=ctx.event_id(),
                audio_start_ms=round(self.buffer.start_ms),
                audio_end_ms=round(self.buffer.end_ms),
                item_id=item_id,
            )
        )
        audio = self.buffer.take()
        if self._detector is not None:
            self._detector.reset(self.buffer.end_ms)
        self._commit(audio, item_id)
        self._responses.create_automatic()
