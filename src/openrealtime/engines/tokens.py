"""The deterministic token rule used for usage accounting and ``max_output_tokens``.

A text token is a maximal run of word characters (``\\w+``, Unicode-aware, so
``don`` and ``_id2`` are one token each) or a single character that is neither a word
character nor whitespace. Whitespace is never a token by itself: :func:`split_tokens`
attaches it to the token that follows, and trailing whitespace to the last piece.

Examples: ``"Hello, world!"`` is 4 tokens (``Hello`` ``,`` ``world`` ``!``);
``"don't"`` is 3 (``don`` ``'`` ``t``); ``"3.14"`` is 3; ``""`` and ``"  "`` are 0.

Audio counts 20 tokens per second, rounded up per 50 ms: ``audio_tokens(ms) = ceil(ms / 50)``.
The rule is the same for every engine, so usage numbers never depend on which engine ran.
"""

from __future__ import annotations

import math
import re

__all__ = ["AUDIO_MS_PER_TOKEN", "audio_tokens", "count_tokens", "split_tokens"]

AUDIO_MS_PER_TOKEN = 50

_TOKEN = re.compile(r"\w+|[^\w\s]")
_PIECE = re.compile(r"\s*(?:\w+|[^\w\s])")


def count_tokens(text: str) -> int:
    """The number of tokens in ``text``."""
    return sum(1 for _ in _TOKEN.finditer(text))


def split_tokens(text: str) -> list[str]:
    """``text`` in token-sized pieces that concatenate back to ``text`` exactly.

    Each piece is the whitespace before a token plus the token; whitespace after the
    last token joins the last piece. Text with no token at all is one piece (or none
    when empty), so the concatenation rule holds for every input.
    """
    pieces = _PIECE.findall(text)
    if not pieces:
        return [text] if text else []
    rest = len(text) - sum(map(len, pieces))
    if rest:
        pieces[-1] += text[-rest:]
    return pieces


def audio_tokens(ms: float) -> int:
    """The tokens ``ms`` of audio counts for: one per started 50 ms."""
    return math.ceil(ms / AUDIO_MS_PER_TOKEN)
