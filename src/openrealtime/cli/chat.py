"""``openrealtime chat``: a conversation with a Realtime server, in the terminal.

Text by default: type a line, read the reply as it streams. ``--mic`` talks instead
(microphone and speaker, ``openrealtime[voice]``), with the server's voice detection
taking turns. ``--events`` shows every server event as it arrives. ``--text "..."
--once`` sends one message, prints the reply and exits, for scripts. Any failure is one
line naming the server's error code, and a non-zero exit.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.markup import escape

from ..client import (
    ConnectionClosedError,
    MissingExtra,
    RealtimeClient,
    RealtimeError,
)
from ..client.wire import canonical_type
from ..extras import import_extra
from ..protocol import ServerEventBase
from ._errors import fail

__all__ = ["chat"]

DEFAULT_URL = "ws://127.0.0.1:8000/v1"
_REPLY_DELTAS = ("response.output_text.delta", "response.output_audio_transcript.delta")
_QUIET_FIELDS = ("type", "event_id", "delta", "audio", "obfuscation")


def chat(
    url: Annotated[
        str | None,
        typer.Argument(
            help=f"Server URL (ws, wss, http, https); default $OPENREALTIME_URL or {DEFAULT_URL}.",
            show_default=False,
        ),
    ] = None,
    model: Annotated[str, typer.Option(help="Model to talk to.")] = "gpt-realtime",
    api_key: Annotated[
        str | None,
        typer.Option(help="API key; default $OPENAI_API_KEY.", show_default=False),
    ] = None,
    dialect: Annotated[str, typer.Option(help="Protocol dialect: ga or beta.")] = "ga",
    instructions: Annotated[
        str | None, typer.Option(help="Instructions for the session.", show_default=False)
    ] = None,
    mic: Annotated[bool, typer.Option("--mic", help="Talk through the microphone.")] = False,
    events: Annotated[bool, typer.Option("--events", help="Show every server event.")] = False,
    text: Annotated[
        str | None, typer.Option(help="Send this message first.", show_default=False)
    ] = None,
    once: Annotated[
        bool, typer.Option("--once", help="With --text: print the reply and exit.")
    ] = False,
) -> None:
    """Talk to a Realtime server from the terminal."""
    if dialect not in ("ga", "beta"):
        fail(f"--dialect must be ga or beta, not {dialect!r}")
    if once and text is None:
        fail("--once needs --text")
    if mic:
        try:
            import_extra("sounddevice", "voice", "voice chat (--mic)")
        except MissingExtra as exc:
            fail(str(exc), 1)
    target = url or os.environ.get("OPENREALTIME_URL") or DEFAULT_URL
    key = api_key or os.environ.get("OPENAI_API_KEY")
    session: dict[str, Any] = {} if mic else {"output_modalities": ["text"]}
    if instructions is not None:
        session["instructions"] = instructions
    if mic:
        session["audio"] = {"input": {"transcription": {"model": "whisper-1"}}}
    rt = RealtimeClient(
        target, model=model, api_key=key, dialect=_dialect(dialect), session=session
    )
    console = Console(highlight=False)
    if events:
        rt.on("*", lambda event: _show_event(console, event))
    try:
        asyncio.run(_converse(rt, console, mic=mic, first=text, once=once, events=events))
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except RealtimeError as exc:
        fail(f"the server refused: {exc}", 1)
    except ConnectionClosedError as exc:
        fail(_closed(exc), 1)
    except MissingExtra as exc:
        fail(str(exc), 1)
    except TimeoutError as exc:
        fail(f"the server did not answer: {exc}", 1)


def _dialect(name: str) -> Literal["ga", "beta"]:
    return "beta" if name == "beta" else "ga"


def _closed(exc: ConnectionClosedError) -> str:
    if exc.error is not None:
        return f"the server closed the connection: {exc.error}"
    return str(exc)


async def _converse(
    rt: RealtimeClient,
    console: Console,
    *,
    mic: bool,
    first: str | None,
    once: bool,
    events: bool,
) -> None:
    async with rt:
        if once and first is not None:
            item = await rt.send_text(first)
            print(item.text or item.transcript or "")
            return
        if mic:
            await _talk(rt, console)
            return
        if not events:  # the event log shows the deltas already
            rt.on("*", lambda event: _stream_reply(console, event))
        console.print("[dim]Connected. Type a message; an empty line or Ctrl-D ends.[/dim]")
        message = first
        while True:
            if message is None:
                message = await asyncio.to_thread(_read_line, console)
            if not message:
                return
            if events:
                item = await rt.send_text(message)
                console.print(
                    f"[bold]assistant>[/bold] {escape(item.text or item.transcript or '')}"
                )
            else:
                console.print("[bold]assistant>[/bold] ", end="")
                await rt.send_text(message)
                console.print()
            message = None


def _read_line(console: Console) -> str:
    try:
        return console.input("[bold]you>[/bold] ").strip()
    except EOFError:
        return ""


async def _talk(rt: RealtimeClient, console: Console) -> None:
    from ..client.devices import Microphone, Speaker

    rt.on("conversation.item.input_audio_transcription.completed", lambda e: _said(console, e))
    rt.on("*", lambda event: _answered(console, event))
    console.print("[dim]Listening. Speak; Ctrl-C ends.[/dim]")
    async with Speaker(rt):
        await rt.send_audio(Microphone())


def _said(console: Console, event: Any) -> None:
    console.print(f"[bold]you>[/bold] {escape(str(getattr(event, 'transcript', '')).strip())}")


def _answered(console: Console, event: ServerEventBase) -> None:
    if canonical_type(event.type or "") == "response.output_audio_transcript.done":
        console.print(f"[bold]assistant>[/bold] {escape(str(getattr(event, 'transcript', '')))}")


def _stream_reply(console: Console, event: ServerEventBase) -> None:
    if canonical_type(event.type or "") in _REPLY_DELTAS:
        console.print(escape(str(getattr(event, "delta", ""))), end="")


def _show_event(console: Console, event: ServerEventBase) -> None:
    fields = {k: v for k, v in event.to_dict().items() if k not in _QUIET_FIELDS}
    detail = " ".join(f"{key}={_short(value)}" for key, value in fields.items())
    console.print(f"[dim]· {escape(event.type or '?')} {escape(detail)}[/dim]", soft_wrap=True)
    sys.stdout.flush()


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."
