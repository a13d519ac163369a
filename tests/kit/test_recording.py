"""Recording sessions (serve --record, the client-side recorder) and replaying them."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
from pathlib import Path

import pytest

from openrealtime.engines.registry import ModelRegistry
from openrealtime.server import ServerConfig
from openrealtime.server.app.runner import ServerURL, running
from openrealtime.testing.recording import (
    REDACTED,
    Recording,
    RecordingError,
    RecordingHeader,
    SessionRecorders,
    client_recorder,
)
from openrealtime.testing.replay import MISMATCH_CODE, replaying
from openrealtime.testing.wire import ServerClosed, WireSession, realtime_url

from .conftest import API_KEY

SECRET_TEXT = "my key is sk-proj-abcdefghijklmnop and my secret ek_1234567890abcdef"


def recording_server(directory: Path, *, max_bytes: int | None = None) -> ServerConfig:
    config = ServerConfig(models=ModelRegistry.default(options={"pace": 0}), api_keys=(API_KEY,))
    config.tap = SessionRecorders(directory, max_bytes=max_bytes, secrets=[API_KEY])
    return config


async def text_turn(
    url: str,
    *,
    text: str = "Hello there",
    event_id: str = "kit_c1",
    item_id: str | None = None,
    instructions: str = "Be brief.",
) -> list[dict[str, object]]:
    """A session: an update, a user item, a response, a refused cancel; its server events."""
    wire = await WireSession.open(realtime_url(url, {"model": "gpt-realtime"}), api_key=API_KEY)
    try:
        await wire.recv()
        session = {"type": "realtime", "output_modalities": ["text"], "instructions": instructions}
        await wire.send({"type": "session.update", "event_id": "kit_u1", "session": session})
        await wire.until("session.updated")
        item: dict[str, object] = {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": text}],
        }
        if item_id is not None:
            item["id"] = item_id
        await wire.send({"type": "conversation.item.create", "event_id": "kit_i1", "item": item})
        await wire.send({"type": "response.create", "event_id": "kit_r1"})
        await wire.until("response.done")
        await wire.send({"type": "response.cancel", "event_id": event_id})
        await wire.until("error")
        return wire.events
    finally:
        await wire.close()


@pytest.fixture
async def recorded(tmp_path: Path) -> tuple[Recording, list[dict[str, object]]]:
    async with running(recording_server(tmp_path)) as url:
        events = await text_turn(url)
    (path,) = tmp_path.glob("sess_*.jsonl")
    return Recording.load(path), events


async def test_serve_records_every_frame_of_a_session_without_secrets(tmp_path: Path) -> None:
    async with running(recording_server(tmp_path)) as url:
        events = await text_turn(url, instructions=SECRET_TEXT)
    await asyncio.sleep(0.05)
    (path,) = tmp_path.glob("sess_*.jsonl")
    recording = Recording.load(path)
    header = recording.header
    assert (header.dialect, header.kind, header.recorder) == ("ga", "realtime", "server")
    assert header.path == "/v1/realtime?model=gpt-realtime"
    assert header.session_id is not None
    assert Path(recording.source).name == f"{header.session_id}.jsonl"
    server = [json.loads(f.text) for f in recording.frames if f.direction == "server" and f.text]
    assert len(server) == len(events)
    assert [e["type"] for e in server] == [e["type"] for e in events]
    client = [
        json.loads(f.text)["type"] for f in recording.frames if f.direction == "client" and f.text
    ]
    assert client == [
        "session.update",
        "conversation.item.create",
        "response.create",
        "response.cancel",
    ]
    assert recording.frames[-1].close == (1000, "")
    times = [frame.at for frame in recording.frames]
    assert times == sorted(times)
    text = Path(recording.source).read_text()
    assert API_KEY not in text
    assert "sk-proj-" not in text
    assert "ek_1234" not in text
    assert f"my key is {REDACTED} and my secret {REDACTED}" in text


async def test_past_its_cap_recording_stops_with_a_log_line_and_the_session_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="openrealtime.recording"):
        async with running(recording_server(tmp_path, max_bytes=6000)) as url:
            events = await text_turn(url)
    assert events[-1]["type"] == "error"
    (path,) = tmp_path.glob("sess_*.jsonl")
    assert path.stat().st_size < 6200
    recording = Recording.load(path)
    assert recording.cut
    assert json.loads(path.read_text().splitlines()[-1])["end"] == "cap"
    (record,) = [r for r in caplog.records if r.name == "openrealtime.recording"]
    assert "recording stopped: it reached its cap of 0.006 MB" in record.getMessage()
    assert "the session goes on" in record.getMessage()


async def test_a_replay_answers_the_same_client_with_the_recorded_events(
    recorded: tuple[Recording, list[dict[str, object]]],
) -> None:
    recording, events = recorded
    async with replaying(recording, pacing="fast") as url:
        assert await text_turn(url) == events
        again = await text_turn(url, event_id="kit_other")
    assert again[:-1] == events[:-1]
    assert again[-1]["error"]["event_id"] == "kit_other"  # type: ignore[index]


async def test_a_divergence_ends_the_session_naming_the_first_mismatch(
    recorded: tuple[Recording, list[dict[str, object]]],
) -> None:
    recording, _ = recorded
    async with replaying(recording, pacing="fast") as url:
        with pytest.raises(ServerClosed) as closed:
            await text_turn(url, text="Something else")
        wire_error = closed.value
    assert (wire_error.code, wire_error.reason) == (4000, f"invalid_request_error.{MISMATCH_CODE}")


async def test_a_divergence_error_says_where_and_what(
    recorded: tuple[Recording, list[dict[str, object]]],
) -> None:
    recording, _ = recorded
    async with replaying(recording, pacing="fast") as url:
        wire = await WireSession.open(realtime_url(url, {"model": "gpt-realtime"}))
        await wire.recv()
        await wire.send({"type": "response.create", "event_id": "kit_x"})
        error = (await wire.until("error"))[-1]["error"]
        assert await wire.wait_closed() == (4000, f"invalid_request_error.{MISMATCH_CODE}")
    assert error["code"] == MISMATCH_CODE
    assert error["event_id"] == "kit_x"
    assert error["message"] == (
        f"The replay diverged from the recording: client frame 1 (line "
        f"{recording.frames[1].line}): expected session.update, got response.create"
    )


async def test_lenient_matching_maps_the_ids_the_client_chose(tmp_path: Path) -> None:
    async with running(recording_server(tmp_path)) as url:
        await text_turn(url, item_id="item_client_a")
    (path,) = tmp_path.glob("sess_*.jsonl")
    recording = Recording.load(path)
    async with replaying(recording, matching="lenient", pacing="fast") as url:
        events = await text_turn(
            url, text="Different words", item_id="item_client_b", event_id="kit_mine"
        )
    added = [e for e in events if e["type"] == "conversation.item.added"]
    assert added[0]["item"]["id"] == "item_client_b"  # type: ignore[index]
    assert events[-1]["error"]["event_id"] == "kit_mine"  # type: ignore[index]
    async with replaying(recording, matching="strict", pacing="fast") as url:
        with pytest.raises(ServerClosed):
            await text_turn(url, item_id="item_client_b")


async def test_recorded_pacing_keeps_the_gaps_and_fast_drops_them(tmp_path: Path) -> None:
    path = tmp_path / "paced.jsonl"
    header = RecordingHeader(dialect="ga", path="/v1/realtime?model=gpt-realtime")
    created = {"type": "session.created", "event_id": "event_1", "session": {}}
    later = {"type": "rate_limits.updated", "event_id": "event_2", "rate_limits": []}
    lines = [
        header.to_json(),
        {"t": 0.0, "dir": "server", "text": json.dumps(created)},
        {"t": 0.4, "dir": "server", "text": json.dumps(later)},
        {"t": 0.5, "dir": "server", "close": {"code": 1000, "reason": ""}},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    recording = Recording.load(path)
    for pacing, low, high in (("recorded", 0.35, 1.0), ("fast", 0.0, 0.2)):
        async with replaying(recording, pacing=pacing) as url:  # type: ignore[arg-type]
            wire = await WireSession.open(realtime_url(url, {"model": "gpt-realtime"}), check=False)
            await wire.recv()
            started = time.monotonic()
            await wire.recv()
            assert low <= time.monotonic() - started <= high, pacing
            assert await wire.wait_closed() == (1000, "")


def test_the_client_recorder_writes_the_same_format(tmp_path: Path) -> None:
    recorder = client_recorder(
        tmp_path / "client.jsonl", url="ws://h/v1/realtime?model=m&key=x", secrets=["secret-value"]
    )
    recorder(
        "send",
        time.monotonic(),
        '{"type":"session.update","session":{"instructions":"secret-value"}}',
    )
    recorder("recv", time.monotonic(), b"\x00\x01")
    recorder.closed("client", 1000)
    recorder.close()
    recording = Recording.load(tmp_path / "client.jsonl")
    assert recording.header.recorder == "client"
    assert recording.header.path == "/v1/realtime?model=m"
    assert [f.direction for f in recording.frames] == ["client", "server", "client"]
    assert recording.frames[0].text == (
        '{"type":"session.update","session":{"instructions":"[redacted]"}}'
    )
    assert recording.frames[1].data == b"\x00\x01"


def test_a_bad_file_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    header = json.dumps(RecordingHeader(dialect="ga", path="/v1/realtime").to_json())
    path.write_text(header + '\n{"t": 0, "dir": "sideways", "text": "{}"}\n')
    with pytest.raises(RecordingError, match=r"bad\.jsonl:2: 'dir' must be client or server"):
        Recording.load(path)
    path.write_text('{"hello": 1}\n')
    with pytest.raises(RecordingError, match="not an openrealtime recording"):
        Recording.load(path)


async def _cli(*args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "openrealtime.cli",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode()


async def test_cli_mistakes_are_one_line(tmp_path: Path) -> None:
    assert await _cli("replay", str(tmp_path / "missing.jsonl")) == (
        2,
        f"openrealtime: {tmp_path / 'missing.jsonl'}: cannot read: "
        f"[Errno 2] No such file or directory: '{tmp_path / 'missing.jsonl'}'\n",
    )
    code, out = await _cli("serve", "--record", str(tmp_path), "--record-max-mb", "0")
    assert (code, out) == (2, "openrealtime: --record-max-mb must be positive\n")


async def test_cli_replay_serves_a_recording(
    recorded: tuple[Recording, list[dict[str, object]]], unused_tcp_port: int
) -> None:
    recording, events = recorded
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "openrealtime.cli",
        "replay",
        recording.source,
        "--port",
        str(unused_tcp_port),
        "--pace",
        "fast",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        assert process.stdout is not None
        banner = (await asyncio.wait_for(process.stdout.readline(), 10)).decode()
        assert banner.startswith(f"openrealtime replaying {recording.source} (ga realtime")
        url = ServerURL(f"ws://127.0.0.1:{unused_tcp_port}/v1")
        assert await text_turn(url) == events
    finally:
        process.terminate()
        await process.wait()


async def test_a_client_side_recording_through_the_frame_tap_replays(tmp_path: Path) -> None:
    from openrealtime.client import RealtimeClient

    async def conversation(url: str, **options: object) -> list[str | None]:
        async with RealtimeClient.connect(
            url, model="gpt-realtime", session={"output_modalities": ["text"]}, **options
        ) as rt:
            first = await rt.send_text("Hello")
            second = await rt.send_text("And again")
            return [first.text, second.text]

    path = tmp_path / "client.jsonl"
    async with running(recording_server(tmp_path / "server")) as url:
        recorder = client_recorder(path, url=url.realtime(), secrets=[API_KEY])
        live = await conversation(str(url), api_key=API_KEY, tap=recorder)
        recorder.close()
    recording = Recording.load(path)
    assert recording.header.recorder == "client"
    assert API_KEY not in path.read_text()
    async with replaying(recording, matching="strict", pacing="fast") as replay_url:
        assert await conversation(replay_url) == live == ["You said: Hello", "You said: And again"]
