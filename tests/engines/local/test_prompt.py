"""Chat messages from a request, and GA truncation for a finite window."""

from __future__ import annotations

import pytest

from openrealtime.engines import ContextItem, EngineError, ToolSpec, TruncationPolicy
from openrealtime.engines.local.prompt import (
    ChatMessage,
    TokenEstimator,
    build_messages,
    fit_messages,
)


def user(text: str) -> ContextItem:
    return ContextItem(kind="message", role="user", text=text)


def assistant(text: str) -> ContextItem:
    return ContextItem(kind="message", role="assistant", text=text)


def test_conversation_items_become_alternating_chat_messages() -> None:
    tool = ToolSpec("get_weather", "Weather for a city.", {"type": "object"})
    system, messages = build_messages(
        "Be brief.",
        [
            ContextItem(kind="message", role="system", text="Speak English."),
            user("Weather in Paris?"),
            user("And tomorrow?"),
            ContextItem(kind="function_call", name="get_weather", arguments='{"city":"Paris"}'),
            ContextItem(kind="function_call_output", call_id="c", output='{"temp": 21}'),
            ContextItem(kind="message", role="user", text="", audio=b"\0\0"),
            assistant("It is 21 degrees."),
        ],
        [tool],
    )
    assert system.role == "system"
    assert system.content.startswith("Be brief.\n\nYou may call one of these functions")
    assert '"name": "get_weather"' in system.content
    assert system.content.endswith("Speak English.")
    assert [m.role for m in messages] == ["user", "assistant", "user", "assistant"]
    assert messages[0].content == "Weather in Paris?\n\nAnd tomorrow?"
    assert messages[1].content == (
        '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>'
    )
    assert messages[2].content == '<tool_response>{"temp": 21}</tool_response>'


def turns(count: int) -> list[ChatMessage]:
    return [
        ChatMessage("user" if i % 2 == 0 else "assistant", f"turn {i} " + "word " * 40)
        for i in range(count)
    ]


def test_a_conversation_that_fits_is_sent_whole() -> None:
    system = ChatMessage("system", "Be brief.")
    fitted = fit_messages(
        system, turns(4), limit=4096, policy=TruncationPolicy(), estimator=TokenEstimator()
    )
    assert fitted == [system, *turns(4)]


def test_auto_drops_the_oldest_turns_and_starts_with_the_user() -> None:
    estimator = TokenEstimator()
    system = ChatMessage("system", "Be brief.")
    conversation = turns(20)
    fitted = fit_messages(
        system, conversation, limit=500, policy=TruncationPolicy(), estimator=estimator
    )
    assert fitted[0] == system
    assert fitted[1].role == "user"
    assert fitted[-1] == conversation[-1]
    assert fitted[1:] == conversation[-(len(fitted) - 1) :]
    assert estimator.total(fitted) <= 500
    # As many as fit: one turn more would not.
    assert estimator.total([system, conversation[-len(fitted) - 1], *fitted[1:]]) > 500


def test_retention_ratio_keeps_that_share_once_it_cuts() -> None:
    estimator = TokenEstimator()
    system = ChatMessage("system", "Be brief.")
    auto = fit_messages(
        system, turns(20), limit=800, policy=TruncationPolicy(), estimator=estimator
    )
    ratio = fit_messages(
        system,
        turns(20),
        limit=800,
        policy=TruncationPolicy("retention_ratio", 0.5),
        estimator=estimator,
    )
    assert estimator.total(ratio) <= 400 < estimator.total(auto)
    assert ratio[-1] == auto[-1]


def test_disabled_fails_instead_of_cutting() -> None:
    with pytest.raises(EngineError, match="truncation is disabled") as caught:
        fit_messages(
            ChatMessage("system", ""),
            turns(20),
            limit=300,
            policy=TruncationPolicy("disabled"),
            estimator=TokenEstimator(),
        )
    assert caught.value.code == "context_length_exceeded"


def test_a_last_message_too_long_alone_keeps_its_end() -> None:
    estimator = TokenEstimator()
    long = ChatMessage("user", "start " + "word " * 2000 + "the end")
    fitted = fit_messages(
        ChatMessage("system", "Hi"),
        [long],
        limit=300,
        policy=TruncationPolicy(),
        estimator=estimator,
    )
    assert fitted[-1].content.endswith("the end")
    assert not fitted[-1].content.startswith("start")
    assert estimator.total(fitted) <= 300


def test_the_estimator_learns_from_real_counts() -> None:
    estimator = TokenEstimator()
    messages = [ChatMessage("user", "x" * 300)]
    assert estimator.total(messages) == 106
    estimator.learn(messages, 206)
    assert estimator.bytes_per_token == pytest.approx(1.5)
    estimator.learn(messages, 50)
    assert estimator.bytes_per_token == pytest.approx(1.5)
