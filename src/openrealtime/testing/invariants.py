"""Invariants every response trace keeps, in either dialect, checked over a whole wire.

:func:`check_trace` asserts the pairing rules of the protocol on a list of wire events
(parsed with the dialect's server models):

- one ``response.created`` and, in a complete trace, one ``response.done`` per
  response; everything about a response comes between the two;
- every ``response.output_item.added`` has its ``.done``, every
  ``response.content_part.added`` its ``.done``, each inside its parent;
- text, audio, transcript and argument deltas come only inside their part (or
  function call), before that part's own ``*.done``; the ``*.done`` text is what
  the deltas said (a transcript may be cut short by a truncation, never longer);
- GA: ``conversation.item.added`` and ``.done`` pair up, and an output item's
  ``conversation.item.done`` precedes its ``response.output_item.done``; beta never
  sends ``conversation.item.done``;
- ``response.done`` lists the items that ``output_item.done`` sent, without audio bytes;
- every event is one the dialect's own models accept.

:class:`TraceChecker` takes the same events one at a time, as dicts, for streams
that are still running (the conformance kit, fuzzers).

Each further rule has its own small checker, fed one event at a time:

- :func:`check_event_model`: an event is one the dialect's models accept;
- :class:`UniqueEventIds`: every server event has its own ``event_id``;
- :class:`ActiveResponses`: at most one response of the default conversation runs;
- :class:`ItemChain`: every ``previous_item_id`` names an item of the conversation;
- :class:`ErrorEcho`: an error about a client event carries that event's ``event_id``;
- :class:`CloseRules`: no silent disconnect, and no event after a close;
- :class:`TruncationGuard`: no audio or transcript of a part after its
  ``conversation.item.truncated``;
- :func:`check_rejection`: a rejected client event got one ``error`` and nothing else.

:class:`WireChecker` runs all of them over one live connection, both directions;
:class:`SessionChecker` runs the trace checker, :class:`ActiveResponses`,
:class:`ItemChain` and :class:`TruncationGuard` over a session's server events alone
(the fuzzers, the session-state machines).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from openrealtime.protocol import beta, ga

__all__ = [
    "ActiveResponses",
    "CloseRules",
    "Dialect",
    "ErrorEcho",
    "InvariantViolation",
    "ItemChain",
    "SessionChecker",
    "TraceChecker",
    "TruncationGuard",
    "UniqueEventIds",
    "WireChecker",
    "check_event_model",
    "check_rejection",
    "check_trace",
]

Dialect = Literal["ga", "beta"]

_DELTAS: dict[Dialect, dict[str, tuple[str, str]]] = {
    "ga": {
        "text": ("response.output_text.delta", "response.output_text.done"),
        "audio": ("response.output_audio.delta", "response.output_audio.done"),
        "transcript": (
            "response.output_audio_transcript.delta",
            "response.output_audio_transcript.done",
        ),
    },
    "beta": {
        "text": ("response.text.delta", "response.text.done"),
        "audio": ("response.audio.delta", "response.audio.done"),
        "transcript": ("response.audio_transcript.delta", "response.audio_transcript.done"),
    },
}
_PART_STREAMS = {"text": ("text",), "audio": ("audio", "transcript")}
_ARGUMENTS = ("response.function_call_arguments.delta", "response.function_call_arguments.done")


@dataclass
class _Part:
    kind: str
    closed: bool = False
    said: dict[str, str] = field(default_factory=dict)
    finished: dict[str, str | None] = field(default_factory=dict)


@dataclass
class _Output:
    item_id: str
    item_type: str
    closed: bool = False
    parts: dict[int, _Part] = field(default_factory=dict)
    arguments: str = ""
    arguments_done: bool = False


@dataclass
class _Response:
    done: bool = False
    outputs: dict[int, _Output] = field(default_factory=dict)
    finished_items: list[dict[str, Any]] = field(default_factory=list)


class InvariantViolation(AssertionError):
    """A trace broke one of the protocol's invariants; the message says where."""


def _require(condition: object, message: str) -> None:
    if not condition:
        raise InvariantViolation(message)


