"""The client works with the core install alone (pydantic and websockets); what needs an
extra says which, in one line.

Each check runs in a fresh interpreter where every third-party package but the core
install's is hidden, as in an environment with ``pip install openrealtime`` only.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.client.servers import API_KEY, ScriptedServer

HIDE = textwrap.dedent(
    """
    import importlib.abc, importlib.machinery, sys
    CORE = {"pydantic", "pydantic_core", "typing_extensions", "annotated_types",
            "typing_inspection", "websockets", "openrealtime"}
    hidden = []

    class Hide(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if "." in name or name in CORE:
                return None
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            if spec is None or "site-packages" not in (spec.origin or ""):
                return None
            hidden.append(name)
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    sys.meta_path.insert(0, Hide())
    """
)
EXTRAS = ("numpy", "soxr", "sounddevice", "starlette", "uvicorn", "typer", "rich", "yaml")


def run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", HIDE + textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_conversation_with_the_core_install_only(scripted: ScriptedServer) -> None:
    result = run(
        """
        import asyncio
        from openrealtime.client import RealtimeClient

        async def main():
            async with RealtimeClient.connect(sys.argv[1], model="gpt-realtime",
                                              api_key=sys.argv[2]) as rt:
                item = await rt.send_text("Hi")
                await rt.send_audio(bytes(4800), realtime=False)
                print(item.transcript, len(item.audio))

        asyncio.run(main())
        print("hidden:", sorted(set(hidden) & set(sys.argv[3:])))
        """,
        scripted.url,
        API_KEY,
        *EXTRAS,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"You said: Hi {48 * 60 * 12}", "hidden: []"]


def test_extras_say_what_to_install() -> None:
    result = run(
        """
        import asyncio
        from openrealtime.audio import PCM16
        from openrealtime.client import MissingExtra
        from openrealtime.client.audio_input import wire_chunks
        from openrealtime.client.devices import Microphone

        async def resample():
            return [c async for c in wire_chunks(bytes(320), PCM16, sample_rate=16000, chunk_ms=20)]

        async def record():
            return [block async for block in Microphone()]

        for attempt in (resample, record):
            try:
                asyncio.run(attempt())
            except MissingExtra as error:
                print(error)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "resampling audio needs numpy, which is not installed: pip install 'openrealtime[audio]'",
        "the microphone needs sounddevice, which is not installed: "
        "pip install 'openrealtime[voice]'",
    ]


def test_the_command_line_says_what_to_install() -> None:
    result = run(
        """
        from openrealtime.cli import main
        sys.argv = ["openrealtime", "chat", "--text", "Hi", "--once"]
        main()
        """
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "openrealtime: the command line needs typer and rich: pip install 'openrealtime[chat]'"
    ]
