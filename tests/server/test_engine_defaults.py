"""Defaults an engine set chooses: its instructions (11.2) and the temperature it gets (11.3)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any, Literal

import pytest

from openrealtime.engines import Capabilities, EngineSet, ResponderOutput, ResponseRequest
from openrealtime.engines.scripted import ScriptedResponder, scripted_engines
from openrealtime.server.session.defaults import DEFAULT_INSTRUCTIONS

from .core_checks import DIALECTS, user_text
from .harness import Harness

Dialect = Literal["ga", "beta"]
SUGGESTED = "You are a small model. Answer in one short sentence."


class RecordingResponder(ScriptedResponder):
    """The scripted responder, suggesting instructions and keeping every request."""

    def __init__(self, suggested: str | None) -> None:
        super().__init__()
        self.capabilities = Capabilities(default_instructions=suggested)
        self.requests: list[ResponseRequest] = []

    async def respond(self, request: ResponseRequest) -> AsyncIterator[ResponderOutput]:
        self.requests.append(request)
        async for output in super().respond(request):
            yield output


def engines_with(responder: RecordingResponder) -> EngineSet:
    return dataclasses.replace(scripted_engines(), responder=responder)


def update(dialect: Dialect, **session: Any) -> dict[str, Any]:
    if dialect == "ga":
        return {"type": "session.update", "session": {"type": "realtime", **session}}
    return {"type": "session.update", "session": session}


async def text_response(h: Harness, **response: Any) -> None:
    key = "output_modalities" if h.dialect == "ga" else "modalities"
    await h.send(user_text("hello"))
    await h.send({"type": "response.create", "response": {key: ["text"], **response}})
    await h.settle()


def created_session(h: Harness) -> dict[str, Any]:
    session: dict[str, Any] = h.wire()[0].session.to_dict()
    return session


@pytest.mark.spec("11.2")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_session_starts_with_the_instructions_its_engines_suggest(
    dialect: Dialect,
) -> None:
    responder = RecordingResponder(SUGGESTED)
    async with Harness(dialect=dialect, engines=engines_with(responder)) as h:
        await h.settle()
        assert created_session(h)["instructions"] == SUGGESTED
        await text_response(h)
        assert responder.requests[-1].instructions == SUGGESTED


@pytest.mark.spec("11.2")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_without_a_suggestion_the_session_has_openais_default(dialect: Dialect) -> None:
    responder = RecordingResponder(None)
    async with Harness(dialect=dialect, engines=engines_with(responder)) as h:
        await h.settle()
        assert created_session(h)["instructions"] == DEFAULT_INSTRUCTIONS
        await text_response(h)
        assert responder.requests[-1].instructions == DEFAULT_INSTRUCTIONS


@pytest.mark.spec("11.2")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_a_clients_instructions_replace_the_suggestion(dialect: Dialect) -> None:
    responder = RecordingResponder(SUGGESTED)
    async with Harness(dialect=dialect, engines=engines_with(responder)) as h:
        await h.send(update(dialect, instructions="Speak like a pirate."))
        await text_response(h)
        assert responder.requests[-1].instructions == "Speak like a pirate."
        await text_response(h, instructions="Just this once, be formal.")
        assert responder.requests[-1].instructions == "Just this once, be formal."


@pytest.mark.spec("11.2")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_switching_model_follows_its_default_unless_the_client_chose(
    dialect: Dialect,
) -> None:
    small, large = RecordingResponder(SUGGESTED), RecordingResponder(None)
    engines = {"gpt-realtime": engines_with(small), "gpt-realtime-large": engines_with(large)}
    h = Harness(dialect=dialect, engines_for=lambda name: engines.get(name or ""))
    async with h:
        await h.send(update(dialect, model="gpt-realtime-large"))
        assert h.session.view.instructions == DEFAULT_INSTRUCTIONS
        await h.send(update(dialect, model="gpt-realtime"))
        assert h.session.view.instructions == SUGGESTED
        await h.send(update(dialect, instructions="Mine."))
        await h.send(update(dialect, model="gpt-realtime-large"))
        assert h.session.view.instructions == "Mine."
        await text_response(h)
        assert large.requests[-1].instructions == "Mine."


@pytest.mark.spec("11.3")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_the_engine_gets_no_temperature_until_a_client_sets_one(dialect: Dialect) -> None:
    responder = RecordingResponder(None)
    async with Harness(dialect=dialect, engines=engines_with(responder)) as h:
        await text_response(h)
        assert responder.requests[-1].temperature is None
        if dialect == "beta":
            assert created_session(h)["temperature"] == 0.8
            await text_response(h, temperature=0.9)
            assert responder.requests[-1].temperature == 0.9
            await h.send(update(dialect, temperature=0.7))
            await text_response(h)
            assert responder.requests[-1].temperature == 0.7
