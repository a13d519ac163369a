"""Cutting streaming reply text into clauses, so speech can start before the reply ends.

A text-to-speech engine that takes whole inputs speaks best a sentence at a time, and
starts soonest with a short first piece. :class:`ClauseSplitter` ends a piece at the
first of these:

- after ``.``, ``!``, ``?`` or ``…`` (and any closing quotes or brackets) followed by
  whitespace, so ``3.5`` and ``example.com`` stay whole, and not after a common
  abbreviation ("Dr.", "e.g.") or an initial ("J. Doe");
- after ``,``, ``;``, ``:`` or a dash followed by whitespace, once the piece has at
  least ``clause_chars`` characters;
- at a line break;
- at the last space before ``max_chars``, when no punctuation came.

``first_clause_chars`` and ``first_max_chars``, when given, replace the two limits for
the first piece: a synthesizer that starts speaking on it wants it short.

:class:`SentenceLimit` uses the same sentence ends to stop a reply that runs on: it lets
text through up to the first sentence end after a number of words.
"""

from __future__ import annotations

import re
from typing import Final, Literal

__all__ = ["ClauseSplitter", "SentenceLimit"]

_SENTENCE: Final = re.compile("[.!?\u2026]+[\"'\u201d\u2019)\\]]*\\s|\n")
_ABBREVIATION: Final = re.compile(
    r"(?:^|\s)(?:[A-Za-z]|Mr|Mrs|Ms|Dr|Prof|St|Sr|Jr|vs|etc|e\.g|i\.e|No|approx)\.$"
)
_CLAUSE: Final = re.compile("[,;:\u2013\u2014]\\s")
_LIST_NUMBER: Final = re.compile(r"(?:^|\s)\d{1,2}\.$")
"""A numbered list's "2." is no sentence end."""
_WORD_END: Final = re.compile(r"\S+(?=\s)")
"""A word whose end has come (whitespace follows it)."""


class ClauseSplitter:
    """Feeds on text deltas; returns each piece once it is complete."""

    def __init__(
        self,
        *,
        clause_chars: int = 40,
        max_chars: int = 400,
        first_clause_chars: int | None = None,
        first_max_chars: int | None = None,
    ) -> None:
        limits = [(clause_chars, max_chars)]
        limits.append((first_clause_chars or clause_chars, first_max_chars or max_chars))
        for low, high in limits:
            if low < 1 or high < low:
                raise ValueError(f"need 1 <= clause_chars <= max_chars, got {low} and {high}")
        self.clause_chars = clause_chars
        self.max_chars = max_chars
        self._first: tuple[int, int] | None = limits[1]
        self._pending = ""

    def feed(self, text: str) -> list[str]:
        """Add ``text``; return the pieces it completes, in order."""
        self._pending += text
        pieces = []
        while (end := self._cut()) is not None:
            piece, self._pending = self._pending[:end], self._pending[end:]
            if piece.strip():
                pieces.append(piece.strip())
                self._first = None
        return pieces

    def flush(self) -> str | None:
        """The text still pending at the end of the reply, if any."""
        piece, self._pending = self._pending.strip(), ""
        return piece or None

    def _cut(self) -> int | None:
        pending = self._pending
        clause_chars, max_chars = self._first or (self.clause_chars, self.max_chars)
        cuts = []
        for sentence in _SENTENCE.finditer(pending):
            if sentence.end() > max_chars:
                break
            if sentence.group().endswith("\n") or not _ABBREVIATION.search(
                pending[: sentence.end()].rstrip()
            ):
                cuts.append(sentence.end())
                break
        for clause in _CLAUSE.finditer(pending):
            if clause_chars <= clause.end() <= max_chars:
                cuts.append(clause.end())
                break
        if cuts:
            return min(cuts)
        if len(pending) > max_chars:
            space = pending.rfind(" ", 0, max_chars)
            return space + 1 if space > 0 else max_chars
        return None


class SentenceLimit:
    """Passes reply text through until it is long enough, ending it where speech may end.

    The reply ends at the first sentence end after ``words`` words (:meth:`feed` then
    says ``"stop"``). A reply running on without one is cut (``"length"``) at the first
    pause mark after twice that many words, or else at the first word after three
    times that many. A sentence ends as :class:`ClauseSplitter` says (the whitespace
    after the mark must have come, so "3.5" stays whole), except after a list number
    ("2.").
    """

    def __init__(self, words: int) -> None:
        if words < 1:
            raise ValueError(f"words must be at least 1, got {words}")
        self.words = words
        self._text = ""
        self._passed = 0

    def feed(self, text: str) -> tuple[str, Literal["stop", "length"] | None]:
        """What to keep of ``text``, and why the reply ends there (``None``: it goes on)."""
        self._text += text
        end, reason = self._end()
        cut = len(self._text) if end is None else end
        kept = self._text[self._passed : cut]
        self._passed = max(self._passed, cut)
        return kept, reason

    def _end(self) -> tuple[int | None, Literal["stop", "length"] | None]:
        text = self._text
        if len(text.split()) < self.words:
            return None, None
        for sentence in _SENTENCE.finditer(text):
            before = text[: sentence.end()].rstrip()
            if len(before.split()) >= self.words and (
                sentence.group().endswith("\n")
                or not (_ABBREVIATION.search(before) or _LIST_NUMBER.search(before))
            ):
                return len(before), "stop"
        for clause in _CLAUSE.finditer(text):
            before = text[: clause.end()].rstrip()
            if len(before.split()) >= 2 * self.words:
                return len(before), "length"
        words = list(_WORD_END.finditer(text))
        if len(words) > 3 * self.words:
            return words[3 * self.words - 1].end(), "length"
        return None, None
