"""Sending audio from every kind of source, pacing and backpressure; receiving it per item
and as a stream; the speaker's playback accounting."""

from __future__ import annotations

import asyncio
import base64
import random
import time
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest

from openrealtime.audio import G711_ULAW, PCM16, float32_to_pcm16, ulaw_to_pcm16, write_pcm16_wav
from openrealtime.client import AudioChunk, RealtimeClient
from openrealtime.client.audio_input import wire_chunks
from openrealtime.client.devices import PlaybackBuffer
from tests.client.helpers import Frames, utterance
from tests.client.replay import ReplayServer
from tests.client.servers import API_KEY, ScriptedServer, TcpProxy


async def chunks_of(source: object, **options: object) -> list[bytes]:
    return [chunk async for chunk in wire_chunks(source, **options)]


async def test_bytes_go_out_in_chunks_of_the_asked_duration() -> None:
    pcm = bytes(range(256)) * 400  # 102400 bytes: 2133.3 ms at 24 kHz
    chunks = await chunks_of(pcm, target=PCM16, sample_rate=None, chunk_ms=40)
    assert {len(chunk) for chunk in chunks[:-1]} == {1920}
    assert b"".join(chunks) == pcm


async def test_numpy_arrays_int16_and_float() -> None:
    samples = (np.sin(np.arange(4800) / 10) * 12000).astype(np.int16)
    as_int = await chunks_of(samples, target=PCM16, sample_rate=None, chunk_ms=100)
    assert b"".join(as_int) == samples.astype("<i2").tobytes()
    floats = samples.astype(np.float32) / 32768
    as_float = await chunks_of(floats, target=PCM16, sample_rate=None, chunk_ms=100)
    assert b"".join(as_float) == float32_to_pcm16(floats)


async def test_a_wav_file_is_resampled_to_the_session_rate(tmp_path: Path) -> None:
    wav = tmp_path / "voice.wav"
    write_pcm16_wav(wav, utterance("hi")[:32000], 16000)  # one second at 16 kHz
    pcm = b"".join(await chunks_of(wav, target=PCM16, sample_rate=None, chunk_ms=40))
    assert abs(len(pcm) - 48000) <= 2 * 48


async def test_an_async_source_of_odd_pieces_is_reassembled_exactly() -> None:
    pcm = bytes(range(256)) * 100

    async def pieces() -> AsyncIterator[bytes]:
        for start in range(0, len(pcm), 333):
            yield pcm[start : start + 333]
            await asyncio.sleep(0)

    chunks = await chunks_of(pieces(), target=PCM16, sample_rate=None, chunk_ms=20)
    assert b"".join(chunks) == pcm
    assert {len(chunk) for chunk in chunks[:-1]} == {960}


async def test_g711_sessions_get_g711() -> None:
    pcm = utterance("a")[:16000]  # 8000 samples: one second at 8 kHz
    ulaw = b"".join(await chunks_of(pcm, target=G711_ULAW, sample_rate=8000, chunk_ms=20))
    assert len(ulaw) == 8000
    decoded = np.frombuffer(ulaw_to_pcm16(ulaw), dtype="<i2").astype(float)
    original = np.frombuffer(pcm, dtype="<i2").astype(float)
    assert np.corrcoef(decoded, original)[0, 1] > 0.99


async def test_bad_sources_are_refused() -> None:
    with pytest.raises(TypeError, match="cannot send audio from int"):
        await chunks_of(5, target=PCM16, sample_rate=None, chunk_ms=20)
    with pytest.raises(TypeError, match="PCM16 bytes or numpy arrays"):
        await chunks_of(["text"], target=PCM16, sample_rate=None, chunk_ms=20)


async def test_the_input_format_follows_the_session(replay: ReplayServer) -> None:
    frames = Frames()
    async with RealtimeClient.connect(
        replay.url("listen"), model="m", dialect="beta", tap=frames
    ) as rt:
        assert rt.conversation.input_format is G711_ULAW
        sent = await rt.send_audio(utterance("a")[:16000], sample_rate=8000, realtime=False)
        assert sent == pytest.approx(1000)
    audio = b"".join(base64.b64decode(e["audio"]) for e in frames.sent())
    assert len(audio) == 8000  # μ-law: one byte per sample


