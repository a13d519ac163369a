"""What the pytest plugin's fixtures run: a server (or a replay) on a thread of its own.

The server gets its own thread and event loop, so the fixtures serve sync tests and
async tests alike, whatever loop (or none) the test runs in.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlencode, urlsplit, urlunsplit

from ..extras import MissingExtra, require_extra

if TYPE_CHECKING:
    from .replay import Matching, Pacing

__all__ = ["RealtimeServer", "ServerOptions", "ServerThread", "live_server", "local_server"]

START_TIMEOUT: Final = 30.0
_OPTIONS: Final = frozenset(
    {"engine", "script", "pace", "options", "recording", "matching", "pacing", "keys"}
)


@dataclass(frozen=True)
class ServerOptions:
    """What the ``realtime_server`` fixture serves (from its marker or parameter).

    ``engine``, ``pace``, ``script`` and ``options`` configure our server's engines
    (the scripted engine by default, at ``pace`` 0: as fast as possible);
    ``recording`` serves that recording instead (``matching``, ``pacing``); ``keys``
    (default true) protects the server with a fresh API key.
    """

    engine: str = "scripted"
    pace: float = 0.0
    script: Path | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    recording: Path | None = None
    matching: Matching = "strict"
    pacing: Pacing = "fast"
    keys: bool = True

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], base: Path) -> ServerOptions:
        """Options from a marker's keywords; relative paths are relative to ``base``."""
        unknown = sorted(set(values) - _OPTIONS)
        if unknown:
            raise ValueError(
                f"realtime_server: unknown options {unknown}; known: {sorted(_OPTIONS)}"
            )
        chosen = dict(values)
        for name, allowed in (
            ("matching", ("strict", "lenient")),
            ("pacing", ("recorded", "fast")),
        ):
            if name in chosen and chosen[name] not in allowed:
                raise ValueError(f"realtime_server: {name} must be one of {allowed}")
        for name in ("script", "recording"):
            if chosen.get(name) is not None:
                path = Path(chosen[name])
                chosen[name] = path if path.is_absolute() else base / path
        return cls(**chosen)


class RealtimeServer:
    """A server a test talks to: its URLs, an API key, and a client secret on demand.

    ``url`` is the WebSocket base (``ws://127.0.0.1:PORT/v1``: the SDK's
    ``websocket_base_url``), ``http_url`` the REST base (the SDK's ``base_url``;
    ``None`` for a replay). ``live`` is true under ``--realtime-url``.
    """

    def __init__(
        self,
        url: str,
        *,
        api_key: str | None,
        http_url: str | None,
        model: str = "gpt-realtime",
        live: bool = False,
    ) -> None:
        self.url = url
        self.http_url = http_url
        self.api_key = api_key
        self.model = model
        self.live = live

    def realtime_url(self, model: str | None = None, *, intent: str | None = None) -> str:
        """The full WebSocket URL of a session (``?model=``, or ``?intent=transcription``)."""
        query = {"intent": intent} if intent else {"model": model or self.model}
        parts = urlsplit(self.url)
        path = parts.path.rstrip("/") + "/realtime"
        return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), ""))

    @cached_property
    def client_secret(self) -> str | None:
        """An ephemeral key minted with the API key (``POST /v1/realtime/client_secrets``).

        ``None`` for a server without HTTP (a replay). Minted on first use.
        """
        if self.http_url is None:
            return None
        body = json.dumps({"session": {"type": "realtime", "model": self.model}}).encode()
        request = urllib.request.Request(
            f"{self.http_url}/realtime/client_secrets",
            data=body,
            headers={"Content-Type": "application/json"}
            | ({"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}),
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                value: str = json.load(response)["value"]
        except (urllib.error.URLError, KeyError, ValueError) as exc:
            raise RuntimeError(
                f"could not mint a client secret at {self.http_url}: {exc}"
            ) from None
        return value

    def __repr__(self) -> str:
        return f"RealtimeServer({self.url!r}, live={self.live})"


class ServerThread:
    """Runs an async context manager that serves (and yields a URL) on its own thread."""

    def __init__(self, serving: Callable[[], AbstractAsyncContextManager[str]]) -> None:
        self._serving = serving
        self._ready = threading.Event()
        self._url: str | None = None
        self._failure: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, name="openrealtime-server", daemon=True)

    def start(self) -> str:
        """Start serving; returns the URL once it listens."""
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT):
            raise RuntimeError(f"the server did not start within {START_TIMEOUT:g} s")
        if self._failure is not None:
            raise RuntimeError(f"the server did not start: {self._failure}") from self._failure
        assert self._url is not None
        return self._url

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(START_TIMEOUT)

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:
            self._failure = exc
        finally:
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with self._serving() as url:
            self._url = str(url)
            self._ready.set()
            await self._stop.wait()


def local_server(options: ServerOptions) -> tuple[ServerThread, Callable[[str], RealtimeServer]]:
    """Our server (or a replay) for ``options``: the thread, and how to describe it."""
    if options.recording is not None:
        from .recording import Recording
        from .replay import replaying

        recording = Recording.load(options.recording)
        thread = ServerThread(
            lambda: replaying(
                recording,
                matching=options.matching,
                pacing=options.pacing,
            )
        )
        return thread, lambda url: RealtimeServer(url, api_key=None, http_url=None)
    try:
        require_extra("testing", "the realtime_server fixture", "starlette", "uvicorn", "numpy")
    except MissingExtra as exc:
        raise RuntimeError(str(exc)) from None
    from openrealtime.engines.registry import ModelRegistry
    from openrealtime.server import ServerConfig
    from openrealtime.server.app.runner import running

    engine_options: dict[str, Any] = {"pace": options.pace, **options.options}
    if options.script is not None:
        engine_options["script"] = str(options.script)
    api_key = f"sk-test-{secrets.token_hex(12)}" if options.keys else None
    config = ServerConfig(
        models=ModelRegistry.default(engine=options.engine, options=engine_options),
        api_keys=(api_key,) if api_key else (),
    )

    @contextlib.asynccontextmanager
    async def serving() -> AsyncIterator[str]:
        async with running(config) as url:
            yield str(url)

    def describe(url: str) -> RealtimeServer:
        return RealtimeServer(url, api_key=api_key, http_url="http" + url[2:])

    return ServerThread(serving), describe


def live_server(url: str, api_key: str | None) -> RealtimeServer:
    """A server that is already running (``--realtime-url``)."""
    parts = urlsplit(url)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    path = parts.path.rstrip("/").removesuffix("/realtime") or "/v1"
    base = urlunsplit((scheme, parts.netloc, path, "", ""))
    http = urlunsplit(({"ws": "http", "wss": "https"}[scheme], parts.netloc, path, "", ""))
    return RealtimeServer(base, api_key=api_key, http_url=http, live=True)
