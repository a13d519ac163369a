"""End of turn from punctuation: a rule, for ``semantic_vad`` without a model."""

from __future__ import annotations

from typing import Final

from ..base import EngineBase

__all__ = ["PunctuationTurnScorer"]

_FINAL_MARKS: Final = (".", "!", "?")


class PunctuationTurnScorer(EngineBase):
    """Scores a transcript 1.0 when it ends a sentence (``.``, ``!``, ``?``), else 0.0.

    Trailing whitespace and closing quotes or brackets are ignored; an empty
    transcript scores 0.0 (nothing was said yet).
    """

    async def end_of_turn(self, transcript: str) -> float:
        """1.0 at a sentence end, else 0.0."""
        text = transcript.rstrip().rstrip("\"')]}\u201d\u2019")
        return 1.0 if text.endswith(_FINAL_MARKS) else 0.0
