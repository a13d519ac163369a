"""Silero v6 VAD: speech found where it is, per-session state, batched worker hops."""

from __future__ import annotations

import asyncio

import pytest

from openrealtime.audio import resample
from openrealtime.engines.local.silero_vad import FRAME_MS, SileroVad
from openrealtime.testing.speech import packets

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.timeout(60)]

SPEECH_START_MS = 1000


async def probabilities(vad: SileroVad, pcm: bytes, rate: int) -> list[float]:
    stream = vad.stream(rate)
    out: list[float] = []
    for packet in packets(pcm, rate):
        out.extend(await stream.feed(packet))
    return out


def speech_span(probs: list[float], threshold: float = 0.5) -> tuple[float, float]:
    frames = [i for i, p in enumerate(probs) if p >= threshold]
    return frames[0] * FRAME_MS, (frames[-1] + 1) * FRAME_MS


@pytest.mark.parametrize("rate", [24000, 16000, 8000])
async def test_speech_is_found_where_it_was_spoken(
    silero: SileroVad, framed_question_24k: bytes, question_24k: bytes, rate: int
) -> None:
    pcm = resample(framed_question_24k, 24000, rate)
    probs = await probabilities(silero, pcm, rate)
    duration_ms = len(pcm) / 2 / rate * 1000
    # Every whole frame is scored as its audio arrives: the resampler holds back < 1 ms.
    assert len(probs) == int((duration_ms - 1) // FRAME_MS)
    start, end = speech_span(probs)
    spoken_end = SPEECH_START_MS + len(question_24k) / 2 / 24000 * 1000
    assert abs(start - SPEECH_START_MS) <= 150
    # Telephone band (8 kHz) loses the final "s" of "France" (above 4 kHz).
    assert abs(end - spoken_end) <= (400 if rate == 8000 else 250)
    silent = probs[: (SPEECH_START_MS - 200) // FRAME_MS]
    assert max(silent) < 0.1


async def test_each_stream_keeps_its_own_state_and_one_hop_serves_many(
    silero: SileroVad, framed_question_24k: bytes
) -> None:
    alone = await probabilities(silero, framed_question_24k, 24000)
    streams = [silero.stream(24000) for _ in range(12)]
    results: list[list[float]] = [[] for _ in streams]
    hops_before = silero.hops
    sent = 0
    for packet in packets(framed_question_24k, 24000):
        # Every session's packet of this tick goes out at once, as a server's would.
        outs = await asyncio.gather(*(stream.feed(packet) for stream in streams))
        sent += len(streams)
        for result, out in zip(results, outs, strict=True):
            result.extend(out)
    assert all(result == pytest.approx(alone, abs=1e-4) for result in results)
    assert silero.hops - hops_before <= sent // len(streams) + 1


async def test_reset_starts_afresh(silero: SileroVad, framed_question_24k: bytes) -> None:
    stream = silero.stream(24000)
    for packet in packets(framed_question_24k[: len(framed_question_24k) // 2], 24000):
        await stream.feed(packet)
    stream.reset()
    again: list[float] = []
    for packet in packets(framed_question_24k, 24000):
        again.extend(await stream.feed(packet))
    fresh = await probabilities(silero, framed_question_24k, 24000)
    assert again == pytest.approx(fresh, abs=1e-4)


async def test_odd_rates_are_refused(silero: SileroVad) -> None:
    assert silero.capabilities.sample_rates == (8000, 16000, 24000)
    with pytest.raises(ValueError, match="44100"):
        silero.stream(44100)
