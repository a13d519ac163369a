"""The conformance suite: checks any Realtime server against docs/behaviour.md, row by row.

Scenarios speak raw WebSocket frames (:class:`~openrealtime.testing.wire.WireSession`),
so they depend on no client library. Each is named by its row id; every server event
of every scenario is held to :mod:`openrealtime.testing.invariants`. Run it with
``openrealtime conformance URL`` or :func:`run_conformance`.
"""

from __future__ import annotations

from collections.abc import Callable

from .context import Settings
from .model import Capability, Outcome, Scenario, Status
from .registry import all_scenarios
from .report import outcome_lines, summary_lines, to_html, to_json, write_report
from .runner import Report, Unreachable, preflight, run_scenarios, select

__all__ = [
    "Capability",
    "Outcome",
    "Report",
    "Scenario",
    "Settings",
    "Status",
    "Unreachable",
    "all_scenarios",
    "outcome_lines",
    "run_conformance",
    "select",
    "summary_lines",
    "to_html",
    "to_json",
    "write_report",
]


async def run_conformance(
    settings: Settings,
    *,
    only: str | None = None,
    jobs: int = 4,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> Report:
    """Run the scenarios ``only`` selects (row globs or title words; all by default).

    Raises :class:`Unreachable` when no session opens at all.
    """
    settings = await preflight(settings)
    chosen = select(all_scenarios(), only)
    return await run_scenarios(settings, chosen, jobs=jobs, on_outcome=on_outcome)
