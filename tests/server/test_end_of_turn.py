"""semantic_vad's decision, pure: what the words say, and the silence that ends the turn."""

from __future__ import annotations

import math

import pytest

from openrealtime.server.session.end_of_turn import (
    EAGERNESS,
    SECONDS_PER_LOG_ODDS,
    EndOfTurnPolicy,
    WordSignals,
    words_log_odds,
)

# offline-engines.md §8: SmolLM2's P(end) for turns as Whisper writes them.
COMPLETE = {
    "What is the capital of France?": 0.521,
    "Book me a table for two at seven.": 0.284,
    "Thanks, that's all.": 0.015,
}
INCOMPLETE = {
    "What is the capital of": 0.0,
    "I want to book a flight and": 0.0,
    "Tell me about the weather because": 0.0,
    "So the thing is": 0.0,
    "Can you tell me, um,": 0.0,
}


@pytest.mark.parametrize(
    ("transcript", "unfinished", "trailing"),
    [
        ("What is the capital of France?", False, False),
        ("Turn it off!", False, False),
        ('He said "stop."', False, False),
        ("I want to book a flight and", True, True),
        ("I was thinking that maybe we could...", True, False),
        ("I was thinking that maybe we could\u2026", True, False),
        ("How much does it cost to-", True, True),
        ("Can you tell me, um,", True, True),
        ("I would like to, um", True, True),
        ("Could you please check whether?", False, True),
        ("I think so.", False, True),
        ("  the  ", True, True),
    ],
)
def test_the_form_of_the_transcript(transcript: str, unfinished: bool, trailing: bool) -> None:
    signals = WordSignals.read(transcript)
    assert (signals.unfinished, signals.trailing_word) == (unfinished, trailing)
    assert signals.words == len(transcript.replace(",", " ").split())


def test_no_words_is_no_evidence() -> None:
    assert WordSignals.read(" ... ").words == 0
    assert words_log_odds("", 0.9) == 0.0
    assert words_log_odds("...", None) == 0.0


def test_log_odds_follow_the_documented_weights() -> None:
    finished = words_log_odds("What time is it?", 1.0)
    assert finished == pytest.approx(-0.4 + 0.75 * 3)
    assert words_log_odds("What time is it?", 0.01) == pytest.approx(-0.4 + 0.75 * 1)
    assert words_log_odds("What time is it", 0.01) == pytest.approx(-0.4 - 1.5 + 0.75)
    assert words_log_odds("The time and", 0.0) == pytest.approx(-0.4 - 1.5 - 1.2)
    # Below 0.001 a probability says nothing more; above 1 is a scorer's rounding.
    assert words_log_odds("The time and", 1e-9) == words_log_odds("The time and", 0.0)
    assert words_log_odds("Hi.", 1.5) == words_log_odds("Hi.", 1.0)
    # Without a scorer, the words count as a finished turn's usual 0.1.
    assert words_log_odds("Hi.", None) == words_log_odds("Hi.", 0.1)


def test_a_higher_score_never_means_a_longer_wait() -> None:
    policy = EAGERNESS["medium"]
    waits = [policy.wait_ms(words_log_odds("Is that right?", p / 100)) for p in range(101)]
    assert waits == sorted(waits, reverse=True)
    assert waits[0] > waits[-1]


@pytest.mark.parametrize("eagerness", ["low", "medium", "high"])
def test_the_measured_complete_turns_wait_less_than_the_incomplete_ones(eagerness: str) -> None:
    policy = EAGERNESS[eagerness]  # type: ignore[index]
    complete = [policy.wait_ms(words_log_odds(t, p)) for t, p in COMPLETE.items()]
    incomplete = [policy.wait_ms(words_log_odds(t, p)) for t, p in INCOMPLETE.items()]
    assert 1.5 * max(complete) <= min(incomplete)


def test_the_wait_is_the_silence_that_reaches_the_threshold() -> None:
    policy = EndOfTurnPolicy(threshold=1.0, min_wait_ms=100, max_wait_ms=5000)
    for log_odds in (-3.0, -1.0, 0.0, 0.5):
        wait_s = policy.wait_ms(log_odds) / 1000
        assert log_odds + wait_s / SECONDS_PER_LOG_ODDS == pytest.approx(policy.threshold)
    assert policy.wait_ms(0.95) == 100
    assert policy.wait_ms(-10.0) == 5000


def test_before_the_words_are_judged_only_the_longest_wait_ends_the_turn() -> None:
    for policy in EAGERNESS.values():
        assert policy.wait_ms(None) == policy.max_wait_ms


def test_eagerness_orders_the_waits() -> None:
    assert EndOfTurnPolicy.for_eagerness("auto") == EAGERNESS["medium"]
    assert EndOfTurnPolicy.for_eagerness(None) == EAGERNESS["medium"]
    # OpenAI's documented maximum waits.
    assert [EAGERNESS[e].max_wait_ms for e in ("low", "medium", "high")] == [8000, 4000, 2000]
    for log_odds in [x / 4 for x in range(-20, 12)]:
        low, medium, high = (EAGERNESS[e].wait_ms(log_odds) for e in ("low", "medium", "high"))
        assert high <= medium <= low
    assert all(math.isfinite(EAGERNESS[e].threshold) for e in EAGERNESS)
