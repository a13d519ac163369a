"""``openrealtime conformance``: check a Realtime server against docs/behaviour.md."""

from __future__ import annotations

import asyncio
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ._errors import fail

if TYPE_CHECKING:
    from ..testing.conformance import Capability, Outcome

__all__ = ["conformance"]


class DialectChoice(StrEnum):
    ga = "ga"
    beta = "beta"


class SpeechChoice(StrEnum):
    clip = "clip"
    tone = "tone"


def conformance(
    url: Annotated[
        str,
        typer.Argument(help="The server, e.g. ws://127.0.0.1:8000/v1 or wss://api.openai.com/v1."),
    ],
    api_key: Annotated[
        str | None,
        typer.Option("--api-key", help="Sent as Authorization: Bearer.", show_default=False),
    ] = None,
    dialect: Annotated[
        DialectChoice, typer.Option(help="The wire dialect to check.")
    ] = DialectChoice.ga,
    model: Annotated[str, typer.Option(help="The model to open sessions with.")] = "gpt-realtime",
    only: Annotated[
        str | None,
        typer.Option(help="Rows to run: comma-separated globs of row ids or words of titles."),
    ] = None,
    slow: Annotated[bool, typer.Option(help="Also run slow rows (session expiry, pings).")] = False,
    strict: Annotated[bool, typer.Option(help="Fail the run when any row is skipped.")] = False,
    report: Annotated[
        Path | None, typer.Option(help="Write a report: FILE.json or FILE.html.")
    ] = None,
    jobs: Annotated[int, typer.Option(help="Scenarios run at once.")] = 4,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for one server event.")] = 15.0,
    quiet: Annotated[
        float, typer.Option(help="Seconds of silence that show the server sent nothing.")
    ] = 0.5,
    no_audio: Annotated[
        bool, typer.Option("--no-audio", help="The server has no audio output.")
    ] = False,
    no_tools: Annotated[
        bool, typer.Option("--no-tools", help="The server has no function calling.")
    ] = False,
    no_vad: Annotated[bool, typer.Option("--no-vad", help="The server has no server VAD.")] = False,
    no_transcription: Annotated[
        bool, typer.Option("--no-transcription", help="The server has no input transcription.")
    ] = False,
    speech: Annotated[
        SpeechChoice,
        typer.Option(
            help="User speech: the kit's recorded clip, or the scripted engine's tone code."
        ),
    ] = SpeechChoice.clip,
    transcription_model: Annotated[
        str, typer.Option(help="Input transcription model to ask for.")
    ] = "whisper-1",
    list_rows: Annotated[bool, typer.Option("--list", help="List the rows and exit.")] = False,
) -> int:
    """Check a Realtime server against docs/behaviour.md, row by row, over raw WebSockets."""
    from ..testing.conformance import (
        Settings,
        Unreachable,
        all_scenarios,
        outcome_lines,
        run_conformance,
        select,
        summary_lines,
        write_report,
    )

    if list_rows:
        for scenario in select(all_scenarios(), only):
            print(f"{scenario.row:<7} [{scenario.grade}] {scenario.title}")
        return 0
    if jobs < 1 or timeout <= 0 or quiet <= 0:
        fail("--jobs, --timeout and --quiet must be positive")
    if report is not None and report.suffix.lower() not in (".json", ".html", ".htm"):
        fail("--report must name a .json or .html file")
    flags: tuple[tuple[Capability, bool], ...] = (
        ("audio", no_audio),
        ("tools", no_tools),
        ("vad", no_vad),
        ("transcription", no_transcription),
    )
    disabled = frozenset(name for name, off in flags if off)
    settings = Settings(
        url=url,
        dialect=dialect.value,
        model=model,
        api_key=api_key,
        timeout=timeout,
        quiet=quiet,
        slow=slow,
        disabled=disabled,
        speech=_speech(speech),
        transcription_model=transcription_model,
    )
    print(f"openrealtime conformance: {url} ({dialect.value}, {model})", flush=True)

    def show(outcome: Outcome) -> None:
        for line in outcome_lines(outcome):
            print(line, flush=True)

    try:
        result = asyncio.run(run_conformance(settings, only=only, jobs=jobs, on_outcome=show))
    except Unreachable as exc:
        fail(f"cannot run against {url}: {exc}")
    print()
    for line in summary_lines(result, strict=strict):
        print(line)
    if report is not None:
        write_report(result, report)
        print(f"report: {report}")
    return 0 if result.ok(strict=strict) else 1


def _speech(choice: SpeechChoice) -> bytes:
    if choice is SpeechChoice.tone:
        from ..engines.scripted import speak
        from ..testing.clip import SPEECH_TEXT

        pcm, _words = speak(SPEECH_TEXT)
        return pcm
    from ..testing.clip import speech_clip

    return speech_clip()