class TraceChecker:
    """Checks a stream of wire events (as dicts) one at a time; :meth:`finish` at its end."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.responses: dict[str, _Response] = {}
        self.conversation: dict[str, bool] = {}
        """GA conversation items announced with ``added``: whether ``done`` came."""
        self.by_item: dict[str, tuple[str, int]] = {}
        kinds = _DELTAS[dialect]
        self.delta_kind = {names[0]: kind for kind, names in kinds.items()}
        self.done_kind = {names[1]: kind for kind, names in kinds.items()}

    def feed(self, position: int, event: dict[str, Any]) -> None:
        kind = event["type"]
        where = f"event {position} ({kind})"
        if kind == "response.created":
            response_id = event["response"]["id"]
            _require(response_id not in self.responses, f"{where}: second response.created")
            _require(event["response"]["output"] == [], where)
            _require(event["response"]["status"] == "in_progress", where)
            self.responses[response_id] = _Response()
        elif kind == "response.done":
            response = self._live(event["response"]["id"], where)
            open_items = [o.item_id for o in response.outputs.values() if not o.closed]
            _require(not open_items, f"{where}: items still open: {open_items}")
            response.done = True
            self._check_output(event["response"]["output"], response, where)
        elif kind == "response.output_item.added":
            response = self._live(event["response_id"], where)
            index = event["output_index"]
            _require(index == len(response.outputs), f"{where}: output_index {index} out of order")
            _require(all(o.closed for o in response.outputs.values()), f"{where}: item still open")
            item = event["item"]
            response.outputs[index] = _Output(item_id=item["id"], item_type=item["type"])
            self.by_item[item["id"]] = (event["response_id"], index)
        elif kind == "response.output_item.done":
            output = self._output(event, where)
            _require(not output.closed, f"{where}: second output_item.done")
            _require(all(p.closed for p in output.parts.values()), f"{where}: a part is open")
            if output.item_type == "function_call":
                _require(output.arguments_done, f"{where}: arguments never finished")
            if self.dialect == "ga" and output.item_id in self.conversation:
                _require(
                    self.conversation[output.item_id],
                    f"{where}: conversation.item.done must come first",
                )
            _require(not _audio_fields(event["item"]), f"{where}: audio bytes in the item")
            output.closed = True
            self.responses[event["response_id"]].finished_items.append(event["item"])
        elif kind == "response.content_part.added":
            output = self._open_output(event, where)
            index = event["content_index"]
            _require(index not in output.parts, f"{where}: part opened twice")
            _require(all(p.closed for p in output.parts.values()), f"{where}: a part is open")
            part_type = event["part"]["type"]
            _require(part_type in _PART_STREAMS, where)
            output.parts[index] = _Part(kind=part_type)
        elif kind == "response.content_part.done":
            part = self._open_part(event, where)
            for stream in _PART_STREAMS[part.kind]:
                _require(stream in part.finished, f"{where}: no {stream} done before the part's")
            if part.kind == "text":
                _require(event["part"]["text"] == part.finished["text"], where)
            else:
                _require(event["part"]["transcript"] == part.finished["transcript"], where)
            part.closed = True
        elif kind in self.delta_kind:
            stream = self.delta_kind[kind]
            part = self._open_part(event, where)
            _require(stream in _PART_STREAMS[part.kind], f"{where}: in a {part.kind} part")
            _require(stream not in part.finished, f"{where}: after its done")
            part.said[stream] = part.said.get(stream, "") + event["delta"]
        elif kind in self.done_kind:
            stream = self.done_kind[kind]
            part = self._open_part(event, where)
            _require(stream in _PART_STREAMS[part.kind], f"{where}: in a {part.kind} part")
            _require(stream not in part.finished, f"{where}: second done")
            said = part.said.get(stream, "")
            if stream == "text":
                _require(event["text"] == said, f"{where}: text differs from its deltas")
            elif stream == "transcript":
                _require(said.startswith(event["transcript"]), f"{where}: transcript not said")
            part.finished[stream] = event.get(stream)
        elif kind in _ARGUMENTS:
            output = self._open_output(event, where)
            _require(output.item_type == "function_call", where)
            _require(not output.arguments_done, f"{where}: after arguments done")
            if kind == _ARGUMENTS[0]:
                output.arguments += event["delta"]
            else:
                _require(event["arguments"] == output.arguments, where)
                output.arguments_done = True
        elif kind == "conversation.item.added":
            item_id = event["item"]["id"]
            _require(self.dialect == "ga", f"{where}: beta has no conversation.item.added")
            _require(item_id not in self.conversation, f"{where}: added twice")
            self.conversation[item_id] = False
        elif kind == "conversation.item.done":
            item_id = event["item"]["id"]
            _require(self.dialect == "ga", f"{where}: beta has no conversation.item.done")
            _require(self.conversation.get(item_id) is False, f"{where}: done without added")
            self.conversation[item_id] = True
        elif kind == "conversation.item.deleted":
            # A deleted item's id may be used again; one deleted while generating ends there.
            self.conversation.pop(event["item_id"], None)

    def open_responses(self) -> list[str]:
        """The responses created and not yet done."""
        return [rid for rid, response in self.responses.items() if not response.done]

    def finish(self) -> None:
        unfinished = self.open_responses()
        _require(not unfinished, f"responses with no response.done: {unfinished}")
        open_items = [item_id for item_id, done in self.conversation.items() if not done]
        _require(not open_items, f"conversation.item.added with no done: {open_items}")

    def _live(self, response_id: str, where: str) -> _Response:
        response = self.responses.get(response_id)
        if response is None:
            raise InvariantViolation(f"{where}: before response.created")
        _require(not response.done, f"{where}: after response.done")
        return response

    def _output(self, event: dict[str, Any], where: str) -> _Output:
        response = self._live(event["response_id"], where)
        output = response.outputs.get(event["output_index"])
        if output is None:
            raise InvariantViolation(f"{where}: no output_item.added")
        if "item_id" in event:
            _require(output.item_id == event["item_id"], f"{where}: item_id mismatch")
        if "item" in event:
            _require(output.item_id == event["item"]["id"], f"{where}: item mismatch")
        return output

    def _open_output(self, event: dict[str, Any], where: str) -> _Output:
        output = self._output(event, where)
        _require(not output.closed, f"{where}: after output_item.done")
        return output

    def _open_part(self, event: dict[str, Any], where: str) -> _Part:
        output = self._open_output(event, where)
        part = output.parts.get(event["content_index"])
        if part is None:
            raise InvariantViolation(f"{where}: no content_part.added")
        _require(not part.closed, f"{where}: after content_part.done")
        return part

    @staticmethod
    def _check_output(output: list[dict[str, Any]], response: _Response, where: str) -> None:
        _require(output == response.finished_items, f"{where}: output differs from the items sent")
        for item in output:
            _require(not _audio_fields(item), f"{where}: audio bytes in response.done")


def _audio_fields(item: dict[str, Any]) -> list[Any]:
    return [part["audio"] for part in item.get("content") or [] if part.get("audio")]


def check_trace(events: list[Any], dialect: Dialect, *, complete: bool = True) -> None:
    """Assert the invariants over wire events; ``complete``: every response has ended."""
    checker = TraceChecker(dialect)
    for position, event in enumerate(events):
        name = type(event).__name__
        _require(
            name not in ("InvalidServerEvent", "UnknownServerEvent"), f"event {position}: {event!r}"
        )
        checker.feed(position, event.to_dict())
    if complete:
        checker.finish()


def check_event_model(event: dict[str, Any], dialect: Dialect) -> None:
    """Assert that ``event`` is a server event of ``dialect``, valid against its model."""
    root = ga.ServerEvent if dialect == "ga" else beta.ServerEvent
    parsed = root.parse(event)
    kind = event.get("type")
    if isinstance(parsed, (ga.UnknownServerEvent, beta.UnknownServerEvent)):
        raise InvariantViolation(f"{kind!r} is not a {dialect} server event")
    if isinstance(parsed, (ga.InvalidServerEvent, beta.InvalidServerEvent)):
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'][1:]) or '(event)'}: {error['msg']}"
            for error in parsed.errors[:3]
        )
        raise InvariantViolation(f"{kind} does not match the {dialect} model: {problems}")


class UniqueEventIds:
    """Every server event carries a string ``event_id`` never used before in the session."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def feed(self, position: int, event: dict[str, Any]) -> None:
        event_id = event.get("event_id")
        where = f"event {position} ({event.get('type')})"
        if not isinstance(event_id, str) or not event_id:
            raise InvariantViolation(f"{where}: no event_id")
        _require(event_id not in self.seen, f"{where}: event_id {event_id!r} used twice")
        self.seen.add(event_id)


