"""The console in a real browser: Debian's Chromium, driven by Playwright for Python.

Each test runs against ``openrealtime serve --engine scripted`` in a subprocess: its
tone-code speech is what the fake microphone says (Chromium reads it from a WAV file)
and what the server's transcriber decodes. Screenshots of every test go to
``artifacts/browser/`` (gitignored). Without Chromium or Playwright every test here
skips, saying why (``make browser`` installs Chromium).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from .harness import API_KEY, Console, Server, serve

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Playwright

CHROMIUM = Path(os.environ.get("OPENREALTIME_CHROMIUM", "/usr/bin/chromium"))
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "browser"


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return (
            f"no Chromium at {CHROMIUM}: `make browser` installs it with apt "
            "(or set OPENREALTIME_CHROMIUM to a Chromium binary)"
        )
    if importlib.util.find_spec("playwright") is None:
        return "Playwright for Python is missing: pip install -e '.[dev]'"
    return None


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    reason = _missing()
    if reason is not None:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def server(playwright: Playwright) -> Iterator[Server]:
    """An open server: the page connects directly."""
    with serve() as running:
        yield running


@pytest.fixture(scope="module")
def keyed_server(playwright: Playwright) -> Iterator[Server]:
    """A server with an API key: the page needs the console token."""
    with serve("--api-key", API_KEY) as running:
        yield running


@pytest.fixture(scope="module")
def browsers(
    playwright: Playwright, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[Path | None], BrowserContext]]:
    """A Chromium per fake-microphone file (``None``: Chromium's own fake device)."""
    contexts: dict[Path | None, BrowserContext] = {}

    def launch(audio: Path | None) -> BrowserContext:
        if audio not in contexts:
            flags = [*FLAGS]
            if audio is not None:
                flags.append(f"--use-file-for-fake-audio-capture={audio}%noloop")
            contexts[audio] = playwright.chromium.launch_persistent_context(
                tmp_path_factory.mktemp("chromium-profile"),
                executable_path=str(CHROMIUM),
                args=flags,
                headless=True,
                viewport={"width": 1400, "height": 820},
            )
        return contexts[audio]

    yield launch
    for context in contexts.values():
        context.close()


@pytest.fixture
def open_console(
    request: pytest.FixtureRequest, browsers: Callable[[Path | None], BrowserContext]
) -> Iterator[Callable[..., Console]]:
    """Opens the console; afterwards saves a screenshot and checks for console errors."""
    opened: list[Console] = []

    def open_page(url: str, audio: Path | None = None) -> Console:
        page = browsers(audio).new_page()
        console = Console(page)
        page.on("console", lambda m: console.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: console.errors.append(f"uncaught: {error}"))
        page.on("websocket", console.watch)
        page.goto(url)
        opened.append(console)
        return console

    yield open_page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for index, console in enumerate(opened):
        suffix = f"-{index}" if index else ""
        console.page.screenshot(path=ARTIFACTS / f"{request.node.name}{suffix}.png")
        console.page.close()
    for console in opened:
        unexpected = [
            error
            for error in console.errors
            if not any(allowed in error for allowed in console.allowed_errors)
        ]
        assert unexpected == [], "the page logged errors"
