"""The pytest plugin of ``openrealtime[testing]`` (registered as a ``pytest11`` entry point).

Fixtures:

- ``realtime_server``: our server in-process on a free port, the scripted engine by
  default; configure it with ``@pytest.mark.realtime_server(script=..., pace=...,
  engine=..., options={...}, recording=..., matching=..., pacing=..., keys=...)`` or a
  fixture parameter (``indirect=True``) with the same keys. It is a
  :class:`~openrealtime.testing.fixtures.RealtimeServer`: URLs, an API key, a client
  secret.
- ``realtime_client``: a :class:`~openrealtime.client.RealtimeClient` connected to
  ``realtime_server`` (an async fixture, through pytest-asyncio);
  ``@pytest.mark.realtime_client(dialect="beta", session={...}, tap=...)`` passes
  options to ``RealtimeClient.connect``.
- ``--realtime-url URL`` (or ``OPENREALTIME_TEST_URL``), with ``--realtime-api-key``
  (or ``OPENREALTIME_TEST_API_KEY``), points the same fixtures at a live server instead;
  the ``realtime_server`` marker's options are then ignored.

This module imports only pytest, pytest-asyncio (when installed) and the standard
library when pytest loads it: a user of the core install sees no import error and no
slowdown. The server and the client are imported when a test first asks for them.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from openrealtime.client import RealtimeClient

    from .fixtures import RealtimeServer

__all__ = ["pytest_addoption", "pytest_configure", "realtime_client", "realtime_server"]

URL_VARIABLE = "OPENREALTIME_TEST_URL"
KEY_VARIABLE = "OPENREALTIME_TEST_API_KEY"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("openrealtime", "Realtime servers (openrealtime[testing])")
    group.addoption(
        "--realtime-url",
        default=os.environ.get(URL_VARIABLE),
        help=f"Run realtime_server tests against this live server (or ${URL_VARIABLE}).",
    )
    group.addoption(
        "--realtime-api-key",
        default=os.environ.get(KEY_VARIABLE),
        help=f"The live server's API key (or ${KEY_VARIABLE}).",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "realtime_server(**options): how the realtime_server fixture serves this test "
        "(script, pace, engine, options, recording, matching, pacing, keys)",
    )
    config.addinivalue_line(
        "markers",
        "realtime_client(**options): RealtimeClient.connect options of the realtime_client "
        "fixture (dialect, session, tap, ...)",
    )


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    chosen: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers("realtime_server"))):
        chosen.update(marker.kwargs)
    param = getattr(request, "param", None)
    if isinstance(param, dict):
        chosen.update(param)
    elif param is not None:
        raise pytest.UsageError("realtime_server's parameter must be a dict of options")
    return chosen


@pytest.fixture
def realtime_server(request: pytest.FixtureRequest) -> Iterator[RealtimeServer]:
    """A Realtime server for this test (see the module docstring)."""
    from .fixtures import ServerOptions, live_server, local_server

    live = request.config.getoption("--realtime-url")
    if live:
        yield live_server(live, request.config.getoption("--realtime-api-key"))
        return
    base = Path(str(request.node.path)).parent
    try:
        options = ServerOptions.from_mapping(_options(request), base)
        thread, describe = local_server(options)
    except (ValueError, RuntimeError) as exc:
        pytest.fail(str(exc), pytrace=False)
    url = thread.start()
    try:
        yield describe(url)
    finally:
        thread.stop()


def _client_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    chosen: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers("realtime_client"))):
        chosen.update(marker.kwargs)
    return chosen


async def _connected_client(
    request: pytest.FixtureRequest, realtime_server: RealtimeServer
) -> AsyncIterator[RealtimeClient]:
    """A RealtimeClient connected to ``realtime_server`` (see the module docstring)."""
    from openrealtime.client import RealtimeClient

    options: dict[str, Any] = {"model": realtime_server.model}
    if realtime_server.api_key:
        options["api_key"] = realtime_server.api_key
    options.update(_client_options(request))
    async with RealtimeClient.connect(realtime_server.url, **options) as client:
        yield client


def _missing_asyncio(request: pytest.FixtureRequest) -> None:
    pytest.fail(
        "realtime_client needs pytest-asyncio: pip install 'openrealtime[testing]'", pytrace=False
    )


realtime_client: Callable[..., Any]
if importlib.util.find_spec("pytest_asyncio") is not None:
    from pytest_asyncio import fixture as _async_fixture

    realtime_client = _async_fixture(_connected_client, name="realtime_client")
else:  # without pytest-asyncio, realtime_client says what to install
    realtime_client = pytest.fixture(_missing_asyncio, name="realtime_client")
