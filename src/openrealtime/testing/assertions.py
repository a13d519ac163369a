"""Assertions over a session's events that print the event trace when they fail.

They take server events as dicts (raw JSON), as openrealtime protocol models, or as
the official SDK's event objects::

    from openrealtime.testing.assertions import assert_event, assert_event_types

    assert_event_types(events, ["response.created", "response.output_text.delta*",
                                "response.output_text.done", ...])
    done = assert_event(events, "response.done", response={"status": "completed"})

A type ending in ``*`` stands for any number (zero included) of that event in a row.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Sequence
from typing import Any

from .invariants import Dialect, InvariantViolation, WireChecker

__all__ = [
    "as_dicts",
    "assert_event",
    "assert_event_types",
    "assert_invariants",
    "assert_no_event",
    "event_types",
    "format_trace",
]

_FIELD_LIMIT = 60
_AUDIO_KEYS = frozenset({"audio", "delta"})


def as_dicts(events: Iterable[Any]) -> list[dict[str, Any]]:
    """Events as JSON dicts, whatever form they came in."""
    result: list[dict[str, Any]] = []
    for event in events:
        if isinstance(event, dict):
            result.append(event)
        elif hasattr(event, "to_dict"):
            result.append(dict(event.to_dict()))
        elif hasattr(event, "model_dump"):
            result.append(dict(event.model_dump(mode="json", exclude_unset=True)))
        elif isinstance(event, (str, bytes)):
            result.append(json.loads(event))
        else:
            raise TypeError(f"not an event: {event!r}")
    return result


def event_types(events: Iterable[Any]) -> list[str]:
    """The events' types, in order."""
    return [str(event.get("type")) for event in as_dicts(events)]


def _brief(event: dict[str, Any]) -> str:
    parts = []
    for key, value in event.items():
        if key in ("type", "event_id"):
            continue
        if isinstance(value, str) and key in _AUDIO_KEYS and len(value) > 24:
            shown = f"<{len(value)} chars>"
        else:
            shown = json.dumps(value, ensure_ascii=False, default=str)
            if len(shown) > _FIELD_LIMIT:
                shown = shown[: _FIELD_LIMIT - 3] + "..."
        parts.append(f"{key}={shown}")
    return " ".join(parts)


def format_trace(events: Iterable[Any], *, mark: int | None = None) -> str:
    """One numbered line per event; ``mark`` points at one of them with ``>>``."""
    lines = []
    for index, event in enumerate(as_dicts(events)):
        pointer = ">>" if index == mark else "  "
        lines.append(f"{pointer}{index:4d} {event.get('type')}  {_brief(event)}".rstrip())
    return "\n".join(lines) or "  (no events)"


def _fail(message: str, events: list[dict[str, Any]], mark: int | None = None) -> AssertionError:
    return AssertionError(f"{message}\nevent trace:\n{format_trace(events, mark=mark)}")


def assert_event_types(events: Iterable[Any], expected: Sequence[str]) -> None:
    """The events' types are exactly ``expected`` (``type*``: any number of that type)."""
    trace = as_dicts(events)
    types = [str(event.get("type")) for event in trace]
    position = 0
    for pattern in expected:
        if pattern.endswith("*"):
            while position < len(types) and fnmatch.fnmatchcase(types[position], pattern[:-1]):
                position += 1
            continue
        if position >= len(types):
            raise _fail(f"expected {pattern} after event {position - 1}, got nothing", trace)
        if types[position] != pattern:
            raise _fail(
                f"event {position}: expected {pattern}, got {types[position]}", trace, position
            )
        position += 1
    if position < len(types):
        raise _fail(f"event {position}: unexpected {types[position]}", trace, position)


def _contains(value: Any, wanted: Any) -> bool:
    if isinstance(wanted, dict):
        return isinstance(value, dict) and all(
            key in value and _contains(value[key], item) for key, item in wanted.items()
        )
    return bool(value == wanted)


def assert_event(events: Iterable[Any], event_type: str, **fields: Any) -> dict[str, Any]:
    """The first event of ``event_type`` whose fields include ``fields`` (dicts: a subset)."""
    trace = as_dicts(events)
    for event in trace:
        if event.get("type") == event_type and _contains(event, fields):
            return event
    wanted = f" with {json.dumps(fields, default=str)}" if fields else ""
    raise _fail(f"no {event_type}{wanted}", trace)


def assert_no_event(events: Iterable[Any], event_type: str) -> None:
    """No event of ``event_type``."""
    trace = as_dicts(events)
    for index, event in enumerate(trace):
        if event.get("type") == event_type:
            raise _fail(f"event {index}: unexpected {event_type}", trace, index)


def assert_invariants(
    events: Iterable[Any], dialect: Dialect = "ga", *, complete: bool = True
) -> None:
    """The protocol's invariants (:mod:`.invariants`) hold over a session's server events.

    The error ``event_id`` echo needs the client's frames too, so it is not checked here.
    """
    trace = as_dicts(events)
    checker = WireChecker(dialect, echo=False)
    for index, event in enumerate(trace):
        try:
            checker.server(event)
        except InvariantViolation as violation:
            raise _fail(f"invariant broken: {violation}", trace, index) from None
    try:
        checker.finish(complete=complete)
    except InvariantViolation as violation:
        raise _fail(f"invariant broken: {violation}", trace) from None
