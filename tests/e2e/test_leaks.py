"""Abandoned sessions leave nothing behind: tasks, registered sessions, memory.

200 clients each start a real-time spoken response and leave in the middle of it,
half with a close handshake and half by dropping the TCP connection. The server runs
in this test's own event loop, so ``asyncio.all_tasks()`` counts only its tasks and
these clients.
"""

from __future__ import annotations

import asyncio
import gc
import json
import time
import tracemalloc

import pytest
import websockets
from starlette.applications import Starlette

from openrealtime.engines.registry import ModelRegistry
from openrealtime.engines.scripted import scripted_engines
from openrealtime.server import ServerConfig, create_app
from openrealtime.server.app.runner import ServerURL, running

from .conftest import STORY, STORY_SCRIPT
from .wire import RECV_TIMEOUT

pytestmark = pytest.mark.timeout(60)

CLIENTS = 200
WARM_UP = 20
CONCURRENT = 50
MEMORY_BUDGET = 1024 * 1024
STORY_REQUEST = [
    json.dumps(
        {
            "type": "conversation.item.create",
            "item": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": STORY}],
            },
        }
    ),
    json.dumps({"type": "response.create"}),
]


async def abandon(url: ServerURL, abruptly: bool) -> None:
    """Start a spoken response and leave once its first audio arrives."""
    async with asyncio.timeout(RECV_TIMEOUT):
        # No client flow control: a client that stops reading with a full queue never
        # sees the server's close frame, and close() would wait out its timeout.
        ws = await websockets.connect(url.realtime(), max_queue=None)
        for frame in STORY_REQUEST:
            await ws.send(frame)
        while json.loads(await ws.recv())["type"] != "response.output_audio.delta":
            pass
        if abruptly:
            ws.transport.abort()
        else:
            await ws.close()
        await ws.wait_closed()


async def crowd(url: ServerURL, count: int) -> None:
    gate = asyncio.Semaphore(CONCURRENT)

    async def one(index: int) -> None:
        async with gate:
            await abandon(url, abruptly=index % 2 == 1)

    await asyncio.gather(*(one(index) for index in range(count)))


async def settle(app: Starlette, baseline_tasks: int) -> None:
    """Wait until the server has let go of every session and task, then collect garbage.

    Collecting finalizes abandoned async generators, whose ``aclose()`` runs as a task
    on the loop; the second round waits for those and frees what they held.
    """
    for _round in range(2):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            if not len(app.state.sessions) and len(asyncio.all_tasks()) <= baseline_tasks:
                break
        gc.collect()


async def test_abandoned_sessions_leak_nothing() -> None:
    engines = scripted_engines(STORY_SCRIPT, pace=1.0)
    config = ServerConfig(models=ModelRegistry.with_engines(engines))
    app = create_app(config)
    async with running(config, app=app) as url:
        baseline_tasks = len(asyncio.all_tasks())
        await crowd(url, WARM_UP)
        await settle(app, baseline_tasks)
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            await crowd(url, CLIENTS)
            await settle(app, baseline_tasks)
            growth = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        sessions_left = len(app.state.sessions)
        tasks_left = len(asyncio.all_tasks())

    assert sessions_left == 0
    assert tasks_left == baseline_tasks
    assert growth < MEMORY_BUDGET, f"memory grew by {growth} bytes"
