"""The response resource (docs/behaviour.md §5): status, usage, output, limits.

Usage follows the token rule of ``openrealtime.engines.tokens``: a text token is a run
of word characters or one other non-space character; audio is one token per started
50 ms over the whole response. Every expected count below is worked out by hand.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from openrealtime.audio.b64 import b64decode, b64encode
from openrealtime.audio.wav import write_pcm16_wav
from openrealtime.engines.scripted import decode, speak
from openrealtime.engines.scripted.script import Rule, Script

from .core_checks import reply_to
from .dialects import Dialect, configure, overrides, user_text
from .harness import Harness, silence, speech
from .invariants import Make, traced

DIALECTS = pytest.mark.parametrize("dialect", ["ga", "beta"])


@pytest.fixture
async def make() -> AsyncIterator[Make]:
    async with traced() as factory:
        yield factory


def usage(
    dialect: Dialect, *, text_in: int = 0, audio_in: int = 0, text_out: int = 0, audio_out: int = 0
) -> dict[str, Any]:
    """A usage object, written out; cached tokens are always zero, and only GA has images."""
    images = {"image_tokens": 0} if dialect == "ga" else {}
    return {
        "total_tokens": text_in + audio_in + text_out + audio_out,
        "input_tokens": text_in + audio_in,
        "output_tokens": text_out + audio_out,
        "input_token_details": {
            "text_tokens": text_in,
            "audio_tokens": audio_in,
            **images,
            "cached_tokens": 0,
            "cached_tokens_details": {"text_tokens": 0, "audio_tokens": 0, **images},
        },
        "output_token_details": {"text_tokens": text_out, "audio_tokens": audio_out},
    }


def done(h: Harness) -> list[dict[str, Any]]:
    return [e.response.to_dict() for e in h.of_type("response.done")]


def audio_bytes(h: Harness) -> int:
    kinds = ("response.output_audio.delta", "response.audio.delta")
    return sum(len(b64decode(e.delta)) for e in h.wire() if e.type in kinds)


# -- the resource in response.created --------------------------------------------------


@DIALECTS
async def test_created_resource(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    conversation = h.internal[1].conversation.id
    await h.send({"type": "response.create"})
    await h.settle()
    created = h.of_type("response.created")[0].response.to_dict()
    common = {
        "object": "realtime.response",
        "id": created["id"],
        "status": "in_progress",
        "status_details": None,
        "output": [],
        "conversation_id": conversation,
        "max_output_tokens": "inf",
        "usage": None,
        "metadata": None,
    }
    if dialect == "ga":
        audio = {"output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "alloy"}}
        assert created == {**common, "output_modalities": ["audio"], "audio": audio}
    else:
        assert created == {
            **common,
            "modalities": ["audio", "text"],
            "voice": "alloy",
            "output_audio_format": "pcm16",
            "temperature": 0.8,
        }
    assert created["id"].startswith("resp_")


# -- status and status_details ---------------------------------------------------------


async def completes(h: Harness, dialect: Dialect) -> None:
    await h.send(configure(dialect, text=True))
    await h.send({"type": "response.create"})
    await h.settle()


async def runs_out_of_tokens(h: Harness, dialect: Dialect) -> None:
    await h.send(configure(dialect, text=True, max_tokens=2))
    await h.send({"type": "response.create"})
    await h.settle()


async def is_cancelled(h: Harness, dialect: Dialect) -> None:
    await h.send(configure(dialect))
    await h.send({"type": "response.create"})
    await h.advance(0.3)
    await h.send({"type": "response.cancel"})
    await h.settle()


async def is_interrupted(h: Harness, dialect: Dialect) -> None:
    await h.send(configure(dialect, vad=True))
    await h.append(speech("Hi") + silence(400))
    await h.advance(0.3)
    await h.append(speech("Stop") + silence(400))
    await h.settle()


async def fails(h: Harness, dialect: Dialect) -> None:
    await h.send(configure(dialect, text=True))
    await h.send(user_text("crash"))
    await h.send({"type": "response.create"})
    await h.settle()


@DIALECTS
@pytest.mark.parametrize(
    ("scenario", "status", "details", "item_status"),
    [
        (completes, "completed", None, "completed"),
        (
            runs_out_of_tokens,
            "incomplete",
            {"type": "incomplete", "reason": "max_output_tokens"},
            "incomplete",
        ),
        (
            is_cancelled,
            "cancelled",
            {"type": "cancelled", "reason": "client_cancelled"},
            "incomplete",
        ),
        (
            is_interrupted,
            "cancelled",
            {"type": "cancelled", "reason": "turn_detected"},
            "incomplete",
        ),
        (
            fails,
            "failed",
            {
                "type": "failed",
                "error": {
                    "type": "server_error",
                    "code": "engine_error",
                    "message": "The engine fell over.",
                },
            },
            "incomplete",
        ),
    ],
)
async def test_terminal_status_and_details(
    make: Make,
    dialect: Dialect,
    scenario: Callable[[Harness, Dialect], Any],
    status: str,
    details: dict[str, Any] | None,
    item_status: str,
) -> None:
    script = Script(rules=[Rule(match="crash", reply="Oh", fault="The engine fell over.")])
    h = await make(dialect=dialect, script=script).start()
    await scenario(h, dialect)
    first = done(h)[0]
    assert first["status"] == status
    assert first["status_details"] == details
    assert [item["status"] for item in first["output"]] == [item_status]
    assert [e.response.status for e in h.of_type("response.created")][:1] == ["in_progress"]


# -- usage -----------------------------------------------------------------------------


@DIALECTS
async def test_usage_of_a_text_turn(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await reply_to(h, "Hi", text=True, instructions="Be kind.")
    await h.settle()
    # In: "Be kind." (3) and "Hi" (1). Out: "You said: Hi" (4).
    assert done(h)[0]["usage"] == usage(dialect, text_in=4, text_out=4)


@DIALECTS
async def test_usage_of_a_spoken_turn(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await reply_to(h, "Hello there friend", instructions="")
    await h.settle()
    # Out: "You said: Hello there friend" is 6 tokens and 28 characters of speech,
    # 1680 ms: 34 audio tokens over the response (not 37, as per-word rounding would say).
    assert done(h)[0]["usage"] == usage(dialect, text_in=3, text_out=6, audio_out=34)
    assert audio_bytes(h) == 1680 * 48


@DIALECTS
async def test_usage_counts_input_audio_once(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send(configure(dialect, text=True, instructions=""))
    content = [{"type": "input_audio", "audio": b64encode(speech("Hi there"))}]
    await h.send(
        {
            "type": "conversation.item.create",
            "item": {"type": "message", "role": "user", "content": content},
        }
    )
    await h.send({"type": "response.create"})
    await h.settle()
    # In: 480 ms of audio (10 tokens); its transcript is not counted again.
    # Out: "You said: Hi there" (5).
    assert done(h)[0]["usage"] == usage(dialect, audio_in=10, text_out=5)


@DIALECTS
async def test_usage_counts_function_calls_and_outputs(make: Make, dialect: Dialect) -> None:
    tool = {"type": "function", "name": "get_weather", "parameters": {"type": "object"}}
    h = await make(dialect=dialect).start()
    await reply_to(
        h, '/call get_weather {"city": "Paris"}', text=True, instructions="", tools=[tool]
    )
    await h.settle()
    call = h.of_type("response.output_item.done")[0].item
    output = {"type": "function_call_output", "call_id": call.call_id, "output": '{"temp": 20}'}
    await h.send({"type": "conversation.item.create", "item": output})
    await h.send({"type": "response.create"})
    await h.settle()
    first, second = done(h)
    # The user's 12 tokens in; the call's name (1) and arguments (9) out.
    assert first["usage"] == usage(dialect, text_in=12, text_out=10)
    # In: 12 + 10 + the output's 7. Out: 'Tool get_weather returned: {"temp": 20}' (11).
    assert second["usage"] == usage(dialect, text_in=29, text_out=11)


@DIALECTS
async def test_rate_limits_follow_usage(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send(configure(dialect, text=True, instructions=""))
    await h.send(user_text("Hi"))
    for _ in range(2):
        await h.send({"type": "response.create"})
        await h.settle()
    limits = [e.to_dict()["rate_limits"] for e in h.of_type("rate_limits.updated")]
    # First response: "Hi" in, "You said: Hi" out (5). Second: 5 in, 4 out (9).
    if dialect == "ga":
        assert [[(r["name"], r["remaining"]) for r in entry] for entry in limits] == [
            [("tokens", 15_000_000 - 5)],
            [("tokens", 15_000_000 - 14)],
        ]
    else:
        assert [[(r["name"], r["remaining"]) for r in entry] for entry in limits] == [
            [("requests", 19_999), ("tokens", 15_000_000)],
            [("requests", 19_998), ("tokens", 15_000_000 - 5)],
        ]


async def test_beta_usage_has_no_image_tokens(make: Make) -> None:
    h = await make(dialect="beta").start()
    await h.send(configure("beta", text=True))
    await h.send({"type": "response.create"})
    await h.settle()
    details = done(h)[0]["usage"]["input_token_details"]
    assert "image_tokens" not in details
    assert "image_tokens" not in details["cached_tokens_details"]


# -- output ----------------------------------------------------------------------------


@DIALECTS
async def test_output_has_transcripts_and_no_audio(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await reply_to(h, "Hello there friend")
    await h.settle()
    (response,) = done(h)
    item = h.of_type("response.output_item.added")[0].item.id
    expected: dict[str, Any] = {
        "id": item,
        "type": "message",
        "status": "completed",
        "role": "assistant",
        "content": [
            {
                "type": "output_audio" if dialect == "ga" else "audio",
                "transcript": "You said: Hello there friend",
            }
        ],
    }
    if dialect == "beta":
        expected["object"] = "realtime.item"
    assert response["output"] == [expected]


# -- max_output_tokens -----------------------------------------------------------------


@DIALECTS
async def test_max_output_tokens_cuts_text(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send(configure(dialect, text=True, instructions=""))
    await h.send(user_text("Hello there friend"))
    await h.send({"type": "response.create", "response": overrides(dialect, max_tokens=3)})
    await h.settle()
    deltas = [e.delta for e in h.wire() if e.type.endswith("text.delta")]
    assert deltas == ["You", " said", ":"]
    (response,) = done(h)
    assert response["status_details"] == {"type": "incomplete", "reason": "max_output_tokens"}
    assert response["output"][0]["content"][0]["text"] == "You said:"
    assert response["usage"] == usage(dialect, text_in=3, text_out=3)


@DIALECTS
@pytest.mark.parametrize(("output_format", "bytes_per_ms"), [("pcm16", 48), ("g711_ulaw", 8)])
async def test_max_output_tokens_cuts_speech(
    make: Make, dialect: Dialect, output_format: str, bytes_per_ms: int
) -> None:
    h = await make(dialect=dialect).start()
    await reply_to(
        h, "Hello there friend", instructions="", output_format=output_format, max_tokens=25
    )
    await h.settle()
    # Word by word: "You" costs 1 + 4 (180 ms), " said:" 2 + 7 (540 ms in all: 11),
    # " Hello" 1 + 7 (900 ms: 18): 22. " there" would make 5 + 26 = 31 > 25.
    transcript = [e.delta for e in h.wire() if e.type.endswith("transcript.delta")]
    assert transcript == ["You", " said:", " Hello"]
    assert audio_bytes(h) == 900 * bytes_per_ms
    (response,) = done(h)
    assert response["status"] == "incomplete"
    assert response["status_details"] == {"type": "incomplete", "reason": "max_output_tokens"}
    assert response["output"][0]["status"] == "incomplete"
    assert response["output"][0]["content"][0]["transcript"] == "You said: Hello"
    assert response["usage"] == usage(dialect, text_in=3, text_out=4, audio_out=18)


@DIALECTS
async def test_max_output_tokens_counts_a_call_name(make: Make, dialect: Dialect) -> None:
    tool = {"type": "function", "name": "get-weather", "parameters": {"type": "object"}}
    h = await make(dialect=dialect).start()
    await h.send(configure(dialect, text=True, instructions="", tools=[tool]))
    await h.send(user_text("/call get-weather"))
    for limit in (2, 4):
        await h.send({"type": "response.create", "response": overrides(dialect, max_tokens=limit)})
        await h.settle()
    first, second = done(h)
    # "get-weather" is 3 tokens: over a limit of 2 no call opens at all.
    assert (first["status"], first["output"]) == ("incomplete", [])
    assert first["usage"]["output_tokens"] == 0
    # With 4, the name fits and the arguments "{}" (2) do not, past their first token.
    assert second["status_details"] == {"type": "incomplete", "reason": "max_output_tokens"}
    assert [(i["name"], i["arguments"], i["status"]) for i in second["output"]] == [
        ("get-weather", "{", "incomplete")
    ]
    assert second["usage"]["output_tokens"] == 4


@DIALECTS
async def test_engine_audio_at_another_rate_is_sent_whole(
    make: Make, dialect: Dialect, tmp_path: Path
) -> None:
    pcm, _words = speak("Hello there", 16000)
    write_pcm16_wav(tmp_path / "hello.wav", pcm, 16000)
    audio = {"file": str(tmp_path / "hello.wav"), "transcript": "Hello there"}
    script = Script.model_validate({"rules": [{"match": "Play", "audio": audio}]})
    h = await make(dialect=dialect, script=script).start()
    await reply_to(h, "Play", instructions="")
    await h.settle()
    # 11 characters of speech at 16 kHz, 660 ms, go out whole at 24 kHz: 14 audio tokens.
    assert audio_bytes(h) == 660 * 48
    (response,) = done(h)
    assert response["usage"] == usage(dialect, text_in=1, text_out=2, audio_out=14)
    item_id = response["output"][0]["id"]
    await h.send({"type": "conversation.item.retrieve", "item_id": item_id})
    retrieved = h.wire()[-1].item.to_dict()["content"][0]
    assert decode(b64decode(retrieved["audio"]), 24000) == "Hello there"
