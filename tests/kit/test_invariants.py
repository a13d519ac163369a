"""The invariants the kit added to openrealtime.testing.invariants, each on a small trace."""

from __future__ import annotations

from typing import Any

import pytest

from openrealtime.testing.invariants import (
    ActiveResponses,
    CloseRules,
    ErrorEcho,
    InvariantViolation,
    ItemChain,
    UniqueEventIds,
    WireChecker,
    check_event_model,
)


def response(kind: str, rid: str, conversation: str | None = "conv_1") -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": rid,
        "object": "realtime.response",
        "status": "in_progress",
        "output": [],
        "conversation_id": conversation,
    }
    return {"type": kind, "event_id": f"event_{kind}_{rid}", "response": body}


def added(item_id: str, previous: str | None) -> dict[str, Any]:
    return {
        "type": "conversation.item.added",
        "event_id": f"event_{item_id}",
        "previous_item_id": previous,
        "item": {"id": item_id},
    }


def error(event_id: str | None, code: str = "invalid_value") -> dict[str, Any]:
    return {
        "type": "error",
        "event_id": "event_e",
        "error": {
            "type": "invalid_request_error",
            "code": code,
            "message": "m",
            "param": None,
            "event_id": event_id,
        },
    }


def test_one_active_response_in_the_default_conversation() -> None:
    checker = ActiveResponses()
    checker.feed(0, response("response.created", "resp_1"))
    checker.feed(1, response("response.created", "resp_oob", conversation=None))
    with pytest.raises(InvariantViolation, match="resp_2 started while resp_1 was still active"):
        checker.feed(2, response("response.created", "resp_2"))
    checker.feed(3, response("response.done", "resp_1"))
    checker.feed(4, response("response.created", "resp_2"))


def test_previous_item_id_names_an_item_of_the_conversation() -> None:
    chain = ItemChain()
    chain.feed(0, added("item_a", None))
    chain.feed(1, added("item_b", "item_a"))
    chain.feed(2, added("item_c", None))
    assert chain.order == ["item_c", "item_a", "item_b"]
    with pytest.raises(InvariantViolation, match="previous_item_id 'item_x' names no item"):
        chain.feed(3, added("item_d", "item_x"))
    with pytest.raises(InvariantViolation, match="item item_a added twice"):
        chain.feed(4, added("item_a", "item_b"))
    chain.feed(5, {"type": "conversation.item.deleted", "event_id": "e5", "item_id": "item_b"})
    committed = {"type": "input_audio_buffer.committed", "event_id": "e6", "item_id": "item_u"}
    chain.feed(6, {**committed, "previous_item_id": "item_a"})
    with pytest.raises(InvariantViolation, match="but the last item is 'item_a'"):
        chain.feed(7, {**committed, "previous_item_id": "item_c"})


def test_errors_echo_the_client_event_id() -> None:
    echo = ErrorEcho()
    echo.sent("c1")
    echo.feed(0, error("c1"))
    with pytest.raises(InvariantViolation, match="'c9' was never sent"):
        echo.feed(1, error("c9"))
    echo.sent(None)
    echo.feed(2, error(None))
    echo.feed(3, error(None, code="session_expired"))
    echo.feed(4, error(None))
    with pytest.raises(InvariantViolation, match="no event_id, though every client event"):
        echo.finish()
    echo.feed(5, error(None))
    echo.closed()
    echo.finish()


def test_event_ids_are_unique() -> None:
    ids = UniqueEventIds()
    ids.feed(0, {"type": "x", "event_id": "event_1"})
    with pytest.raises(InvariantViolation, match="used twice"):
        ids.feed(1, {"type": "x", "event_id": "event_1"})
    with pytest.raises(InvariantViolation, match="no event_id"):
        ids.feed(2, {"type": "x"})


def test_closes_are_never_silent_and_nothing_follows_them() -> None:
    rules = CloseRules()
    rules.closed(1000, "", by_client=True)
    with pytest.raises(InvariantViolation, match="after the close"):
        rules.feed(0, {"type": "session.updated"})
    with pytest.raises(InvariantViolation, match="without a close frame"):
        CloseRules().closed(1006, "", by_client=False)
    with pytest.raises(InvariantViolation, match="no reason and no error event"):
        CloseRules().closed(1000, "", by_client=False)
    after_error = CloseRules()
    after_error.feed(0, error(None))
    after_error.closed(4000, "", by_client=False)
    CloseRules().closed(1001, "going away", by_client=False)


def test_events_must_match_the_dialect_models() -> None:
    with pytest.raises(InvariantViolation, match=r"'response\.cancelled' is not a ga server event"):
        check_event_model({"type": "response.cancelled", "event_id": "e1"}, "ga")
    with pytest.raises(InvariantViolation, match=r"'conversation\.item\.added' is not a beta"):
        check_event_model({"type": "conversation.item.added", "event_id": "e1"}, "beta")
    with pytest.raises(InvariantViolation, match="error does not match the ga model"):
        check_event_model({"type": "error", "event_id": "e1", "error": {"type": 3}}, "ga")


def test_the_wire_checker_reports_malformed_events_as_violations() -> None:
    checker = WireChecker("ga")
    checker.client("c1")
    with pytest.raises(InvariantViolation, match="not a ga server event"):
        checker.server({"type": "nonsense", "event_id": "e1"})
