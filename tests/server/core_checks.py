"""Checks shared by the session-core tests: client event bodies per dialect, the errors
they expect, and a turn that proves a session still works after whatever came before."""

from __future__ import annotations

from typing import Any, Literal

from .dialects import configure, user_text
from .harness import Harness

__all__ = [
    "DIALECTS",
    "assert_text_turn_works",
    "invalid_request",
    "only_error",
    "reply_to",
    "text_modality",
    "user_text",
]

DIALECTS = ("ga", "beta")


def text_modality(dialect: Literal["ga", "beta"]) -> dict[str, Any]:
    """A ``session.update`` that makes responses text only, so turns finish at once."""
    if dialect == "ga":
        return {
            "type": "session.update",
            "session": {"type": "realtime", "output_modalities": ["text"]},
        }
    return {"type": "session.update", "session": {"modalities": ["text"]}}


def invalid_request(
    code: str | None, message: str, param: str | None = None, event_id: str | None = None
) -> dict[str, Any]:
    """The body of an ``error`` event of type ``invalid_request_error``."""
    return {
        "type": "invalid_request_error",
        "code": code,
        "message": message,
        "param": param,
        "event_id": event_id,
    }


async def reply_to(
    harness: Harness, text: str, /, *, item_id: str | None = None, **settings: Any
) -> None:
    """Configure the session, add a user ``text`` message and ask for a response.

    ``settings`` are :func:`~.dialects.configure`'s, e.g. ``text=True`` for text output.
    """
    await harness.send(configure(harness.dialect, **settings))
    await harness.send(user_text(text, item_id=item_id))
    await harness.send({"type": "response.create"})


def only_error(harness: Harness) -> dict[str, Any]:
    """The one event sent since the last ``take()``, which must be an ``error``."""
    events = harness.take()
    assert [event.type for event in events] == ["error"]
    error: dict[str, Any] = events[0].error.to_dict()
    return error


async def assert_text_turn_works(harness: Harness, text: str = "still here") -> None:
    """A text turn runs to ``response.done`` ``completed``, with no error."""
    harness.take()
    await harness.send(user_text(text))
    if harness.dialect == "ga":
        await harness.send({"type": "response.create", "response": {"output_modalities": ["text"]}})
    else:
        await harness.send({"type": "response.create", "response": {"modalities": ["text"]}})
    await harness.settle()
    events = harness.take()
    types = [event.type for event in events]
    assert "error" not in types
    done = events[types.index("response.done")]
    assert done.response.status == "completed"
    content = done.response.output[0].content[0]
    assert content.text == f"You said: {text}"
