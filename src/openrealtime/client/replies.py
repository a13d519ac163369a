"""Which server event answers which client event.

OpenAI links a reply to its request only in errors (``error.event_id``); success
events do not carry the client's ``event_id``. So each request waits for the first
event of its reply type that fits it: the item it names, the item it created, or,
for requests that name nothing (``session.update``, ``input_audio_buffer.commit``,
``response.create``), the next such event, in sending order. An
``input_audio_buffer.append`` has no reply.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Final

from ..protocol import ClientEventBase
from .conversation import Conversation
from .pending import Reply
from .responses import Responses
from .wire import Envelope

__all__ = ["expected_reply"]

_ITEM_ADDED: Final = frozenset({"conversation.item.added", "conversation.item.created"})
_ANONYMOUS: Final = {
    "session.update": "session.updated",
    "transcription_session.update": "session.updated",
    "input_audio_buffer.commit": "input_audio_buffer.committed",
    "input_audio_buffer.clear": "input_audio_buffer.cleared",
    "output_audio_buffer.clear": "output_audio_buffer.cleared",
}


def _any(_env: Envelope) -> bool:
    return True


def expected_reply(
    event: ClientEventBase,
    conversation: Conversation,
    responses: Responses,
    committed: Collection[str],
) -> tuple[frozenset[str], Reply] | None:
    """The reply types of ``event`` and the test a reply passes; ``None`` if none comes."""
    if event.type in _ANONYMOUS:
        return frozenset({_ANONYMOUS[event.type]}), _any
    item_id = getattr(event, "item_id", None)
    match event.type:
        case "conversation.item.create":
            return _ITEM_ADDED, _created_item(getattr(event, "item", None), conversation, committed)
        case "conversation.item.retrieve":
            return frozenset({"conversation.item.retrieved"}), (
                lambda env: env.item is not None and env.item.id == item_id
            )
        case "conversation.item.truncate":
            return frozenset({"conversation.item.truncated"}), lambda env: env.item_id == item_id
        case "conversation.item.delete":
            return frozenset({"conversation.item.deleted"}), lambda env: env.item_id == item_id
        case "response.create":
            return frozenset({"response.created"}), _created_response(
                getattr(event, "response", None)
            )
        case "response.cancel":
            return frozenset({"response.done"}), _ended_response(
                getattr(event, "response_id", None), responses
            )
    return None


def _created_item(item: Any, conversation: Conversation, committed: Collection[str]) -> Reply:
    item_id = getattr(item, "id", None)

    def matches(env: Envelope) -> bool:
        if env.item is None:
            return False
        if item_id is not None:
            return bool(env.item.id == item_id)
        # Not an item the server made itself: a response's output or committed audio.
        known = conversation.get(env.item.id or "")
        made_by_server = known is not None and known.response_id is not None
        return not made_by_server and env.item.id not in committed

    return matches


def _created_response(params: Any) -> Reply:
    out_of_band = getattr(params, "conversation", None) == "none"
    metadata = getattr(params, "metadata", None)

    def matches(env: Envelope) -> bool:
        response = env.response
        if response is None:
            return False
        if metadata is not None and response.metadata is not None and response.metadata != metadata:
            return False
        if "conversation_id" not in response.model_fields_set:
            return True  # a server that does not say: first come, first served
        return (response.conversation_id is None) == out_of_band

    return matches


def _ended_response(response_id: str | None, responses: Responses) -> Reply:
    def matches(env: Envelope) -> bool:
        if env.response is None:
            return False
        if response_id is not None:
            return env.response.id == response_id
        found = responses.get(env.response.id or "")
        return found is None or not found.out_of_band

    return matches
