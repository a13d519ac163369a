"""Streamed text cut into clauses for early speech."""

from __future__ import annotations

from openrealtime.engines.local.clauses import ClauseSplitter


def split(text: str, **options: int) -> list[str]:
    splitter = ClauseSplitter(**options)
    clauses: list[str] = []
    for token in text.split(" "):
        clauses += splitter.feed(token + " ")
    return clauses + splitter.flush()


def test_sentences_and_long_enough_pauses_end_clauses() -> None:
    assert split("Hi. The capital of France is Paris, a city of 42 bridges. Yes, it is") == [
        "Hi.",
        "The capital of France is Paris,",
        "a city of 42 bridges.",
        "Yes, it is",
    ]


def test_abbreviations_numbers_and_initials_do_not_end_a_clause() -> None:
    assert split("Dr. Smith paid 3.5 dollars to J. Doe, e.g. on Mon. Fine") == [
        "Dr. Smith paid 3.5 dollars to J. Doe,",
        "e.g. on Mon.",
        "Fine",
    ]


def test_a_run_on_clause_ends_at_max_words() -> None:
    words = " ".join(f"w{i}" for i in range(12))
    assert split(words, min_words=3, max_words=5, first_max_words=5) == [
        "w0 w1 w2 w3 w4",
        "w5 w6 w7 w8 w9",
        "w10 w11",
    ]


def test_a_clause_is_complete_only_once_whitespace_follows() -> None:
    splitter = ClauseSplitter()
    assert splitter.feed("It is 3.") == []
    assert splitter.feed("5 metres. And") == ["It is 3.5 metres."]
    assert splitter.feed("\nmore") == ["And"]
    assert splitter.flush() == ["more"]


def test_the_first_clause_is_short_for_early_audio() -> None:
    assert split("Well, yes, the capital of France is Paris, as far as I know, of course") == [
        "Well, yes,",
        "the capital of France is Paris,",
        "as far as I know,",
        "of course",
    ]
    run_on = " ".join(f"w{i}" for i in range(14))
    assert split(run_on) == [" ".join(f"w{i}" for i in range(10)), "w10 w11 w12 w13"]
