"""Serve a recording back: a deterministic stand-in for the session it recorded.

Each connection replays the recording from its start. The server frames recorded
before the next client frame are sent (with the recorded pacing, or as fast as
possible); then the replay waits for the client's frame and matches it against the
recorded one:

- ``strict``: the same event, field for field (only the client's ``event_id`` may
  differ, and a ``[redacted]`` secret matches whatever the client sends there);
- ``lenient``: the same ``type``; ids the client chose (``event_id``, ``item.id``,
  ``call_id``...) may differ and are mapped in the server frames that follow, so an
  error still echoes the client's own ``event_id``.

Frames pair one to one in both modes. The first divergence ends the session: one
``error`` event (code ``replay_mismatch``) whose message names the frame, the field,
what was expected and what came, then close 4000.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import secrets
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from .recording import REDACTED, RecordedFrame, Recording, recorded_path

__all__ = ["MISMATCH_CODE", "Matching", "Pacing", "ReplayServer", "replaying"]

MISMATCH_CODE: Final = "replay_mismatch"
Matching = Literal["strict", "lenient"]
Pacing = Literal["recorded", "fast"]

_LOG = logging.getLogger("openrealtime.replay")
_CLOSE_CODE: Final = 4000
_ID_FIELDS: Final = frozenset(
    {"event_id", "id", "item_id", "call_id", "previous_item_id", "response_id"}
)
_BETA_PROTOCOL: Final = "openai-beta.realtime-v1"
_SHOWN: Final = 120


class Mismatch(Exception):
    """The client diverged from the recording."""


@dataclass
class ReplayServer:
    """Replays ``recording`` to every connection (see the module docstring)."""

    recording: Recording
    matching: Matching = "strict"
    pacing: Pacing = "recorded"

    async def handle(self, connection: ServerConnection) -> None:
        """Serve one connection: the whole recording, or until a divergence."""
        replay = _Replay(self, connection)
        try:
            await replay.run()
        except Mismatch as mismatch:
            await replay.diverged(str(mismatch))
        except ConnectionClosed:
            return


class _Replay:
    def __init__(self, server: ReplayServer, connection: ServerConnection) -> None:
        self.server = server
        self.connection = connection
        self.ids: dict[str, str] = {}
        self.client_event_id: str | None = None
        self.anchor_recorded = 0.0
        self.anchor_live = time.monotonic()
        self.client_frames = 0

    async def run(self) -> None:
        self._check_request()
        for frame in self.server.recording.frames:
            if frame.end is not None:
                await self.connection.close(1000, "end of the recording (it was cut at its cap)")
                return
            if frame.direction == "server":
                if frame.close is not None:
                    await self._pace(frame)
                    await self.connection.close(*frame.close)
                    return
                await self._pace(frame)
                await self.connection.send(self._mapped(frame))
            elif frame.close is not None:
                await self._client_closes(frame)
                return
            else:
                await self._client_sends(frame)
        await self.connection.close(1000, "end of the recording")

    def _check_request(self) -> None:
        header = self.server.recording.header
        request = self.connection.request
        assert request is not None
        offered = request.headers.get_all("Sec-WebSocket-Protocol")
        beta = "realtime=v1" in request.headers.get("OpenAI-Beta", "") or any(
            _BETA_PROTOCOL in value for value in offered
        )
        dialect = "beta" if beta else "ga"
        if dialect != header.dialect:
            raise Mismatch(
                f"the recording is of a {header.dialect} session; this client speaks {dialect}"
            )
        path = recorded_path(request.path)
        if self.server.matching == "strict" and path != header.path:
            raise Mismatch(f"the recording was made at {header.path}; this client asked for {path}")
        wanted_kind = "transcription" if "intent=transcription" in path else "realtime"
        if wanted_kind != header.kind:
            raise Mismatch(f"the recording is of a {header.kind} session, not {wanted_kind}")

    async def _pace(self, frame: RecordedFrame) -> None:
        if self.server.pacing == "fast":
            return
        due = self.anchor_live + (frame.at - self.anchor_recorded)
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    def _mapped(self, frame: RecordedFrame) -> str | bytes:
        if frame.data is not None:
            return frame.data
        text = frame.text or ""
        if not self.ids:
            return text
        try:
            value = json.loads(text)
        except ValueError:
            return text
        return json.dumps(_replace_ids(value, self.ids), separators=(",", ":"), ensure_ascii=False)

    async def _client_sends(self, frame: RecordedFrame) -> None:
        live = await self.connection.recv()
        self.client_frames += 1
        self.anchor_recorded, self.anchor_live = frame.at, time.monotonic()
        where = f"client frame {self.client_frames} (line {frame.line})"
        if frame.data is not None or isinstance(live, bytes):
            if live != (frame.data if frame.data is not None else frame.text):
                raise Mismatch(f"{where}: expected {_describe_raw(frame)}, got {_describe(live)}")
            return
        expected = _loads(frame.text or "")
        got = _loads(live)
        self.client_event_id = got.get("event_id") if isinstance(got, dict) else None
        if not isinstance(expected, dict) or not isinstance(got, dict):
            if expected != got:
                raise Mismatch(f"{where}: expected {_shorten(frame.text)}, got {_shorten(live)}")
            return
        expected = _replace_ids(expected, self.ids)
        if expected.get("type") != got.get("type"):
            raise Mismatch(f"{where}: expected {expected.get('type')}, got {got.get('type')}")
        if self.server.matching == "lenient":
            _learn_ids(expected, got, self.ids)
            return
        recorded_id, live_id = expected.pop("event_id", None), got.pop("event_id", None)
        if isinstance(recorded_id, str) and isinstance(live_id, str) and recorded_id != live_id:
            self.ids[recorded_id] = live_id
        difference = _first_difference(expected, got)
        if difference is not None:
            path, want, have = difference
            raise Mismatch(
                f"{where}, {expected.get('type')}: {path or 'the event'}: expected "
                f"{_shorten(want)}, got {_shorten(have)}"
            )

    async def _client_closes(self, frame: RecordedFrame) -> None:
        try:
            live = await self.connection.recv()
        except ConnectionClosed:
            return
        raise Mismatch(
            f"the recorded client closed here (line {frame.line}); this client sent "
            f"{_describe(live)}"
        )

    async def diverged(self, message: str) -> None:
        """Report the divergence to the client, then close."""
        _LOG.warning("replay diverged: %s", message)
        error = {
            "type": "invalid_request_error",
            "code": MISMATCH_CODE,
            "message": f"The replay diverged from the recording: {message}",
            "param": None,
            "event_id": self.client_event_id,
        }
        event = {"type": "error", "event_id": f"event_{secrets.token_hex(10)}", "error": error}
        with contextlib.suppress(ConnectionClosed):
            await self.connection.send(json.dumps(event, separators=(",", ":")))
            await self.connection.close(_CLOSE_CODE, f"invalid_request_error.{MISMATCH_CODE}")


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _replace_ids(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, dict):
        return {key: _replace_ids(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_ids(item, ids) for item in value]
    return value


def _learn_ids(expected: Any, got: Any, ids: dict[str, str], key: str = "") -> None:
    if isinstance(expected, dict) and isinstance(got, dict):
        for name in expected.keys() & got.keys():
            _learn_ids(expected[name], got[name], ids, name)
    elif isinstance(expected, list) and isinstance(got, list):
        for want, have in zip(expected, got, strict=False):
            _learn_ids(want, have, ids, key)
    elif (
        key in _ID_FIELDS and isinstance(expected, str) and isinstance(got, str) and expected != got
    ):
        ids[expected] = got


def _first_difference(expected: Any, got: Any, path: str = "") -> tuple[str, Any, Any] | None:
    if isinstance(expected, dict) and isinstance(got, dict):
        for name in [*expected, *(k for k in got if k not in expected)]:
            where = f"{path}.{name}" if path else name
            if name not in got:
                return where, expected[name], "nothing"
            if name not in expected:
                return where, "nothing", got[name]
            found = _first_difference(expected[name], got[name], where)
            if found is not None:
                return found
        return None
    if isinstance(expected, list) and isinstance(got, list):
        for index, (want, have) in enumerate(zip(expected, got, strict=False)):
            found = _first_difference(want, have, f"{path}[{index}]")
            if found is not None:
                return found
        if len(expected) != len(got):
            return f"{path} length", len(expected), len(got)
        return None
    return None if _same(expected, got) else (path, expected, got)


def _same(expected: Any, got: Any) -> bool:
    """Equal, where ``[redacted]`` in the recording stands for whatever the secret was."""
    if isinstance(expected, str) and isinstance(got, str) and REDACTED in expected:
        pattern = ".+".join(re.escape(part) for part in expected.split(REDACTED))
        return re.fullmatch(pattern, got, re.DOTALL) is not None
    return bool(expected == got)


def _shorten(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return repr(text) if len(text) <= _SHOWN else repr(text[:_SHOWN]) + f"... ({len(text)} chars)"


def _describe(live: str | bytes) -> str:
    if isinstance(live, bytes):
        return f"a binary frame of {len(live)} bytes"
    value = _loads(live)
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return str(value["type"])
    return _shorten(live)


def _describe_raw(frame: RecordedFrame) -> str:
    if frame.data is not None:
        return f"a binary frame of {len(frame.data)} bytes"
    return _describe(frame.text or "")


def _select_subprotocol(
    connection: ServerConnection, offered: Sequence[Subprotocol]
) -> Subprotocol | None:
    # Browsers offer ["realtime", "openai-insecure-api-key.…"]: answer "realtime", never a key.
    return Subprotocol("realtime") if "realtime" in offered else None


@contextlib.asynccontextmanager
async def replaying(
    recording: Recording,
    *,
    matching: Matching = "strict",
    pacing: Pacing = "recorded",
    host: str = "127.0.0.1",
    port: int = 0,
) -> AsyncIterator[str]:
    """Serve ``recording`` for the block; yields the base URL ``ws://HOST:PORT/v1``."""
    server = ReplayServer(recording, matching, pacing)
    async with serve(
        server.handle,
        host,
        port,
        max_size=None,
        compression=None,
        select_subprotocol=_select_subprotocol,
    ) as listening:
        bound = listening.sockets[0].getsockname()[1]
        yield f"ws://{host}:{bound}/v1"
