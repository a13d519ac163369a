"""What the server owes a frame, worked out without the server's own code.

An error must carry the frame's ``event_id`` when the frame had a usable one: the
frame is a JSON object (as Python's parser reads it, nested at most 200 levels deep)
whose ``event_id`` is a string of at most 512 characters that is Unicode text. Every
``error`` must also be sane: a code, words that name what is wrong, and a size that
does not grow with the input.
"""

from __future__ import annotations

import json
import re
from typing import Any

from openrealtime.testing.invariants import InvariantViolation

MAX_ERROR_CHARS = 4096
"""No error message is longer: values are quoted cut to 512 characters."""


_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def nests_deeper_than(text: str, limit: int) -> bool:
    """Whether arrays and objects nest more than ``limit`` deep, strings aside."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for token in _TOKENS.finditer(text):
        mark = token.group()
        if mark in ("[", "{"):
            depth += 1
            if depth > limit:
                return True
        elif mark in ("]", "}"):
            depth -= 1
    return False


def usable_event_id(text: str) -> str | None:
    """The frame's ``event_id`` if an error can carry it back.

    A frame nested deeper than the 200 levels the server reads has none.
    """
    if nests_deeper_than(text, 200):
        return None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict):
        return None
    event_id = document.get("event_id")
    if not isinstance(event_id, str) or len(event_id) > 512:
        return None
    try:
        event_id.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return event_id


def check_error(event: dict[str, Any]) -> None:
    """An ``error`` event is one a client can act on."""
    error = event["error"]
    message = error.get("message") or ""
    if error.get("type") == "server_error":
        raise InvariantViolation(f"server_error: {message[:300]}")
    if "'None'" in message:
        raise InvariantViolation(f"an error that names no parameter: {message[:300]}")
    if len(message) > MAX_ERROR_CHARS or len(error.get("param") or "") > MAX_ERROR_CHARS:
        raise InvariantViolation(f"an error of {len(message)} characters: {message[:200]}…")
    if not error.get("code") and message != "Missing bearer or basic authentication in header":
        raise InvariantViolation(f"an error with no code: {message[:300]}")
