"""``openrealtime chat`` through the command line, against ``openrealtime serve``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from openrealtime.client import MissingExtra
from openrealtime.extras import import_extra
from tests.client.servers import API_KEY, ScriptedServer

COMMAND = [sys.executable, "-m", "openrealtime.cli", "chat"]


def chat(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args], input=stdin, capture_output=True, text=True, timeout=60, check=False
    )


def assert_one_line_failure(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("openrealtime: ")
    for needle in needles:
        assert needle in lines[0]


def test_one_message_and_its_reply(scripted: ScriptedServer) -> None:
    result = chat(scripted.url, "--api-key", API_KEY, "--text", "Hi", "--once")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "You said: Hi\n"
    beta = chat(scripted.url, "--api-key", API_KEY, "--dialect", "beta", "--text", "Hi", "--once")
    assert beta.stdout == "You said: Hi\n"


def test_a_typed_conversation(scripted: ScriptedServer) -> None:
    result = chat(scripted.url, "--api-key", API_KEY, stdin="Hello\nAgain\n\n")
    assert result.returncode == 0, result.stderr
    assert "You said: Hello" in result.stdout
    assert "You said: Again" in result.stdout


def test_the_event_log(scripted: ScriptedServer) -> None:
    result = chat(scripted.url, "--api-key", API_KEY, "--events", "--text", "Hi", "--once")
    assert result.returncode == 0, result.stderr
    shown = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("· ")]
    assert shown[0] == "session.created"
    assert "response.output_text.delta" in shown
    assert "response.done" in shown
    assert "You said: Hi" in result.stdout.splitlines()


def test_a_refused_key_is_one_line_with_the_servers_code(scripted: ScriptedServer) -> None:
    result = chat(scripted.url, "--api-key", "sk-wrong", "--text", "Hi", "--once")
    assert_one_line_failure(result, "invalid_api_key", "Incorrect API key")
    assert result.returncode == 1


def test_no_server_is_one_line() -> None:
    assert_one_line_failure(
        chat("ws://127.0.0.1:9/v1", "--text", "Hi", "--once"), "cannot connect to ws://127.0.0.1:9"
    )


def test_bad_options_are_one_line() -> None:
    assert_one_line_failure(chat("--dialect", "nope"), "ga or beta")
    assert_one_line_failure(chat("--once"), "--once needs --text")


def test_voice_without_sounddevice_says_what_to_install() -> None:
    try:
        import_extra("sounddevice", "voice", "voice chat")
    except MissingExtra:
        pass
    else:
        pytest.skip("sounddevice and PortAudio work here, so --mic would open the microphone")
    assert_one_line_failure(chat("--mic"), "voice chat (--mic) needs sounddevice")
