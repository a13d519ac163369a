"""A run's report: one line per scenario, a summary by section, JSON, and a single HTML page."""

from __future__ import annotations

import html
import json
import time
from pathlib import Path
from typing import Any

from ..wire import describe_frame
from .model import Outcome, Status
from .runner import Report

__all__ = ["outcome_lines", "summary_lines", "to_html", "to_json", "write_report"]

_LABEL: dict[Status, str] = {"pass": "PASS", "fail": "FAIL", "skip": "SKIP", "n/a": "N/A "}
_ORDER: tuple[Status, ...] = ("pass", "fail", "skip", "n/a")
_WORDS: dict[Status, str] = {"pass": "passed", "fail": "failed", "skip": "skipped", "n/a": "n/a"}
_TRACE_TAIL = 60


def outcome_lines(outcome: Outcome) -> list[str]:
    """The line of a scenario, and under it its expectation, notes or reason."""
    scenario = outcome.scenario
    head = f"{_LABEL[outcome.status]} {scenario.row:<7} {scenario.title}"
    if outcome.status in ("skip", "n/a"):
        return [f"{head}: {outcome.detail}"]
    lines = [f"{head}  ({outcome.seconds:.2f} s)"]
    if outcome.status == "fail":
        lines.append(f"       {outcome.detail}")
        if outcome.expected is not None:
            lines.append(f"       expected: {outcome.expected}")
        if outcome.got is not None:
            lines.append(f"       got:      {outcome.got}")
    lines += [f"       note: {note}" for note in outcome.notes]
    return lines


def _counts(counts: dict[Status, int]) -> str:
    return ", ".join(f"{counts[s]} {_WORDS[s]}" for s in _ORDER if counts.get(s))


def summary_lines(report: Report, *, strict: bool = False) -> list[str]:
    """The summary: counts by section, the total, and the first failure."""
    table = report.sections()
    width = max((len(section) for section in table), default=0)
    lines = [f"{section:<{width}}  {_counts(counts)}" for section, counts in table.items()]
    total = {status: report.count(status) for status in _ORDER}
    lines.append(f"total: {_counts(total) or 'nothing ran'} in {report.seconds:.1f} s")
    first = report.first_failure
    if first is not None:
        lines.append(f"first failure: {first.scenario.row} {first.scenario.title}: {_why(first)}")
    elif strict and report.count("skip"):
        lines.append(f"--strict: {report.count('skip')} skipped rows fail the run")
    return lines


def _why(outcome: Outcome) -> str:
    text = outcome.detail
    if outcome.expected is not None or outcome.got is not None:
        text += f" (expected {outcome.expected}, got {outcome.got})"
    return text


def to_json(report: Report) -> dict[str, Any]:
    """The report as JSON data; failures carry their traces (audio shortened, no keys)."""
    settings = report.settings
    return {
        "tool": "openrealtime conformance",
        "url": settings.url,
        "dialect": settings.dialect,
        "model": settings.model,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(report.started)),
        "seconds": round(report.seconds, 3),
        "summary": {_WORDS[s]: report.count(s) for s in _ORDER},
        "sections": {
            section: {_WORDS[s]: n for s, n in counts.items()}
            for section, counts in report.sections().items()
        },
        "first_failure": report.first_failure.scenario.row if report.first_failure else None,
        "scenarios": [
            {
                "row": o.scenario.row,
                "title": o.scenario.title,
                "section": o.scenario.section,
                "grade": o.scenario.grade,
                "status": o.status,
                "detail": o.detail,
                "expected": o.expected,
                "got": o.got,
                "notes": o.notes,
                "seconds": round(o.seconds, 3),
                "traces": [
                    [describe_frame(frame) for frame in trace[-_TRACE_TAIL:]] for trace in o.traces
                ]
                if o.status == "fail"
                else [],
            }
            for o in report.outcomes
        ],
    }


_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.3em}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
.pass{color:#17702b}.fail{color:#b00020;font-weight:bold}.skip{color:#8a6d00}.na{color:#777}
pre{background:#f6f6f6;padding:8px;overflow:auto;font-size:12px}
.note{color:#555;font-size:.9em}
"""


def to_html(report: Report) -> str:
    """A single self-contained HTML page: summary, every row, the traces of failures."""
    data = to_json(report)
    esc = html.escape
    rows = []
    for item in data["scenarios"]:
        css = "na" if item["status"] == "n/a" else item["status"]
        detail = esc(item["detail"] or "")
        if item["expected"] is not None or item["got"] is not None:
            detail += f"<br>expected: {esc(str(item['expected']))}<br>got: {esc(str(item['got']))}"
        detail += "".join(f'<div class="note">{esc(n)}</div>' for n in item["notes"])
        for number, trace in enumerate(item["traces"], 1):
            lines = esc("\n".join(trace))
            detail += (
                f"<details><summary>connection {number} trace</summary><pre>{lines}</pre></details>"
            )
        rows.append(
            f'<tr><td class="{css}">{esc(item["status"].upper())}</td><td>{esc(item["row"])}</td>'
            f"<td>{esc(item['title'])}</td><td>{esc(item['grade'])}</td><td>{detail}</td></tr>"
        )
    summary = "".join(
        f"<tr><td>{esc(section)}</td><td>{esc(_counts(counts))}</td></tr>"
        for section, counts in report.sections().items()
    )
    totals = esc(", ".join(f"{n} {k}" for k, n in data["summary"].items() if n))
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>openrealtime conformance: {esc(data['url'])}</title><style>{_STYLE}</style>"
        "</head><body>"
        f"<h1>openrealtime conformance</h1><p>{esc(data['url'])} · {esc(data['dialect'])} · "
        f"{esc(data['model'])} · {esc(data['started'])} · {data['seconds']} s</p>"
        f"<p><b>{totals}</b></p><table>{summary}</table><h2>Rows</h2>"
        "<table><tr><th>status</th><th>row</th><th>title</th><th>grade</th><th>detail</th></tr>"
        f"{''.join(rows)}</table></body></html>"
    )


def write_report(report: Report, path: Path) -> None:
    """Write ``report`` to ``path``: HTML for ``.html``/``.htm``, JSON otherwise."""
    if path.suffix.lower() in (".html", ".htm"):
        path.write_text(to_html(report), encoding="utf-8")
    else:
        path.write_text(json.dumps(to_json(report), indent=2) + "\n", encoding="utf-8")