async def test_realtime_sending_keeps_pace_with_the_audio(replay: ReplayServer) -> None:
    async with RealtimeClient.connect(replay.url("listen"), model="m") as rt:
        started = time.monotonic()
        sent = await rt.send_audio(bytes(48 * 400), chunk_ms=40)
        elapsed = time.monotonic() - started
    assert sent == 400
    assert elapsed >= 0.36  # the last chunk goes out when 360 ms of audio have passed


async def test_appends_wait_for_a_stalled_network(replay: ReplayServer) -> None:
    proxy = TcpProxy(replay.port)
    await proxy.start()
    frames = Frames()
    try:
        async with RealtimeClient.connect(proxy.base + "/listen/v1", model="m", tap=frames) as rt:
            proxy.freeze()
            noise = random.Random(3).randbytes(48 * 120_000)  # deflate cannot shrink it
            sending = asyncio.ensure_future(rt.send_audio(noise, chunk_ms=1000, realtime=False))
            await asyncio.sleep(1.0)
            assert not sending.done()
            held_back = len(frames.sent())
            assert held_back < 120
            proxy.thaw()
            assert await asyncio.wait_for(sending, 30) == 120_000
            assert len(frames.sent()) == 120
    finally:
        await proxy.close()


async def test_output_audio_per_item_and_as_a_stream(scripted: ScriptedServer) -> None:
    async with RealtimeClient.connect(scripted.url, model="gpt-realtime", api_key=API_KEY) as rt:
        stream = rt.audio_chunks()
        item = await rt.send_text("Hi")
        received: list[AudioChunk] = []
        while sum(len(chunk.pcm) for chunk in received) < len(item.audio):
            received.append(await asyncio.wait_for(anext(stream), 5))
        assert {chunk.item_id for chunk in received} == {item.id}
        assert b"".join(chunk.pcm for chunk in received) == item.audio
        assert len(item.audio) == 48 * 60 * len("You said: Hi")
    assert [chunk async for chunk in stream] == []  # ended by the close


def test_the_playback_buffer_reports_what_was_heard() -> None:
    buffer = PlaybackBuffer(24000)
    buffer.push("a", bytes(48 * 50))
    buffer.push("b", bytes(48 * 30))
    block = bytearray(48 * 20)
    heard = [buffer.fill(block, latency_ms=30) for _ in range(7)]
    # 20 ms blocks: "a" is taken over 2.5 blocks, then "b"; the listener is 30 ms behind.
    assert [(p.item_id, p.ms) for p in heard[0]] == [("a", 0.0)]
    assert [(p.item_id, p.ms) for p in heard[1]] == [("a", 10.0)]
    assert [(p.item_id, p.ms) for p in heard[2]] == [("a", 30.0), ("b", 0.0)]
    assert [(p.item_id, p.ms) for p in heard[3]] == [("a", 50.0), ("b", 0.0)]
    # The queue is empty: silence plays while the listener catches up with "b".
    assert [(p.item_id, p.ms) for p in heard[4]] == [("b", 20.0)]
    assert [(p.item_id, p.ms) for p in heard[5]] == [("b", 30.0)]
    assert heard[6] == []
    assert buffer.fill(block, latency_ms=30) == []
    assert block == bytearray(len(block))


def test_the_playback_buffer_plays_samples_in_order_and_stops_on_clear() -> None:
    buffer = PlaybackBuffer(24000)
    buffer.push("a", b"\x01\x00" * 30)
    buffer.push("a", b"\x02\x00" * 30)
    block = bytearray(80)
    buffer.fill(block, latency_ms=0)
    assert block == b"\x01\x00" * 30 + b"\x02\x00" * 10
    buffer.clear()
    assert buffer.fill(block, latency_ms=0) == []
    assert block == bytearray(80)
