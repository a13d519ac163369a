"""Turn detection: voice activity probabilities in, speech start and stop out.

A pure state machine over frames, with no clock of its own: positions are
milliseconds of all audio appended in the session, as ``audio_start_ms`` and
``audio_end_ms`` count them.

``server_vad`` ends a turn after ``silence_duration_ms`` of silence. ``semantic_vad``
ends it after a silence that depends on what was said: at a pause the session has the
words judged (:mod:`.end_of_turn`) and hands the verdict to :meth:`TurnDetector.judge`;
speech that resumes first voids it. Until then only the eagerness's longest wait ends
the turn. A verdict that comes when the pause is already long enough ends the turn
where the audio has got to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ...protocol import ga
from .end_of_turn import EndOfTurnPolicy

__all__ = [
    "DRAFT_PAUSE_MS",
    "MIN_SPEECH_MS",
    "SEMANTIC_DRAFT_PAUSE_MS",
    "SpeechStarted",
    "SpeechStopped",
    "TurnDetector",
    "TurnEvent",
]

MIN_SPEECH_MS: Final = 40
"""Speech must last this long before it counts, so clicks do not start turns."""

DRAFT_PAUSE_MS: Final = 150.0
"""Under ``server_vad``, a pause this long (or half the turn-ending silence, if less)
starts transcribing the turn so far."""

SEMANTIC_DRAFT_PAUSE_MS: Final = 60.0
"""Under ``semantic_vad``, a pause this long starts transcribing the turn so far, to be
judged: Whisper and the scorer take about 0.4 s, so an early start ends a finished
turn sooner; pauses inside fluent speech are mostly shorter."""


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    """Speech began; ``audio_start_ms`` includes the prefix padding."""

    audio_start_ms: int


@dataclass(frozen=True, slots=True)
class SpeechStopped:
    """Speech ended; ``audio_end_ms`` includes the trailing silence, ``speech_end_ms``
    (where the last voiced frame ends) does not."""

    audio_end_ms: int
    speech_end_ms: float = 0.0


TurnEvent = SpeechStarted | SpeechStopped


class TurnDetector:
    """Finds turns in a stream of per-frame speech probabilities."""

    def __init__(self, config: ga.ServerVad | ga.SemanticVad, frame_ms: int) -> None:
        self.frame_ms = frame_ms
        self.policy: EndOfTurnPolicy | None = None
        """``semantic_vad``'s waits; ``None`` under ``server_vad``."""
        self._silence_ms = 200.0
        if isinstance(config, ga.SemanticVad):
            self.policy = EndOfTurnPolicy.for_eagerness(config.eagerness)
            self.threshold = 0.5
            self.prefix_padding_ms = 300
        else:
            threshold = config.threshold
            self.threshold = threshold if threshold is not None else 0.5
            self.prefix_padding_ms = config.prefix_padding_ms or 0
            silence = config.silence_duration_ms
            self._silence_ms = silence if silence is not None else 200
        self._speaking = False
        self._run_start: float | None = None
        self._silence = 0.0
        self._speech_end = 0.0
        self._floor = 0.0
        self._position = 0.0
        self._log_odds: float | None = None

    @property
    def silence_ms(self) -> float:
        """The silence that ends the open turn now (``semantic_vad``: given the verdict)."""
        if self.policy is None:
            return self._silence_ms
        return self.policy.wait_ms(self._log_odds)

    @property
    def draft_pause_ms(self) -> float:
        """The pause after which the turn so far is transcribed (and, semantically, judged)."""
        if self.policy is not None:
            return SEMANTIC_DRAFT_PAUSE_MS
        return min(DRAFT_PAUSE_MS, self._silence_ms / 2)

    @property
    def speaking(self) -> bool:
        """Whether a turn is open."""
        return self._speaking

    @property
    def pause_ms(self) -> float:
        """The silence since the open turn's last voiced frame (0 while voiced)."""
        return self._silence if self._speaking else 0.0

    @property
    def speech_end_ms(self) -> float:
        """Where the open turn's last voiced frame ends."""
        return self._speech_end

    def reset(self, position_ms: float) -> None:
        """Forget any open turn; audio before ``position_ms`` is no longer in the buffer."""
        self._speaking = False
        self._run_start = None
        self._silence = 0.0
        self._log_odds = None
        self._floor = position_ms
        self._position = max(self._position, position_ms)

    def judge(self, speech_end_ms: float, log_odds: float) -> list[TurnEvent]:
        """The words up to ``speech_end_ms`` were judged: ``log_odds`` that the user finished.

        Returns the turn's end at once when the pause so far already reaches the wait
        the verdict sets; a verdict on speech that has gone on since is ignored.
        """
        if self.policy is None or not self._speaking or speech_end_ms != self._speech_end:
            return []
        self._log_odds = log_odds
        if self._silence < self.silence_ms:
            return []
        end = self._position
        self.reset(end)
        return [SpeechStopped(round(end), speech_end_ms)]

    def process(self, probabilities: list[float], start_ms: float) -> list[TurnEvent]:
        """Consume frames starting at ``start_ms``; return the turn events they cause."""
        events: list[TurnEvent] = []
        for index, probability in enumerate(probabilities):
            frame_start = start_ms + index * self.frame_ms
            frame_end = frame_start + self.frame_ms
            self._position = frame_end
            voiced = probability >= self.threshold
            if not self._speaking:
                if not voiced:
                    self._run_start = None
                    continue
                if self._run_start is None:
                    self._run_start = frame_start
                if frame_end - self._run_start >= MIN_SPEECH_MS:
                    start = max(self._floor, self._run_start - self.prefix_padding_ms)
                    events.append(SpeechStarted(round(start)))
                    self._speaking = True
                    self._silence = 0.0
                    self._speech_end = frame_end
                    self._log_odds = None
            elif voiced:
                self._silence = 0.0
                self._speech_end = frame_end
                self._log_odds = None
            else:
                self._silence += self.frame_ms
                if self._silence >= self.silence_ms:
                    events.append(SpeechStopped(round(frame_end), self._speech_end))
                    self.reset(frame_end)
        return events
