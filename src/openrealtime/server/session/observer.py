"""What the session core reports about itself, without knowing who listens.

The core calls a :class:`SessionObserver` (the app wires one to Prometheus; the
default, :class:`NoObserver`, drops everything) and times each spoken turn with a
:class:`TurnTimer` on the session's own clock. A turn starts at
``input_audio_buffer.speech_stopped``; its stages are measured from there:

- ``transcript``: the transcription of the turn's audio finished (whether or not the
  client asked to see it);
- ``response_created``: the first ``response.created`` after the turn began;
- ``first_token``: that response's first text token (or tool call) from the responder;
- ``first_audio``: that response's first ``response.output_audio.delta``.

Each stage is reported as it happens. When the turn is over (its response done and
its transcript finished, or a new turn began, or the session closed) one INFO line
gives the turn's figures, in milliseconds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Final, Literal, Protocol, get_args

from .clock import Clock

__all__ = [
    "TURN_STAGES",
    "EngineErrorSource",
    "NoObserver",
    "SessionObserver",
    "TurnStage",
    "TurnTimer",
]

TurnStage = Literal["transcript", "response_created", "first_token", "first_audio"]
TURN_STAGES: Final[tuple[TurnStage, ...]] = get_args(TurnStage)

EngineErrorSource = Literal["response", "transcription", "turn_scorer"]


class SessionObserver(Protocol):
    """Receives the core's measurements; calls must be cheap and must not raise."""

    def turn_stage(self, stage: TurnStage, seconds: float) -> None:
        """A turn reached ``stage``, ``seconds`` after speech stopped."""
        ...

    def response_done(self, status: str) -> None:
        """A response ended with ``status`` (``completed``, ``cancelled``, ...)."""
        ...

    def engine_error(self, source: EngineErrorSource, code: str) -> None:
        """An engine failed a response, a transcription or an end-of-turn score with ``code``."""
        ...

    def vad_lag(self, seconds: float) -> None:
        """Audio waited ``seconds`` from its arrival for its speech probabilities."""
        ...


class NoObserver:
    """Drops every measurement."""

    def turn_stage(self, stage: TurnStage, seconds: float) -> None:
        """Dropped."""

    def response_done(self, status: str) -> None:
        """Dropped."""

    def engine_error(self, source: EngineErrorSource, code: str) -> None:
        """Dropped."""

    def vad_lag(self, seconds: float) -> None:
        """Dropped."""


@dataclass
class _Turn:
    item_id: str
    stopped_at: float
    response_id: str | None = None
    response_done: bool = False
    transcript_done: bool = False
    stages: dict[TurnStage, float] = field(default_factory=dict)


class TurnTimer:
    """Times one session's spoken turns; see the module docstring for the stages."""

    def __init__(
        self, clock: Clock, observer: SessionObserver, log: logging.LoggerAdapter[logging.Logger]
    ) -> None:
        self._clock = clock
        self._observer = observer
        self._log = log
        self._turn: _Turn | None = None

    def speech_stopped(self, item_id: str) -> None:
        """A new turn: its audio item is ``item_id``."""
        self._end()
        self._turn = _Turn(item_id, self._clock.monotonic())

    def transcript_done(self, item_id: str, *, failed: bool = False) -> None:
        """The transcription of ``item_id`` finished (a failure is not timed)."""
        turn = self._turn
        if turn is None or turn.item_id != item_id:
            return
        if not failed:
            self._stage(turn, "transcript")
        turn.transcript_done = True
        self._end_if_over(turn)

    def response_created(self, response_id: str) -> None:
        """A response started; the first one after speech stopped answers the turn."""
        turn = self._turn
        if turn is not None and turn.response_id is None:
            turn.response_id = response_id
            self._stage(turn, "response_created")

    def first_token(self, response_id: str) -> None:
        """The responder produced its first text token or tool call for ``response_id``."""
        if (turn := self._answering(response_id)) is not None:
            self._stage(turn, "first_token")

    def first_audio(self, response_id: str) -> None:
        """``response_id`` sent its first audio delta."""
        if (turn := self._answering(response_id)) is not None:
            self._stage(turn, "first_audio")

    def response_done(self, response_id: str, status: str) -> None:
        """``response_id`` ended with ``status``."""
        self._observer.response_done(status)
        if (turn := self._answering(response_id)) is not None:
            turn.response_done = True
            self._end_if_over(turn)

    def close(self) -> None:
        """The session ended: log the turn in progress."""
        self._end()

    def _answering(self, response_id: str) -> _Turn | None:
        turn = self._turn
        return turn if turn is not None and turn.response_id == response_id else None

    def _stage(self, turn: _Turn, stage: TurnStage) -> None:
        if stage in turn.stages:
            return
        seconds = self._clock.monotonic() - turn.stopped_at
        turn.stages[stage] = seconds
        self._observer.turn_stage(stage, seconds)

    def _end_if_over(self, turn: _Turn) -> None:
        if turn.transcript_done and turn.response_done:
            self._end()

    def _end(self) -> None:
        turn, self._turn = self._turn, None
        if turn is None:
            return
        figures = " ".join(
            f"{stage}={turn.stages[stage] * 1000:.0f}ms"
            for stage in TURN_STAGES
            if stage in turn.stages
        )
        self._log.info(
            "turn %s (response %s) after speech_stopped: %s",
            turn.item_id,
            turn.response_id or "none",
            figures or "no stages",
        )
