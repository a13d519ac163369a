"""The scenarios, in the order of docs/behaviour.md, each registered with :func:`scenario`."""

from __future__ import annotations

import importlib
import re
from collections.abc import Awaitable, Callable

from .context import Run
from .model import Capability, Scenario

__all__ = ["SECTIONS", "all_scenarios", "row_key", "scenario", "section_of"]

_REGISTERED: list[Scenario] = []
_MODULES = (
    "connection",
    "session_update",
    "audio_buffer",
    "items",
    "truncate",
    "responses",
    "traces",
    "errors",
)

SECTIONS: dict[str, str] = {
    "1": "§1-2 connection",
    "2": "§1-2 connection",
    "3.1": "§3.1 session.update",
    "3.2": "§3.2 input_audio_buffer.append",
    "3.3": "§3.3 input_audio_buffer.commit",
    "3.4": "§3.4 input_audio_buffer.clear",
    "3.5": "§3.5 conversation.item.create",
    "3.6": "§3.6 conversation.item.truncate",
    "3.7": "§3.7 conversation.item.delete",
    "3.8": "§3.8 conversation.item.retrieve",
    "3.9": "§3.9 response.create",
    "3.10": "§3.10 response.cancel",
    "3.11": "§3.11-3.12 other client events",
    "3.12": "§3.11-3.12 other client events",
    "4": "§4 traces",
    "12": "§12 errors",
    "12.e": "§12 known errors in OpenAI's documents",
}

Body = Callable[[Run], Awaitable[None]]


def section_of(row: str) -> str:
    """The section a row id belongs to."""
    if row.startswith("12.e"):
        return SECTIONS["12.e"]
    if row[0] == "4":
        return SECTIONS["4"]
    major, _, rest = row.partition(".")
    if major == "3":
        return SECTIONS["3." + rest.split(".")[0]]
    return SECTIONS[major]


def row_key(row: str) -> tuple[tuple[int, int | str], ...]:
    """Sorts row ids as docs/behaviour.md lists them (3.1.10 after 3.1.9, 12.e1 after 12.26)."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in re.findall(r"\d+|[a-z]+", row)
    )


def scenario(
    row: str,
    title: str,
    *,
    grade: str,
    needs: tuple[Capability, ...] = (),
    slow: bool = False,
    dialects: tuple[str, ...] = ("ga", "beta"),
) -> Callable[[Body], Body]:
    """Register ``body`` as the check of ``row``; stack it to check several rows at once."""

    def register(body: Body) -> Body:
        _REGISTERED.append(
            Scenario(
                row=row,
                title=title,
                section=section_of(row),
                grade=grade,
                run=body,
                needs=needs,
                slow=slow,
                dialects=dialects,
            )
        )
        return body

    return register


def all_scenarios() -> list[Scenario]:
    """Every scenario, in row order."""
    for module in _MODULES:
        importlib.import_module(f"{__package__}.scenarios.{module}")
    return sorted(_REGISTERED, key=lambda s: row_key(s.row))
