"""Server event translation: small stateful filters over an event stream.

The session core emits one *internal* stream: GA server events with two
deliberate supersets of the GA wire, so that both dialects can be cut from it:

1. ``conversation.created`` right after ``session.created``;
2. ``rate_limits.updated`` twice per response, with ``requests`` and ``tokens``
   entries: once right after ``response.created`` (where beta sends it) and once
   right after ``response.done`` (where GA sends it).

:class:`GaWireFilter` cuts the GA wire from it: it drops ``conversation.created``
and the ``rate_limits.updated`` right after ``response.created``, and keeps only
the ``tokens`` entries of every other ``rate_limits.updated`` (dropping one left
empty). It also removes the beta-only ``temperature`` that the internal session
and response resources carry. Everything else passes unchanged.

:class:`ServerEventsToBeta` cuts the beta wire from it:

=============================================  =========================================
internal (GA)                                  beta
=============================================  =========================================
``session.created``, ``session.updated``       the same; session translated, GA-only
(realtime)                                     settings dropped (see ``_session``)
``session.created``, ``session.updated``       ``transcription_session.created``,
(transcription)                                ``transcription_session.updated``
``conversation.item.added``                    ``conversation.item.created``
``conversation.item.created``                  ``conversation.item.created``
``conversation.item.done``                     nothing
``response.output_text.*``                     ``response.text.*``
``response.output_audio_transcript.*``         ``response.audio_transcript.*``
``response.output_audio.*``                    ``response.audio.*``
``response.function_call_arguments.done``      the same without ``name``
``response.created``, ``response.done``        the same; resource translated (see
                                               ``_response``)
``rate_limits.updated`` right after            the same, all entries
``response.created``
any other ``rate_limits.updated``              nothing
``input_audio_buffer.timeout_triggered``,      nothing: beta has no such events
``input_audio_buffer.dtmf_event_received``,    (:data:`GA_ONLY_EVENTS`)
``conversation.item.input_audio_``
``transcription.segment``,
``mcp_list_tools.*``,
``response.mcp_call_arguments.*``,
``response.mcp_call.*``
every other event                              the same, field for field
=============================================  =========================================

Going to beta, ``obfuscation`` is dropped from every event, and every item gets
``object: "realtime.item"``. An event about an item beta cannot hold (an MCP
item, a user message with an image) is not sent at all.

:class:`ServerEventsToGa` is the client side, for beta-only servers: the beta
wire in, GA events out. The names and resources map in reverse, plus:

- ``conversation.item.created`` becomes ``conversation.item.added``, followed by a
  synthesized ``conversation.item.done`` unless the item is an in-progress
  assistant message or function call. For those, the ``conversation.item.done``
  (with the final item of ``response.output_item.done`` and the remembered
  ``previous_item_id``) comes right before ``response.output_item.done``, or
  before ``response.done`` when the output item never finished.
- A ``rate_limits.updated`` that arrives while a response is in progress is held
  and sent right after that response's ``response.done``.
- ``response.function_call_arguments.done`` gets GA's ``name`` from the
  ``function_call`` item seen earlier under the same ``item_id``.
- ``transcription_session.created`` / ``.updated`` become ``session.created`` /
  ``.updated`` with a GA ``TranscriptionSession``.

Translated events keep their source ``event_id``; synthesized events take one
from ``event_ids``. An event that does not validate in the target dialect (such
as a beta transcription ``completed`` without GA's required ``usage``, or an
arguments ``done`` whose call was never seen) becomes the target's
``InvalidServerEvent``, as the target's own parser would make it. The dialects'
``UnknownServerEvent`` and ``InvalidServerEvent`` map to each other unchanged.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar, cast

from pydantic import ValidationError

from .. import beta, ga
from .._base import InvalidServerEventBase, ServerEventBase, UnknownServerEventBase
from ._common import TranslationError, jsonable, set_fields
from ._items import item_to_beta, item_to_ga
from ._response import response_to_beta, response_to_ga
from ._session import (
    session_to_beta,
    session_to_ga,
    transcription_session_to_beta,
    transcription_session_to_ga,
)

__all__ = [
    "GA_ONLY_EVENTS",
    "GaWireFilter",
    "ServerEventsToBeta",
    "ServerEventsToGa",
    "random_event_id",
]

_ALPHABET: Final = string.ascii_letters + string.digits
_EVENT_ID_LENGTH: Final = 21

# GA wire name -> beta wire name, for the events that only change name.
_GA_TO_BETA_NAMES: Final = {
    "response.output_text.delta": "response.text.delta",
    "response.output_text.done": "response.text.done",
    "response.output_audio_transcript.delta": "response.audio_transcript.delta",
    "response.output_audio_transcript.done": "response.audio_transcript.done",
    "response.output_audio.delta": "response.audio.delta",
    "response.output_audio.done": "response.audio.done",
}
_BETA_TO_GA_NAMES: Final = {beta_name: ga_name for ga_name, beta_name in _GA_TO_BETA_NAMES.items()}

GA_ONLY_EVENTS: Final = frozenset(
    {
        "input_audio_buffer.timeout_triggered",
        "input_audio_buffer.dtmf_event_received",
        "conversation.item.input_audio_transcription.segment",
        "mcp_list_tools.in_progress",
        "mcp_list_tools.completed",
        "mcp_list_tools.failed",
        "response.mcp_call_arguments.delta",
        "response.mcp_call_arguments.done",
        "response.mcp_call.in_progress",
        "response.mcp_call.completed",
        "response.mcp_call.failed",
    }
)
"""The GA server events beta has no equivalent for: a beta client never sees them."""
_TOKENS: Final = "tokens"
_GA_DROPPED_FIELDS: Final = ("obfuscation",)

E = TypeVar("E", bound=ServerEventBase)
M = TypeVar("M", bound=ga.RealtimeSession | ga.TranscriptionSession | ga.RealtimeResponse)
UnknownT = TypeVar("UnknownT", bound=UnknownServerEventBase)
InvalidT = TypeVar("InvalidT", bound=InvalidServerEventBase)


def random_event_id() -> str:
    """A fresh server event id: ``event_`` and 21 random base62 characters."""
    return "event_" + "".join(secrets.choice(_ALPHABET) for _ in range(_EVENT_ID_LENGTH))


def _build(root: type[E], cls: type[E], data: Mapping[str, Any]) -> E:
    """``cls`` from ``data``; if it does not validate, what ``root``'s parser makes of it."""
    try:
        return cls(**data)
    except ValidationError:
        wire_type = cls.model_fields["type"].default
        return cast(E, root.parse({"type": wire_type, **jsonable(dict(data))}))


