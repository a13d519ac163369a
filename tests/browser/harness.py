"""What the browser tests share: the server under test, its audio, and one console page."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from openrealtime.audio import write_pcm16_wav
from openrealtime.engines.scripted import speak

if TYPE_CHECKING:
    from playwright.sync_api import Page, WebSocket

RATE = 24000
API_KEY = "sk-browser-test-0123456789AAAA"


def silence(ms: int) -> bytes:
    return b"\0\0" * (RATE * ms // 1000)


def speech(text: str) -> bytes:
    return speak(text, RATE)[0]


def wav(path: Path, *parts: bytes) -> Path:
    """A WAV file for the fake microphone (Chromium plays it once, then silence)."""
    write_pcm16_wav(path, b"".join(parts), RATE)
    return path


@dataclass
class Server:
    """``openrealtime serve`` in a subprocess, and the console URL it printed."""

    process: subprocess.Popen[str]
    console_url: str

    @property
    def origin(self) -> str:
        return self.console_url.split("/?", 1)[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve(*args: str) -> Iterator[Server]:
    """``openrealtime serve --engine scripted`` on a free port, until the block ends."""
    command = [sys.executable, "-m", "openrealtime.cli", "serve", "--engine", "scripted"]
    process = subprocess.Popen(
        [*command, "--port", str(_free_port()), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "OPENREALTIME_API_KEYS": ""},
    )
    try:
        assert process.stdout is not None
        url = ""
        while not url:
            line = process.stdout.readline()
            assert line, "serve stopped before printing the console URL"
            if "Console:" in line:
                url = line.split("Console:", 1)[1].strip()
        server = Server(process, url)
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{server.origin}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server never became healthy"
            time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=20)


@dataclass
class Frame:
    """A WebSocket frame the page sent or received, when the test saw it."""

    at: float
    direction: str
    event: dict[str, Any]


@dataclass
class Console:
    """One console page, what it logged as errors, and its WebSocket frames."""

    page: Page
    frames: list[Frame] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    allowed_errors: list[str] = field(default_factory=list)

    def sent(self, kind: str) -> list[dict[str, Any]]:
        return [f.event for f in self.frames if f.direction == "sent" and f.event["type"] == kind]

    def received(self, kind: str) -> list[dict[str, Any]]:
        return [
            f.event for f in self.frames if f.direction == "received" and f.event["type"] == kind
        ]

    def log(self) -> list[tuple[str, str]]:
        """The page's event log: (direction, type) of every row, in order."""
        rows = self.page.eval_on_selector_all(
            "#event-list li", "rows => rows.map(r => [r.dataset.dir, r.dataset.type])"
        )
        return [(direction, kind) for direction, kind in rows]

    def shown(self, kind: str) -> list[dict[str, Any]]:
        """The JSON the page's log shows for each row of ``kind`` (each row opened)."""
        rows = self.page.locator(f'#event-list li[data-type="{kind}"]')
        shown = []
        for index in range(rows.count()):
            row = rows.nth(index)
            if row.locator("pre").count() == 0:
                row.locator("summary").click()
            shown.append(json.loads(row.locator("pre").inner_text()))
        return shown

    def wait_for(self, condition: Callable[[], bool], timeout: float = 15.0) -> None:
        """Poll ``condition`` while Playwright keeps delivering the page's events."""
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, "timed out"
            self.page.wait_for_timeout(20)

    def watch(self, socket: WebSocket) -> None:
        def record(direction: str) -> Callable[[str | bytes], None]:
            def add(payload: str | bytes) -> None:
                self.frames.append(Frame(time.monotonic(), direction, json.loads(payload)))

            return add

        socket.on("framesent", record("sent"))
        socket.on("framereceived", record("received"))
