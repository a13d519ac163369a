"""``openrealtime serve``: build the configuration from flags, then serve until stopped.

The engines start before the port opens, with their progress logged; any failure
to load one stops the command with one line. They close when the server shuts down
(uvicorn's lifespan), after every session has ended.
"""

from __future__ import annotations

import asyncio
import gc
import ipaddress
import logging
import ssl
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final, Literal, NoReturn, cast

from ...engines import EngineState
from ...engines.pool import EngineStartError
from ...engines.registry import ModelRegistry, RegistryError
from ..config import EngineTimeouts, ServeOptions, ServerConfig, SessionOptions
from ..transport.logs import configure_logging
from .app import create_app
from .runner import server_for

__all__ = ["KEYS_VARIABLE", "ServeOptions", "build_config", "keys_from_env", "serve_forever"]

KEYS_VARIABLE: Final = "OPENREALTIME_API_KEYS"
"""The environment variable holding API keys, comma-separated."""

_LOG = logging.getLogger("openrealtime.serve")


def keys_from_env(environ: Mapping[str, str]) -> list[str]:
    """The API keys in :data:`KEYS_VARIABLE` (comma-separated; blanks ignored)."""
    return [key.strip() for key in environ.get(KEYS_VARIABLE, "").split(",") if key.strip()]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_tls(certfile: Path | None, keyfile: Path | None) -> None:
    if certfile is None:
        if keyfile is not None:
            raise ValueError("--ssl-keyfile needs --ssl-certfile")
        return
    for flag, path in (("--ssl-certfile", certfile), ("--ssl-keyfile", keyfile)):
        if path is not None and not path.is_file():
            raise ValueError(f"{flag}: no such file: {path}")
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(certfile, keyfile)
    except (ssl.SSLError, OSError) as exc:
        detail = getattr(exc, "reason", None) or exc.strerror or str(exc)
        raise ValueError(f"--ssl-certfile: cannot load the certificate and key: {detail}") from None


def _check_access(options: ServeOptions) -> None:
    if any(not key.strip() for key in options.api_keys):
        raise ValueError("--api-key must not be empty")
    if not options.api_keys and not options.insecure and not _is_loopback(options.host):
        raise ValueError(
            f"refusing to serve {options.host} without API keys: give --api-key "
            f"(or {KEYS_VARIABLE}), or --insecure to serve it open"
        )
    for flag, value in (
        ("--max-sessions", options.max_sessions),
        ("--max-sessions-per-key", options.max_sessions_per_key),
    ):
        if value is not None and value < 1:
            raise ValueError(f"{flag} must be at least 1")


def build_config(options: ServeOptions) -> ServerConfig:
    """A checked :class:`ServerConfig`; raises ``ValueError`` with a one-line message."""
    if options.truncation_transcript not in ("spoken", "delete"):
        value = options.truncation_transcript
        raise ValueError(f"--truncation-transcript must be 'spoken' or 'delete', not {value!r}")
    if options.session_minutes < 1:
        raise ValueError("--session-minutes must be at least 1")
    if options.engine_timeout is not None and options.engine_timeout < 0:
        raise ValueError("--engine-timeout must be 0 (no limit) or more seconds")
    _check_access(options)
    _check_tls(options.ssl_certfile, options.ssl_keyfile)
    if options.models is not None:
        registry = ModelRegistry.from_file(options.models)
    else:
        engine_options: dict[str, object] = {"pace": options.pace}
        if options.script is not None:
            engine_options["script"] = str(options.script)
        registry = ModelRegistry.default(engine=options.engine, options=engine_options)
    for alias in options.aliases:
        name, sep, target = alias.partition("=")
        if not sep or not name or not target:
            raise RegistryError(f"--model-alias expects NAME=TARGET, got {alias!r}")
        registry.add_alias(name, target)
    registry.check()  # an unknown engine kind fails now, before anything loads
    session = SessionOptions(
        session_minutes=options.session_minutes,
        truncation_transcript=cast(Literal["spoken", "delete"], options.truncation_transcript),
        engine_timeouts=_engine_timeouts(options.engine_timeout),
        requests_per_minute=_per_minute(
            options.requests_per_minute,
            SessionOptions.requests_per_minute,
            "--requests-per-minute",
        ),
        tokens_per_minute=_per_minute(
            options.tokens_per_minute, SessionOptions.tokens_per_minute, "--tokens-per-minute"
        ),
    )
    return ServerConfig(
        models=registry,
        session=session,
        host=options.host,
        port=options.port,
        api_keys=tuple(key.strip() for key in options.api_keys),
        ssl_certfile=options.ssl_certfile,
        ssl_keyfile=options.ssl_keyfile,
        max_sessions=options.max_sessions,
        max_sessions_per_key=options.max_sessions_per_key,
        max_sessions_per_secret=options.max_sessions_per_secret,
        allowed_origins=tuple(options.allowed_origins) or None,
        trace_events=options.trace_events,
        lenient_fields=options.lenient,
    )


