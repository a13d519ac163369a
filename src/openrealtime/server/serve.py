"""``openrealtime serve``: build the configuration from flags, then serve until stopped."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NoReturn, cast

import uvicorn

from .app import create_app
from .config import ServerConfig
from .options import SessionOptions
from .registry import ModelRegistry, RegistryError
from .runner import uvicorn_config

__all__ = ["ServeOptions", "build_config", "serve_forever"]


@dataclass
class ServeOptions:
    """The ``serve`` command's flags."""

    host: str = "127.0.0.1"
    port: int = 8000
    engine: str = "scripted"
    script: Path | None = None
    models: Path | None = None
    aliases: list[str] = field(default_factory=list)
    pace: float = 1.0
    session_minutes: int = 60
    truncation_transcript: str = "spoken"


def build_config(options: ServeOptions) -> ServerConfig:
    """A checked :class:`ServerConfig`; raises ``ValueError`` with a one-line message."""
    if options.truncation_transcript not in ("spoken", "delete"):
        value = options.truncation_transcript
        raise ValueError(f"--truncation-transcript must be 'spoken' or 'delete', not {value!r}")
    if options.session_minutes < 1:
        raise ValueError("--session-minutes must be at least 1")
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
    for entry in registry.entries:
        entry.engine_set()  # fail now, not on the first connection
    session = SessionOptions(
        session_minutes=options.session_minutes,
        truncation_transcript=cast(Literal["spoken", "delete"], options.truncation_transcript),
    )
    return ServerConfig(models=registry, session=session, host=options.host, port=options.port)


def serve_forever(options: ServeOptions, fail: Callable[[str], NoReturn]) -> None:
    """Serve until interrupted; configuration problems go to ``fail`` as one line."""
    try:
        config = build_config(options)
    except ValueError as exc:
        fail(str(exc))
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    base = f"http://{config.host}:{config.port}"
    model = config.models.model_names()[0] if config.models.entries else "gpt-realtime"
    print(f"openrealtime serving {', '.join(config.models.model_names())}", flush=True)
    print(f"  WebSocket: ws://{config.host}:{config.port}/v1/realtime?model={model}", flush=True)
    print(f"  Models:    {base}/v1/models", flush=True)
    print(f"  Health:    {base}/healthz", flush=True)
    print(
        f"  SDK:       OpenAI(base_url='{base}/v1', websocket_base_url='ws://{config.host}:{config.port}/v1')",
        flush=True,
    )
    server = uvicorn.Server(uvicorn_config(create_app(config), config))
    try:
        server.run()
    except OSError as exc:
        fail(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}")
