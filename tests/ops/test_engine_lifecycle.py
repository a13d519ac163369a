"""When engines start and stop, as a server and its clients see it.

Real sockets on 127.0.0.1; engine kinds registered by the tests stand in for models
that load slowly, fail to load, or count their closes.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import websockets
from starlette.applications import Starlette
from starlette.routing import Mount

from openrealtime.engines import Capabilities, EngineBase, EngineState
from openrealtime.engines.kinds import engine_kind
from openrealtime.engines.pool import EnginePool, EngineStartError
from openrealtime.engines.registry import ModelEntry, ModelRegistry, RoleEngine, register_kind
from openrealtime.engines.scripted import ScriptedSynthesizer
from openrealtime.server import ServerConfig, create_app, running

from ..engines.kinds import CountingResponder, LifeLog, counting_kind, unique_kind
from .wire import first_event, until_closed

LOAD_SECONDS = 1.5


class _SlowToLoad(EngineBase):
    """An engine whose start blocks a thread for :data:`LOAD_SECONDS` (a model load)."""

    async def start(self) -> None:
        await asyncio.to_thread(time.sleep, LOAD_SECONDS)


class _SlowVad(_SlowToLoad):
    def __init__(self) -> None:
        self.inner = engine_kind("scripted").factory("vad")({})

    def stream(self, sample_rate: int) -> Any:
        return self.inner.stream(sample_rate)  # type: ignore[attr-defined]


def slow_registry() -> ModelRegistry:
    """gpt-realtime, whose VAD takes :data:`LOAD_SECONDS` to load, blocking its thread."""
    kind = unique_kind("slow")

    def build(options: Mapping[str, Any]) -> _SlowVad:
        time.sleep(0.8)  # a slow import, in the factory too
        return _SlowVad()

    register_kind(kind, roles={"vad": build})
    entry = ModelEntry(
        "gpt-realtime",
        match=("gpt-realtime*",),
        options={"pace": 0},
        roles={"vad": RoleEngine(kind)},
    )
    return ModelRegistry([entry])


def mounted(config: ServerConfig) -> Starlette:
    """Our app inside someone else's, whose lifespan knows nothing of our engines."""
    return Starlette(routes=[Mount("/realtime-api", app=create_app(config))])


def base_of(url: str) -> tuple[str, str]:
    """The ws:// and http:// roots of a server URL from :func:`running`."""
    netloc = urlsplit(url).netloc
    return f"ws://{netloc}", f"http://{netloc}"


async def reply_gaps(url: str, until: asyncio.Event) -> list[float]:
    """Seconds between answers to ``conversation.item.retrieve`` sent every 20 ms.

    Client and servers share one event loop, so anything that holds the loop shows
    up here as a long gap.
    """
    gaps: list[float] = []
    async with websockets.connect(f"{url}/realtime?model=gpt-realtime") as ws:
        assert json.loads(await ws.recv())["type"] == "session.created"
        last = time.monotonic()
        while not until.is_set():
            await ws.send(json.dumps({"type": "conversation.item.retrieve", "item_id": "nope"}))
            assert json.loads(await ws.recv())["type"] == "error"
            now = time.monotonic()
            gaps.append(now - last)
            last = now
            await asyncio.sleep(0.02)
    return gaps


async def test_a_slow_loading_engine_does_not_stall_another_sessions_events() -> None:
    """A mounted app loads its engines on first use while another server's session talks."""
    async with (
        running(ServerConfig(models=ModelRegistry.default(options={"pace": 0}))) as busy,
        running(ServerConfig(), app=mounted(ServerConfig(models=slow_registry()))) as lazy,
    ):
        ws_root, http_root = base_of(lazy)
        loaded = asyncio.Event()
        talking = asyncio.ensure_future(reply_gaps(busy, loaded))
        await asyncio.sleep(0.2)
        async with httpx.AsyncClient() as http:
            health = await http.get(f"{http_root}/realtime-api/healthz")
        assert (health.status_code, health.json()["status"]) == (503, "starting")
        began = time.monotonic()
        async with websockets.connect(
            f"{ws_root}/realtime-api/v1/realtime?model=gpt-realtime"
        ) as ws:
            first = json.loads(await asyncio.wait_for(ws.recv(), 10))
        waited = time.monotonic() - began
        loaded.set()
        gaps = await talking
        async with httpx.AsyncClient() as http:
            health = await http.get(f"{http_root}/realtime-api/healthz")
    assert first["type"] == "session.created"
    assert waited >= LOAD_SECONDS - 0.5  # the connection waited for the load...
    assert len(gaps) > 10
    assert max(gaps) < 0.5  # ...while the other session's events kept flowing
    assert health.status_code == 200
    assert health.json()["status"] == "ok"


async def test_shutdown_closes_the_engines_a_server_started() -> None:
    log = LifeLog()
    registry = ModelRegistry.default(engine=counting_kind(log), options={"pace": 0})
    async with running(ServerConfig(models=registry)) as url:
        assert log.events == ["built", "started"]
        async with httpx.AsyncClient() as http:
            health = (await http.get(f"{base_of(url)[1]}/healthz")).json()
        assert health["status"] == "ok"
        assert all(state == {"state": "ready"} for state in health["engines"].values())
    assert log.events == ["built", "started", "closed"]