def _per_minute(value: int | None, default: int, flag: str) -> int:
    if value is None:
        return default
    if value < 1:
        raise ValueError(f"{flag} must be at least 1")
    return value


def _engine_timeouts(seconds: float | None) -> EngineTimeouts:
    if seconds is None:
        return EngineTimeouts()
    limit = seconds or None
    return EngineTimeouts(first_output=limit, between_outputs=limit, transcription=limit)


def serve_forever(options: ServeOptions, fail: Callable[[str], NoReturn]) -> None:
    """Serve until interrupted; configuration problems go to ``fail`` as one line."""
    try:
        config = build_config(options)
    except ValueError as exc:
        fail(str(exc))
    configure_logging()
    try:
        asyncio.run(_serve(config))
    except (EngineStartError, RegistryError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        # uvicorn re-raises Ctrl-C once it has shut down; that is a normal stop.
        raise SystemExit(130) from None


async def _serve(config: ServerConfig) -> None:
    app = create_app(config)
    engines = app.state.engines
    try:
        await engines.start(progress=_Progress())
    except BaseException:
        await engines.aclose()
        raise
    _print_banner(config)
    if not config.api_keys:
        _LOG.warning(
            "no API keys: anyone who can reach %s:%d may use this server", config.host, config.port
        )
    server = server_for(app, config)
    # Everything alive now lives as long as the server: keep it out of the collector's
    # full passes, which stop the event loop for every session.
    gc.collect()
    gc.freeze()
    await server.serve()


class _Progress:
    """Prints each engine as it starts and when it is ready, with the time it took.

    A failure is not printed: it stops the command with its own one line.
    """

    def __init__(self) -> None:
        self._started: dict[str, float] = {}

    def __call__(self, name: str, state: EngineState) -> None:
        now = time.monotonic()
        if state.status == "starting":
            self._started[name] = now
            print(f"  starting {name} ...", flush=True)
        elif state.status == "ready":
            took = now - self._started.get(name, now)
            print(f"  {name} ready in {took:.1f} s", flush=True)


def _print_banner(config: ServerConfig) -> None:
    secure = config.ssl_certfile is not None
    ws, http = ("wss", "https") if secure else ("ws", "http")
    base = f"{http}://{config.host}:{config.port}"
    model = config.models.model_names()[0] if config.models.entries else "gpt-realtime"
    print(f"openrealtime serving {', '.join(config.models.model_names())}", flush=True)
    print(f"  WebSocket: {ws}://{config.host}:{config.port}/v1/realtime?model={model}", flush=True)
    print(f"  Models:    {base}/v1/models", flush=True)
    print(f"  Health:    {base}/healthz", flush=True)
    print(
        f"  SDK:       OpenAI(base_url='{base}/v1', "
        f"websocket_base_url='{ws}://{config.host}:{config.port}/v1')",
        flush=True,
    )