class ActiveResponses:
    """At most one response of the default conversation is active at a time.

    Out-of-band responses (``conversation_id`` null) may run beside it and each other.
    """

    def __init__(self) -> None:
        self.active: str | None = None

    def feed(self, position: int, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind not in ("response.created", "response.done"):
            return
        response = event["response"]
        if response.get("conversation_id") is None and "conversation_id" in response:
            return
        if kind == "response.created":
            _require(
                self.active is None,
                f"event {position} (response.created): {response['id']} started while "
                f"{self.active} was still active in the default conversation",
            )
            self.active = response["id"]
        elif self.active == response["id"]:
            self.active = None


class ItemChain:
    """``previous_item_id`` names an item of the conversation (or is null at its start).

    The conversation is rebuilt from the server's events: items join with GA
    ``conversation.item.added`` or beta ``conversation.item.created`` after the item
    their ``previous_item_id`` names (at the start when it is null), and leave with
    ``conversation.item.deleted``. A commit's ``previous_item_id`` is the last item.
    """

    def __init__(self) -> None:
        self.order: list[str] = []

    def feed(self, position: int, event: dict[str, Any]) -> None:
        kind = event.get("type")
        where = f"event {position} ({kind})"
        if kind in ("conversation.item.added", "conversation.item.created"):
            item_id = event["item"]["id"]
            previous = event.get("previous_item_id")
            _require(item_id not in self.order, f"{where}: item {item_id} added twice")
            self._known(previous, where)
            place = 0 if previous is None else self.order.index(previous) + 1
            self.order.insert(place, item_id)
        elif kind == "conversation.item.done":
            item_id = event["item"]["id"]
            _require(item_id in self.order, f"{where}: item {item_id} was never added")
            self._known(event.get("previous_item_id"), where)
        elif kind == "input_audio_buffer.committed":
            last = self.order[-1] if self.order else None
            previous = event.get("previous_item_id")
            _require(
                previous == last,
                f"{where}: previous_item_id {previous!r}, but the last item is {last!r}",
            )
        elif kind == "conversation.item.deleted":
            item_id = event["item_id"]
            _require(item_id in self.order, f"{where}: item {item_id} is not in the conversation")
            self.order.remove(item_id)

    def _known(self, previous: object, where: str) -> None:
        _require(
            previous is None or previous in self.order,
            f"{where}: previous_item_id {previous!r} names no item of the conversation",
        )


# Errors about the connection itself, which no client event caused.
_CONNECTION_CODES = frozenset({"session_expired"})


class ErrorEcho:
    """An ``error`` caused by a client event carries that event's ``event_id``.

    The checker is told what the client sent (:meth:`sent`). An error may name only
    an ``event_id`` the client used. An error with none must answer a client frame
    that had none (binary, not JSON, or sent without one), or end the connection (the
    close that follows is reported through :meth:`closed`), or be a ``server_error``
    or ``session_expired``.
    """

    def __init__(self) -> None:
        self.sent_ids: set[str] = set()
        self.anonymous = 0
        self.pending: str | None = None

    def sent(self, event_id: str | None) -> None:
        """The client sent a frame, with this ``event_id`` (``None``: it had none)."""
        if event_id is None:
            self.anonymous += 1
        else:
            self.sent_ids.add(event_id)

    def feed(self, position: int, event: dict[str, Any]) -> None:
        self._settle()
        if event.get("type") != "error":
            return
        error = event["error"]
        echoed = error.get("event_id")
        where = f"event {position} (error {error.get('code')})"
        if echoed is not None:
            _require(echoed in self.sent_ids, f"{where}: event_id {echoed!r} was never sent")
        elif error.get("type") == "server_error" or error.get("code") in _CONNECTION_CODES:
            return
        elif self.anonymous:
            self.anonymous -= 1
        else:
            self.pending = f"{where}: no event_id, though every client event carried one"

    def closed(self) -> None:
        """The server closed the connection: an error just before it was about the connection."""
        self.pending = None

    def finish(self) -> None:
        self._settle()

    def _settle(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            raise InvariantViolation(pending)


class CloseRules:
    """The server never drops a connection silently and sends nothing after its close.

    A close the client did not ask for must be a close frame (not 1006) with a
    reason or right after an ``error`` event.
    """

    def __init__(self) -> None:
        self.close: tuple[int, str] | None = None
        self.last_type: str | None = None

    def feed(self, position: int, event: dict[str, Any]) -> None:
        _require(
            self.close is None,
            f"event {position} ({event.get('type')}): after the close {self.close}",
        )
        self.last_type = event.get("type")

    def closed(self, code: int, reason: str, *, by_client: bool) -> None:
        self.close = (code, reason)
        if by_client:
            return
        _require(code != 1006, "the server dropped the connection without a close frame")
        _require(
            bool(reason) or self.last_type == "error",
            f"the server closed the connection ({code}) with no reason and no error event",
        )


class WireChecker:
    """Every invariant of this module over one live connection, in both directions.

    ``echo=False`` leaves out :class:`ErrorEcho`, for traces without the client's frames.
    """

    def __init__(self, dialect: Dialect, *, echo: bool = True) -> None:
        self.dialect = dialect
        self.check_echo = echo
        self.trace = TraceChecker(dialect)
        self.ids = UniqueEventIds()
        self.active = ActiveResponses()
        self.chain = ItemChain()
        self.echo = ErrorEcho()
        self.close_rules = CloseRules()
        self.position = 0

    def client(self, event_id: str | None) -> None:
        """The client sent a frame (``event_id`` ``None`` when it had none)."""
        self.echo.sent(event_id)

    def server(self, event: dict[str, Any]) -> None:
        """Check one server event, in order; raises :class:`InvariantViolation`."""
        position = self.position
        self.position += 1
        self.close_rules.feed(position, event)
        check_event_model(event, self.dialect)
        checkers = (self.ids, self.active, self.chain, self.echo, self.trace)
        try:
            for checker in checkers:
                if checker is not self.echo or self.check_echo:
                    checker.feed(position, event)
        except (KeyError, TypeError, ValueError) as exc:
            raise InvariantViolation(
                f"event {position} ({event.get('type')}): malformed ({exc!r})"
            ) from None

    def closed(self, code: int, reason: str, *, by_client: bool) -> None:
        """The connection closed with ``code`` and ``reason``."""
        self.echo.closed()
        self.close_rules.closed(code, reason, by_client=by_client)

    def finish(self, *, complete: bool = True) -> None:
        """The end of the session: pending checks settle; ``complete`` as in :func:`check_trace`."""
        self.echo.finish()
        if complete:
            self.trace.finish()


class TruncationGuard:
    """No audio or transcript delta of a part after it was truncated."""

    _SPEECH = frozenset(
        {
            "response.output_audio.delta",
            "response.output_audio_transcript.delta",
            "response.audio.delta",
            "response.audio_transcript.delta",
        }
    )

    def __init__(self) -> None:
        self.truncated: dict[tuple[str, int], int] = {}

    def feed(self, position: int, event: dict[str, Any]) -> None:
        kind = event["type"]
        if kind == "conversation.item.truncated":
            self.truncated[(event["item_id"], event["content_index"])] = event["audio_end_ms"]
        elif kind in self._SPEECH:
            part = (event["item_id"], event["content_index"])
            _require(
                part not in self.truncated,
                f"event {position} ({kind}): speech of {part} after its truncation "
                f"at {self.truncated.get(part)} ms",
            )


def check_rejection(replies: list[dict[str, Any]], event_id: str | None) -> None:
    """A rejected client event's replies: exactly one ``error``, with its ``event_id``."""
    _require(
        [reply["type"] for reply in replies] == ["error"],
        f"a rejected event got {[reply['type'] for reply in replies]}, not one error",
    )
    got = replies[0]["error"]["event_id"]
    _require(got == event_id, f"the error carries event_id {got!r}, not {event_id!r}")


class SessionChecker:
    """The trace checker and the session rules over one session's server events."""

    def __init__(self, dialect: Dialect) -> None:
        self.trace = TraceChecker(dialect)
        self.active = ActiveResponses()
        self.chain = ItemChain()
        self.truncation = TruncationGuard()
        self.position = 0

    def feed(self, event: dict[str, Any]) -> None:
        """Check the next event of the session."""
        for checker in (self.trace, self.active, self.chain, self.truncation):
            checker.feed(self.position, event)
        self.position += 1

    def finish(self) -> None:
        """The session's stream has ended with every response done."""
        self.trace.finish()
