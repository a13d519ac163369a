"""``openrealtime serve``: the Realtime server."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer

from ..engines.local.threads import limit_math_threads
from ._errors import fail

__all__ = ["serve"]


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    engine: Annotated[
        str,
        typer.Option(
            help="Engine kind for the built-in models: local (the offline voice stack) "
            "or scripted (deterministic, for tests)."
        ),
    ] = "local",
    llm: Annotated[
        Path | None,
        typer.Option(
            help="A GGUF chat model for the local engine, instead of SmolLM2-135M.",
            show_default=False,
        ),
    ] = None,
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
    record: Annotated[
        Path | None,
        typer.Option(help="Record every session to DIR/<session id>.jsonl (see docs/testing.md)."),
    ] = None,
    record_max_mb: Annotated[
        float, typer.Option(help="Size cap of one recording; past it recording stops.")
    ] = 100.0,
    relay: Annotated[
        str | None,
        typer.Option(
            help="Forward every session to this upstream Realtime server (ws[s]://.../v1)."
        ),
    ] = None,
    relay_dialect: Annotated[
        str, typer.Option(help="The dialect the upstream speaks: ga or beta.")
    ] = "ga",
    console: Annotated[
        bool,
        typer.Option(
            "--console/--no-console", help="Serve the browser console at / (and its endpoint)."
        ),
    ] = True,
) -> None:
    """Serve the Realtime API over WebSocket at /v1/realtime."""
    started = time.monotonic()
    # Before numpy and the engines load: their math pools read these once.
    limit_math_threads()
    from ..server.app.serve import RELAY_KEY_VARIABLE, keys_from_env, serve_forever
    from ..server.config import ServeOptions

    serve_forever(
        ServeOptions(
            host=host,
            port=port,
            engine=engine,
            llm=llm,
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
            record=record,
            record_max_mb=record_max_mb,
            relay=relay,
            relay_dialect=relay_dialect,
            relay_api_key=os.environ.get(RELAY_KEY_VARIABLE) or None,
            console=console,
        ),
        fail=fail,
        started=started,
    )
