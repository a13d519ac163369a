"""Transcribing committed user audio.

Every committed audio item is transcribed, because cascade engines read text.
The ``conversation.item.input_audio_transcription.*`` events go out only when the
session's input transcription is on; otherwise the transcript stays internal.
The transcriber gets the audio at a rate it lists in its capabilities (resampled
when the input rate is not one of them).
"""

from __future__ import annotations

import asyncio

from ...audio.pcm import duration_ms
from ...audio.resample import resample, supported_rate
from ...engines import (
    CancelSignal,
    EngineError,
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


class Transcriptions:
    """Runs one transcription per committed audio item and remembers the results."""

    def __init__(
        self, ctx: SessionContext, tasks: SessionTasks, settings: EffectiveSession
    ) -> None:
        self._ctx = ctx
        self._tasks = tasks
        self._settings = settings
        self._pending: dict[str, tuple[asyncio.Task[None], CancelSignal]] = {}

    def start(self, stored: StoredItem, pcm: bytes, sample_rate: int) -> None:
        """Transcribe ``pcm``, the audio of ``stored``'s first content part."""
        settings = self._settings.view.transcription
        cancel = CancelSignal()
        task = self._tasks.spawn(self._run(stored, pcm, sample_rate, settings, cancel))
        self._pending[stored.id] = (task, cancel)
        task.add_done_callback(lambda _task: self._pending.pop(stored.id, None))

    def signal_all(self) -> None:
        """Tell the transcriber to stop every running transcription (the session is closing)."""
        for _task, cancel in self._pending.values():
            cancel.cancel()

    async def wait(self, item_ids: list[str]) -> None:
        """Wait until the given items' transcriptions, if running, have finished."""
        tasks = [self._pending[item_id][0] for item_id in item_ids if item_id in self._pending]
        if tasks:
            await asyncio.wait(tasks)

    async def _run(
        self,
        stored: StoredItem,
        pcm: bytes,
        sample_rate: int,
        settings: ga.AudioTranscription | None,
        cancel: CancelSignal,
    ) -> None:
        ctx = self._ctx
        visible = settings is not None
        transcriber = self._settings.engines().transcriber
        rate = supported_rate(sample_rate, transcriber.capabilities.sample_rates)
        request = TranscriptionRequest(
            pcm=resample(pcm, sample_rate, rate),
            sample_rate=rate,
            model=settings.model if settings is not None else None,
            language=settings.language if settings is not None else None,
            prompt=settings.prompt if settings is not None else None,
            cancel=cancel,
        )
        text = ""
        limit = ctx.options.engine_timeouts.transcription
        task = asyncio.current_task()
        assert task is not None, "transcriptions run in tasks"
        watch = EngineWatch(ctx.clock, task, first=limit, between=limit)
        try:
            async for part in transcriber.transcribe(request):
                watch.mark()
                if isinstance(part, TranscriptDelta) and visible:
                    ctx.emit(
                        ga.ConversationItemInputAudioTranscriptionDeltaEvent(
                            event_id=ctx.event_id(),
                            item_id=stored.id,
                            content_index=0,
                            delta=part.text,
                            **ctx.obfuscation(part.text),
                        )
                    )
                elif isinstance(part, TranscriptResult):
                    text = part.text
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