async def test_a_mounted_app_closes_its_engines_with_the_outer_lifespan() -> None:
    log = LifeLog()
    registry = ModelRegistry.default(engine=counting_kind(log), options={"pace": 0})
    realtime = create_app(ServerConfig(models=registry))
    outer = Starlette(
        routes=[Mount("/realtime-api", app=realtime)], lifespan=realtime.state.engines.lifespan
    )
    async with running(ServerConfig(), app=outer) as url:
        assert log.events == ["built", "started"]
        ws_root, _ = base_of(url)
        event, _ = await first_event(f"{ws_root}/realtime-api/v1/realtime?model=gpt-realtime")
        assert event["type"] == "session.created"
    assert log.events == ["built", "started", "closed"]


async def test_engines_from_a_started_registry_outlive_the_server() -> None:
    """A test run loads heavy models once: servers come and go, the engines stay."""
    log = LifeLog()
    registry = ModelRegistry.default(engine=counting_kind(log), options={"pace": 0})
    pool = EnginePool()
    await registry.start(pool)
    for _ in range(2):
        async with running(ServerConfig(models=registry)) as url:
            event, _ = await first_event(f"{url}/realtime?model=gpt-realtime")
            assert event["type"] == "session.created"
    assert log.events == ["built", "started"]
    await pool.aclose()
    assert log.events == ["built", "started", "closed"]


async def test_a_pool_passed_in_is_the_callers_to_close() -> None:
    log = LifeLog()
    registry = ModelRegistry.default(engine=counting_kind(log), options={"pace": 0})
    pool = EnginePool()
    async with running(ServerConfig(models=registry), pool=pool):
        pass
    assert log.events == ["built", "started"]
    await pool.aclose()
    assert log.events[-1] == "closed"


def failing_registry() -> tuple[ModelRegistry, str]:
    kind = unique_kind("broken")

    def broken(options: Mapping[str, Any]) -> CountingResponder:
        raise RuntimeError("no weights at /models/x.gguf")

    register_kind(kind, roles={"responder": broken})
    entry = ModelEntry(
        "gpt-realtime", match=("gpt-realtime*",), roles={"responder": RoleEngine(kind)}
    )
    return ModelRegistry([entry]), kind


async def test_a_server_whose_engines_fail_does_not_start() -> None:
    registry, kind = failing_registry()
    with pytest.raises(EngineStartError) as caught:
        async with running(ServerConfig(models=registry)):
            pytest.fail("the server started")
    assert str(caught.value) == (
        f"model gpt-realtime: {kind}.responder: RuntimeError: no weights at /models/x.gguf"
    )


async def test_a_mounted_app_whose_engines_fail_refuses_with_the_reason() -> None:
    registry, kind = failing_registry()
    async with running(ServerConfig(), app=mounted(ServerConfig(models=registry))) as url:
        ws_root, http_root = base_of(url)
        closed = await until_closed(f"{ws_root}/realtime-api/v1/realtime?model=gpt-realtime")
        async with httpx.AsyncClient() as http:
            health = await http.get(f"{http_root}/realtime-api/healthz")
            secret = await http.post(
                f"{http_root}/realtime-api/v1/realtime/client_secrets", json={}
            )
    (error,) = closed.events
    assert error["type"] == "error"
    assert error["error"]["type"] == "server_error"
    assert error["error"]["code"] == "engines_unavailable"
    assert "no weights at /models/x.gguf" in error["error"]["message"]
    assert (closed.code, closed.reason) == (1011, "server_error.engines_unavailable")
    assert health.status_code == 503
    body = health.json()
    assert body["status"] == "failed"
    assert body["engines"][f"{kind}.responder"] == {
        "state": "failed",
        "reason": "RuntimeError: no weights at /models/x.gguf",
    }
    assert secret.status_code == 503
    assert secret.json()["error"]["code"] == "engines_unavailable"


async def test_client_secrets_refuse_a_voice_the_engines_lack() -> None:
    synthesizer = ScriptedSynthesizer(pace=0)
    synthesizer.capabilities = Capabilities(voices=("marin",))
    base = ModelRegistry.default(options={"pace": 0})
    await base.start(EnginePool())
    engines = base.engines("gpt-realtime")
    assert engines is not None
    registry = ModelRegistry.with_engines(
        type(engines)(engines.responder, synthesizer, engines.transcriber, engines.vad)
    )
    async with running(ServerConfig(models=registry)) as url:
        session = {"type": "realtime", "audio": {"output": {"voice": "ash"}}}
        async with httpx.AsyncClient() as http:
            refused = await http.post(
                f"{url.http}/realtime/client_secrets", json={"session": session}
            )
            session["audio"]["output"]["voice"] = "marin"
            minted = await http.post(
                f"{url.http}/realtime/client_secrets", json={"session": session}
            )
    assert refused.status_code == 400
    assert refused.json()["error"] == {
        "message": "Invalid value: 'ash'. Supported values are: 'marin'.",
        "type": "invalid_request_error",
        "param": "session.audio.output.voice",
        "code": "invalid_value",
    }
    assert minted.status_code == 200
    assert EngineState("ready") in registry.states().values()
