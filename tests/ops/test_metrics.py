"""``GET /metrics`` of a running server: a scripted spoken turn moves the histograms."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest
from openai import AsyncOpenAI
from prometheus_client.parser import text_string_to_metric_families

from openrealtime.engines.registry import ModelRegistry
from openrealtime.engines.scripted import scripted_engines
from openrealtime.engines.scripted.script import Rule, Script
from openrealtime.server import ServerConfig, create_app
from openrealtime.server.app.runner import ServerURL, running
from tests.e2e.wire import SdkWire, audio_chunks, silence, speech, types

pytestmark = pytest.mark.timeout(60)

KEY = "sk-metrics-test-key-0001"
STAGES = ("transcript", "response_created", "first_token", "first_audio")
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def metrics_url(url: ServerURL) -> str:
    return url.http.removesuffix("/v1") + "/metrics"


async def scrape(url: ServerURL, key: str | None = None) -> Samples:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with httpx.AsyncClient() as http:
        answer = await http.get(metrics_url(url), headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def count(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


async def spoken_turn(url: ServerURL, key: str = "test", during: Any = None) -> list[Any]:
    client = AsyncOpenAI(api_key=key, base_url=url.http, websocket_base_url=str(url))
    session = {
        "type": "realtime",
        "audio": {
            "input": {
                "transcription": {"model": "whisper-1"},
                "turn_detection": {"type": "server_vad"},
            }
        },
    }
    try:
        async with client.realtime.connect(model="gpt-realtime") as connection:
            wire = SdkWire(connection, "ga")
            await connection.session.update(session=session)
            for chunk in audio_chunks(silence(200) + speech("hello there") + silence(700)):
                await connection.input_audio_buffer.append(audio=chunk)
            events = await wire.until("response.done")
            while "conversation.item.input_audio_transcription.completed" not in types(events):
                events.append(await wire.recv())
            if during is not None:
                await during()
            return events
    finally:
        await client.close()


def fast() -> ServerConfig:
    return ServerConfig(models=ModelRegistry.default(options={"pace": 0}))


async def test_a_spoken_turn_moves_every_turn_histogram(caplog: pytest.LogCaptureFixture) -> None:
    open_sessions: list[float] = []
    async with running(fast()) as url:
        before = await scrape(url)

        async def while_open() -> None:
            open_sessions.append(count(await scrape(url), "openrealtime_sessions"))

        with caplog.at_level(logging.INFO, "openrealtime.session"):
            events = await spoken_turn(url, during=while_open)
        await asyncio.sleep(0.3)
        after = await scrape(url)

    assert open_sessions == [1]
    assert count(after, "openrealtime_sessions") == 0
    for stage in STAGES:
        assert count(before, "openrealtime_turn_latency_seconds_count", stage=stage) == 0
        assert count(after, "openrealtime_turn_latency_seconds_count", stage=stage) == 1
        assert count(after, "openrealtime_turn_latency_seconds_sum", stage=stage) > 0
    first_audio = count(after, "openrealtime_turn_latency_seconds_sum", stage="first_audio")
    first_token = count(after, "openrealtime_turn_latency_seconds_sum", stage="first_token")
    assert first_audio >= first_token
    assert count(after, "openrealtime_responses_total", status="completed") == 1
    assert count(after, "openrealtime_vad_lag_seconds_count") > 0
    assert count(after, "openrealtime_event_loop_lag_seconds_count") > 0

    item_id = next(e for e in events if e["type"] == "input_audio_buffer.speech_stopped")["item_id"]
    (line,) = [m for m in caplog.messages if m.startswith(f"turn {item_id}")]
    assert all(f"{stage}=" in line for stage in STAGES)


async def test_engine_failures_are_counted_by_code() -> None:
    script = Script(rules=[Rule(match="crash", reply="Oh", fault="The engine fell over.")])
    config = ServerConfig(models=ModelRegistry.with_engines(scripted_engines(script, pace=0)))
    async with running(config) as url:
        client = AsyncOpenAI(api_key="test", base_url=url.http, websocket_base_url=str(url))
        async with client.realtime.connect(model="gpt-realtime") as connection:
            wire = SdkWire(connection, "ga")
            await connection.session.update(
                session={"type": "realtime", "output_modalities": ["text"]}
            )
            item = {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "crash"}],
            }
            await connection.conversation.item.create(item=item)  # type: ignore[arg-type]
            await connection.response.create()
            await wire.until("response.done")
        await client.close()
        after = await scrape(url)
    assert count(after, "openrealtime_responses_total", status="failed") == 1
    failures = count(
        after, "openrealtime_engine_errors_total", source="response", code="engine_error"
    )
    assert failures == 1


async def test_with_api_keys_metrics_need_one() -> None:
    config = ServerConfig(models=ModelRegistry.default(options={"pace": 0}), api_keys=(KEY,))
    async with running(config) as url, httpx.AsyncClient() as http:
        missing = await http.get(metrics_url(url))
        wrong = await http.get(
            metrics_url(url), headers={"Authorization": "Bearer sk-wrong-key-1234"}
        )
        samples = await scrape(url, KEY)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert missing.json()["error"]["message"] == "Missing bearer or basic authentication in header"
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "invalid_api_key"
    assert "sk-wrong-key-1234" not in wrong.text
    assert count(samples, "openrealtime_sessions") == 0


async def test_without_keys_metrics_are_open() -> None:
    async with running(fast()) as url:
        assert count(await scrape(url), "openrealtime_sessions") == 0


def test_apps_in_one_process_keep_separate_registries() -> None:
    first, second = create_app(fast()), create_app(fast())
    assert first.state.metrics.registry is not second.state.metrics.registry
    first.state.metrics.response_done("completed")
    assert b'openrealtime_responses_total{status="completed"} 1.0' in (
        first.state.metrics.exposition()
    )
    assert b'openrealtime_responses_total{status="completed"} 0.0' in (
        second.state.metrics.exposition()
    )
