"""``openrealtime serve``: it serves, prints its URLs, and turns bad input into one line."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

COMMAND = [sys.executable, "-m", "openrealtime.cli"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args], capture_output=True, text=True, timeout=60, check=False
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def assert_one_line_failure(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("openrealtime: ")
    for needle in needles:
        assert needle in lines[0]
    assert "Traceback" not in result.stderr


def test_serve_prints_its_urls_and_answers(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [*COMMAND, "serve", "--engine", "scripted", "--port", str(port), "--pace", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        while not lines or "SDK:" not in lines[-1]:
            line = process.stdout.readline()
            assert line, "serve stopped before printing its URLs"
            lines.append(line)
        output = "".join(lines)
        # The engines start (and say so) before the URLs are printed and the port opens.
        assert output.index("scripted.responder ready in") < output.index("WebSocket:")
        assert f"ws://127.0.0.1:{port}/v1/realtime?model=gpt-realtime" in output
        assert f"http://127.0.0.1:{port}/v1/models" in output
        deadline = time.monotonic() + 20
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server never answered"
                time.sleep(0.1)
        assert health.status_code == 200
        body = health.json()
        assert (body["status"], body["sessions"]) == ("ok", 0)
        assert body["engines"] == {
            f"scripted.{role}": {"state": "ready"}
            for role in ("responder", "synthesizer", "transcriber", "vad", "turn_scorer")
        }
        models = httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=5).json()
        assert [model["id"] for model in models["data"]] == ["gpt-realtime"]
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_a_bad_script_is_one_line_naming_the_file(tmp_path: Path) -> None:
    script = tmp_path / "script.yaml"
    script.write_text("rules:\n  - regex: '('\n    reply: x\n")
    result = run("serve", "--engine", "scripted", "--script", str(script))
    assert_one_line_failure(result, str(script), "regular expression")


def test_a_missing_script_is_one_line(tmp_path: Path) -> None:
    assert_one_line_failure(
        run("serve", "--engine", "scripted", "--script", str(tmp_path / "nope.yaml")), "nope.yaml"
    )


def test_a_bad_models_file_is_one_line(tmp_path: Path) -> None:
    models = tmp_path / "models.json"
    models.write_text(json.dumps({"models": [{"name": "m", "engine": "warp"}]}))
    assert_one_line_failure(
        run("serve", "--engine", "scripted", "--models", str(models)), "unknown engine 'warp'"
    )


@pytest.mark.parametrize(
    ("alias", "needle"),
    [("broken", "NAME=TARGET"), ("x=gpt-4o", "no model serves 'gpt-4o'")],
)
def test_bad_model_aliases_are_one_line(alias: str, needle: str) -> None:
    assert_one_line_failure(run("serve", "--engine", "scripted", "--model-alias", alias), needle)


def test_bad_option_values_are_one_line() -> None:
    assert_one_line_failure(
        run("serve", "--engine", "scripted", "--truncation-transcript", "keep"), "spoken"
    )
    assert_one_line_failure(
        run("serve", "--engine", "scripted", "--session-minutes", "0"), "at least 1"
    )
