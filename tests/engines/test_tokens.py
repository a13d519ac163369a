from __future__ import annotations

import pytest

from openrealtime.engines.tokens import audio_tokens, count_tokens, split_tokens


@pytest.mark.parametrize(
    ("text", "count", "pieces"),
    [
        ("", 0, []),
        ("   ", 0, ["   "]),
        ("Hello", 1, ["Hello"]),
        ("Hello, world!", 4, ["Hello", ",", " world", "!"]),
        ("don't", 3, ["don", "'", "t"]),
        ("3.14", 3, ["3", ".", "14"]),
        ("snake_case x2", 2, ["snake_case", " x2"]),
        ("  lead and trail \n", 3, ["  lead", " and", " trail \n"]),
        ('{"a": 1}', 7, ["{", '"', "a", '"', ":", " 1", "}"]),
        ("héllo wörld", 2, ["héllo", " wörld"]),
        ("a—b", 3, ["a", "—", "b"]),
        ("?!", 2, ["?", "!"]),
    ],
)
def test_split_and_count(text: str, count: int, pieces: list[str]) -> None:
    assert count_tokens(text) == count
    assert split_tokens(text) == pieces
    assert "".join(pieces) == text


@pytest.mark.parametrize(
    "text", ["You said: hi", 'Tool get_weather returned: {"t": 20}', "\t\n x \t", "a  b"]
)
def test_pieces_are_one_token_each_and_concatenate_back(text: str) -> None:
    pieces = split_tokens(text)
    assert "".join(pieces) == text
    assert all(count_tokens(piece) == 1 for piece in pieces)
    assert count_tokens(text) == len(pieces)


@pytest.mark.parametrize(
    ("ms", "tokens"), [(0, 0), (1, 1), (50, 1), (50.5, 2), (100, 2), (1000, 20), (1234, 25)]
)
def test_audio_tokens(ms: float, tokens: int) -> None:
    assert audio_tokens(ms) == tokens