def _translated(root: type[E], wire_type: str, source: ServerEventBase, **changes: Any) -> E:
    """The event ``wire_type`` of ``root``'s dialect with ``source``'s fields and ``changes``."""
    cls = root.event_class(wire_type)
    assert cls is not None, f"{wire_type} is a {root.__dialect__} event"
    data = set_fields(source, drop=("type",))
    data.update(changes)
    return _build(root, cls, data)


def _fallback(
    event: UnknownServerEventBase | InvalidServerEventBase,
    unknown: type[UnknownT],
    invalid: type[InvalidT],
) -> UnknownT | InvalidT:
    """An unknown or invalid event of one dialect as the other's, content unchanged."""
    if isinstance(event, UnknownServerEventBase):
        return unknown(**set_fields(event))
    return invalid.from_raw(event.raw, event.errors)


class GaWireFilter:
    """The GA wire cut from the internal stream (see the module docstring)."""

    def __init__(self) -> None:
        self._previous: str | None = None

    def feed(self, event: ga.ServerEvent) -> list[ga.ServerEvent]:
        """The GA wire events for one internal event, in order."""
        previous, self._previous = self._previous, event.type
        if isinstance(event, ga.ConversationCreatedEvent):
            return []
        if isinstance(event, ga.RateLimitsUpdatedEvent):
            if previous == "response.created":
                return []
            tokens = [limit for limit in event.rate_limits if limit.name == _TOKENS]
            if not tokens:
                return []
            if len(tokens) == len(event.rate_limits):
                return [event]
            return [_translated(ga.ServerEvent, event.type, event, rate_limits=tokens)]
        if isinstance(event, ga.SessionCreatedEvent | ga.SessionUpdatedEvent):
            session = _without_beta(event.session)
            if session is not event.session:
                return [event.model_copy(update={"session": session})]
        elif isinstance(event, ga.ResponseCreatedEvent | ga.ResponseDoneEvent):
            response = _without_beta(event.response)
            if response is not event.response:
                return [event.model_copy(update={"response": response})]
        return [event]


