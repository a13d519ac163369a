"""The proof: sessions recorded through the relay stand in for the server.

Part of the client's shared suite (``tests/client/test_turns.py``) runs against a relay
(our server as its upstream) that records every session; each recording is then served
by ``openrealtime replay``, and the same test passes against the replay as it did
against the relay.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from openrealtime.client import RealtimeError
from openrealtime.engines.registry import ModelRegistry
from openrealtime.server import ServerConfig
from openrealtime.server.app.runner import running
from openrealtime.testing.recording import Recording, SessionRecorders
from openrealtime.testing.replay import replaying
from tests.client import test_turns as shared
from tests.client.servers import SCRIPT, Target

from .conftest import API_KEY, RELAY_KEY, relay_config

SHARED: list[Callable[[Target], Awaitable[None]]] = [
    shared.test_a_text_turn,
    shared.test_a_tool_call_is_answered_and_the_model_continues,
    shared.test_items_go_where_the_server_puts_them,
    shared.test_an_error_fails_the_call_that_caused_it,
    shared.test_an_out_of_band_response_stays_out_of_the_conversation,
]


def at(url: str) -> Callable[[str], str]:
    """A target's URL for every scenario of the shared suite."""
    return lambda _scenario: url


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_the_client_suite_passes_against_replays_of_relayed_sessions(
    tmp_path: Path, dialect: str
) -> None:
    upstream = ServerConfig(
        models=ModelRegistry.default(options={"pace": 0, "script": str(SCRIPT)}),
        api_keys=(API_KEY,),
    )
    recorded: dict[str, Path] = {}
    async with running(upstream) as upstream_url:
        relay = relay_config(str(upstream_url), dialect)
        relay.tap = SessionRecorders(tmp_path, secrets=[RELAY_KEY])
        async with running(relay) as relay_url:
            for test in SHARED:
                before = set(tmp_path.glob("*.jsonl"))
                await test(Target("relay", dialect, at(str(relay_url)), {"api_key": RELAY_KEY}))
                (recorded[test.__name__],) = set(tmp_path.glob("*.jsonl")) - before
    for test in SHARED:
        recording = Recording.load(recorded[test.__name__])
        assert recording.header.dialect == dialect
        async with replaying(recording, matching="strict", pacing="fast") as replay_url:
            await test(Target("replay", dialect, at(replay_url)))
    # Not a replay that anything passes: another test's session diverges at once.
    other = Recording.load(recorded[shared.test_items_go_where_the_server_puts_them.__name__])
    async with replaying(other, pacing="fast") as replay_url:
        with pytest.raises(RealtimeError, match="replay diverged"):
            await shared.test_a_text_turn(Target("replay", dialect, at(replay_url)))
