"""``openrealtime serve``: the Realtime server."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from ._errors import fail

__all__ = ["serve"]


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    engine: Annotated[
        str, typer.Option(help="Engine kind for the built-in models (e.g. scripted).")
    ] = "scripted",
    script: Annotated[
        Path | None, typer.Option(help="Script file (YAML/JSON) for the scripted engine.")
    ] = None,
    models: Annotated[
        Path | None, typer.Option(help="Model registry file (YAML/JSON); see the README.")
    ] = None,
    model_alias: Annotated[
        list[str] | None,
        typer.Option("--model-alias", help="NAME=TARGET: serve NAME like TARGET (repeatable)."),
    ] = None,
    pace: Annotated[
        float,
        typer.Option(help="Scripted speech pacing: 1.0 real time, 0 as fast as possible."),
    ] = 1.0,
    session_minutes: Annotated[int, typer.Option(help="Maximum session duration.")] = 60,
    truncation_transcript: Annotated[
        str,
        typer.Option(help="After a truncation: 'spoken' keeps the words heard; 'delete' clears."),
    ] = "spoken",
    api_key: Annotated[
        list[str] | None,
        typer.Option(
            "--api-key",
            help="An API key clients must present (repeatable); also "
            "OPENREALTIME_API_KEYS, comma-separated. None: the server is open.",
            show_default=False,
        ),
    ] = None,
    insecure: Annotated[
        bool, typer.Option(help="Allow serving a non-loopback --host without API keys.")
    ] = False,
    ssl_certfile: Annotated[
        Path | None, typer.Option(help="TLS certificate (PEM): serve wss:// and https://.")
    ] = None,
    ssl_keyfile: Annotated[
        Path | None, typer.Option(help="TLS private key (PEM), if not in the certificate.")
    ] = None,
    max_sessions: Annotated[
        int | None, typer.Option(help="Most concurrent sessions (default: no limit).")
    ] = None,
    max_sessions_per_key: Annotated[
        int | None,
        typer.Option(help="Most concurrent sessions per API key (default: no limit)."),
    ] = None,
    trace_events: Annotated[
        bool,
        typer.Option(help="Log every client and server event (audio and keys redacted)."),
    ] = False,
    lenient: Annotated[
        bool,
        typer.Option(help="Ignore unknown client fields (each logged once) instead of errors."),
    ] = False,
    max_sessions_per_secret: Annotated[
        int | None,
        typer.Option(help="Most concurrent sessions per client secret (default: no limit)."),
    ] = None,
    allowed_origin: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-origin",
            help="A browser origin (https://app.example) that may connect (repeatable); "
            "others are refused. Default: any. Clients without Origin are always let in.",
            show_default=False,
        ),
    ] = None,
    requests_per_minute: Annotated[
        int | None,
        typer.Option(help="Responses per minute per session (default 20000).", show_default=False),
    ] = None,
    tokens_per_minute: Annotated[
        int | None,
        typer.Option(
            help="Output tokens per minute per session (default 15000000).", show_default=False
        ),
    ] = None,
    engine_timeout: Annotated[
        float | None,
        typer.Option(
            help="Seconds an engine may go without output before its response fails "
            "(default 30 s, 60 s for a transcription; 0: no limit).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the Realtime API over WebSocket at /v1/realtime."""
    from ..server.app.serve import keys_from_env, serve_forever
    from ..server.config import ServeOptions

    serve_forever(
        ServeOptions(
            host=host,
            port=port,
            engine=engine,
            script=script,
            models=models,
            aliases=list(model_alias or []),
            pace=pace,
            session_minutes=session_minutes,
            truncation_transcript=truncation_transcript,
            api_keys=[*(api_key or []), *keys_from_env(os.environ)],
            insecure=insecure,
            ssl_certfile=ssl_certfile,
            ssl_keyfile=ssl_keyfile,
            max_sessions=max_sessions,
            max_sessions_per_key=max_sessions_per_key,
            max_sessions_per_secret=max_sessions_per_secret,
            allowed_origins=list(allowed_origin or []),
            requests_per_minute=requests_per_minute,
            tokens_per_minute=tokens_per_minute,
            trace_events=trace_events,
            lenient=lenient,
            engine_timeout=engine_timeout,
        ),
        fail=fail,
    )
