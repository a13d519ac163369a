"""Runs scenarios against a server and gathers their outcomes into a :class:`Report`."""

from __future__ import annotations

import asyncio
import fnmatch
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..invariants import InvariantViolation
from ..wire import ServerClosed, WireSession, WireTimeout
from .context import Run, Settings
from .model import Fail, NotApplicable, Outcome, Scenario, Skip, Status

__all__ = ["Report", "Unreachable", "preflight", "run_scenarios", "select"]

SETTLE_SECONDS = 30.0


class Unreachable(Exception):
    """No session can be opened at all: the run stops before any scenario."""


@dataclass
class Report:
    """A run's outcomes, in row order, with what the run was."""

    settings: Settings
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    started: float = field(default_factory=time.time)

    def count(self, status: Status) -> int:
        return sum(outcome.status == status for outcome in self.outcomes)

    @property
    def first_failure(self) -> Outcome | None:
        return next((o for o in self.outcomes if o.status == "fail"), None)

    def sections(self) -> dict[str, dict[Status, int]]:
        """Counts per section, in row order."""
        table: dict[str, dict[Status, int]] = {}
        for outcome in self.outcomes:
            counts = table.setdefault(outcome.scenario.section, {})
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        return table

    def ok(self, *, strict: bool = False) -> bool:
        """No failure (and, with ``strict``, no skip)."""
        return not self.count("fail") and not (strict and self.count("skip"))


def select(scenarios: Iterable[Scenario], only: str | None) -> list[Scenario]:
    """The scenarios whose row id or title matches one of ``only``'s comma-separated globs."""
    if not only:
        return list(scenarios)
    patterns = [p.strip() for p in only.split(",") if p.strip()]
    return [
        s
        for s in scenarios
        if any(
            fnmatch.fnmatch(s.row, p) or fnmatch.fnmatch(s.title.lower(), f"*{p.lower()}*")
            for p in patterns
        )
    ]


async def preflight(settings: Settings) -> Settings:
    """Open one session; returns the settings, noting a refused dialect.

    Raises :class:`Unreachable` when no session opens for another reason (no server,
    a wrong key, an unknown model).
    """
    from .words import Words

    words = Words(settings.dialect)
    scenario = Scenario("0", "preflight", "", "", _nothing)
    run = Run(settings, scenario)
    try:
        wire = await run.open()
        first = await wire.recv()
    except (ConnectionError, WireTimeout, ServerClosed) as exc:
        raise Unreachable(str(exc)) from None
    finally:
        for opened in run.wires:
            await opened.close()
    if first.get("type") == words.session_created:
        return settings
    error = first.get("error") or {}
    if error.get("code") == "beta_api_shape_disabled" and settings.dialect == "beta":
        return Settings(**{**settings.__dict__, "refused_dialect": "beta"})
    raise Unreachable(f"no session opens: {error.get('code')}: {error.get('message')}")


async def _nothing(run: Run) -> None:
    return None


async def run_scenarios(
    settings: Settings,
    scenarios: list[Scenario],
    *,
    jobs: int = 4,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> Report:
    """Run ``scenarios`` (``jobs`` at a time); ``on_outcome`` sees each, in order."""
    report = Report(settings)
    started = time.monotonic()
    gate = asyncio.Semaphore(max(jobs, 1))

    async def guarded(scenario: Scenario) -> Outcome:
        async with gate:
            return await run_one(settings, scenario)

    tasks = [asyncio.ensure_future(guarded(scenario)) for scenario in scenarios]
    try:
        for task in tasks:
            outcome = await task
            report.outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
    finally:
        for task in tasks:
            task.cancel()
    report.seconds = time.monotonic() - started
    return report


def _gate(settings: Settings, scenario: Scenario) -> Outcome | None:
    """The outcome of a scenario that does not run here, with its reason."""
    if settings.dialect not in scenario.dialects:
        return Outcome(scenario, "n/a", f"a {'/'.join(scenario.dialects)} row")
    if settings.refused_dialect and scenario.row != "12.5":
        return Outcome(
            scenario,
            "skip",
            f"the server refused the {settings.refused_dialect} dialect (beta_api_shape_disabled)",
        )
    if scenario.slow and not settings.slow:
        return Outcome(scenario, "skip", "slow: runs with --slow")
    off = [need for need in scenario.needs if need in settings.disabled]
    if off:
        return Outcome(scenario, "skip", ", ".join(f"--no-{need}" for need in off))
    return None


async def run_one(settings: Settings, scenario: Scenario) -> Outcome:
    """Run one scenario, its invariants and the settling of its connections."""
    gated = _gate(settings, scenario)
    if gated is not None:
        return gated
    run = Run(settings, scenario)
    started = time.monotonic()
    outcome = Outcome(scenario, "pass")
    budget = None if scenario.slow else settings.timeout * 8 + SETTLE_SECONDS
    try:
        async with asyncio.timeout(budget):
            await scenario.run(run)
            for wire in run.wires:
                await _settle(wire, settings.timeout)
    except Fail as failure:
        outcome.status, outcome.detail = "fail", failure.message
        outcome.expected, outcome.got = failure.expected, failure.got
    except InvariantViolation as violation:
        outcome.status, outcome.detail = "fail", f"invariant: {violation}"
    except (WireTimeout, ServerClosed, ConnectionError, AssertionError) as problem:
        outcome.status, outcome.detail = "fail", str(problem)
    except Skip as skip:
        outcome.status, outcome.detail = "skip", skip.reason
    except NotApplicable as not_applicable:
        outcome.status, outcome.detail = "n/a", not_applicable.reason
    except TimeoutError:
        outcome.status = "fail"
        outcome.detail = f"the scenario did not finish within {budget:g} s"
    finally:
        for wire in run.wires:
            await wire.close()
    outcome.notes = run.notes
    outcome.seconds = time.monotonic() - started
    outcome.traces = [wire.trace for wire in run.wires]
    return outcome


async def _settle(wire: WireSession, timeout: float) -> None:
    """Wait for the responses still running to end, then settle the invariants."""
    checker = wire.checker
    if checker is None:
        return
    if not wire.closed:
        while checker.trace.open_responses():
            await wire.until("response.done", timeout=timeout)
    checker.finish(complete=not wire.closed)
