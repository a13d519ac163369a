"""A short, fixed-seed slice of the fuzzing campaigns, and the regression corpus.

``make fuzz`` runs the long campaigns (``python -m fuzz``); here a few thousand
frames of each target run with fixed seeds, so a regression fails CI, and every
input kept in ``fuzz/corpus/`` (frames that once broke the server) must now pass
every check. Hypothesis drives the same mutator through ``st.randoms()``, so a
failure it finds is shrunk to a small frame.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz import core, disconnects, wire
from fuzz.mutate import Mutator
from fuzz.seeds import sdk_seeds
from openrealtime.engines.registry import ModelRegistry
from openrealtime.protocol import beta, ga
from openrealtime.server import ServerConfig
from openrealtime.server.app.runner import running

CORPUS = Path(__file__).resolve().parents[2] / "fuzz" / "corpus"
ENTRIES = core.load_corpus(CORPUS)


def test_the_corpus_is_there() -> None:
    assert len(ENTRIES) >= 10


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.name for entry in ENTRIES])
async def test_corpus_input_passes(entry: core.CorpusEntry) -> None:
    failure = await core.replay(entry.dialect, entry.steps, entry.seed)
    assert failure is None, f"{entry.failure}: {failure and failure.message}"


async def test_core_slice() -> None:
    report = await core.campaign(3000, seed=20240613)
    assert report.frames == 3000
    failures = [failure.message for failure in report.failures.values()]
    assert not failures, failures


async def test_wire_slice() -> None:
    config = ServerConfig(models=ModelRegistry.default(options={"pace": 0.05}))
    async with running(config) as url:
        # The liveness limit is the campaign's 1 s, relaxed for a loaded CI machine.
        report = await wire.campaign(
            url, 1200, seed=20240613, clients=4, session_frames=150, liveness_s=5.0
        )
    assert report.frames >= 1200
    assert not report.failures, report.failures[:3]


async def test_disconnect_slice() -> None:
    """Clients leaving at each point of a spoken response leave nothing behind."""
    report = await disconnects.campaign(120, seed=3, clients=6)
    assert report.cycles == 120
    assert (report.open_sessions, report.leaked_tasks, report.problems) == (0, 0, [])


MUTATOR = Mutator(
    [*ga.ClientEvent.event_types(), *beta.ClientEvent.event_types()], allow_bytes=False
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rnd=st.randoms(use_true_random=False), dialect=st.sampled_from(["ga", "beta"]))
async def test_any_mutated_frame_in_a_fresh_session(rnd: random.Random, dialect: str) -> None:
    seeds = sdk_seeds(dialect)  # type: ignore[arg-type]
    frame = MUTATOR.mutate(rnd.choice(seeds), rnd, ["item_1"])
    steps = [core.Step(frame, 100.0)]
    failure = await core.replay(dialect, steps, seed=0)  # type: ignore[arg-type]
    assert failure is None, failure.message
