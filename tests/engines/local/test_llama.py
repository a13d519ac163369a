"""The llama.cpp responder: streaming, tools by grammar, limits, truncation, cancel, sharing."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path

import pytest

from openrealtime.engines import (
    CancelSignal,
    ContextItem,
    EngineError,
    Finish,
    FunctionChoice,
    ResponderOutput,
    ResponseRequest,
    TextDelta,
    ToolCallArgumentsDelta,
    ToolCallStart,
    ToolSpec,
    TruncationPolicy,
    Usage,
)
from openrealtime.engines.local.llama import SMOLLM2_INSTRUCTIONS, LlamaResponder
from tests.local_stack import require_local_stack

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.timeout(120)]

BRIEF = "You are a friendly voice assistant. Answer in one short sentence."
WEATHER = ToolSpec(
    "get_weather",
    "Get the current weather for a city.",
    {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["city", "unit"],
    },
)


def ask(text: str, **fields: object) -> ResponseRequest:
    fields.setdefault("temperature", 0.0)
    fields.setdefault("max_output_tokens", 40)
    return ResponseRequest(
        instructions=str(fields.pop("instructions", BRIEF)),
        context=[ContextItem(kind="message", role="user", text=text)],
        **fields,  # type: ignore[arg-type]
    )


async def run(llama: LlamaResponder, request: ResponseRequest) -> list[ResponderOutput]:
    return [output async for output in llama.respond(request)]


def text_of(outputs: list[ResponderOutput]) -> str:
    return "".join(o.text for o in outputs if isinstance(o, TextDelta))


async def test_a_reply_streams_token_by_token(llama: LlamaResponder) -> None:
    outputs = await run(llama, ask("What is the capital of France?", max_output_tokens=None))
    deltas = [o for o in outputs if isinstance(o, TextDelta)]
    assert len(deltas) >= 3
    assert "Paris" in text_of(outputs)
    usage = [o for o in outputs if isinstance(o, Usage)]
    assert len(usage) == 1
    assert usage[0].output_tokens >= len(deltas)
    assert usage[0].input_tokens > 10
    assert outputs[-1] == Finish("stop")


async def test_a_named_function_forces_a_schema_valid_call(llama: LlamaResponder) -> None:
    outputs = await run(
        llama,
        ask("Tell me a joke.", tools=[WEATHER], tool_choice=FunctionChoice("get_weather")),
    )
    assert text_of(outputs) == ""
    starts = [o for o in outputs if isinstance(o, ToolCallStart)]
    assert [start.name for start in starts] == ["get_weather"]
    deltas = [o.delta for o in outputs if isinstance(o, ToolCallArgumentsDelta)]
    arguments = json.loads("".join(deltas))
    assert set(arguments) == {"city", "unit"}
    assert isinstance(arguments["city"], str)
    assert arguments["unit"] in ("celsius", "fahrenheit")
    assert outputs[-1] == Finish("tool_calls")


async def test_required_forces_a_call(llama: LlamaResponder) -> None:
    outputs = await run(llama, ask("Hello!", tools=[WEATHER], tool_choice="required"))
    assert [o.name for o in outputs if isinstance(o, ToolCallStart)] == ["get_weather"]


async def test_with_tools_offered_a_reply_is_still_plain_text(llama: LlamaResponder) -> None:
    outputs = await run(llama, ask("Say hello to me.", tools=[WEATHER], tool_choice="auto"))
    assert not any(isinstance(o, ToolCallStart) for o in outputs)
    text = text_of(outputs)
    assert text
    assert not text.lstrip().startswith(("{", "<"))
    assert len([o for o in outputs if isinstance(o, TextDelta)]) >= 2


async def test_max_output_tokens_ends_with_length(llama: LlamaResponder) -> None:
    outputs = await run(llama, ask("Tell me a long story about a dragon.", max_output_tokens=4))
    usage = next(o for o in outputs if isinstance(o, Usage))
    assert usage.output_tokens == 4
    assert outputs[-1] == Finish("length")


async def test_the_bundled_model_has_defaults_of_its_own(tmp_path: Path) -> None:
    bundled = LlamaResponder()
    assert bundled.capabilities.default_instructions == SMOLLM2_INSTRUCTIONS
    assert (bundled.temperature, bundled.spoken_words) == (0.0, 20)
    other = LlamaResponder(model_path=tmp_path / "other.gguf")
    assert other.capabilities.default_instructions is None
    assert (other.temperature, other.spoken_words) == (0.8, 0)
    assert LlamaResponder(instructions="").capabilities.default_instructions is None
    chosen = LlamaResponder(model_path=tmp_path / "other.gguf", instructions="Be terse.")
    assert chosen.capabilities.default_instructions == "Be terse."


async def test_every_slot_starts_with_the_default_instructions_read() -> None:
    require_local_stack()
    llama = LlamaResponder(parallel=2)
    await llama.start()
    try:
        instructions = SMOLLM2_INSTRUCTIONS
        # Two at once take both slots; each finds the instructions in its cache.
        results = await asyncio.gather(
            run(llama, ask("Hello!", instructions=instructions, max_output_tokens=2)),
            run(llama, ask("Good morning!", instructions=instructions, max_output_tokens=2)),
        )
        for outputs in results:
            usage = next(o for o in outputs if isinstance(o, Usage))
            assert usage.cached_tokens >= 20
            assert usage.input_tokens - usage.cached_tokens < 20
    finally:
        await llama.aclose()


@pytest.mark.spec("11.4")
async def test_a_spoken_reply_ends_at_a_sentence_end_after_enough_words(
    llama: LlamaResponder,
) -> None:
    story = ask("Tell me a long story about a dragon.", instructions="You tell stories.")
    spoken = await run(llama, dataclasses.replace(story, max_output_tokens=None))
    text = text_of(spoken)
    assert len(text.split()) >= llama.spoken_words
    assert text.rstrip().endswith((".", "!", "?"))
    assert spoken[-1] == Finish("stop")
    # A token limit of the request's own is the only bound then.
    limited = await run(llama, dataclasses.replace(story, max_output_tokens=60))
    assert text_of(limited).startswith(text)
    assert len(text_of(limited).split()) > len(text.split())
    assert limited[-1] == Finish("length")


async def test_a_cancel_stops_generation_within_a_token(llama: LlamaResponder) -> None:
    cancel = CancelSignal()
    request = ask("Tell me a long story about a dragon.", cancel=cancel)
    seen = 0
    async for output in llama.respond(request):
        assert isinstance(output, TextDelta)
        seen += 1
        if seen == 2:
            cancel.cancel()
    assert seen <= 4
    # The slot is free again at once: the next response is not queued behind it.
    outputs = await asyncio.wait_for(run(llama, ask("Hi!", max_output_tokens=3)), timeout=20)
    assert outputs[-1] == Finish("length")


async def test_sessions_share_the_model_and_none_starves(llama: LlamaResponder) -> None:
    questions = [f"Name a color number {n}." for n in range(6)]
    results = await asyncio.gather(
        *(run(llama, ask(q, max_output_tokens=12, temperature=0.7)) for q in questions)
    )
    assert all(text_of(outputs) for outputs in results)
    assert all(isinstance(outputs[-1], Finish) for outputs in results)


@pytest.fixture(scope="module")
def small_window() -> LlamaResponder:
    require_local_stack()
    return LlamaResponder(context_window=512, parallel=1, reply_reserve=64)


def long_conversation() -> list[ContextItem]:
    items = [
        ContextItem(
            kind="message",
            role="user" if i % 2 == 0 else "assistant",
            text=f"Message {i}: " + "the weather was fine and nothing happened " * 6,
        )
        for i in range(40)
    ]
    return [*items, ContextItem(kind="message", role="user", text="Say OK.")]


async def test_a_conversation_longer_than_the_window_is_cut_not_failed(
    small_window: LlamaResponder,
) -> None:
    await small_window.start()
    try:
        for policy in (TruncationPolicy(), TruncationPolicy("retention_ratio", 0.5)):
            request = ResponseRequest(
                instructions="Be brief.",
                context=long_conversation(),
                truncation=policy,
                temperature=0.0,
                max_output_tokens=8,
            )
            outputs = await run(small_window, request)
            usage = next(o for o in outputs if isinstance(o, Usage))
            assert usage.input_tokens <= 512 - 8
            assert isinstance(outputs[-1], Finish)
        with pytest.raises(EngineError) as caught:
            await run(
                small_window,
                ResponseRequest(
                    instructions="Be brief.",
                    context=long_conversation(),
                    truncation=TruncationPolicy("disabled"),
                ),
            )
        assert caught.value.code == "context_length_exceeded"
    finally:
        await small_window.aclose()


async def test_any_gguf_path_loads_and_other_files_fail_with_their_reason(
    tmp_path: Path,
) -> None:
    require_local_stack()
    not_gguf = tmp_path / "model.gguf"
    not_gguf.write_bytes(b"not a model")
    with pytest.raises(EngineError, match="not a GGUF file"):
        await LlamaResponder(model_path=not_gguf).start()
    with pytest.raises(EngineError, match="No such file"):
        await LlamaResponder(model_path=tmp_path / "absent.gguf").start()
