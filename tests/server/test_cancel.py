"""``response.cancel`` (docs/behaviour.md §3.10, §4f), in both dialects."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from openrealtime.engines.scripted.script import Actions, FunctionCallSpec, Rule, Script

from ..traces import closing_audio, closing_call, closing_text
from .core_checks import reply_to
from .dialects import Dialect, configure, overrides
from .harness import Harness
from .invariants import Make, traced

DIALECTS = pytest.mark.parametrize("dialect", ["ga", "beta"])
CLIENT_CANCELLED = {"type": "cancelled", "reason": "client_cancelled"}


@pytest.fixture
async def make() -> AsyncIterator[Make]:
    async with traced() as factory:
        yield factory


def not_active(event_id: str | None) -> dict[str, Any]:
    return {
        "type": "invalid_request_error",
        "code": "response_cancel_not_active",
        "message": "Cancellation failed: no active response found",
        "param": None,
        "event_id": event_id,
    }


def cancel(response_id: str | None = None, event_id: str = "c1") -> dict[str, Any]:
    event: dict[str, Any] = {"type": "response.cancel", "event_id": event_id}
    if response_id is not None:
        event["response_id"] = response_id
    return event


def finished(h: Harness) -> dict[str, dict[str, Any]]:
    return {e.response.id: e.response.to_dict() for e in h.of_type("response.done")}


# -- 3.10.1: which response ------------------------------------------------------------


@DIALECTS
@pytest.mark.parametrize("by_id", [False, True])
@pytest.mark.spec("3.10.1")
async def test_cancel_the_default_response(make: Make, dialect: Dialect, by_id: bool) -> None:
    h = await make(dialect=dialect).start()
    await reply_to(h, "Hello there friend")
    await h.advance(0.3)
    response_id = h.of_type("response.created")[0].response.id
    await h.send(cancel(response_id if by_id else None))
    assert h.errors() == []
    done = finished(h)
    assert list(done) == [response_id]
    assert done[response_id]["status"] == "cancelled"
    assert done[response_id]["status_details"] == CLIENT_CANCELLED
    await h.settle()
    assert len(h.of_type("response.done")) == 1


@DIALECTS
@pytest.mark.spec("3.10.1")
async def test_cancel_an_out_of_band_response_by_id(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await reply_to(h, "Hello there friend")
    await h.send(
        {
            "type": "response.create",
            "response": overrides(dialect, conversation="none", metadata={"k": "oob"}),
        }
    )
    await h.advance(0.3)
    default, oob = (e.response.id for e in h.of_type("response.created"))
    await h.send(cancel(oob))
    assert finished(h)[oob]["status_details"] == CLIENT_CANCELLED
    await h.settle()
    assert finished(h)[default]["status"] == "completed"
    assert h.errors() == []


@DIALECTS
@pytest.mark.spec("3.10.1", "3.10.3")
async def test_cancel_without_id_ignores_out_of_band(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send(configure(dialect))
    await h.send({"type": "response.create", "response": overrides(dialect, conversation="none")})
    await h.advance(0.3)
    await h.send(cancel())
    assert h.errors() == [not_active("c1")]
    await h.settle()
    assert [r["status"] for r in finished(h).values()] == ["completed"]


# -- 3.10.2: what a cancel closes ------------------------------------------------------


@DIALECTS
@pytest.mark.parametrize("output_format", ["pcm16", "g711_alaw"])
@pytest.mark.spec("3.10.2", "12.e1")
async def test_cancel_mid_speech_closes_the_part(
    make: Make, dialect: Dialect, output_format: str
) -> None:
    h = await make(dialect=dialect).start()
    await reply_to(h, "Hello there friend", output_format=output_format)
    await h.advance(0.3)
    h.take()
    await h.send(cancel())
    events = h.take()
    # No audio after the cancel, not even the resampler's last milliseconds.
    assert [e.type for e in events] == closing_audio(dialect)
    assert events[1].transcript == "You said:"
    item = events[-2 if dialect == "beta" else -3].item.to_dict()
    assert item["status"] == "incomplete"
    done = events[-1 if dialect == "beta" else -2].response.to_dict()
    assert done["status"] == "cancelled"
    assert done["status_details"] == CLIENT_CANCELLED
    assert done["output"] == [item]
    await h.settle()
    assert h.take() == []
    assert "response.cancelled" not in h.types()


@DIALECTS
@pytest.mark.spec("3.10.2", "12.e1")
async def test_cancel_mid_text_closes_the_part(make: Make, dialect: Dialect) -> None:
    script = Script(default=Actions(reply="One two three four", delta_delay_ms=100))
    h = await make(dialect=dialect, script=script).start()
    await reply_to(h, "Count", text=True)
    await h.advance(0.15)  # "One" and " two" are out
    h.take()
    await h.send(cancel())
    events = h.take()
    assert [e.type for e in events] == closing_text(dialect)
    assert events[0].text == "One two"
    assert events[1].part.text == "One two"
    done = events[-1 if dialect == "beta" else -2].response.to_dict()
    assert [item["status"] for item in done["output"]] == ["incomplete"]
    await h.settle()
    assert h.take() == []


@DIALECTS
@pytest.mark.spec("3.10.2", "12.e1")
async def test_cancel_mid_function_call_closes_the_call(make: Make, dialect: Dialect) -> None:
    call = FunctionCallSpec(name="lookup", arguments={"q": "x"})
    script = Script(rules=[Rule(match="Go", calls=[call], delta_delay_ms=100)])
    h = await make(dialect=dialect, script=script).start()
    await reply_to(h, "Go", text=True)
    await h.advance(0.25)  # the call opened at once, then "{" at 0.1 s and '"' at 0.2 s
    h.take()
    await h.send(cancel())
    events = h.take()
    assert [e.type for e in events] == closing_call(dialect)
    assert events[0].arguments == '{"'
    item = events[-2 if dialect == "beta" else -3].item.to_dict()
    assert (item["type"], item["status"], item["arguments"]) == (
        "function_call",
        "incomplete",
        '{"',
    )


# -- 3.10.3, 3.10.4, 4f: nothing to cancel ---------------------------------------------


@DIALECTS
@pytest.mark.spec("3.10.3", "4f", "12.20")
async def test_cancel_with_nothing_active(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    h.take()
    await h.send(cancel())
    events = h.take()
    assert [e.type for e in events] == ["error"]
    assert events[0].error.to_dict() == not_active("c1")
    await h.send({"type": "response.cancel"})
    assert h.errors()[-1] == not_active(None)
    # The session is unaffected.
    await h.send(configure(dialect, text=True))
    await h.send({"type": "response.create"})
    await h.settle()
    assert [r["status"] for r in finished(h).values()] == ["completed"]


@DIALECTS
@pytest.mark.spec("3.10.3", "12.20")
async def test_cancel_a_finished_response(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send(configure(dialect, text=True))
    await h.send({"type": "response.create"})
    await h.settle()
    (response_id,) = finished(h)
    await h.send(cancel(response_id))
    assert h.errors() == [not_active("c1")]
    assert [r["status"] for r in finished(h).values()] == ["completed"]


@DIALECTS
@pytest.mark.spec("3.10.4")
async def test_cancel_an_unknown_response(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send(cancel("resp_nope"))
    assert h.errors() == [
        {
            "type": "invalid_request_error",
            "code": "invalid_value",
            "message": "Response with response_id not found: resp_nope",
            "param": "response_id",
            "event_id": "c1",
        }
    ]
