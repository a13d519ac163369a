"""The 11 GA client events, in the order OpenAI lists them."""

from __future__ import annotations

import base64
from typing import Annotated, Any, ClassVar, Literal

from .._base import ClientEventBase
from .._fields import B64, value_range
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

NonNegative = Annotated[int, value_range(0)]


class ClientEvent(ClientEventBase):
    """Base of every GA client event; ``ClientEvent.parse`` dispatches on ``type``."""

    __dialect__: ClassVar[str | None] = "ga"


class SessionUpdateEvent(ClientEvent):
    """Update the session's default configuration."""

    type: Literal["session.update"] = "session.update"
    session: Session


class InputAudioBufferAppendEvent(ClientEvent):
    """Append base64 audio, in the session's input format, to the input buffer."""

    type: Literal["input_audio_buffer.append"] = "input_audio_buffer.append"
    audio: B64

    @classmethod
    def from_pcm16(
        cls, pcm: bytes | bytearray | memoryview, *, event_id: str | None = None
    ) -> InputAudioBufferAppendEvent:
        """An append of raw audio bytes (PCM16 little-endian, or G.711 for those formats)."""
        audio = base64.b64encode(pcm).decode("ascii")
        return cls(audio=audio) if event_id is None else cls(audio=audio, event_id=event_id)


class InputAudioBufferCommitEvent(ClientEvent):
    """Commit the input buffer as a user audio item."""

    type: Literal["input_audio_buffer.commit"] = "input_audio_buffer.commit"


class InputAudioBufferClearEvent(ClientEvent):
    """Discard the input buffer."""

    type: Literal["input_audio_buffer.clear"] = "input_audio_buffer.clear"


class ConversationItemCreateEvent(ClientEvent):
    """Add an item to the conversation, after ``previous_item_id`` when given."""

    type: Literal["conversation.item.create"] = "conversation.item.create"
    previous_item_id: str | None = None
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


class ConversationItemTruncateEvent(ClientEvent):
    """Cut an assistant audio item at the point playback stopped."""

    type: Literal["conversation.item.truncate"] = "conversation.item.truncate"
    item_id: str
    content_index: NonNegative
    audio_end_ms: NonNegative


class ConversationItemDeleteEvent(ClientEvent):
    """Remove an item from the conversation."""

    type: Literal["conversation.item.delete"] = "conversation.item.delete"
    item_id: str


class ConversationItemRetrieveEvent(ClientEvent):
    """Ask for an item in full, audio included."""

    type: Literal["conversation.item.retrieve"] = "conversation.item.retrieve"
    item_id: str


class ResponseCreateEvent(ClientEvent):
    """Start a response, with optional per-response overrides."""

    type: Literal["response.create"] = "response.create"
    response: ResponseCreateParams | None = None


class ResponseCancelEvent(ClientEvent):
    """Cancel the active response, or the one named."""

    type: Literal["response.cancel"] = "response.cancel"
    response_id: str | None = None


class OutputAudioBufferClearEvent(ClientEvent):
    """Drop buffered output audio (WebRTC and SIP only; a WebSocket server refuses it)."""

    type: Literal["output_audio_buffer.clear"] = "output_audio_buffer.clear"
