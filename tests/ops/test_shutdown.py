"""Graceful shutdown: responses cancelled, sessions closed 1001, the process gone in time."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from openrealtime.engines.registry import ModelRegistry
from openrealtime.engines.scripted import Script, scripted_engines
from openrealtime.server import ServerConfig
from openrealtime.server.app.runner import running

from .wire import TEXT_TURN, TIMEOUT

LONG_REPLY = "This reply goes on for a long while so that the server can be stopped midway."
EXIT_BOUND = 8.0
"""Seconds from the signal to the process's exit: our 3 s step, then uvicorn's 3 s."""


async def speak_until_closed(url: str, started: asyncio.Event) -> tuple[list[str], Any]:
    """Start a spoken response; collect event types until the server closes."""
    types: list[str] = []
    done: dict[str, Any] = {}
    async with websockets.connect(url) as ws:
        for event in TEXT_TURN:
            await ws.send(json.dumps(event))
        with contextlib.suppress(ConnectionClosed):
            while True:
                event = json.loads(await ws.recv())
                types.append(event["type"])
                if event["type"] == "response.output_audio.delta":
                    started.set()
                if event["type"] == "response.done":
                    done = event["response"]
    close = ws.close_code, ws.close_reason
    return types, (done, *close)


def assert_cancelled_then_1001(types: list[str], outcome: Any) -> None:
    done, code, reason = outcome
    # GA sends rate_limits.updated right after response.done.
    assert types[-2:] == ["response.done", "rate_limits.updated"]
    assert done["status"] == "cancelled"
    assert (code, reason) == (1001, "server shutting down")


async def test_stopping_the_server_cancels_responses_then_closes_1001() -> None:
    script = Script.model_validate({"default": {"reply": LONG_REPLY}})
    config = ServerConfig(models=ModelRegistry.with_engines(scripted_engines(script, pace=1.0)))
    started = asyncio.Event()
    async with running(config) as url:
        client = asyncio.ensure_future(speak_until_closed(url.realtime(), started))
        async with asyncio.timeout(TIMEOUT):
            await started.wait()
        stopping = time.monotonic()
    types, outcome = await client
    assert time.monotonic() - stopping < 2
    assert_cancelled_then_1001(types, outcome)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(tmp_path: Path) -> tuple[subprocess.Popen[str], int]:
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"default": {"reply": LONG_REPLY}}))
    port = free_port()
    command = [sys.executable, "-m", "openrealtime.cli", "serve", "--engine", "scripted"]
    command += ["--port", str(port)]
    process = subprocess.Popen(
        [*command, "--script", str(script)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process, port
        except httpx.TransportError:
            assert process.poll() is None, process.communicate()[1]
            assert time.monotonic() < deadline, "the server never answered"
            time.sleep(0.1)


@pytest.mark.timeout(60)
async def test_sigterm_cancels_responses_closes_1001_and_exits_in_time(tmp_path: Path) -> None:
    process, port = serve(tmp_path)
    try:
        started = asyncio.Event()
        url = f"ws://127.0.0.1:{port}/v1/realtime?model=gpt-realtime"
        client = asyncio.ensure_future(speak_until_closed(url, started))
        async with asyncio.timeout(TIMEOUT):
            await started.wait()
        process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        async with asyncio.timeout(TIMEOUT):
            types, outcome = await client
        assert_cancelled_then_1001(types, outcome)
        await asyncio.to_thread(process.wait, EXIT_BOUND)
        assert time.monotonic() - signalled < EXIT_BOUND
    finally:
        if process.poll() is None:
            process.kill()
        stderr = process.communicate()[1]
    assert "Traceback" not in stderr


@pytest.mark.timeout(60)
def test_ctrl_c_stops_an_open_server_quietly(tmp_path: Path) -> None:
    process, _port = serve(tmp_path)
    process.send_signal(signal.SIGINT)
    try:
        code = process.wait(EXIT_BOUND)
    finally:
        if process.poll() is None:
            process.kill()
    stderr = process.communicate()[1]
    assert code == 130
    assert "Traceback" not in stderr
    assert "no API keys: anyone who can reach 127.0.0.1" in stderr
