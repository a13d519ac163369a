"""Cutting streaming reply text into clauses, so speech can start before the reply ends.

A text-to-speech engine that takes whole inputs speaks best a sentence at a time, and
starts soonest with a short first piece. :class:`ClauseSplitter` ends a piece:

- after ``.``, ``!``, ``?`` or ``…`` (and any closing quotes or brackets) followed by
  whitespace, so ``3.5`` and ``example.com`` stay whole;
- after ``,``, ``;``, ``:`` or a dash followed by whitespace, once the piece has at
  least ``clause_chars`` characters;
- at a line break;
- at the last space before ``max_chars``, when no punctuation came.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["ClauseSplitter"]

_SENTENCE: Final = re.compile("[.!?\u2026]+[\"'\u201d\u2019)\\]]*\\s|\n")
_CLAUSE: Final = re.compile("[,;:\u2013\u2014]\\s")


class ClauseSplitter:
    """Feeds on text deltas; returns each piece once it is complete."""

    def __init__(self, *, clause_chars: int = 40, max_chars: int = 400) -> None:
        if clause_chars < 1 or max_chars < clause_chars:
            raise ValueError(
                f"need 1 <= clause_chars <= max_chars, got {clause_chars} and {max_chars}"
            )
        self.clause_chars = clause_chars
        self.max_chars = max_chars
        self._pending = ""

    def feed(self, text: str) -> list[str]:
        """Add ``text``; return the pieces it completes, in order."""
        self._pending += text
        pieces = []
        while (end := self._cut()) is not None:
            piece, self._pending = self._pending[:end], self._pending[end:]
            if piece.strip():
                pieces.append(piece.strip())
        return pieces

    def flush(self) -> str | None:
        """The text still pending at the end of the reply, if any."""
        piece, self._pending = self._pending.strip(), ""
        return piece or None

    def _cut(self) -> int | None:
        pending = self._pending
        sentence = _SENTENCE.search(pending)
        if sentence is not None and sentence.end() <= self.max_chars:
            return sentence.end()
        for clause in _CLAUSE.finditer(pending):
            if self.clause_chars <= clause.end() <= self.max_chars:
                return clause.end()
        if len(pending) > self.max_chars:
            space = pending.rfind(" ", 0, self.max_chars)
            return space + 1 if space > 0 else self.max_chars
        return None
