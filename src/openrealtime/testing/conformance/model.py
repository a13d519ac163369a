"""What a conformance scenario is, and what running one gives."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ..wire import Frame
    from .context import Run

__all__ = [
    "Capability",
    "Fail",
    "NotApplicable",
    "Outcome",
    "Scenario",
    "Skip",
    "Status",
    "show",
]

Status = Literal["pass", "fail", "skip", "n/a"]
Capability = Literal["audio", "tools", "vad", "transcription"]


class Fail(AssertionError):
    """The server did something the row does not allow.

    ``expected`` and ``got`` are shown as given when strings, as JSON otherwise.
    """

    def __init__(self, message: str, *, expected: object = None, got: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.expected = None if expected is None else show(expected)
        self.got = None if got is None else show(got)


def show(value: object) -> str:
    """A short rendering of a value for a report."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 300 else text[:300] + "..."


class Skip(Exception):
    """The row cannot run here; the reason says why (a flag, a refusal, --slow)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotApplicable(Exception):
    """The row does not exist in this dialect (or cannot be observed from a client)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Scenario:
    """One row of docs/behaviour.md, checked over the wire."""

    row: str
    """The row id in docs/behaviour.md (``3.3.1``, ``4a``, ``12.19``)."""
    title: str
    section: str
    grade: str
    """The spec's evidence grade for the row (``O``, ``S``, ``U``, ``ours``...)."""
    run: Callable[[Run], Awaitable[None]]
    needs: tuple[Capability, ...] = ()
    slow: bool = False
    dialects: tuple[str, ...] = ("ga", "beta")

    @property
    def unverified(self) -> bool:
        """An ``[U]`` row: OpenAI's behaviour is unknown, so the spec's range is accepted."""
        return "U" in self.grade.split(",")

    @property
    def ours(self) -> bool:
        """A row where openrealtime departs from OpenAI on purpose: either is accepted."""
        return self.grade == "ours"


@dataclass
class Outcome:
    """The result of one scenario."""

    scenario: Scenario
    status: Status
    detail: str = ""
    expected: str | None = None
    got: str | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    traces: list[list[Frame]] = field(default_factory=list)
    """The frames of each connection the scenario opened, in order."""
