"""Transcribing committed user audio.

Every committed audio item is transcribed, because cascade engines read text.
The ``conversation.item.input_audio_transcription.*`` events go out only when the
session's input transcription is on; otherwise the transcript stays internal.
The transcriber gets the audio at a rate it lists in its capabilities (resampled
when the input rate is not one of them). With ``include`` asking for them, the
events carry the transcriber's logprobs.

**Drafts.** With turn detection on, a pause in speech starts a draft: the turn so far
is transcribed while the silence that may end it runs on. If the turn ends with no
more speech (the committed audio is the draft's plus silence), the item takes the
draft's transcript and its events go out as usual, so the transcript is ready about
when ``speech_stopped`` is. Any speech after the draft began drops it, as does a
manual commit, a clear or a change of the transcription settings; a draft that fails
stays quiet, and the commit transcribes the turn again. Under ``semantic_vad`` the
draft's transcript is also what decides whether the pause ends the turn
(:mod:`.pause_judge`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from ...audio.pcm import duration_ms
from ...audio.resample import resample, supported_rate
from ...engines import (
    CancelSignal,
    EngineError,
    TokenLogprob,
    TranscriptDelta,
    TranscriptionRequest,
    TranscriptResult,
)
from ...engines.tokens import audio_tokens, count_tokens
from ...protocol import ga
from .context import SessionContext
from .conversation import StoredItem
from .engine_watch import EngineWatch
from .tasks import SessionTasks
from .view import EffectiveSession

__all__ = ["Transcriptions"]


@dataclass
class _Draft:
    """A transcription of the turn so far, begun at a pause."""

    speech_end_ms: float
    request: TranscriptionRequest
    parts: list[TranscriptDelta | TranscriptResult] | None = None
    """What the transcriber gave, once it finished without failing."""
    task: asyncio.Task[None] | None = field(default=None, repr=False)


class Transcriptions:
    """Runs one transcription per committed audio item and remembers the results."""

    def __init__(
        self, ctx: SessionContext, tasks: SessionTasks, settings: EffectiveSession
    ) -> None:
        self._ctx = ctx
        self._tasks = tasks
        self._settings = settings
        self._pending: dict[str, tuple[asyncio.Task[None], CancelSignal]] = {}
        self._draft: _Draft | None = None

    @property
    def draft_speech_end_ms(self) -> float | None:
        """Where the speech the current draft covers ends, if there is a draft."""
        return self._draft.speech_end_ms if self._draft is not None else None

    def draft(self, pcm: bytes, sample_rate: int, speech_end_ms: float) -> None:
        """Transcribe the turn so far (speech up to ``speech_end_ms``, then silence)."""
        self.drop_draft()
        draft = _Draft(speech_end_ms, self._request(pcm, sample_rate))
        draft.task = self._tasks.spawn(self._collect(draft))
        self._draft = draft

    async def draft_text(self) -> str | None:
        """The current draft's transcript once it is done; ``None`` when it failed or
        there is no draft."""
        draft = self._draft
        if draft is None or draft.task is None:
            return None
        await asyncio.wait([draft.task])
        if draft.task.cancelled() or draft.parts is None:
            return None
        return next((part.text for part in draft.parts if isinstance(part, TranscriptResult)), None)

    def drop_draft(self) -> None:
        """Forget the draft: speech went on, or the turn was not committed by VAD."""
        draft, self._draft = self._draft, None
        if draft is not None:
            draft.request.cancel.cancel()
            if draft.task is not None:
                draft.task.cancel()

    def start(
        self,
        stored: StoredItem,
        pcm: bytes,
        sample_rate: int,
        *,
        speech_end_ms: float | None = None,
    ) -> None:
        """Transcribe ``pcm``, the audio of ``stored``'s first content part.

        ``speech_end_ms`` (a VAD commit) is where its speech ends: a draft covering
        exactly that speech, with the same settings, gives the transcript.
        """
        request = self._request(pcm, sample_rate)
        draft = self._draft
        if draft is None or not _adoptable(draft, request, speech_end_ms):
            self.drop_draft()
            draft = None
        self._draft = None
        settings = self._settings.view.transcription
        task = self._tasks.spawn(self._run(stored, pcm, sample_rate, request, settings, draft))
        self._pending[stored.id] = (task, draft.request.cancel if draft else request.cancel)
        task.add_done_callback(lambda _task: self._pending.pop(stored.id, None))

    def signal_all(self) -> None:
        """Tell the transcriber to stop every running transcription (the session is closing)."""
        for _task, cancel in self._pending.values():
            cancel.cancel()
        if self._draft is not None:
            self._draft.request.cancel.cancel()

    async def wait(self, item_ids: list[str]) -> None:
        """Wait until the given items' transcriptions, if running, have finished."""
        tasks = [self._pending[item_id][0] for item_id in item_ids if item_id in self._pending]
        if tasks:
            await asyncio.wait(tasks)

    def _request(self, pcm: bytes, sample_rate: int) -> TranscriptionRequest:
        view = self._settings.view
        settings = view.transcription
        transcriber = self._settings.engines().transcriber
        rate = supported_rate(sample_rate, transcriber.capabilities.sample_rates)
        return TranscriptionRequest(
            pcm=resample(pcm, sample_rate, rate),
            sample_rate=rate,
            model=settings.model if settings is not None else None,
            language=settings.language if settings is not None else None,
            prompt=settings.prompt if settings is not None else None,
            logprobs=settings is not None and view.logprobs,
        )

    async def _collect(self, draft: _Draft) -> None:
        transcriber = self._settings.engines().transcriber
        try:
            draft.parts = [part async for part in transcriber.transcribe(draft.request)]
        except EngineError:
            draft.parts = None

    async def _parts(
        self, request: TranscriptionRequest, draft: _Draft | None
    ) -> AsyncIterator[TranscriptDelta | TranscriptResult]:
        """The draft's parts when it succeeded, else the transcriber's for ``request``."""
        if draft is not None and draft.task is not None:
            await draft.task
            if draft.parts is not None:
                for part in draft.parts:
                    yield part
                return
        async for part in self._settings.engines().transcriber.transcribe(request):
            yield part

    async def _run(
        self,
        stored: StoredItem,
        pcm: bytes,
        sample_rate: int,
        request: TranscriptionRequest,
        settings: ga.AudioTranscription | None,
        draft: _Draft | None,
    ) -> None:
        ctx = self._ctx
        visible = settings is not None
        text = ""
        logprobs: tuple[TokenLogprob, ...] = ()
        limit = ctx.options.engine_timeouts.transcription
        task = asyncio.current_task()
        assert task is not None, "transcriptions run in tasks"
        watch = EngineWatch(ctx.clock, task, first=limit, between=limit)
        try:
            async for part in self._parts(request, draft):
                watch.mark()
                if isinstance(part, TranscriptDelta) and visible:
                    ctx.emit(
                        ga.ConversationItemInputAudioTranscriptionDeltaEvent(
                            event_id=ctx.event_id(),
                            item_id=stored.id,
                            content_index=0,
                            delta=part.text,
                            logprobs=_logprobs(part.logprobs, request.logprobs),
                            **ctx.obfuscation(part.text),
                        )
                    )
                elif isinstance(part, TranscriptResult):
                    text = part.text
                    logprobs = part.logprobs
        except EngineError as exc:
            self._failed(stored, visible, exc.code, str(exc))
            return
        except asyncio.CancelledError:
            if watch.expired is None:
                raise
            # The watch cancelled the transcription: the transcriber went quiet.
            task.uncancel()
            ctx.log.warning("transcription of %s timed out: %s", stored.id, watch.expired)
            self._failed(
                stored, visible, "engine_timeout", f"The transcriber gave {watch.expired}."
            )
            return
        finally:
            watch.stop()
        stored.transcript = text
        ctx.turns.transcript_done(stored.id)
        if not visible:
            return
        item = stored.item
        if isinstance(item, ga.UserMessageItem) and item.content:
            part0 = item.content[0]
            if isinstance(part0, ga.InputAudioContent):
                part0.transcript = text
        audio = audio_tokens(duration_ms(len(pcm), sample_rate))
        output = count_tokens(text)
        ctx.emit(
            ga.ConversationItemInputAudioTranscriptionCompletedEvent(
                event_id=ctx.event_id(),
                item_id=stored.id,
                content_index=0,
                transcript=text,
                logprobs=_logprobs(logprobs, request.logprobs),
                usage=ga.TranscriptionUsageTokens(
                    type="tokens",
                    total_tokens=audio + output,
                    input_tokens=audio,
                    input_token_details=ga.TranscriptionUsageTokensDetails(
                        text_tokens=0, audio_tokens=audio
                    ),
                    output_tokens=output,
                ),
            )
        )

    def _failed(self, stored: StoredItem, visible: bool, code: str, message: str) -> None:
        """The transcription failed: no transcript, and the client told when it listens."""
        stored.transcript = ""
        ctx = self._ctx
        ctx.observer.engine_error("transcription", code)
        ctx.turns.transcript_done(stored.id, failed=True)
        if not visible:
            return
        ctx.emit(
            ga.ConversationItemInputAudioTranscriptionFailedEvent(
                event_id=ctx.event_id(),
                item_id=stored.id,
                content_index=0,
                error=ga.ErrorInfo(
                    type="transcription_error", code=code, message=message, param=None
                ),
            )
        )


def _adoptable(draft: _Draft, request: TranscriptionRequest, speech_end_ms: float | None) -> bool:
    """Whether ``draft`` transcribed this commit: the same speech, the same settings."""
    ours, theirs = draft.request, request
    return speech_end_ms == draft.speech_end_ms and (
        ours.sample_rate,
        ours.model,
        ours.language,
        ours.prompt,
        ours.logprobs,
    ) == (theirs.sample_rate, theirs.model, theirs.language, theirs.prompt, theirs.logprobs)


def _logprobs(entries: tuple[TokenLogprob, ...], wanted: bool) -> list[ga.LogProb] | None:
    """The wire logprobs when the session asked for them (``include``), else absent."""
    if not wanted:
        return None
    return [ga.LogProb(token=e.token, logprob=e.logprob, bytes=list(e.bytes)) for e in entries]
