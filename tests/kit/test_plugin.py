"""The pytest plugin: a sample project run by pytest in a subprocess, as a user runs it."""

from __future__ import annotations

import asyncio
import os
import sys
import tomllib
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from openrealtime.server.app.runner import ServerURL
from openrealtime.testing.assertions import (
    assert_event,
    assert_event_types,
    assert_invariants,
    assert_no_event,
)

from .conftest import API_KEY

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = Path(__file__).resolve().parent / "sample_project"
PLUGIN = "openrealtime.testing.pytest_plugin"
HEAVY = (
    "starlette",
    "uvicorn",
    "numpy",
    "pydantic",
    "websockets",
    "openrealtime.server",
    "openrealtime.protocol",
    "openrealtime.engines",
)


def plugin_environment(tmp_path: Path) -> dict[str, str]:
    """The environment of a user's pytest: the plugin comes from its ``pytest11`` entry point.

    When this checkout's metadata is not installed yet (an editable install made from
    another checkout), the entry point declared in pyproject.toml is installed into a
    directory on the path, as pip would write it.
    """
    env = dict(os.environ)
    if any(ep.value == PLUGIN for ep in entry_points(group="pytest11")):
        return env
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())
    points = declared["project"]["entry-points"]["pytest11"]
    dist = tmp_path / "site" / "openrealtime_entry_points-0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: openrealtime-entry-points\nVersion: 0\n"
    )
    lines = "".join(f"{name} = {value}\n" for name, value in points.items())
    (dist / "entry_points.txt").write_text(f"[pytest11]\n{lines}")
    env["PYTHONPATH"] = os.pathsep.join([str(dist.parent), env.get("PYTHONPATH", "")])
    return env


async def run_pytest(env: dict[str, str], cwd: Path, *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode()


async def test_the_sample_project_passes_with_the_plugin_from_its_entry_point(
    tmp_path: Path,
) -> None:
    code, out = await run_pytest(plugin_environment(tmp_path), SAMPLE)
    assert code == 0, out
    assert "7 passed" in out, out


@pytest.mark.asyncio(loop_scope="session")
async def test_the_same_tests_run_against_a_live_server(
    fast_server: ServerURL, tmp_path: Path
) -> None:
    env = plugin_environment(tmp_path) | {"OPENREALTIME_TEST_API_KEY": API_KEY}
    code, out = await run_pytest(
        env,
        SAMPLE,
        "--realtime-url",
        str(fast_server),
        "-k",
        "answers_in_text or client_secret or client_fixture",
    )
    assert code == 0, out
    assert "3 passed, 4 deselected" in out, out


async def test_the_entry_module_imports_nothing_heavy() -> None:
    probe = (
        f"import sys, {PLUGIN}; "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith("
        f"{HEAVY!r}))))"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", probe, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    assert out.decode().strip() == ""


BLOCKER = """
import sys
from importlib.abc import MetaPathFinder

class CoreInstall(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"starlette", "uvicorn", "numpy", "soxr", "typer", "yaml"}:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, CoreInstall())
"""


async def test_without_the_server_extra_the_plugin_loads_and_the_fixture_says_what_to_install(
    tmp_path: Path,
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "sitecustomize.py").write_text(BLOCKER)
    (project / "test_core.py").write_text(
        "def test_plain():\n    assert True\n\ndef test_server(realtime_server):\n    pass\n"
    )
    env = plugin_environment(tmp_path)
    env["PYTHONPATH"] = os.pathsep.join([str(project), env.get("PYTHONPATH", "")])
    code, out = await run_pytest(env, project, "-rA")
    assert code == 1, out
    assert "1 passed, 1 error" in out, out
    assert (
        "the realtime_server fixture needs starlette, which is not installed: "
        "pip install 'openrealtime[testing]'" in out
    ), out


EVENTS = [
    {
        "type": "response.created",
        "event_id": "e1",
        "response": {
            "id": "resp_1",
            "status": "in_progress",
            "output": [],
            "conversation_id": None,
        },
    },
    {"type": "response.output_text.delta", "event_id": "e2", "delta": "Hi"},
    {"type": "response.done", "event_id": "e3", "response": {"id": "resp_1", "status": "failed"}},
]


def test_assertions_print_the_event_trace_and_point_at_the_mismatch() -> None:
    with pytest.raises(AssertionError) as failure:
        assert_event_types(
            EVENTS,
            [
                "response.created",
                "response.output_text.delta*",
                "response.output_text.done",
                "response.done",
            ],
        )
    message = str(failure.value)
    assert message.splitlines()[0] == (
        "event 2: expected response.output_text.done, got response.done"
    )
    assert message.splitlines()[1] == "event trace:"
    assert message.splitlines()[4].startswith(">>   2 response.done  response=")
    assert_event_types(EVENTS, ["response.created", "response.output_text.delta*", "response.done"])
    with pytest.raises(AssertionError, match=r'no response\.done with \{"response": \{"status": '):
        assert_event(EVENTS, "response.done", response={"status": "completed"})
    assert assert_event(EVENTS, "response.done", response={"status": "failed"}) is EVENTS[2]
    with pytest.raises(AssertionError, match=r"event 1: unexpected response\.output_text\.delta"):
        assert_no_event(EVENTS, "response.output_text.delta")


def test_assert_invariants_names_the_broken_rule() -> None:
    with pytest.raises(AssertionError, match=r"invariant broken: .*does not match the ga model"):
        assert_invariants(EVENTS)
