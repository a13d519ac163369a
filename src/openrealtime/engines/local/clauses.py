"""Cutting streamed text into clauses, so speech can start before the text is complete.

A clause ends at a sentence mark (``.``, ``!``, ``?``, ``…``) followed by whitespace
(a period after a common abbreviation such as "Dr." or after an initial does not
count), or at a pause mark (``,``, ``;``, ``:``, a dash) followed by whitespace once
the clause has at least ``min_words`` words, or at a line break. A clause that reaches
``max_words`` without either ends at the next whitespace, so run-on text still
streams. The first clause is what the synthesizer speaks first, so it is held to
``first_max_words`` and a pause mark ends it after two words: a short first clause
means early audio.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["ClauseSplitter"]

_SENTENCE_END: Final = re.compile(r"[.!?…]+[\"')\]]*\s")
_PAUSE: Final = re.compile("(?:[,;:]|\\s[-\u2013\u2014])[\"')\\]]*\\s")
_ABBREVIATION: Final = re.compile(
    r"(?:^|\s)(?:[A-Za-z]|Mr|Mrs|Ms|Dr|Prof|St|Sr|Jr|vs|etc|e\.g|i\.e|No|approx)\.$"
)
_LINE_BREAK: Final = re.compile(r"\n")


class ClauseSplitter:
    """Feed text as it streams; take complete clauses out."""

    def __init__(
        self, *, min_words: int = 3, max_words: int = 25, first_max_words: int = 10
    ) -> None:
        if min_words < 1 or max_words < min_words or first_max_words < 1:
            raise ValueError("need 1 <= min_words <= max_words and first_max_words >= 1")
        self.min_words = min_words
        self.max_words = max_words
        self.first_max_words = first_max_words
        self._first = True
        self._buffer = ""

    def feed(self, text: str) -> list[str]:
        """Add streamed text; return the clauses it completed (stripped, non-empty)."""
        self._buffer += text
        clauses: list[str] = []
        while (end := self._clause_end()) is not None:
            clause, self._buffer = self._buffer[:end], self._buffer[end:]
            if clause.strip():
                clauses.append(clause.strip())
                self._first = False
        return clauses

    def flush(self) -> list[str]:
        """The text left at the end, as a last clause."""
        rest, self._buffer = self._buffer.strip(), ""
        return [rest] if rest else []

    def _clause_end(self) -> int | None:
        buffer = self._buffer
        min_words = min(self.min_words, 2) if self._first else self.min_words
        max_words = self.first_max_words if self._first else self.max_words
        ends: list[int] = []
        for match in _SENTENCE_END.finditer(buffer, len(buffer) - len(buffer.lstrip())):
            if not _ABBREVIATION.search(buffer[: match.end()].rstrip()):
                ends.append(match.end())
                break
        line = _LINE_BREAK.search(buffer, len(buffer) - len(buffer.lstrip()))
        if line is not None:
            ends.append(line.end())
        for match in _PAUSE.finditer(buffer):
            if len(buffer[: match.start() + 1].split()) >= min_words:
                ends.append(match.end())
                break
        words = list(re.finditer(r"\S+", buffer))
        if len(words) > max_words:
            ends.append(words[max_words - 1].end())
        return min(ends) if ends else None
