"""The console's page and endpoint, over real HTTP: what is served, and who gets a secret.

The page itself runs in a real browser in ``tests/browser``; these need no browser.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from openrealtime.server import ServerConfig
from openrealtime.server.app.console import ASSETS, CONSOLE_SESSION_PATH
from openrealtime.server.app.runner import ServerURL, running
from openrealtime.server.app.serve import build_config, console_url
from openrealtime.server.config import ServeOptions

from .wire import first_event

KEY = "sk-test-0123456789abcdefAAAA"
TOKEN = "console-token-for-tests"


def origin(url: ServerURL) -> str:
    return url.http.removesuffix("/v1")


@pytest_asyncio.fixture
async def keyed() -> AsyncIterator[ServerURL]:
    async with running(ServerConfig(api_keys=(KEY,), console_token=TOKEN)) as url:
        yield url


@pytest_asyncio.fixture
async def open_server() -> AsyncIterator[ServerURL]:
    async with running(ServerConfig()) as url:
        yield url


async def post_session(url: ServerURL, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with httpx.AsyncClient() as client:
        return await client.post(origin(url) + CONSOLE_SESSION_PATH, headers=headers)


async def test_with_keys_the_token_gets_a_secret_that_opens_a_session(keyed: ServerURL) -> None:
    answer = await post_session(keyed, TOKEN)
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert body["model"] == "gpt-realtime"
    assert body["models"] == ["gpt-realtime"]
    secret = body["client_secret"]["value"]
    assert secret.startswith("ek_")
    assert KEY not in answer.text
    # The page offers exactly these subprotocols; the server selects "realtime".
    event, chosen = await first_event(
        keyed.realtime(), subprotocols=["realtime", f"openai-insecure-api-key.{secret}"]
    )
    assert event["type"] == "session.created"
    assert chosen == "realtime"


@pytest.mark.parametrize("token", [None, "wrong-token", KEY, TOKEN.upper()])
async def test_with_keys_no_secret_without_the_token(keyed: ServerURL, token: str | None) -> None:
    answer = await post_session(keyed, token)
    assert answer.status_code == 401
    error = answer.json()["error"]
    assert error["code"] == "invalid_console_token"
    assert error["type"] == "invalid_request_error"
    assert "console URL" in error["message"]
    assert "client_secret" not in answer.text


async def test_an_open_server_lets_the_page_connect_directly(open_server: ServerURL) -> None:
    answer = await post_session(open_server, None)
    assert answer.status_code == 200
    assert answer.json() == {
        "model": "gpt-realtime",
        "models": ["gpt-realtime"],
        "client_secret": None,
    }


async def test_the_page_and_every_file_it_loads_are_served(open_server: ServerURL) -> None:
    async with httpx.AsyncClient(base_url=origin(open_server)) as client:
        page = await client.get("/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        policy = page.headers["content-security-policy"]
        assert "default-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert page.headers["referrer-policy"] == "no-referrer"
        # Every file named by the page and by its modules, nothing from elsewhere.
        wanted = set(re.findall(r'(?:src|href)="([^"]+)"', page.text))
        for script in ASSETS.glob("*.js"):
            wanted |= {
                f"/console/{name.removeprefix('./')}"
                for name in re.findall(r'(?:from |URL\()"(\./[^"]+)"', script.read_text())
            }
        assert wanted >= {"/console/main.js", "/console/console.css", "/console/favicon.svg"}
        assert "/console/worklets.js" in wanted
        for path in sorted(wanted):
            assert path.startswith("/console/"), path
            answer = await client.get(path)
            assert answer.status_code == 200, path
            assert Path(ASSETS, path.removeprefix("/console/")).read_bytes() == answer.content
        types = {
            path: (await client.get(path)).headers["content-type"]
            for path in ("/console/main.js", "/console/console.css", "/console/favicon.svg")
        }
        assert "javascript" in types["/console/main.js"]
        assert types["/console/console.css"].startswith("text/css")
        assert types["/console/favicon.svg"].startswith("image/svg+xml")
        assert (await client.get("/console/missing.js")).status_code == 404


async def test_no_console_serves_neither_page_nor_endpoint() -> None:
    config = ServerConfig(api_keys=(KEY,), console=False, console_token=TOKEN)
    async with running(config) as url, httpx.AsyncClient(base_url=origin(url)) as client:
        assert (await client.get("/")).status_code == 404
        assert (await client.get("/console/main.js")).status_code == 404
        refused = await client.post(
            CONSOLE_SESSION_PATH, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert refused.status_code == 404
        assert (await client.get("/v1/models")).status_code == 200


def test_each_server_has_its_own_token_and_the_url_carries_it() -> None:
    first, second = (
        build_config(ServeOptions(engine="scripted")),
        build_config(ServeOptions(engine="scripted")),
    )
    assert len(first.console_token) >= 20
    assert first.console_token != second.console_token
    assert first.console_token not in repr(first)
    assert console_url(first) == f"http://127.0.0.1:8000/?token={first.console_token}"
    assert console_url(
        build_config(ServeOptions(engine="scripted", host="::1", port=9000))
    ).startswith("http://[::1]:9000/?token=")
    assert not build_config(ServeOptions(engine="scripted", console=False)).console


def banner(*args: str) -> tuple[subprocess.Popen[str], list[str]]:
    """Start ``openrealtime serve`` and read its banner, through the SDK line."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "openrealtime.cli", "serve", "--engine", "scripted"]
    process = subprocess.Popen(
        [*command, "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    while not lines or "SDK:" not in lines[-1]:
        line = process.stdout.readline()
        assert line, "serve stopped before printing its URLs"
        lines.append(line.strip())
    return process, lines


def test_serve_prints_the_console_url_with_a_token_that_works() -> None:
    process, lines = banner("--api-key", KEY)
    try:
        (line,) = [line for line in lines if line.startswith("Console:")]
        url = line.removeprefix("Console:").strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[\w-]{20,}", url)
        page_origin, token = url.split("/?token=")
        deadline = time.monotonic() + 20
        while True:
            try:
                answer = httpx.post(
                    page_origin + CONSOLE_SESSION_PATH,
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=2,
                )
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server never answered"
                time.sleep(0.05)
        assert answer.status_code == 200
        assert answer.json()["client_secret"]["value"].startswith("ek_")
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_serve_no_console_prints_no_console_url() -> None:
    process, lines = banner("--no-console")
    process.terminate()
    process.wait(timeout=20)
    assert not [line for line in lines if "Console" in line or "token=" in line]
