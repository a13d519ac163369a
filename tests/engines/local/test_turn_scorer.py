"""End-of-turn probability from SmolLM2 (offline-engines.md §8)."""

from __future__ import annotations

import pytest

from openrealtime.engines.local.turn_scorer import LlamaTurnScorer

COMPLETE = ("What is the capital of France?", "Book me a table for two at seven.")
INCOMPLETE = ("What is the capital of", "I want to book a flight and", "So the thing is")


@pytest.mark.asyncio(loop_scope="session")
async def test_finished_turns_score_above_unfinished_ones(turn_scorer: LlamaTurnScorer) -> None:
    complete = [await turn_scorer.end_of_turn(text) for text in COMPLETE]
    incomplete = [await turn_scorer.end_of_turn(text) for text in INCOMPLETE]
    assert all(0.0 <= p <= 1.0 for p in complete + incomplete)
    assert min(complete) > max(incomplete)
    assert complete[0] > 0.2


def test_the_prompt_needs_a_placeholder() -> None:
    with pytest.raises(ValueError, match="transcript"):
        LlamaTurnScorer(prompt="no placeholder")