def _without_beta(resource: M) -> M:
    """A session or response resource without its beta-only ``temperature``."""
    if "temperature" not in resource.model_fields_set:
        return resource
    data = set_fields(resource)
    data.pop("temperature", None)
    return cast(M, type(resource).model_validate(data))


class ServerEventsToBeta:
    """The beta wire cut from the internal GA stream (see the module docstring)."""

    def __init__(self) -> None:
        self._previous: str | None = None

    def feed(self, event: ga.ServerEvent) -> list[beta.ServerEvent]:
        """The beta wire events for one internal event, in order."""
        previous, self._previous = self._previous, event.type
        if isinstance(event, ga.UnknownServerEvent | ga.InvalidServerEvent):
            return [_fallback(event, beta.UnknownServerEvent, beta.InvalidServerEvent)]
        if event.type in GA_ONLY_EVENTS or isinstance(event, ga.ConversationItemDoneEvent):
            return []
        if isinstance(event, ga.RateLimitsUpdatedEvent) and previous != "response.created":
            return []
        try:
            return [self._convert(event)]
        except TranslationError:
            # Only items beta cannot hold (MCP items, images) get here: not shown.
            return []

    @staticmethod
    def _convert(event: ga.ServerEvent) -> beta.ServerEvent:
        root = beta.ServerEvent
        drop: tuple[str, ...] = _GA_DROPPED_FIELDS
        match event:
            case ga.SessionCreatedEvent(session=ga.TranscriptionSession() as session):
                return _translated(
                    root, "transcription_session.created", event, session=_tx_beta(session)
                )
            case ga.SessionUpdatedEvent(session=ga.TranscriptionSession() as session):
                return _translated(
                    root, "transcription_session.updated", event, session=_tx_beta(session)
                )
            case ga.SessionCreatedEvent(session=ga.RealtimeSession() as session) | (
                ga.SessionUpdatedEvent(session=ga.RealtimeSession() as session)
            ):
                translated = session_to_beta(session, drop_unsupported=True)
                return _translated(root, event.type, event, session=translated)
            case ga.ConversationItemAddedEvent() | ga.ConversationItemCreatedEvent():
                item = item_to_beta(event.item, with_object=True)
                return _translated(root, "conversation.item.created", event, item=item)
            case (
                ga.ConversationItemRetrievedEvent()
                | ga.ResponseOutputItemAddedEvent()
                | ga.ResponseOutputItemDoneEvent()
            ):
                item = item_to_beta(event.item, with_object=True)
                return _translated(root, event.type, event, item=item)
            case ga.ResponseCreatedEvent() | ga.ResponseDoneEvent():
                response = response_to_beta(event.response)
                return _translated(root, event.type, event, response=response)
            case ga.ResponseFunctionCallArgumentsDoneEvent():
                drop = (*drop, "name")
        wire_type = _GA_TO_BETA_NAMES.get(event.type, event.type)
        cls = root.event_class(wire_type)
        assert cls is not None, f"{event.type} has a beta peer"
        return _build(root, cls, set_fields(event, drop=("type", *drop)))


def _tx_beta(session: ga.TranscriptionSession) -> beta.TranscriptionSession:
    return transcription_session_to_beta(session, drop_unsupported=True)


