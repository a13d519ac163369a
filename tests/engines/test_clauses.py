from __future__ import annotations

import pytest

from openrealtime.engines.clauses import ClauseSplitter, SentenceLimit


def split(*deltas: str, **kw: int) -> list[str]:
    splitter = ClauseSplitter(**kw)
    pieces = [piece for delta in deltas for piece in splitter.feed(delta)]
    tail = splitter.flush()
    return [*pieces, tail] if tail else pieces


def test_sentences_end_at_punctuation_and_whitespace() -> None:
    assert split("Hi. How", " are you? ", "Fine!") == ["Hi.", "How are you?", "Fine!"]


def test_decimals_and_domains_stay_whole() -> None:
    assert split("It costs 3.5 euros at example.com today.") == [
        "It costs 3.5 euros at example.com today."
    ]


def test_closing_quotes_stay_with_their_sentence() -> None:
    assert split('He said "yes." Then', " left.") == ['He said "yes."', "Then left."]


def test_commas_cut_only_long_enough_clauses() -> None:
    text = "Well, if you take the first street on the left, you will see it, I think"
    assert split(text, clause_chars=30) == [
        "Well, if you take the first street on the left,",
        "you will see it, I think",
    ]


def test_line_breaks_cut() -> None:
    assert split("First line\nsecond line") == ["First line", "second line"]


def test_long_text_without_punctuation_is_cut_at_a_space() -> None:
    pieces = split("word " * 30, clause_chars=10, max_chars=50)
    assert all(len(piece) <= 50 for piece in pieces)
    assert " ".join(pieces).split() == ["word"] * 30


def test_whitespace_only_yields_nothing() -> None:
    assert split("  ", "\n") == []


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="clause_chars <= max_chars"):
        ClauseSplitter(clause_chars=100, max_chars=50)


def test_abbreviations_and_initials_do_not_end_a_sentence() -> None:
    assert split("Dr. Smith met J. Doe, e.g. on Mon. Then", " they left.") == [
        "Dr. Smith met J. Doe, e.g. on Mon.",
        "Then they left.",
    ]


def test_a_line_break_cuts_even_after_an_abbreviation() -> None:
    assert split("Ask Dr.\nNow") == ["Ask Dr.", "Now"]


def test_the_first_piece_can_be_held_shorter() -> None:
    text = "Well, yes, the capital of France is Paris, as far as I know, of course"
    assert split(text, clause_chars=15, first_clause_chars=8) == [
        "Well, yes,",
        "the capital of France is Paris,",
        "as far as I know,",
        "of course",
    ]
    run_on = " ".join(f"w{i}" for i in range(20))
    pieces = split(run_on, clause_chars=15, max_chars=160, first_max_chars=30)
    assert len(pieces[0]) <= 30
    assert " ".join(pieces) == run_on
    with pytest.raises(ValueError, match="clause_chars <= max_chars"):
        ClauseSplitter(first_clause_chars=50, first_max_chars=20)


@pytest.mark.spec("11.4")
def test_a_reply_ends_at_the_first_sentence_end_after_enough_words() -> None:
    assert limit(3, "I am here.", " Next", " one.") == ("I am here.", "stop")
    assert limit(10, "Short.", " Done") == ("Short. Done", None)
    # Abbreviations, list numbers and decimals are no sentence ends.
    assert limit(3, "Dr. Smith is", " in. Yes") == ("Dr. Smith is in.", "stop")
    assert limit(3, "Tips: 1.", " Eat well. 2.", " Sleep.") == ("Tips: 1. Eat well.", "stop")
    assert limit(3, "It is 3.5 meters", " long! And") == ("It is 3.5 meters long!", "stop")
    # The whitespace that makes a mark a sentence end may come in the next delta.
    assert limit(2, "One two.", " Three") == ("One two.", "stop")


@pytest.mark.spec("11.4")
def test_a_reply_without_sentence_ends_is_cut_for_length() -> None:
    assert limit(2, "il a, il b, il c, il d") == ("il a, il b,", "length")
    assert limit(2, "a b c d e f g h") == ("a b c d e f", "length")
    with pytest.raises(ValueError, match="at least 1"):
        SentenceLimit(0)


def limit(words: int, *deltas: str) -> tuple[str, str | None]:
    """Feed ``deltas`` until the limit ends the reply: what was kept, and why it ended."""
    sentences = SentenceLimit(words)
    kept = ""
    for delta in deltas:
        text, ended = sentences.feed(delta)
        kept += text
        if ended is not None:
            return kept, ended
    return kept, None
