"""Recordings of Realtime sessions: a JSONL format, a recorder, and a reader.

One file per session. The first line is a header; every later line is one frame::

    {"openrealtime_recording": 1, "dialect": "ga", "kind": "realtime",
     "path": "/v1/realtime?model=gpt-realtime", "session_id": "sess_...",
     "started": "2025-01-01T12:00:00Z", "recorder": "server"}
    {"t": 0.000412, "dir": "server", "text": "{\\"type\\":\\"session.created\\",...}"}
    {"t": 0.013071, "dir": "client", "text": "{\\"type\\":\\"response.create\\"}"}
    {"t": 0.020000, "dir": "client", "binary": "AAEC"}
    {"t": 3.514220, "dir": "server", "close": {"code": 1000, "reason": ""}}
    {"t": 9.000000, "end": "cap"}

- ``t`` is seconds since the recording began, on the monotonic clock.
- ``dir`` is who sent the frame; ``text`` the text frame exactly as sent (audio stays
  inline, base64, so a recording is self-contained); ``binary`` a binary frame in base64;
  ``close`` a close frame (code 1006: the connection dropped without one).
- ``{"end": "cap"}`` marks a recording cut at its size cap: the session went on
  unrecorded.
- ``path`` keeps only the ``model`` and ``intent`` query parameters. Secrets never
  appear: headers are not recorded, and the keys the recorder is given (and anything
  shaped like an OpenAI key or client secret) are replaced by ``[redacted]`` in frames.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

if TYPE_CHECKING:
    from openrealtime.server.tap import TapInfo

__all__ = [
    "FORMAT_VERSION",
    "REDACTED",
    "RecordedFrame",
    "Recorder",
    "Recording",
    "RecordingError",
    "RecordingHeader",
    "SessionRecorders",
    "client_recorder",
    "recorded_path",
]

FORMAT_VERSION: Final = 1
REDACTED: Final = "[redacted]"
_LOG = logging.getLogger("openrealtime.recording")
_KEY_SHAPES = re.compile(r"\b(?:sk-[A-Za-z0-9_-]{8,}|ek_[A-Za-z0-9_-]{8,})")
_KEPT_PARAMETERS = ("model", "intent")

Direction = Literal["client", "server"]


class RecordingError(ValueError):
    """A file that is not a readable recording; the message names the line."""


@dataclass(frozen=True)
class RecordingHeader:
    """What a recording is of."""

    dialect: Literal["ga", "beta"]
    path: str
    kind: Literal["realtime", "transcription"] = "realtime"
    session_id: str | None = None
    started: str = ""
    recorder: Literal["server", "client"] = "server"

    def to_json(self) -> dict[str, Any]:
        return {
            "openrealtime_recording": FORMAT_VERSION,
            "dialect": self.dialect,
            "kind": self.kind,
            "path": self.path,
            "session_id": self.session_id,
            "started": self.started,
            "recorder": self.recorder,
        }


@dataclass(frozen=True)
class RecordedFrame:
    """One recorded frame (or the cut marker, ``end``)."""

    at: float
    direction: Direction | None
    text: str | None = None
    data: bytes | None = None
    close: tuple[int, str] | None = None
    end: str | None = None
    line: int = 0
    """The line of the file it came from (for error messages)."""


@dataclass
class Recording:
    """A whole recording, read back."""

    header: RecordingHeader
    frames: list[RecordedFrame] = field(default_factory=list)
    source: str = ""

    @property
    def cut(self) -> bool:
        """Whether the recording stopped at its size cap before the session ended."""
        return any(frame.end is not None for frame in self.frames)

    @classmethod
    def load(cls, path: Path | str) -> Recording:
        """Read a recording; raises :class:`RecordingError` naming the bad line."""
        source = str(path)
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise RecordingError(f"{source}: cannot read: {exc}") from None
        if not lines:
            raise RecordingError(f"{source}: empty, not a recording")
        header = _header(_json_line(source, 1, lines[0]), source)
        frames = [
            _frame(_json_line(source, number, text), source, number)
            for number, text in enumerate(lines[1:], start=2)
            if text.strip()
        ]
        return cls(header, frames, source)


def _json_line(source: str, number: int, text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise RecordingError(f"{source}:{number}: not JSON") from None
    if not isinstance(value, dict):
        raise RecordingError(f"{source}:{number}: not a JSON object")
    return value


def _header(value: dict[str, Any], source: str) -> RecordingHeader:
    version = value.get("openrealtime_recording")
    if version != FORMAT_VERSION:
        raise RecordingError(
            f"{source}:1: not an openrealtime recording (version {FORMAT_VERSION} expected)"
        )
    dialect, kind = value.get("dialect"), value.get("kind", "realtime")
    if dialect not in ("ga", "beta") or kind not in ("realtime", "transcription"):
        raise RecordingError(
            f"{source}:1: dialect must be ga or beta, kind realtime or transcription"
        )
    return RecordingHeader(
        dialect=dialect,
        path=str(value.get("path") or "/v1/realtime"),
        kind=kind,
        session_id=value.get("session_id"),
        started=str(value.get("started") or ""),
        recorder="client" if value.get("recorder") == "client" else "server",
    )


def _frame(value: dict[str, Any], source: str, number: int) -> RecordedFrame:
    where = f"{source}:{number}"
    at = value.get("t")
    if not isinstance(at, (int, float)) or at < 0:
        raise RecordingError(f"{where}: 't' must be a non-negative number")
    if "end" in value:
        return RecordedFrame(float(at), None, end=str(value["end"]), line=number)
    direction = value.get("dir")
    if direction not in ("client", "server"):
        raise RecordingError(f"{where}: 'dir' must be client or server")
    if isinstance(value.get("text"), str):
        return RecordedFrame(float(at), direction, text=value["text"], line=number)
    if isinstance(value.get("binary"), str):
        try:
            data = base64.b64decode(value["binary"], validate=True)
        except ValueError:
            raise RecordingError(f"{where}: 'binary' is not base64") from None
        return RecordedFrame(float(at), direction, data=data, line=number)
    close = value.get("close")
    if isinstance(close, dict) and isinstance(close.get("code"), int):
        return RecordedFrame(
            float(at), direction, close=(close["code"], str(close.get("reason") or "")), line=number
        )
    raise RecordingError(f"{where}: a frame needs 'text', 'binary' or 'close'")


def recorded_path(path: str) -> str:
    """A request path with only the ``model`` and ``intent`` query parameters kept."""
    parts = urlsplit(path)
    kept = [(k, v) for k, v in parse_qsl(parts.query) if k in _KEPT_PARAMETERS]
    return parts.path + (f"?{urlencode(kept)}" if kept else "")


class Recorder:
    """Writes one session's frames to a JSONL file as they pass.

    ``max_bytes`` caps the file: the frame that would pass it is not written, a cut
    marker is, and recording stops with one log line; the session is not affected.
    A write that fails (a full disk) stops recording the same way. ``secrets`` are
    replaced by ``[redacted]`` wherever they appear in a frame.
    """

    def __init__(
        self,
        path: Path,
        header: RecordingHeader,
        *,
        max_bytes: int | None = None,
        secrets: Iterable[str] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.stopped: str | None = None
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)
        self._clock = clock
        self._started = clock()
        self._written = 0
        self._file: IO[str] | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = path.open("w", encoding="utf-8")
        except OSError as exc:
            self._stop(f"cannot write {path}: {exc.strerror or exc}")
            return
        self._write(header.to_json(), counted=True)

    def frame(self, direction: Direction, data: str | bytes, at: float | None = None) -> None:
        """Record one frame (text as sent, or binary); ``at`` on the recorder's clock."""
        record: dict[str, Any] = {"t": self._now(at), "dir": direction}
        if isinstance(data, str):
            record["text"] = self._redact(data)
        else:
            record["binary"] = base64.b64encode(data).decode("ascii")
        self._write(record, counted=True)

    def __call__(self, direction: Literal["send", "recv"], at: float, frame: str | bytes) -> None:
        """A client's frame tap: ``send`` is the client's frame, ``recv`` the server's.

        ``at`` is ``time.monotonic()``, as the recorder's clock; pass the recorder as
        ``RealtimeClient.connect(..., tap=recorder)``.
        """
        self.frame("client" if direction == "send" else "server", frame, at)

    def closed(
        self, direction: Direction, code: int, reason: str = "", at: float | None = None
    ) -> None:
        """Record a close frame sent by ``direction``."""
        close = {"code": code, "reason": self._redact(reason)}
        self._write({"t": self._now(at), "dir": direction, "close": close}, counted=True)

    def close(self) -> None:
        """Flush and close the file (idempotent)."""
        if self._file is not None:
            try:
                self._file.close()
            except OSError as exc:
                _LOG.warning("recording %s could not be closed: %s", self.path, exc)
            self._file = None

    def _now(self, at: float | None = None) -> float:
        return round(max((self._clock() if at is None else at) - self._started, 0.0), 6)

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        if "sk-" in text or "ek_" in text:
            text = _KEY_SHAPES.sub(REDACTED, text)
        return text

    def _write(self, record: dict[str, Any], *, counted: bool) -> None:
        if self._file is None or self.stopped is not None:
            return
        line = json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n"
        size = len(line.encode("utf-8"))
        if counted and self.max_bytes is not None and self._written + size > self.max_bytes:
            self._write({"t": self._now(), "end": "cap"}, counted=False)
            megabytes = self.max_bytes / 1_000_000
            self._stop(f"it reached its cap of {megabytes:g} MB")
            return
        try:
            self._file.write(line)
        except OSError as exc:
            self._stop(f"a write failed: {exc.strerror or exc}")
            return
        self._written += size

    def _stop(self, why: str) -> None:
        self.stopped = why
        _LOG.warning("recording stopped: %s (%s); the session goes on", why, self.path)
        self.close()


