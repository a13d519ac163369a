"""The 11 GA client events, in the order OpenAI lists them."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from .._base import ClientEventBase
from .._payloads import (
    AppendPayload,
    CancelPayload,
    ItemIdPayload,
    PreviousItemPayload,
    TruncatePayload,
)
from ._items import FunctionCallOutputItem, InputTextContent, Item, UserMessageItem
from ._response import ResponseCreateParams
from ._session import Session

__all__ = [
    "ClientEvent",
    "ConversationItemCreateEvent",
    "ConversationItemDeleteEvent",
    "ConversationItemRetrieveEvent",
    "ConversationItemTruncateEvent",
    "InputAudioBufferAppendEvent",
    "InputAudioBufferClearEvent",
    "InputAudioBufferCommitEvent",
    "OutputAudioBufferClearEvent",
    "ResponseCancelEvent",
    "ResponseCreateEvent",
    "SessionUpdateEvent",
]


class ClientEvent(ClientEventBase):
    """Base of every GA client event; ``ClientEvent.parse`` dispatches on ``type``."""

    __dialect__: ClassVar[str | None] = "ga"


class SessionUpdateEvent(ClientEvent):
    """Update the session's default configuration."""

    type: Literal["session.update"] = "session.update"
    session: Session


class InputAudioBufferAppendEvent(AppendPayload, ClientEvent):
    """Append base64 audio, in the session's input format, to the input buffer."""

    type: Literal["input_audio_buffer.append"] = "input_audio_buffer.append"


class InputAudioBufferCommitEvent(ClientEvent):
    """Commit the input buffer as a user audio item."""

    type: Literal["input_audio_buffer.commit"] = "input_audio_buffer.commit"


class InputAudioBufferClearEvent(ClientEvent):
    """Discard the input buffer."""

    type: Literal["input_audio_buffer.clear"] = "input_audio_buffer.clear"


class ConversationItemCreateEvent(PreviousItemPayload, ClientEvent):
    """Add an item to the conversation, after ``previous_item_id`` when given."""

    type: Literal["conversation.item.create"] = "conversation.item.create"
    item: Item

    @classmethod
    def user_text(cls, text: str, **fields: Any) -> ConversationItemCreateEvent:
        """Create a user message with one text part."""
        return cls(item=UserMessageItem(content=[InputTextContent(text=text)]), **fields)

    @classmethod
    def function_call_output(
        cls, call_id: str, output: Any, **fields: Any
    ) -> ConversationItemCreateEvent:
        """Return a function call's result; non-string ``output`` is JSON-encoded."""
        return cls(item=FunctionCallOutputItem.for_call(call_id, output), **fields)


class ConversationItemTruncateEvent(TruncatePayload, ClientEvent):
    """Cut an assistant audio item at the point playback stopped."""

    type: Literal["conversation.item.truncate"] = "conversation.item.truncate"


class ConversationItemDeleteEvent(ItemIdPayload, ClientEvent):
    """Remove an item from the conversation."""

    type: Literal["conversation.item.delete"] = "conversation.item.delete"


class ConversationItemRetrieveEvent(ItemIdPayload, ClientEvent):
    """Ask for an item in full, audio included."""

    type: Literal["conversation.item.retrieve"] = "conversation.item.retrieve"


class ResponseCreateEvent(ClientEvent):
    """Start a response, with optional per-response overrides."""

    type: Literal["response.create"] = "response.create"
    response: ResponseCreateParams | None = None


class ResponseCancelEvent(CancelPayload, ClientEvent):
    """Cancel the active response, or the one named."""

    type: Literal["response.cancel"] = "response.cancel"


class OutputAudioBufferClearEvent(ClientEvent):
    """Drop buffered output audio (WebRTC and SIP only; a WebSocket server refuses it)."""

    type: Literal["output_audio_buffer.clear"] = "output_audio_buffer.clear"
