from __future__ import annotations

import pytest

from openrealtime.engines.base import CancelSignal, SpeechChunk, Synthesizer, WordTiming
from openrealtime.engines.scripted import ScriptedSynthesizer, decode

from .conftest import RecordingSleep, text_stream


async def synthesize(synth: ScriptedSynthesizer, *pieces: str, **kw: float) -> list[SpeechChunk]:
    speed = kw.get("speed", 1.0)
    speech = synth.synthesize(
        text_stream(*pieces), voice="alloy", speed=speed, cancel=CancelSignal()
    )
    return [c async for c in speech]


async def test_one_chunk_per_word_with_continuing_timings() -> None:
    synth = ScriptedSynthesizer(pace=0)
    assert isinstance(synth, Synthesizer)
    chunks = await synthesize(synth, "Hel", "lo there, ", "wor", "ld!")
    assert [c.sample_rate for c in chunks] == [24000] * 3
    assert [list(c.words) for c in chunks] == [
        [WordTiming("Hello", 0, 300)],
        [WordTiming("there,", 360, 720)],
        [WordTiming("world!", 780, 1140)],
    ]
    assert [len(c.pcm) for c in chunks] == [2 * 1440 * n for n in (5, 7, 7)]
    assert decode(b"".join(c.pcm for c in chunks), 24000) == "Hello there, world!"


async def test_outer_whitespace_is_not_spoken_and_inner_whitespace_is() -> None:
    chunks = await synthesize(ScriptedSynthesizer(pace=0), "  ", " a", "  b ", "\n")
    assert [list(c.words) for c in chunks] == [
        [WordTiming("a", 0, 60)],
        [WordTiming("b", 180, 240)],
    ]
    assert decode(b"".join(c.pcm for c in chunks), 24000) == "a  b"


async def test_empty_and_blank_text_give_no_chunks() -> None:
    assert await synthesize(ScriptedSynthesizer(pace=0)) == []
    assert await synthesize(ScriptedSynthesizer(pace=0), " ", "\n") == []


async def test_pace_one_sleeps_for_each_previous_chunk() -> None:
    sleep = RecordingSleep()
    await synthesize(ScriptedSynthesizer(pace=1.0, sleep=sleep), "one two three")
    assert sleep.calls == pytest.approx([0.18, 0.24])


async def test_pace_scales_and_zero_never_sleeps() -> None:
    sleep = RecordingSleep()
    await synthesize(ScriptedSynthesizer(pace=0.5, sleep=sleep), "one two three")
    assert sleep.calls == pytest.approx([0.09, 0.12])
    sleep = RecordingSleep()
    await synthesize(ScriptedSynthesizer(pace=0, sleep=sleep), "one two three")
    assert sleep.calls == []


async def test_speed_shortens_characters() -> None:
    sleep = RecordingSleep()
    synth = ScriptedSynthesizer(pace=1.0, sleep=sleep)
    chunks = await synthesize(synth, "ab cd", speed=2.0)
    assert [list(c.words) for c in chunks] == [
        [WordTiming("ab", 0, 60)],
        [WordTiming("cd", 90, 150)],
    ]
    assert sleep.calls == pytest.approx([0.06])
    assert decode(b"".join(c.pcm for c in chunks), 24000, ms_per_char=30) == "ab cd"


async def test_voice_is_accepted_and_changes_nothing() -> None:
    synth = ScriptedSynthesizer(pace=0)
    alloy = [
        c
        async for c in synth.synthesize(
            text_stream("hi"), voice="alloy", speed=1.0, cancel=CancelSignal()
        )
    ]
    custom = [
        c
        async for c in synth.synthesize(
            text_stream("hi"), voice="my-voice", speed=1.0, cancel=CancelSignal()
        )
    ]
    assert alloy == custom


async def test_bad_speed_and_pace() -> None:
    with pytest.raises(ValueError, match="speed"):
        await synthesize(ScriptedSynthesizer(pace=0), "hi", speed=0)
    with pytest.raises(ValueError, match="pace"):
        ScriptedSynthesizer(pace=-1)


async def test_a_set_cancel_signal_stops_at_the_next_word() -> None:
    cancel = CancelSignal()
    speech = ScriptedSynthesizer(pace=0).synthesize(
        text_stream("one two three "), voice="alloy", speed=1.0, cancel=cancel
    )
    first = await anext(speech)
    cancel.cancel()
    assert [list(first.words)] == [[WordTiming("one", 0, 180)]]
    assert [c async for c in speech] == []
