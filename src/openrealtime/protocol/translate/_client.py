"""Client event translation, in both directions.

A server edge turns a beta client's events into the internal GA model with
:func:`client_event_to_ga`; a client library talking to a beta-only server
turns its GA events into beta ones with :func:`client_event_to_beta`.

=================================  ===============================================
beta                               GA
=================================  ===============================================
``session.update``                 ``session.update`` with a ``RealtimeSession``
                                   (see ``_session``)
``transcription_session.update``   ``session.update`` with a ``TranscriptionSession``
``conversation.item.create``       the same; ``item`` translated (see ``_items``)
``response.create``                the same; ``response`` translated (see
                                   ``_response``), an explicit ``null`` kept
``input_audio_buffer.append``,     the same, field for field
``.commit``, ``.clear``;
``conversation.item.truncate``,
``.delete``, ``.retrieve``;
``response.cancel``;
``output_audio_buffer.clear``
=================================  ===============================================

``event_id`` is kept exactly as set (absent, ``null`` or a string). A
:class:`TranslationError` carries the event's ``event_id`` and a ``param`` such
as ``session.tools[0].type``, ready to become an ``error`` event.
"""

from __future__ import annotations

from .. import beta, ga
from ._common import TranslationError, rebuild
from ._items import item_to_beta, item_to_ga
from ._response import response_params_to_beta, response_params_to_ga
from ._session import (
    session_to_beta,
    session_to_ga,
    transcription_session_to_beta,
    transcription_session_to_ga,
)

__all__ = ["client_event_to_beta", "client_event_to_ga"]


def client_event_to_ga(event: beta.ClientEvent) -> ga.ClientEvent:
    """A beta client event as the GA event with the same meaning.

    Raises :class:`TranslationError` (with the event's ``event_id``) when GA has
    no equivalent, such as an ``item_reference`` inside message content.
    """
    try:
        return _to_ga(event)
    except TranslationError as exc:
        exc.event_id = event.event_id
        raise


def client_event_to_beta(event: ga.ClientEvent) -> beta.ClientEvent:
    """A GA client event as the beta event with the same meaning.

    Raises :class:`TranslationError` (with the event's ``event_id``) for what a
    beta server cannot do: GA-only settings, MCP tools and items, images, custom
    voices, PCM not at 24 kHz.
    """
    try:
        return _to_beta(event)
    except TranslationError as exc:
        exc.event_id = event.event_id
        raise


def _to_ga(event: beta.ClientEvent) -> ga.ClientEvent:
    match event:
        case beta.SessionUpdateEvent():
            return rebuild(ga.SessionUpdateEvent, event, session=session_to_ga(event.session))
        case beta.TranscriptionSessionUpdateEvent():
            session = transcription_session_to_ga(event.session)
            return rebuild(ga.SessionUpdateEvent, event, session=session)
        case beta.ConversationItemCreateEvent():
            item = item_to_ga(event.item, param="item")
            return rebuild(ga.ConversationItemCreateEvent, event, item=item)
        case beta.ResponseCreateEvent(response=beta.ResponseCreateParams() as params):
            response = response_params_to_ga(params, param="response")
            return rebuild(ga.ResponseCreateEvent, event, response=response)
    target = ga.ClientEvent.event_class(event.type)
    assert target is not None, f"every beta client event has a GA peer: {event.type}"
    return rebuild(target, event)


def _to_beta(event: ga.ClientEvent) -> beta.ClientEvent:
    match event:
        case ga.SessionUpdateEvent(session=ga.TranscriptionSession() as transcription):
            session = transcription_session_to_beta(transcription, param="session")
            return rebuild(beta.TranscriptionSessionUpdateEvent, event, session=session)
        case ga.SessionUpdateEvent(session=ga.RealtimeSession() as realtime):
            session_beta = session_to_beta(realtime, param="session")
            return rebuild(beta.SessionUpdateEvent, event, session=session_beta)
        case ga.ConversationItemCreateEvent():
            item = item_to_beta(event.item, param="item")
            return rebuild(beta.ConversationItemCreateEvent, event, item=item)
        case ga.ResponseCreateEvent(response=ga.ResponseCreateParams() as params):
            response = response_params_to_beta(params, param="response")
            return rebuild(beta.ResponseCreateEvent, event, response=response)
    target = beta.ClientEvent.event_class(event.type)
    assert target is not None, f"every GA client event has a beta peer: {event.type}"
    return rebuild(target, event)
