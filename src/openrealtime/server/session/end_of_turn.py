"""How long a pause ends the turn under ``semantic_vad``, judged from what was said.

At a pause, the turn so far is transcribed and the transcript scored by the model's
turn scorer (:class:`~openrealtime.engines.TurnScorer`, the probability that the user
finished). Three signals about the words combine into log-odds that the user finished:

- the scorer's probability ``p``, counted in decades above 0.001:
  ``decades = log10(max(p, 0.001)) + 3``, from 0 to 3 (a 135M model gives finished
  turns 0.01 to 0.9, unfinished ones mostly below 0.01; offline-engines.md §8);
- an **unfinished form**: the transcript does not end with ``.``, ``!`` or ``?``, or
  ends with an ellipsis, a dash, a comma or a colon (Whisper punctuates what it hears
  as finished, and writes ``...`` where speech stops mid-phrase);
- a **trailing word** that rarely ends a turn: a conjunction, an article, a possessive,
  a preposition that opens a phrase, a filler (:data:`TRAILING_WORDS`).

``words = -0.4 - 1.5 unfinished - 1.2 trailing + 0.75 decades``. The weights are a
logistic regression fitted on calibration clips: 26 sentences cut at a mid-sentence
pause and 26 complete turns, spoken by Piper, transcribed by Whisper tiny.en as a draft
is, and scored by SmolLM2-135M (``benchmarks/semantic_vad.py --calibrate``; other
sentences than the evaluation's). They are the mean of six runs, rounded: Piper's voice
and so Whisper's transcripts vary from one process to the next, and one run's weights
differ from the mean by up to 0.5. Without a scorer ``p`` counts as 0.1, a finished
turn's usual score; a pause with no words gives log-odds 0.

The silence so far adds evidence: each 0.8 s of it adds 1 to the log-odds. The turn
ends once ``words + silence / 0.8 s`` reaches the eagerness's threshold, so the
silence that ends the turn is ``0.8 s * (threshold - words)``, kept between the
eagerness's shortest and longest wait. Until the words are judged, only the longest
wait ends the turn. The longest waits are OpenAI's documented maximums (8 s, 4 s and
2 s for ``low``, ``medium`` and ``high``; ``auto`` is ``medium``); thresholds and
shortest waits are our choice.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "EAGERNESS",
    "SECONDS_PER_LOG_ODDS",
    "TRAILING_WORDS",
    "UNSCORED_PROBABILITY",
    "EndOfTurnPolicy",
    "WordSignals",
    "words_log_odds",
]

Eagerness = Literal["low", "medium", "high", "auto"]

SECONDS_PER_LOG_ODDS: Final = 0.8
"""Silence that adds 1 to the log-odds that the user finished."""

UNSCORED_PROBABILITY: Final = 0.1
"""The end-of-turn probability assumed when the model has no turn scorer."""

TRAILING_WORDS: Final = frozenset(
    {
        # conjunctions
        "and",
        "or",
        "but",
        "nor",
        "so",
        "because",
        "cause",
        "if",
        "whether",
        "than",
        # articles and possessives
        "a",
        "an",
        "the",
        "my",
        "your",
        "our",
        "their",
        "his",
        "its",
        # prepositions that open a phrase
        "of",
        "to",
        "with",
        "between",
        # fillers
        "um",
        "umm",
        "uh",
        "uhm",
        "er",
        "erm",
        "hmm",
    }
)
"""Words after which a turn rarely ends."""

_INTERCEPT: Final = -0.4
_UNFINISHED: Final = -1.5
_TRAILING: Final = -1.2
_PER_DECADE: Final = 0.75
_FLOOR_PROBABILITY: Final = 0.001

_FINAL_MARKS: Final = (".", "!", "?")
_OPEN_MARKS: Final = ("...", "\u2026", "-", "\u2013", "\u2014", ",", ";", ":")
_CLOSERS: Final = "\"')]}\u201d\u2019"
_WORD: Final = re.compile(r"[\w']+")


@dataclass(frozen=True, slots=True)
class WordSignals:
    """What a transcript's ending says about the turn."""

    words: int
    """How many words the transcript has."""
    unfinished: bool
    """No final ``.``, ``!`` or ``?``, or an ellipsis, dash, comma or colon at the end."""
    trailing_word: bool
    """The last word is one of :data:`TRAILING_WORDS`."""

    @classmethod
    def read(cls, transcript: str) -> WordSignals:
        """The signals of ``transcript`` (closing quotes and brackets are skipped)."""
        text = transcript.strip().rstrip(_CLOSERS).rstrip()
        words = _WORD.findall(text.lower())
        unfinished = text.endswith(_OPEN_MARKS) or not text.endswith(_FINAL_MARKS)
        trailing = bool(words) and words[-1] in TRAILING_WORDS
        return cls(len(words), unfinished, trailing)


def words_log_odds(transcript: str, probability: float | None) -> float:
    """Log-odds that the user finished with ``transcript``, given the scorer's
    ``probability`` (``None``: the model has no scorer, or it failed)."""
    signals = WordSignals.read(transcript)
    if signals.words == 0:
        return 0.0
    p = UNSCORED_PROBABILITY if probability is None else probability
    decades = math.log10(min(1.0, max(p, _FLOOR_PROBABILITY)) / _FLOOR_PROBABILITY)
    return (
        _INTERCEPT
        + _UNFINISHED * signals.unfinished
        + _TRAILING * signals.trailing_word
        + _PER_DECADE * decades
    )


@dataclass(frozen=True, slots=True)
class EndOfTurnPolicy:
    """One eagerness: the log-odds that end a turn, and the shortest and longest waits."""

    threshold: float
    min_wait_ms: float
    max_wait_ms: float

    @classmethod
    def for_eagerness(cls, eagerness: Eagerness | None) -> EndOfTurnPolicy:
        """The policy of ``eagerness`` (unset and ``auto`` are ``medium``)."""
        return EAGERNESS[eagerness or "auto"]

    def wait_ms(self, log_odds: float | None) -> float:
        """The silence that ends the turn, given the words' log-odds (``None``: not judged yet)."""
        if log_odds is None:
            return self.max_wait_ms
        wait = SECONDS_PER_LOG_ODDS * 1000 * (self.threshold - log_odds)
        return min(self.max_wait_ms, max(self.min_wait_ms, wait))


EAGERNESS: Final[dict[Eagerness, EndOfTurnPolicy]] = {
    "high": EndOfTurnPolicy(threshold=0.3, min_wait_ms=200, max_wait_ms=2000),
    "medium": EndOfTurnPolicy(threshold=1.0, min_wait_ms=400, max_wait_ms=4000),
    "auto": EndOfTurnPolicy(threshold=1.0, min_wait_ms=400, max_wait_ms=4000),
    "low": EndOfTurnPolicy(threshold=2.5, min_wait_ms=600, max_wait_ms=8000),
}
"""Each eagerness's policy (thresholds in log-odds: 0.57, 0.73 and 0.92 as probabilities)."""
