"""Random sequences of client events against the session core (hypothesis state machines).

Items are created, deleted and truncated; audio is appended, committed and cleared;
responses are created (in the conversation or out of band) and cancelled; the
session is updated; time passes. After every step the session's trace must keep
:class:`~openrealtime.testing.invariants.SessionChecker`'s rules: at most one active
response, every ``added`` paired with its ``done`` (and one ``response.done`` per
``response.created`` once all work ends), ``previous_item_id`` chains that match the
session's own conversation, and no audio or transcript past a truncation. Errors
are allowed (a truncation past the audio, say) but must be one ``error`` each.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from fuzz.core import CoreSession
from fuzz.mutate import Frame
from fuzz.seeds import PHRASES, SILENCE_B64, speech_b64

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class SessionMachine(RuleBasedStateMachine):
    """One session core on a virtual clock, driven by the rules below."""

    dialect = "ga"

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.core = CoreSession(self.dialect, seed=7)  # type: ignore[arg-type]
        self.speech: list[str] = []

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    def send(self, event: dict[str, Any]) -> None:
        self.run(self.core.deliver(Frame(text=json.dumps(event))))

    @property
    def live(self) -> Any:
        return self.core.live

    def update(self, settings: dict[str, Any]) -> None:
        session = {"type": "realtime", **settings} if self.dialect == "ga" else settings
        self.send({"type": "session.update", "session": session})

    @initialize(text_only=st.booleans())
    def start(self, text_only: bool) -> None:
        self.run(self.core.start())
        modalities = (
            {"output_modalities": ["text" if text_only else "audio"]}
            if self.dialect == "ga"
            else {"modalities": ["text"] if text_only else ["audio", "text"]}
        )
        self.update(modalities)

    # -- items -------------------------------------------------------------------------------

    @rule(phrase=st.sampled_from(PHRASES), where=st.sampled_from(["end", "root", "after"]))
    def create_item(self, phrase: str, where: str) -> None:
        event: dict[str, Any] = {
            "type": "conversation.item.create",
            "item": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": phrase}],
            },
        }
        if where == "root":
            event["previous_item_id"] = "root"
        elif where == "after" and self.live.items:
            event["previous_item_id"] = self.live.items[0]
        self.send(event)

    @precondition(lambda self: bool(self.live.items))
    @rule(index=st.integers(min_value=0, max_value=31))
    def delete_item(self, index: int) -> None:
        item_id = self.live.items[index % len(self.live.items)]
        self.send({"type": "conversation.item.delete", "item_id": item_id})

    @precondition(lambda self: bool(self.live.audio_items))
    @rule(
        index=st.integers(min_value=0, max_value=31),
        # Mostly within the audio already sent, so a part still speaking gets cut.
        end_ms=st.one_of(st.sampled_from([0, 20, 60, 120]), st.integers(0, 4000)),
    )
    def truncate(self, index: int, end_ms: int) -> None:
        item_id = self.live.audio_items[index % len(self.live.audio_items)]
        self.send(
            {
                "type": "conversation.item.truncate",
                "item_id": item_id,
                "content_index": 0,
                "audio_end_ms": end_ms,
            }
        )

    # -- audio -------------------------------------------------------------------------------

    @rule(phrase=st.sampled_from(PHRASES), chunks=st.integers(1, 12))
    def append(self, phrase: str, chunks: int) -> None:
        for _ in range(chunks):
            if not self.speech:
                self.speech = [*speech_b64(phrase), *[SILENCE_B64] * 8]
            self.send({"type": "input_audio_buffer.append", "audio": self.speech.pop(0)})

    @rule()
    def commit(self) -> None:
        self.send({"type": "input_audio_buffer.commit"})

    @rule()
    def clear(self) -> None:
        self.send({"type": "input_audio_buffer.clear"})

    # -- responses -----------------------------------------------------------------------------

    @rule(out_of_band=st.booleans())
    def create_response(self, out_of_band: bool) -> None:
        params = {"conversation": "none"} if out_of_band else {}
        self.send({"type": "response.create", "response": params})

    @rule(by_id=st.booleans())
    def cancel(self, by_id: bool) -> None:
        event: dict[str, Any] = {"type": "response.cancel"}
        if by_id and self.live.responses:
            event["response_id"] = self.live.responses[-1]
        self.send(event)

    # -- the session -----------------------------------------------------------------------------

    @rule(kind=st.sampled_from([None, "server_vad", "semantic_vad"]))
    def turn_detection(self, kind: str | None) -> None:
        detection = {"type": kind} if kind else None
        if self.dialect == "ga":
            self.update({"audio": {"input": {"turn_detection": detection}}})
        else:
            self.update({"turn_detection": detection})

    @rule(ms=st.sampled_from([10, 100, 300, 1000, 3000]))
    def wait(self, ms: int) -> None:
        self.run(self.core.advance(ms))

    # -- after every step ----------------------------------------------------------------------

    @invariant()
    def conversation_matches(self) -> None:
        self.core.pump()
        self.core.check_conversation()

    @invariant()
    def at_most_one_active_response(self) -> None:
        self.core.pump()
        active = self.core.harness.session.responses.active
        mirrored = self.core.checker.active.active
        assert (active.id if active is not None else None) == mirrored

    def teardown(self) -> None:
        try:
            self.run(self.core.finish())
        finally:
            self.run(self.core.harness.close())
            self.loop.close()


class BetaSessionMachine(SessionMachine):
    dialect = "beta"


STATES = settings(
    max_examples=100,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

TestGaSession = SessionMachine.TestCase
TestGaSession.settings = STATES
TestBetaSession = BetaSessionMachine.TestCase
TestBetaSession.settings = STATES