class SessionRecorders:
    """The tap of ``serve --record DIR``: one recording per session, ``DIR/<session id>.jsonl``.

    ``secrets`` (the server's API keys) and the credential each client presented are
    kept out of the files.
    """

    def __init__(
        self, directory: Path, *, max_bytes: int | None = None, secrets: Iterable[str] = ()
    ) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.secrets = tuple(secrets)

    def __call__(self, info: TapInfo) -> Recorder:
        header = RecordingHeader(
            dialect=info.dialect,
            path=recorded_path(info.path),
            kind=info.kind,
            session_id=info.session_id,
            started=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            recorder="server",
        )
        secrets = [*self.secrets, *([info.credential] if info.credential else [])]
        path = self.directory / f"{info.session_id}.jsonl"
        return Recorder(path, header, max_bytes=self.max_bytes, secrets=secrets)


def client_recorder(
    path: Path | str,
    *,
    url: str,
    dialect: Literal["ga", "beta"] = "ga",
    secrets: Iterable[str] = (),
    max_bytes: int | None = None,
) -> Recorder:
    """A :class:`Recorder` for a client's side of a session: pass it as the client's tap.

    ``url`` is the session's URL (only its path, ``model`` and ``intent`` are kept);
    ``secrets`` (the API key or client secret in use) are kept out of the file. Call
    :meth:`Recorder.close` when the session is over.
    """
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    header = RecordingHeader(
        dialect=dialect,
        path=recorded_path(parts.path + (f"?{parts.query}" if parts.query else "")),
        kind="transcription" if query.get("intent") == "transcription" else "realtime",
        started=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        recorder="client",
    )
    return Recorder(Path(path), header, max_bytes=max_bytes, secrets=secrets)
