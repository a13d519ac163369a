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

Session-level rules, each its own small checker fed the same way, and
:class:`SessionChecker`, which feeds all of them and the trace checker at once:

- :class:`ActiveResponses`: at most one response writes to the default
  conversation at a time (out-of-band responses run beside it);
- :class:`ConversationOrder`: every ``previous_item_id`` names the item just
  before, in a mirror of the conversation built from the item events;
- :class:`TruncationGuard`: no audio or transcript of a part after its
  ``conversation.item.truncated``;
- :func:`check_rejection`: a rejected client event got one ``error`` and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "ActiveResponses",
    "ConversationOrder",
    "Dialect",
    "InvariantViolation",
    "SessionChecker",
    "TraceChecker",
    "TruncationGuard",
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

    def finish(self) -> None:
        unfinished = [rid for rid, response in self.responses.items() if not response.done]
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


class ActiveResponses:
    """At most one response of the default conversation is active at a time."""

    def __init__(self) -> None:
        self.active: str | None = None

    def feed(self, position: int, event: dict[str, Any]) -> None:
        kind = event["type"]
        if kind not in ("response.created", "response.done"):
            return
        response = event["response"]
        if response.get("conversation_id") is None:
            return
        where = f"event {position} ({kind})"
        if kind == "response.created":
            _require(self.active is None, f"{where}: {self.active} is still active")
            self.active = response["id"]
        elif self.active == response["id"]:
            self.active = None


class ConversationOrder:
    """A mirror of the conversation from item events; ``previous_item_id`` must fit it.

    ``items`` is the conversation's item ids in order, for comparing with the
    server's own state where a test can reach it.
    """

    _ADDED: dict[Dialect, str] = {
        "ga": "conversation.item.added",
        "beta": "conversation.item.created",
    }
    _NAMED = ("conversation.item.retrieved", "conversation.item.truncated")

    def __init__(self, dialect: Dialect) -> None:
        self.added_type = self._ADDED[dialect]
        self.items: list[str] = []

    def feed(self, position: int, event: dict[str, Any]) -> None:
        kind = event["type"]
        where = f"event {position} ({kind})"
        if kind == self.added_type:
            item_id = event["item"]["id"]
            previous = event.get("previous_item_id")
            _require(
                item_id not in self.items, f"{where}: {item_id} is already in the conversation"
            )
            if previous is None:
                self.items.insert(0, item_id)
            else:
                _require(previous in self.items, f"{where}: previous_item_id {previous} unknown")
                self.items.insert(self.items.index(previous) + 1, item_id)
        elif kind == "conversation.item.deleted":
            _require(event["item_id"] in self.items, f"{where}: {event['item_id']} unknown")
            self.items.remove(event["item_id"])
        elif kind in self._NAMED:
            item_id = event["item"]["id"] if "item" in event else event["item_id"]
            _require(item_id in self.items, f"{where}: {item_id} is not in the conversation")


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
    """Every checker of this module over one session's wire events, fed one at a time."""

    def __init__(self, dialect: Dialect) -> None:
        self.trace = TraceChecker(dialect)
        self.active = ActiveResponses()
        self.order = ConversationOrder(dialect)
        self.truncation = TruncationGuard()
        self.position = 0

    def feed(self, event: dict[str, Any]) -> None:
        """Check the next event of the session."""
        for checker in (self.trace, self.active, self.order, self.truncation):
            checker.feed(self.position, event)
        self.position += 1

    def finish(self) -> None:
        """The session's stream has ended with every response done."""
        self.trace.finish()
