"""Judging a pause's words for ``semantic_vad``: the draft transcript, scored.

At a pause the audio input starts a draft transcript of the turn so far (see
:mod:`.transcription`) and asks the judge for a verdict on it. The judge waits for the
draft, has the model's turn scorer give the probability that the user finished, and
reports the log-odds (:func:`.end_of_turn.words_log_odds`) with the position of the
speech they judge. All of it runs in a session task: the transcriber and the scorer
work off the event loop. Speech that resumes cancels the judgement (the scorer's one
model pass in flight, if any, finishes in its thread and is ignored).

A draft that fails counts as a pause with no words; a scorer that fails leaves the
words to be judged by their form alone, and is counted as an engine error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ...engines import EngineError
from .context import SessionContext
from .end_of_turn import words_log_odds
from .tasks import SessionTasks
from .transcription import Transcriptions
from .view import EffectiveSession

__all__ = ["PauseJudge", "Verdict"]

Verdict = Callable[[float, float], None]
"""Receives ``(speech_end_ms, log_odds)``: the words up to there, judged."""


class PauseJudge:
    """One judgement at a time, for one session's turn detection."""

    def __init__(
        self,
        ctx: SessionContext,
        tasks: SessionTasks,
        settings: EffectiveSession,
        transcriptions: Transcriptions,
        verdict: Verdict,
    ) -> None:
        self._ctx = ctx
        self._tasks = tasks
        self._settings = settings
        self._transcriptions = transcriptions
        self._verdict = verdict
        self._task: asyncio.Task[None] | None = None

    def judge(self, speech_end_ms: float) -> None:
        """Judge the current draft, which covers the speech up to ``speech_end_ms``."""
        self.cancel()
        self._task = self._tasks.spawn(self._run(speech_end_ms))

    def cancel(self) -> None:
        """Stop the judgement in progress, if any: speech went on, or the turn ended."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()

    async def _run(self, speech_end_ms: float) -> None:
        clock = self._ctx.clock
        started = clock.monotonic()
        transcript = await self._transcriptions.draft_text() or ""
        transcribed = clock.monotonic()
        probability = await self._score(transcript)
        log_odds = words_log_odds(transcript, probability)
        self._ctx.log.debug(
            "semantic_vad: %r scored %s, log-odds %.2f (transcript %.0f ms, score %.0f ms)",
            transcript,
            probability,
            log_odds,
            (transcribed - started) * 1000,
            (clock.monotonic() - transcribed) * 1000,
        )
        self._task = None
        self._verdict(speech_end_ms, log_odds)

    async def _score(self, transcript: str) -> float | None:
        scorer = self._settings.engines().turn_scorer
        if scorer is None or not transcript.strip():
            return None
        try:
            return await scorer.end_of_turn(transcript)
        except EngineError as exc:
            self._ctx.log.warning("the turn scorer failed (%s): %s", exc.code, exc)
            self._ctx.observer.engine_error("turn_scorer", exc.code)
            return None
