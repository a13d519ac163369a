"""The response state table (``run.STEPS``), walked step by phase.

Every step is tried in every phase on a fresh run: where the code's table allows it,
the step runs, sends events and moves the run to the phase the table names; anywhere
else it is refused with ``RuntimeError``, sends nothing and leaves the phase as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from openrealtime.audio import PCM16
from openrealtime.engines.scripted import speak
from openrealtime.protocol import ga
from openrealtime.server import SeededIds, SessionOptions, VirtualClock
from openrealtime.server.session.context import SessionContext
from openrealtime.server.session.conversation import Conversation
from openrealtime.server.session.rate_limits import RateLimits
from openrealtime.server.session.response.plan import ResponsePlan
from openrealtime.server.session.response.run import STEPS, Phase, ResponseRun

P = Phase
REACH: dict[Phase, list[str]] = {
    P.CREATED: [],
    P.IDLE: ["start"],
    P.MESSAGE: ["start", "open_message"],
    P.PART: ["start", "open_message", "open_part"],
    P.CALL: ["start", "open_call"],
    P.DONE: ["start", "finish"],
}
"""How a fresh run gets to each phase."""

SPEECH, WORDS = speak("Hi")


def make_run(*, audio: bool) -> tuple[ResponseRun, list[ga.ServerEvent]]:
    events: list[ga.ServerEvent] = []
    clock = VirtualClock()
    ctx = SessionContext(
        ids=SeededIds(0),
        clock=clock,
        options=SessionOptions(),
        sink=events.append,
        rate_limits=RateLimits(clock, requests=100, tokens=1000),
        log=logging.LoggerAdapter(logging.getLogger("test"), {}),
    )
    plan = ResponsePlan(
        output_modalities=["audio" if audio else "text"],
        voice="alloy",
        output_format=PCM16,
        max_output_tokens="inf",
        conversation_id="conv_test",
    )
    run = ResponseRun(ctx, "resp_test", plan, Conversation("conv_test"), lambda _run: None)
    return run, events


def step(run: ResponseRun, name: str) -> Callable[[], None]:
    words = [(w.word, w.end_ms) for w in WORDS]
    steps: dict[str, Callable[[], None]] = {
        "start": run.start,
        "open_message": run.open_message,
        "open_part": run.open_part,
        "text": lambda: run.text("Hi"),
        "speech": lambda: run.speech(SPEECH, 24000, words),
        "close_part": run.close_part,
        "open_call": lambda: run.open_call("lookup", None),
        "arguments": lambda: run.arguments("{}"),
        "close_item": run.close_item,
        "finish": lambda: run.finish("completed"),
    }
    return steps[name]


def test_the_table_covers_every_step_and_only_live_phases_finish() -> None:
    assert set(STEPS) == {
        "start",
        "open_message",
        "open_part",
        "text",
        "speech",
        "close_part",
        "open_call",
        "arguments",
        "close_item",
        "finish",
    }
    assert set(STEPS["finish"]) == {P.IDLE, P.MESSAGE, P.PART, P.CALL}
    assert all(P.DONE not in allowed for allowed in STEPS.values())


@pytest.mark.parametrize("phase", list(Phase), ids=lambda p: p.value)
@pytest.mark.parametrize("name", list(STEPS))
def test_each_step_in_each_phase(name: str, phase: Phase) -> None:
    run, events = make_run(audio=name == "speech")
    for earlier in REACH[phase]:
        step(run, earlier)()
    assert run.phase is phase
    sent = len(events)
    if phase in STEPS[name]:
        step(run, name)()
        assert run.phase is STEPS[name][phase]
        assert len(events) > sent
    elif name == "finish" and phase is P.DONE:
        step(run, name)()  # finishing twice is a no-op: response.done goes out once
        assert run.phase is P.DONE
        assert len(events) == sent
    else:
        with pytest.raises(RuntimeError, match=f"response step '{name}' is not allowed"):
            step(run, name)()
        assert run.phase is phase
        assert len(events) == sent


def test_finish_closes_what_is_open_and_sends_done_once() -> None:
    run, events = make_run(audio=False)
    for name in REACH[P.PART]:
        step(run, name)()
    run.text("Hi")
    run.cancel("client_cancelled")
    run.cancel("turn_detected")
    assert [e.type for e in events] == [
        "response.created",
        "rate_limits.updated",
        "response.output_item.added",
        "conversation.item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "conversation.item.done",
        "response.output_item.done",
        "response.done",
        "rate_limits.updated",
    ]
    done = events[-2]
    assert isinstance(done, ga.ResponseDoneEvent)
    assert done.response.status_details == ga.ResponseStatusDetails(
        type="cancelled", reason="client_cancelled"
    )
