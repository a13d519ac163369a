"""The metrics object on its own: a registry per app, the exposition, the loop watcher."""

from __future__ import annotations

import asyncio
import contextlib

from prometheus_client.parser import text_string_to_metric_families

from openrealtime.server.app.metrics import ServerMetrics


def samples(metrics: ServerMetrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = metrics.exposition().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_two_apps_keep_their_own_figures() -> None:
    first, second = ServerMetrics(lambda: 3), ServerMetrics(lambda: 0)
    first.response_done("completed")
    first.engine_error("response", "upstream_timeout")
    first.turn_stage("first_audio", 0.42)
    first.vad_lag(0.004)
    one, two = samples(first), samples(second)
    assert one[("openrealtime_sessions", ())] == 3
    assert two[("openrealtime_sessions", ())] == 0
    assert one[("openrealtime_responses_total", (("status", "completed"),))] == 1
    assert two[("openrealtime_responses_total", (("status", "completed"),))] == 0
    labels = (("code", "upstream_timeout"), ("source", "response"))
    key = ("openrealtime_engine_errors_total", labels)
    assert one[key] == 1
    assert key not in two
    audio = (("stage", "first_audio"),)
    assert one[("openrealtime_turn_latency_seconds_count", audio)] == 1
    assert one[("openrealtime_turn_latency_seconds_sum", audio)] == 0.42
    assert one[("openrealtime_turn_latency_seconds_bucket", (("le", "0.5"), *audio))] == 1
    assert one[("openrealtime_turn_latency_seconds_bucket", (("le", "0.4"), *audio))] == 0
    assert two[("openrealtime_turn_latency_seconds_count", audio)] == 0
    assert one[("openrealtime_vad_lag_seconds_count", ())] == 1


def test_every_stage_and_status_is_listed_before_it_happens() -> None:
    seen = samples(ServerMetrics(lambda: 0))
    for stage in ("transcript", "response_created", "first_token", "first_audio"):
        assert seen[("openrealtime_turn_latency_seconds_count", (("stage", stage),))] == 0
    for status in ("completed", "cancelled", "incomplete", "failed"):
        assert seen[("openrealtime_responses_total", (("status", status),))] == 0


async def test_the_loop_watcher_samples_until_cancelled() -> None:
    metrics = ServerMetrics(lambda: 0)
    task = asyncio.create_task(metrics.watch_event_loop(0.01))
    await asyncio.sleep(0.08)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert samples(metrics)[("openrealtime_event_loop_lag_seconds_count", ())] >= 3
