"""The hardening checkers of ``openrealtime.testing.invariants``, each made to fail.

Real traces keep them (the session-state machines and the fuzzers feed every event
to :class:`SessionChecker`); here each rule is shown to catch what it is for.
"""

from __future__ import annotations

from typing import Any

import pytest

from openrealtime.testing.invariants import (
    InvariantViolation,
    SessionChecker,
    TraceChecker,
    TruncationGuard,
    check_rejection,
)


def response(kind: str, response_id: str, conversation: str | None = "conv_1") -> dict[str, Any]:
    body = {
        "id": response_id,
        "status": "in_progress",
        "output": [],
        "conversation_id": conversation,
    }
    return {"type": kind, "response": body}


def added(
    item_id: str, previous: str | None, kind: str = "conversation.item.added"
) -> dict[str, Any]:
    return {"type": kind, "previous_item_id": previous, "item": {"id": item_id}}


def feed(checker: Any, events: list[dict[str, Any]]) -> None:
    for position, event in enumerate(events):
        checker.feed(position, event)


def test_no_speech_after_a_truncation() -> None:
    truncated = {
        "type": "conversation.item.truncated",
        "item_id": "i",
        "content_index": 0,
        "audio_end_ms": 300,
    }
    delta = {
        "type": "response.output_audio_transcript.delta",
        "item_id": "i",
        "content_index": 0,
        "delta": "x",
    }
    other = {**delta, "item_id": "j"}
    guard = TruncationGuard()
    feed(guard, [delta, truncated, other])
    with pytest.raises(InvariantViolation, match="after its truncation at 300 ms"):
        guard.feed(3, delta)


def test_a_rejection_is_one_error_with_the_event_id() -> None:
    error = {"type": "error", "error": {"event_id": "e1"}}
    check_rejection([error], "e1")
    with pytest.raises(InvariantViolation):
        check_rejection([error], None)
    with pytest.raises(InvariantViolation):
        check_rejection([error, error], "e1")
    with pytest.raises(InvariantViolation):
        check_rejection([{"type": "session.updated"}], "e1")


def test_a_deleted_item_may_come_back() -> None:
    item = {"id": "a"}
    events = [
        {"type": "conversation.item.added", "item": item},
        {"type": "conversation.item.done", "item": item},
        {"type": "conversation.item.deleted", "item_id": "a"},
        {"type": "conversation.item.added", "item": item},
        {"type": "conversation.item.done", "item": item},
    ]
    checker = TraceChecker("ga")
    feed(checker, events)
    checker.finish()


def test_the_session_checker_feeds_every_rule() -> None:
    checker = SessionChecker("ga")
    checker.feed(response("response.created", "resp_1"))
    with pytest.raises(InvariantViolation):
        checker.feed(response("response.created", "resp_2"))
