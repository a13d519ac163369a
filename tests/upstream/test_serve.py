"""``openrealtime serve`` with upstream roles: bad options or a missing key stop it in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml


def serve(models: dict[str, object], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "models.yaml"
    path.write_text(yaml.safe_dump(models))
    env = {k: v for k, v in os.environ.items() if k != "TEST_MISSING_UPSTREAM_KEY"}
    return subprocess.run(
        [sys.executable, "-m", "openrealtime.cli", "serve", "--models", str(path), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


def model(responder_options: dict[str, object]) -> dict[str, object]:
    return {
        "models": [
            {
                "name": "gpt-realtime",
                "engine": "scripted",
                "responder": {"engine": "openai-chat", "options": responder_options},
            }
        ]
    }


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        (
            {"model": "m", "api_key_env": "TEST_MISSING_UPSTREAM_KEY"},
            "the environment variable TEST_MISSING_UPSTREAM_KEY (api_key_env) is not set",
        ),
        ({"model": "m", "timeout": "soon"}, "openai-chat options: timeout:"),
        ({"base_url": "http://127.0.0.1:9/v1"}, "openai-chat options: model: Field required"),
    ],
)
def test_a_bad_upstream_stops_serve_in_one_line(
    tmp_path: Path, options: dict[str, object], needle: str
) -> None:
    result = serve(model(options), tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("openrealtime: ")
    assert needle in lines[0]
    assert "Traceback" not in result.stderr
