"""``serve --relay``: sessions relayed through our edge to an upstream, end to end."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from websockets.asyncio.server import ServerConnection, serve

from openrealtime.server.app.runner import ServerURL, running
from openrealtime.testing.clip import speech_clip
from openrealtime.testing.conformance import Report, Settings, run_conformance
from openrealtime.testing.invariants import Dialect
from openrealtime.testing.recording import Recording, SessionRecorders
from openrealtime.testing.wire import WireSession, realtime_url

from .conftest import API_KEY, RELAY_KEY, relay_config

pytestmark = pytest.mark.asyncio(loop_scope="session")

CROSS_DIALECT_GAPS = {"3.1.1", "4a", "4b", "4c", "12.e3", "12.e5"}
"""Rows a beta client misses through a GA upstream (docs/operations.md, "Relay")."""
TRANSLATED_ROWS = "1.*,2.*,3.1.*,3.3.2,3.5.*,3.9.*,3.10.*,4*,12.e*"
"""The rows where dialect translation shows: all a cross-dialect relay is checked on."""


async def conformance(url: str, dialect: Dialect, only: str | None = None) -> Report:
    settings = Settings(
        url=url, dialect=dialect, api_key=RELAY_KEY, timeout=5.0, quiet=0.3, speech=speech_clip()
    )
    return await run_conformance(settings, only=only, jobs=8)


def failed(report: Report) -> set[str]:
    return {o.scenario.row for o in report.outcomes if o.status == "fail"}


@pytest.mark.parametrize(
    ("client", "upstream"), [("ga", "ga"), ("beta", "beta"), ("ga", "beta"), ("beta", "ga")]
)
async def test_a_relayed_server_passes_conformance(
    fast_server: ServerURL, client: Dialect, upstream: str
) -> None:
    same = client == upstream
    async with running(relay_config(str(fast_server), upstream)) as url:
        report = await conformance(str(url), client, None if same else TRANSLATED_ROWS)
    gaps = CROSS_DIALECT_GAPS if (client, upstream) == ("beta", "ga") else set()
    assert failed(report) == gaps, [o.detail for o in report.outcomes if o.status == "fail"]
    assert len([o for o in report.outcomes if o.status == "pass"]) >= (93 if same else 40)


@pytest_asyncio.fixture(loop_scope="session")
async def listening_upstream() -> AsyncIterator[tuple[str, list[dict[str, str]]]]:
    """An upstream that notes each handshake's headers, greets, and echoes an error."""
    handshakes: list[dict[str, str]] = []

    async def handle(connection: ServerConnection) -> None:
        assert connection.request is not None
        handshakes.append(dict(connection.request.headers.raw_items()))
        await connection.send(
            '{"type":"session.created","event_id":"event_u1","session":'
            '{"type":"realtime","id":"sess_up","object":"realtime.session"}}'
        )
        async for frame in connection:
            event = json.loads(frame)
            error = {
                "type": "invalid_request_error",
                "code": "echo",
                "message": str(frame),
                "param": None,
                "event_id": event.get("event_id"),
            }
            await connection.send(
                json.dumps({"type": "error", "event_id": "event_u2", "error": error})
            )

    async with serve(handle, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}/v1", handshakes


async def test_keys_stay_on_their_side_and_the_session_is_recorded(
    listening_upstream: tuple[str, list[dict[str, str]]], tmp_path: Path
) -> None:
    upstream, handshakes = listening_upstream
    config = relay_config(upstream)
    config.tap = SessionRecorders(tmp_path, secrets=[RELAY_KEY])
    async with running(config) as url:
        wire = await WireSession.open(
            realtime_url(url, {"model": "gpt-realtime"}), api_key=RELAY_KEY, check=False
        )
        assert (await wire.recv())["type"] == "session.created"
        await wire.send({"type": "input_audio_buffer.clear", "event_id": "kit_clear"})
        echoed = (await wire.until("error"))[-1]["error"]
        await wire.close()
        refused = await WireSession.open(
            realtime_url(url, {"model": "gpt-realtime"}), api_key=API_KEY, check=False
        )
        assert (await refused.recv())["error"]["code"] == "invalid_api_key"
        await refused.close()
    (headers,) = handshakes
    assert headers["Authorization"] == f"Bearer {API_KEY}"
    assert RELAY_KEY not in json.dumps(headers)
    assert echoed["event_id"] == "kit_clear"
    assert json.loads(echoed["message"]) == {
        "type": "input_audio_buffer.clear",
        "event_id": "kit_clear",
    }
    (path,) = tmp_path.glob("sess_*.jsonl")
    recording = Recording.load(path)
    text = path.read_text()
    assert API_KEY not in text
    assert RELAY_KEY not in text
    kinds = [json.loads(f.text)["type"] for f in recording.frames if f.text]
    assert kinds == ["session.created", "input_audio_buffer.clear", "error"]


async def test_a_client_secret_minted_at_the_relay_opens_a_relayed_session(
    fast_server: ServerURL,
) -> None:
    import httpx

    async with running(relay_config(str(fast_server))) as url:
        async with httpx.AsyncClient() as http:
            minted = await http.post(
                f"{url.http}/realtime/client_secrets",
                headers={"Authorization": f"Bearer {RELAY_KEY}"},
                json={
                    "session": {
                        "type": "realtime",
                        "model": "gpt-realtime",
                        "instructions": "Answer in French.",
                    }
                },
            )
        secret = minted.json()["value"]
        wire = await WireSession.open(realtime_url(url, {}), api_key=secret)
        events = await wire.until("session.updated")
        await wire.close()
    assert [e["type"] for e in events] == ["session.created", "session.updated"]
    assert events[-1]["session"]["instructions"] == "Answer in French."


async def test_either_side_closing_closes_the_other(fast_server: ServerURL) -> None:
    async with running(relay_config(str(fast_server))) as url:
        wire = await WireSession.open(realtime_url(url, {"model": "gpt-nope"}), api_key=RELAY_KEY)
        first = await wire.recv()
        assert first["error"]["code"] == "invalid_model"
        assert await wire.wait_closed() == (4000, "invalid_request_error.invalid_model")


async def _serve_cli(*args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "openrealtime.cli",
        "serve",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode is not None
    return process.returncode, out.decode()


async def test_cli_relay_mistakes_are_one_line() -> None:
    assert await _serve_cli("--relay", "ftp://example.com/v1") == (
        2,
        "openrealtime: --relay expects a ws://, wss://, http:// or https:// URL, "
        "got 'ftp://example.com/v1'\n",
    )
    assert await _serve_cli("--relay", "ws://127.0.0.1:9/v1", "--script", "x.yaml") == (
        2,
        "openrealtime: --relay serves no models of its own: drop --models, --script, "
        "--model-alias\n",
    )
    assert await _serve_cli("--relay", "ws://127.0.0.1:9/v1", "--relay-dialect", "v2") == (
        2,
        "openrealtime: --relay-dialect must be 'ga' or 'beta', not 'v2'\n",
    )
