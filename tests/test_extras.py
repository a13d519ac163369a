"""Extras that match the layers: the core install imports nothing else, and a missing
extra is one line naming the ``pip install`` that fixes it.

Each check runs in a fresh interpreter whose import system refuses what an install
without the extra would lack.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

CORE = ("pydantic", "pydantic_core", "typing_extensions", "annotated_types", "typing_inspection")
"""What ``pip install openrealtime`` brings: pydantic and its own dependencies, websockets."""

_GUARD = """
import importlib.abc, sys

class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if {refused}:
            raise ModuleNotFoundError(f"No module named {{top!r}} (refused)", name=top)
        return None

sys.meta_path.insert(0, Refuse())
"""


def run(
    code: str, *, allow: tuple[str, ...] = (), refuse: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter that refuses ``refuse``, or all but ``allow``."""
    if refuse:
        condition = f"top in {set(refuse)!r}"
    else:
        allowed = {"openrealtime", "websockets", *CORE, *allow}
        condition = (
            f"top not in {allowed!r} and top not in sys.stdlib_module_names"
            " and not top.startswith('_')"  # the interpreter's private modules
        )
    program = _GUARD.format(refused=condition) + textwrap.dedent(code)
    return subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False
    )


def test_the_protocol_and_audio_need_only_the_core_install() -> None:
    result = run(
        """
        import sys
        from openrealtime.protocol import ProtocolError, beta, ga, translate
        from openrealtime import audio, extras
        from openrealtime.engines import CancelSignal, EngineSet, ResponseRequest
        from openrealtime.testing.invariants import check_trace

        event = ga.ClientEvent.parse('{"type":"response.cancel","event_id":"c1"}')
        assert translate.client_event_to_beta(event).to_text().startswith('{"type":')
        assert audio.b64encode(b"\\x00\\x01") == "AAE="
        print(sorted(m for m in ("numpy", "starlette", "uvicorn", "soxr") if m in sys.modules))
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_guard_refuses_what_the_core_install_lacks() -> None:
    result = run("import numpy")
    assert result.returncode != 0
    assert "No module named 'numpy' (refused)" in result.stderr


def assert_one_line(text: str, *needles: str) -> None:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    for needle in needles:
        assert needle in lines[0]


def test_importing_the_server_without_its_extra_is_one_line() -> None:
    result = run(
        """
        from openrealtime.extras import MissingExtra
        try:
            import openrealtime.server
        except MissingExtra as exc:
            print(exc)
        """,
        refuse=("starlette",),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "openrealtime.server needs starlette, which is not installed: "
        "pip install 'openrealtime[server]'"
    )


@pytest.mark.parametrize(
    ("refused", "needle"), [("typer", "the command line needs typer"), ("uvicorn", "uvicorn")]
)
def test_the_command_without_its_extra_is_one_line(refused: str, needle: str) -> None:
    result = run(
        """
        import runpy, sys
        sys.argv = ["openrealtime", "serve", "--port", "0"]
        runpy.run_module("openrealtime.cli", run_name="__main__")
        """,
        refuse=(refused,),
    )
    assert result.returncode == 2
    assert_one_line(result.stderr, "openrealtime: ", needle, "pip install 'openrealtime[server]'")
    assert "Traceback" not in result.stderr


def test_an_engine_kind_without_its_extra_is_one_line() -> None:
    result = run(
        """
        from openrealtime.engines.kinds import engine_kind
        from openrealtime.extras import MissingExtra
        try:
            engine_kind("scripted").factory("vad")({})
        except MissingExtra as exc:
            print(exc)
        """,
        allow=("yaml",),
    )
    assert result.returncode == 0, result.stderr
    assert_one_line(result.stdout, "the scripted engine needs numpy", "openrealtime[server]")


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        ("openai-chat", "responder"),
        ("openai-transcriptions", "transcriber"),
        ("openai-speech", "synthesizer"),
    ],
)
def test_an_upstream_kind_without_the_sdk_is_one_line(kind: str, role: str) -> None:
    result = run(
        f"""
        from openrealtime.engines.kinds import engine_kind
        from openrealtime.extras import MissingExtra
        try:
            engine_kind({kind!r}).factory({role!r})({{"model": "m"}})
        except MissingExtra as exc:
            print(exc)
        """,
        refuse=("openai",),
    )
    assert result.returncode == 0, result.stderr
    assert_one_line(
        result.stdout, f"the {kind} engine needs openai", "pip install 'openrealtime[upstream]'"
    )
