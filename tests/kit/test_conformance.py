"""The conformance suite against our server (both dialects), broken servers and the CLI."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

from openrealtime.server.app.runner import ServerURL
from openrealtime.testing.clip import speech_clip
from openrealtime.testing.conformance import (
    Report,
    Settings,
    outcome_lines,
    run_conformance,
    summary_lines,
    write_report,
)

from .broken import FAULTS, broken, no_speech_started, passed, refuse_server_vad
from .conftest import API_KEY

pytestmark = pytest.mark.asyncio(loop_scope="session")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "build" / "conformance"
SLOW = {"1.4", "1.4.1", "12.6"}
REAL_TIME = {"4d", "12.e2"}
"""Rows that need a response still running when the user speaks: the paced server's."""


def settings(url: str, dialect: str = "ga", **overrides: object) -> Settings:
    values: dict[str, object] = {
        "url": url,
        "dialect": dialect,
        "api_key": API_KEY,
        "timeout": 5.0,
        "quiet": 0.3,
        "speech": speech_clip(),
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def explain(report: Report) -> str:
    lines = [line for o in report.outcomes if o.status == "fail" for line in outcome_lines(o)]
    return "\n".join([*lines, *summary_lines(report)])


def rows(report: Report, status: str) -> set[str]:
    return {o.scenario.row for o in report.outcomes if o.status == status}


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_our_server_passes(fast_server: ServerURL, dialect: str) -> None:
    report = await run_conformance(settings(fast_server, dialect), jobs=8)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    write_report(report, ARTIFACTS / f"conformance-{dialect}.html")
    write_report(report, ARTIFACTS / f"conformance-{dialect}.json")
    assert report.ok(), explain(report)
    assert rows(report, "skip") <= SLOW | REAL_TIME, explain(report)
    assert len(rows(report, "pass")) >= 95


async def test_rows_that_need_real_time_pass_against_paced_speech(paced_server: ServerURL) -> None:
    only = ",".join(sorted(REAL_TIME | {"3.6.5"}))
    reports = await asyncio.gather(
        *(run_conformance(settings(paced_server, d), only=only, jobs=3) for d in ("ga", "beta"))
    )
    for report in reports:
        assert rows(report, "pass") == REAL_TIME | {"3.6.5"}, explain(report)


@pytest.mark.parametrize("fault", sorted(FAULTS))
async def test_a_broken_server_fails_with_its_fault_first(
    fast_server: ServerURL, fault: str
) -> None:
    mutate, words = FAULTS[fault]
    async with broken(fast_server.removesuffix("/v1"), mutate) as url:
        report = await run_conformance(settings(url, timeout=0.5, quiet=0.2), jobs=8)
    assert not report.ok()
    first = summary_lines(report)[-1]
    assert first.startswith("first failure: "), explain(report)
    assert words in first, first


async def test_a_flag_skips_the_rows_that_need_it(fast_server: ServerURL) -> None:
    chosen = settings(fast_server, disabled=frozenset({"audio"}))
    report = await run_conformance(chosen, only="3.1.8,3.6.1,4b,3.6.3")
    assert rows(report, "skip") == {"3.1.8", "3.6.1", "4b"}
    assert rows(report, "pass") == {"3.6.3"}
    assert {o.detail for o in report.outcomes if o.status == "skip"} == {"--no-audio"}
    assert not report.ok(strict=True)


async def test_a_refused_setting_skips_with_the_servers_reason(fast_server: ServerURL) -> None:
    async with broken(fast_server.removesuffix("/v1"), passed, refuse_server_vad) as url:
        report = await run_conformance(settings(url), only="3.2.5,3.3.8,3.4.3")
    assert rows(report, "skip") == {"3.2.5", "3.3.8", "3.4.3"}, explain(report)
    for outcome in report.outcomes:
        assert "refused the setting (invalid_value: Turn detection is not supported.)" in (
            outcome.detail
        )


@pytest.mark.parametrize("dialect", ["ga", "beta"])
async def test_a_server_that_refuses_the_beta_dialect(fast_server: ServerURL, dialect: str) -> None:
    upstream = fast_server.removesuffix("/v1")
    async with broken(upstream, passed, beta_shut_down=True) as url:
        report = await run_conformance(settings(url, dialect), only="1.1,3.3.1,12.5")
    assert rows(report, "pass") == ({"12.5"} if dialect == "beta" else {"1.1", "3.3.1", "12.5"})
    if dialect == "beta":
        assert rows(report, "skip") == {"1.1", "3.3.1"}
        skipped = {o.detail for o in report.outcomes if o.status == "skip"}
        assert skipped == {"the server refused the beta dialect (beta_api_shape_disabled)"}
    (beta_row,) = [o for o in report.outcomes if o.scenario.row == "12.5"]
    assert beta_row.notes == ["the server refuses the beta dialect"]


async def test_an_accepted_setting_that_misbehaves_fails(fast_server: ServerURL) -> None:
    async with broken(fast_server.removesuffix("/v1"), no_speech_started) as url:
        report = await run_conformance(settings(url, timeout=1.0), only="3.2.5")
    assert rows(report, "fail") == {"3.2.5"}, explain(report)


async def _cli(*args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "openrealtime.cli",
        "conformance",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_cli_prints_a_line_per_row_a_summary_and_writes_reports(
    fast_server: ServerURL, tmp_path: Path
) -> None:
    report = tmp_path / "run.json"
    code, out, err = await _cli(
        fast_server,
        "--api-key",
        API_KEY,
        "--only",
        "3.3.*,4a,12.1",
        "--report",
        str(report),
        "--quiet",
        "0.3",
    )
    assert code == 0, out + err
    lines = out.splitlines()
    assert lines[0] == f"openrealtime conformance: {fast_server} (ga, gpt-realtime)"
    assert sum(line.startswith("PASS ") for line in lines) == 10
    assert "§3.3 input_audio_buffer.commit  8 passed" in out
    assert "total: 10 passed in " in out
    data = json.loads(report.read_text())
    assert data["summary"] == {"passed": 10, "failed": 0, "skipped": 0, "n/a": 0}
    assert API_KEY not in report.read_text()
    html = tmp_path / "run.html"
    code, out, _ = await _cli(
        fast_server, "--api-key", API_KEY, "--only", "1.4", "--strict", "--report", str(html)
    )
    assert code == 1
    assert (
        "SKIP 1.4     session expiry: session_expired, then a close: slow: runs with --slow" in out
    )
    assert "--strict: 1 skipped rows fail the run" in out
    assert html.read_text().startswith("<!doctype html>")


async def test_cli_failures_show_expected_and_got_and_exit_1(fast_server: ServerURL) -> None:
    async with broken(fast_server.removesuffix("/v1"), FAULTS["no event_id on errors"][0]) as url:
        code, out, _ = await _cli(url, "--api-key", API_KEY, "--only", "3.10.3", "--timeout", "2")
    assert code == 1
    assert "FAIL 3.10.3" in out
    assert "expected: 'kit_cancel_1'" in out
    assert "got:      null" in out
    assert out.rstrip().splitlines()[-1].startswith("first failure: 3.10.3 ")


async def test_cli_user_errors_are_one_line() -> None:
    code, _, err = await _cli("ws://127.0.0.1:9/v1", "--timeout", "2")
    assert code == 2
    assert err.startswith("openrealtime: cannot run against ws://127.0.0.1:9/v1: ")
    assert len(err.strip().splitlines()) == 1
    code, _, err = await _cli("ws://127.0.0.1:9/v1", "--report", "x.txt")
    assert (code, err.strip()) == (2, "openrealtime: --report must name a .json or .html file")
