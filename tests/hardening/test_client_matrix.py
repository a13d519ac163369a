"""Every official client against the server, over ``ws`` and over ``wss``.

Python: the ``openai`` SDK (GA and beta) and ``openai-agents`` (a Realtime agent with a
tool). Node (``tests/node``, installed with ``npm ci`` from its lockfile by ``make
test``): the ``openai`` SDK's ``OpenAIRealtimeWS`` over the ``ws`` package, and
``@openai/agents-realtime``'s WebSocket transport with a tool call. Without Node, or
without ``tests/node/node_modules``, the Node tests skip and say why.

The ``wss`` server uses a certificate from a throwaway authority (``trustme``), which
each client is told to trust: an ``ssl`` context for the SDK, ``SSL_CERT_FILE`` for
openai-agents (it takes no context), ``NODE_EXTRA_CA_CERTS`` for Node.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme
from agents import function_tool
from agents.realtime import RealtimeAgent, RealtimeRunner
from openai import AsyncOpenAI

from openrealtime.engines.registry import ModelRegistry
from openrealtime.server import ServerConfig
from openrealtime.server.app.runner import ServerURL, running

from ..e2e.wire import Dialect, SdkWire, types
from ..ops.wire import TEXT_TURN

pytestmark = pytest.mark.timeout(60)

NODE_DIR = Path(__file__).resolve().parents[1] / "node"
SCHEMES = ["ws", "wss"]


@dataclass
class Served:
    url: ServerURL
    ca_file: Path | None
    context: ssl.SSLContext | None


@pytest.fixture(params=SCHEMES)
async def served(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Served]:
    models = ModelRegistry.default(options={"pace": 0})
    if request.param == "ws":
        async with running(ServerConfig(models=models)) as url:
            yield Served(url, None, None)
        return
    authority = trustme.CA()
    issued = authority.issue_cert("127.0.0.1")
    certfile, keyfile, ca_file = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    for index, pem in enumerate(issued.cert_chain_pems):
        pem.write_to_path(str(certfile), append=index > 0)
    issued.private_key_pem.write_to_path(str(keyfile))
    authority.cert_pem.write_to_path(str(ca_file))
    context = ssl.create_default_context()
    authority.configure_trust(context)
    config = ServerConfig(models=models, ssl_certfile=certfile, ssl_keyfile=keyfile)
    async with running(config) as url:
        assert url.startswith("wss://")
        yield Served(url, ca_file, context)


# -- Python ------------------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_openai_python(served: Served, dialect: Dialect) -> None:
    client = AsyncOpenAI(api_key="test", base_url=served.url.http, websocket_base_url=served.url)
    realtime: Any = client.realtime if dialect == "ga" else client.beta.realtime
    options = {"ssl": served.context} if served.context is not None else {}
    model = "gpt-realtime" if dialect == "ga" else "gpt-4o-realtime-preview"
    async with realtime.connect(model=model, websocket_connection_options=options) as connection:
        wire = SdkWire(connection, dialect)
        await wire.until("session.created")
        modalities = (
            {"type": "realtime", "output_modalities": ["text"]}
            if dialect == "ga"
            else {"modalities": ["text"]}
        )
        await connection.send({"type": "session.update", "session": modalities})
        for event in TEXT_TURN:
            await connection.send(event)
        events = await wire.until("response.done")
    assert "error" not in types(events)
    done = events[-1]["response"]
    assert done["status"] == "completed"
    assert done["output"][0]["content"][0]["text"] == "You said: Hello there"


weather_calls: list[str] = []


@function_tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    weather_calls.append(city)
    return f"Sunny in {city}"


async def test_openai_agents_with_a_tool(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    if served.ca_file is not None:
        # openai-agents takes no SSL context; the default one reads this file.
        monkeypatch.setenv("SSL_CERT_FILE", str(served.ca_file))
    weather_calls.clear()
    agent = RealtimeAgent(name="assistant", instructions="Be brief.", tools=[get_weather])
    runner = RealtimeRunner(agent)
    session = await runner.run(model_config={"url": served.url.realtime(), "api_key": "test"})
    done: list[Any] = []
    async with session:
        await session.send_message('/call get_weather {"city": "Paris"}')
        async with asyncio.timeout(20):
            async for event in session:
                assert event.type != "error", event
                if _is_server_event(event, "response.done"):
                    done.append(event.data.data)
                if len(done) == 2:
                    break
    assert weather_calls == ["Paris"]
    assert [d["response"]["status"] for d in done] == ["completed", "completed"]


def _is_server_event(event: Any, event_type: str) -> bool:
    return bool(
        event.type == "raw_model_event"
        and event.data.type == "raw_server_event"
        and event.data.data["type"] == event_type
    )


# -- Node --------------------------------------------------------------------------------------


def node_or_skip() -> str:
    """The ``node`` executable, or a skip that says what is missing."""
    node = shutil.which("node")
    if node is None:
        pytest.skip(
            "Node is not installed: the Node clients (openai, @openai/agents-realtime) "
            "were not tested"
        )
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True)
    major = int(version.stdout.strip().lstrip("v").split(".")[0])
    if major < 20:
        pytest.skip(
            f"Node {version.stdout.strip()} is older than the 20 tests/node/package.json needs"
        )
    if not (NODE_DIR / "node_modules" / ".package-lock.json").exists():
        pytest.skip(
            "tests/node/node_modules is missing: run `npm ci` in tests/node (make test does)"
        )
    return node


async def run_node(script: str, argument: str, served: Served) -> dict[str, Any]:
    env = dict(os.environ)
    if served.ca_file is not None:
        env["NODE_EXTRA_CA_CERTS"] = str(served.ca_file)
    process = await asyncio.create_subprocess_exec(
        node_or_skip(),
        script,
        argument,
        cwd=NODE_DIR,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(40):
        out, err = await process.communicate()
    assert process.returncode == 0, err.decode()[-2000:] or out.decode()[-2000:]
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return result


async def test_node_openai_realtime_ws(served: Served) -> None:
    node_or_skip()
    if served.ca_file is None:
        pytest.skip(
            "openai's OpenAIRealtimeWS always connects over wss (openai/realtime/internal-base.js "
            "sets url.protocol = 'wss'), so it has no ws variant"
        )
    result = await run_node("openai_ws.mjs", served.url.http, served)
    assert result["status"] == "completed"
    assert result["text"] == "You said: Hello there"
    assert "error" not in result["types"]
    assert result["types"][0] == "session.created"


async def test_node_agents_realtime_with_a_tool(served: Served) -> None:
    node_or_skip()
    result = await run_node("agents_realtime.mjs", served.url.realtime(), served)
    assert result["calls"] == ["Paris"]
    assert result["toolEnds"] == [["get_weather", "Sunny in Paris"]]
    assert result["errors"] == []
    assert result["responses"] >= 2
