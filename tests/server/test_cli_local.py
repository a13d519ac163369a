"""``openrealtime serve`` with the local stack, its default: flags, preflight, load failures."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from openrealtime import cli
from openrealtime.server.app.serve import build_config
from openrealtime.server.config import ServeOptions
from tests.local_stack import require_local_stack

COMMAND = [sys.executable, "-m", "openrealtime.cli", "serve"]


def one_line_failure(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> str:
    monkeypatch.setattr("sys.argv", ["openrealtime", "serve", *args])
    with pytest.raises(SystemExit) as raised:
        cli.main()
    assert raised.value.code != 0
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_local_is_the_default_engine() -> None:
    assert ServeOptions().engine == "local"
    entry = build_config(ServeOptions(engine="scripted")).models.entries[0]
    assert entry.engine == "scripted"


def test_missing_local_packages_stop_serve_with_one_line_naming_both_ways_out(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any, **kwargs: Any) -> Any:
        return None if name in ("xllamacpp", "piper") else real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    line = one_line_failure(monkeypatch, capsys)
    assert "xllamacpp, piper-tts, which are not installed" in line
    assert "pip install 'openrealtime[local]'" in line
    assert "--engine scripted" in line


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--llm", "/nonexistent/model.gguf"], "--llm: no such file: /nonexistent/model.gguf"),
        (["--engine", "scripted", "--llm", __file__], "--llm needs --engine local"),
        (["--models", __file__, "--llm", __file__], "set the responder's 'llm' option"),
    ],
)
def test_bad_llm_flags_are_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    needle: str,
) -> None:
    assert needle in one_line_failure(monkeypatch, capsys, *args)


def test_an_engine_that_fails_to_load_stops_serve_with_its_reason(tmp_path: Path) -> None:
    require_local_stack()
    model = tmp_path / "broken.gguf"
    model.write_bytes(b"GGUF but nothing a model needs")
    result = subprocess.run(
        [*COMMAND, "--port", "0", "--llm", str(model)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("openrealtime: model gpt-realtime: local.responder: ")
    assert str(model) in lines[-1]
    assert "Traceback" not in result.stderr
    assert "WebSocket:" not in result.stdout
    assert "listening" not in result.stdout
