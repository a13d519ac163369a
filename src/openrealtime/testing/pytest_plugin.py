"""The pytest plugin of ``openrealtime[testing]`` (registered as a ``pytest11`` entry point).

Fixtures:

- ``realtime_server``: our server in-process on a free port, the scripted engine by
  default; configure it with ``@pytest.mark.realtime_server(script=..., pace=...,
  engine=..., options={...}, recording=..., matching=..., pacing=..., keys=...)`` or a
  fixture parameter (``indirect=True``) with the same keys. It is a
  :class:`~openrealtime.testing.fixtures.RealtimeServer`: URLs, an API key, a client
  secret.
- ``--realtime-url URL`` (or ``OPENREALTIME_TEST_URL``), with ``--realtime-api-key``
  (or ``OPENREALTIME_TEST_API_KEY``), points the same fixture at a live server instead;
  the marker's options are then ignored.

This module imports only pytest and the standard library when pytest loads it: a user
of the core install sees no import error and no slowdown. The server is imported when
a test first asks for it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .fixtures import RealtimeServer

__all__ = ["pytest_addoption", "pytest_configure", "realtime_server"]

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
