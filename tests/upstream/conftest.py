from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.upstream_server import UpstreamServer


@pytest.fixture(scope="session")
def upstream() -> Iterator[UpstreamServer]:
    """The fake OpenAI-compatible upstream, shared by the whole run."""
    with UpstreamServer() as server:
        yield server