class ServerEventsToGa:
    """GA events from a beta server's wire (see the module docstring).

    ``event_ids`` names the events it synthesizes (``conversation.item.done``).
    """

    def __init__(self, *, event_ids: Callable[[], str] = random_event_id) -> None:
        self._event_ids = event_ids
        self._open_items: dict[str, str | None] = {}
        self._function_names: dict[str, str] = {}
        self._open_responses: list[str] = []
        self._held: dict[str, list[ga.ServerEvent]] = {}

    def feed(self, event: beta.ServerEvent) -> list[ga.ServerEvent]:
        """The GA events for one beta wire event, in order."""
        if isinstance(event, beta.UnknownServerEvent | beta.InvalidServerEvent):
            return [_fallback(event, ga.UnknownServerEvent, ga.InvalidServerEvent)]
        try:
            return self._convert(event)
        except TranslationError as exc:
            # A beta item GA cannot hold: what GA's parser would make of bad input.
            error = {"type": "translation", "loc": (exc.param or "",), "msg": exc.message}
            return [ga.InvalidServerEvent.from_raw(event.to_dict(), [error])]

    def _item_done(self, previous_item_id: str | None, item: ga.Item) -> ga.ServerEvent:
        return ga.ConversationItemDoneEvent(
            event_id=self._event_ids(), previous_item_id=previous_item_id, item=item
        )

    def _convert(self, event: beta.ServerEvent) -> list[ga.ServerEvent]:
        root = ga.ServerEvent
        match event:
            case beta.SessionCreatedEvent() | beta.SessionUpdatedEvent():
                return [_translated(root, event.type, event, session=session_to_ga(event.session))]
            case beta.TranscriptionSessionCreatedEvent() | beta.TranscriptionSessionUpdatedEvent():
                wire_type = event.type.replace("transcription_session.", "session.")
                session = transcription_session_to_ga(event.session)
                return [_translated(root, wire_type, event, session=session)]
            case beta.ConversationItemCreatedEvent():
                return self._item_created(event)
            case beta.ResponseOutputItemAddedEvent():
                item = item_to_ga(event.item)
                if isinstance(item, ga.FunctionCallItem) and item.id is not None:
                    self._function_names[item.id] = item.name
                return [_translated(root, event.type, event, item=item)]
            case beta.ResponseOutputItemDoneEvent():
                item = item_to_ga(event.item)
                done = _translated(root, event.type, event, item=item)
                if item.id is None:
                    return [done]
                # A call's arguments end before its item; a cancelled call has none.
                self._function_names.pop(item.id, None)
                if item.id not in self._open_items:
                    return [done]
                return [self._item_done(self._open_items.pop(item.id), item), done]
            case beta.ConversationItemRetrievedEvent():
                return [_translated(root, event.type, event, item=item_to_ga(event.item))]
            case beta.ResponseFunctionCallArgumentsDoneEvent():
                changes = {}
                name = self._function_names.pop(event.item_id, None)
                if name is not None:
                    changes["name"] = name
                return [_translated(root, event.type, event, **changes)]
            case beta.ResponseCreatedEvent():
                self._open_responses.append(event.response.id)
                response = response_to_ga(event.response)
                return [_translated(root, event.type, event, response=response)]
            case beta.ResponseDoneEvent():
                return self._response_done(event)
            case beta.RateLimitsUpdatedEvent() if self._open_responses:
                translated = _translated(root, event.type, event)
                self._held.setdefault(self._open_responses[-1], []).append(translated)
                return []
        wire_type = _BETA_TO_GA_NAMES.get(event.type, event.type)
        return [_translated(root, wire_type, event)]

    def _item_created(self, event: beta.ConversationItemCreatedEvent) -> list[ga.ServerEvent]:
        item = item_to_ga(event.item)
        added = _translated(ga.ServerEvent, "conversation.item.added", event, item=item)
        in_progress_output = (
            isinstance(item, ga.AssistantMessageItem | ga.FunctionCallItem)
            and item.status == "in_progress"
        )
        if in_progress_output and item.id is not None:
            self._open_items[item.id] = event.previous_item_id
            return [added]
        return [added, self._item_done(event.previous_item_id, item)]

    def _response_done(self, event: beta.ResponseDoneEvent) -> list[ga.ServerEvent]:
        response = response_to_ga(event.response)
        events: list[ga.ServerEvent] = []
        # Output items that never got their output_item.done still end here.
        for item in response.output:
            if item.id is not None and item.id in self._open_items:
                events.append(self._item_done(self._open_items.pop(item.id), item))
        events.append(_translated(ga.ServerEvent, event.type, event, response=response))
        if response.id in self._open_responses:
            self._open_responses.remove(response.id)
        events.extend(self._held.pop(response.id, []))
        return events
