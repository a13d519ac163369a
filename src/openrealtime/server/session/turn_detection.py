"""Turn detection: voice activity probabilities in, speech start and stop out.

A pure state machine over frames, with no clock of its own: positions are
milliseconds of all audio appended in the session, as ``audio_start_ms`` and
``audio_end_ms`` count them. ``semantic_vad`` has no semantic model behind it
yet; it runs as ``server_vad`` with a silence window chosen by ``eagerness``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ...protocol import ga

__all__ = ["SpeechStarted", "SpeechStopped", "TurnDetector", "TurnEvent"]

SEMANTIC_SILENCE_MS: Final = {"high": 250, "medium": 500, "auto": 500, "low": 1000}
"""Silence that ends a turn under ``semantic_vad``, by eagerness (our choice)."""

MIN_SPEECH_MS: Final = 40
"""Speech must last this long before it counts, so clicks do not start turns."""


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
        if isinstance(config, ga.SemanticVad):
            self.silence_ms = SEMANTIC_SILENCE_MS[config.eagerness or "auto"]
            self.threshold = 0.5
            self.prefix_padding_ms = 300
        else:
            threshold = config.threshold
            self.threshold = threshold if threshold is not None else 0.5
            self.prefix_padding_ms = config.prefix_padding_ms or 0
            silence = config.silence_duration_ms
            self.silence_ms = silence if silence is not None else 200
        self._speaking = False
        self._run_start: float | None = None
        self._silence = 0.0
        self._speech_end = 0.0
        self._floor = 0.0

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
        self._floor = position_ms

    def process(self, probabilities: list[float], start_ms: float) -> list[TurnEvent]:
        """Consume frames starting at ``start_ms``; return the turn events they cause."""
        events: list[TurnEvent] = []
        for index, probability in enumerate(probabilities):
            frame_start = start_ms + index * self.frame_ms
            frame_end = frame_start + self.frame_ms
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
            elif voiced:
                self._silence = 0.0
                self._speech_end = frame_end
            else:
                self._silence += self.frame_ms
                if self._silence >= self.silence_ms:
                    events.append(SpeechStopped(round(frame_end), self._speech_end))
                    self.reset(frame_end)
        return events
