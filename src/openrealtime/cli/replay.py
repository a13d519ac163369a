"""``openrealtime replay``: serve a recorded session back, for tests that need no server."""

from __future__ import annotations

import asyncio
import logging
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ._errors import fail

if TYPE_CHECKING:
    from ..testing.recording import Recording

__all__ = ["replay"]


class MatchChoice(StrEnum):
    strict = "strict"
    lenient = "lenient"


class PaceChoice(StrEnum):
    recorded = "recorded"
    fast = "fast"


def replay(
    file: Annotated[
        Path, typer.Argument(help="A recording (.jsonl) from serve --record or a client.")
    ],
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    match: Annotated[
        MatchChoice,
        typer.Option(help="strict: the same client events; lenient: the same types, ids mapped."),
    ] = MatchChoice.strict,
    pace: Annotated[
        PaceChoice, typer.Option(help="recorded: the recorded timing; fast: no waits.")
    ] = PaceChoice.recorded,
) -> None:
    """Serve a recording at /v1/realtime: each connection replays it from the start."""
    from ..testing.recording import Recording, RecordingError

    try:
        recording = Recording.load(file)
    except RecordingError as exc:
        fail(str(exc))
    logging.basicConfig(level=logging.INFO, format="openrealtime replay: %(message)s")
    logging.getLogger("websockets").setLevel(logging.WARNING)
    clients = sum(frame.direction == "client" and frame.close is None for frame in recording.frames)
    try:
        asyncio.run(_serve(recording, host, port, match, pace, clients))
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        raise SystemExit(130) from None


async def _serve(
    recording: Recording, host: str, port: int, match: MatchChoice, pace: PaceChoice, clients: int
) -> None:
    from ..testing.replay import replaying

    header = recording.header
    async with replaying(
        recording, matching=match.value, pacing=pace.value, host=host, port=port
    ) as url:
        print(
            f"openrealtime replaying {recording.source} ({header.dialect} {header.kind} session, "
            f"{len(recording.frames)} frames, {clients} from the client; {match.value} matching, "
            f"{pace.value} pacing)",
            flush=True,
        )
        print(f"  WebSocket: {url}/realtime{_query(header.path)}", flush=True)
        await asyncio.Future()


def _query(path: str) -> str:
    return path[path.index("?") :] if "?" in path else ""
