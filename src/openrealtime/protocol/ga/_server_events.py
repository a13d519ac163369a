"""The 46 GA server events.

Class names derive from the wire type: ``response.output_audio.delta`` is
``ResponseOutputAudioDeltaEvent``. Fields the wire always carries, ``null`` when
empty (``previous_item_id``, ``error.code``, ...), are required here so that they
are always emitted.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from .._base import InvalidServerEventBase, ServerEventBase, UnknownServerEventBase
from .._common import Conversation, PartRef, TranscriptionLanguage, TranscriptionUsage
from .._fields import B64
from .._payloads import (
    CommittedPayload,
    ErrorPayload,
    FunctionCallRef,
    ItemIdPayload,
    OutputRef,
    RateLimitsPayload,
    ResponseIdPayload,
    SpeechStartedPayload,
    SpeechStoppedPayload,
    TranscriptionDeltaPayload,
    TranscriptionFailedPayload,
    TranscriptionResultPayload,
    TruncatePayload,
)
from ._items import ContentPart, Item
from ._response import RealtimeResponse
from ._session import Session

__all__ = [
    "ConversationCreatedEvent",
    "ConversationItemAddedEvent",
    "ConversationItemCreatedEvent",
    "ConversationItemDeletedEvent",
    "ConversationItemDoneEvent",
    "ConversationItemInputAudioTranscriptionCompletedEvent",
    "ConversationItemInputAudioTranscriptionDeltaEvent",
    "ConversationItemInputAudioTranscriptionFailedEvent",
    "ConversationItemInputAudioTranscriptionSegmentEvent",
    "ConversationItemRetrievedEvent",
    "ConversationItemTruncatedEvent",
    "ErrorEvent",
    "InputAudioBufferClearedEvent",
    "InputAudioBufferCommittedEvent",
    "InputAudioBufferDtmfEventReceivedEvent",
    "InputAudioBufferSpeechStartedEvent",
    "InputAudioBufferSpeechStoppedEvent",
    "InputAudioBufferTimeoutTriggeredEvent",
    "InvalidServerEvent",
    "McpListToolsCompletedEvent",
    "McpListToolsFailedEvent",
    "McpListToolsInProgressEvent",
    "OutputAudioBufferClearedEvent",
    "OutputAudioBufferStartedEvent",
    "OutputAudioBufferStoppedEvent",
    "RateLimitsUpdatedEvent",
    "ResponseContentPartAddedEvent",
    "ResponseContentPartDoneEvent",
    "ResponseCreatedEvent",
    "ResponseDoneEvent",
    "ResponseFunctionCallArgumentsDeltaEvent",
    "ResponseFunctionCallArgumentsDoneEvent",
    "ResponseMcpCallArgumentsDeltaEvent",
    "ResponseMcpCallArgumentsDoneEvent",
    "ResponseMcpCallCompletedEvent",
    "ResponseMcpCallFailedEvent",
    "ResponseMcpCallInProgressEvent",
    "ResponseOutputAudioDeltaEvent",
    "ResponseOutputAudioDoneEvent",
    "ResponseOutputAudioTranscriptDeltaEvent",
    "ResponseOutputAudioTranscriptDoneEvent",
    "ResponseOutputItemAddedEvent",
    "ResponseOutputItemDoneEvent",
    "ResponseOutputTextDeltaEvent",
    "ResponseOutputTextDoneEvent",
    "ServerEvent",
    "SessionCreatedEvent",
    "SessionUpdatedEvent",
    "UnknownServerEvent",
]


class ServerEvent(ServerEventBase):
    """Base of every GA server event; ``ServerEvent.parse`` dispatches on ``type``."""

    __dialect__: ClassVar[str | None] = "ga"


class UnknownServerEvent(UnknownServerEventBase, ServerEvent):
    """A server event of a type GA does not define; all its fields are kept."""


class InvalidServerEvent(InvalidServerEventBase, ServerEvent):
    """A GA server event of a known type whose fields did not validate."""


class ErrorEvent(ErrorPayload, ServerEvent):
    """A client event was rejected, or something failed; usually not fatal."""

    type: Literal["error"] = "error"


class SessionCreatedEvent(ServerEvent):
    """The first server event of a session: the full default configuration."""

    type: Literal["session.created"] = "session.created"
    session: Session


class SessionUpdatedEvent(ServerEvent):
    """The full effective configuration after a ``session.update``."""

    type: Literal["session.updated"] = "session.updated"
    session: Session


class ConversationCreatedEvent(ServerEvent):
    """The default conversation was created (beta; GA servers do not send it)."""

    type: Literal["conversation.created"] = "conversation.created"
    conversation: Conversation


class ConversationItemCreatedEvent(ServerEvent):
    """An item was created (beta name; GA sends ``added`` and ``done``)."""

    type: Literal["conversation.item.created"] = "conversation.item.created"
    previous_item_id: str | None
    item: Item


class ConversationItemAddedEvent(ServerEvent):
    """An item was inserted into the conversation."""

    type: Literal["conversation.item.added"] = "conversation.item.added"
    previous_item_id: str | None
    item: Item


class ConversationItemDoneEvent(ServerEvent):
    """An item is final."""

    type: Literal["conversation.item.done"] = "conversation.item.done"
    previous_item_id: str | None
    item: Item


class ConversationItemRetrievedEvent(ServerEvent):
    """An item in full, audio included, answering ``conversation.item.retrieve``."""

    type: Literal["conversation.item.retrieved"] = "conversation.item.retrieved"
    item: Item


class ConversationItemTruncatedEvent(TruncatePayload, ServerEvent):
    """An assistant audio item was cut at ``audio_end_ms``."""

    type: Literal["conversation.item.truncated"] = "conversation.item.truncated"


class ConversationItemDeletedEvent(ItemIdPayload, ServerEvent):
    """An item was removed from the conversation."""

    type: Literal["conversation.item.deleted"] = "conversation.item.deleted"


class ConversationItemInputAudioTranscriptionDeltaEvent(TranscriptionDeltaPayload, ServerEvent):
    """Part of the transcript of a user audio item."""

    type: Literal["conversation.item.input_audio_transcription.delta"] = (
        "conversation.item.input_audio_transcription.delta"
    )
    obfuscation: str | None = None


class ConversationItemInputAudioTranscriptionCompletedEvent(
    TranscriptionResultPayload, ServerEvent
):
    """The full transcript of a user audio item, and the languages detected in it."""

    type: Literal["conversation.item.input_audio_transcription.completed"] = (
        "conversation.item.input_audio_transcription.completed"
    )
    usage: TranscriptionUsage
    languages: list[TranscriptionLanguage] | None = None


class ConversationItemInputAudioTranscriptionSegmentEvent(ServerEvent):
    """A diarized segment of a user audio item's transcript."""

    type: Literal["conversation.item.input_audio_transcription.segment"] = (
        "conversation.item.input_audio_transcription.segment"
    )
    item_id: str
    content_index: int
    text: str
    id: str
    speaker: str
    start: float
    end: float


class ConversationItemInputAudioTranscriptionFailedEvent(TranscriptionFailedPayload, ServerEvent):
    """Transcribing a user audio item failed."""

    type: Literal["conversation.item.input_audio_transcription.failed"] = (
        "conversation.item.input_audio_transcription.failed"
    )


class InputAudioBufferCommittedEvent(CommittedPayload, ServerEvent):
    """The input buffer became user item ``item_id``."""

    type: Literal["input_audio_buffer.committed"] = "input_audio_buffer.committed"


class InputAudioBufferClearedEvent(ServerEvent):
    """The input buffer was emptied."""

    type: Literal["input_audio_buffer.cleared"] = "input_audio_buffer.cleared"


class InputAudioBufferSpeechStartedEvent(SpeechStartedPayload, ServerEvent):
    """Turn detection heard speech start; ``item_id`` is the item it will become."""

    type: Literal["input_audio_buffer.speech_started"] = "input_audio_buffer.speech_started"


class InputAudioBufferSpeechStoppedEvent(SpeechStoppedPayload, ServerEvent):
    """Turn detection heard speech end."""

    type: Literal["input_audio_buffer.speech_stopped"] = "input_audio_buffer.speech_stopped"


class InputAudioBufferTimeoutTriggeredEvent(ServerEvent):
    """The user stayed silent for ``idle_timeout_ms``."""

    type: Literal["input_audio_buffer.timeout_triggered"] = "input_audio_buffer.timeout_triggered"
    audio_start_ms: int
    audio_end_ms: int
    item_id: str


class InputAudioBufferDtmfEventReceivedEvent(ServerEvent):
    """A DTMF key press on a SIP call. It carries no ``event_id``."""

    type: Literal["input_audio_buffer.dtmf_event_received"] = (
        "input_audio_buffer.dtmf_event_received"
    )
    # The only server event without an event_id on the wire.
    event_id: str | None = None  # type: ignore[assignment]
    event: str
    received_at: int


class OutputAudioBufferStartedEvent(ResponseIdPayload, ServerEvent):
    """Playback of a response's audio began (WebRTC and SIP)."""

    type: Literal["output_audio_buffer.started"] = "output_audio_buffer.started"


class OutputAudioBufferStoppedEvent(ResponseIdPayload, ServerEvent):
    """Playback of a response's audio ended (WebRTC and SIP)."""

    type: Literal["output_audio_buffer.stopped"] = "output_audio_buffer.stopped"


class OutputAudioBufferClearedEvent(ResponseIdPayload, ServerEvent):
    """Buffered output audio was dropped (WebRTC and SIP)."""

    type: Literal["output_audio_buffer.cleared"] = "output_audio_buffer.cleared"


class ResponseCreatedEvent(ServerEvent):
    """A response started (``status: in_progress``)."""

    type: Literal["response.created"] = "response.created"
    response: RealtimeResponse


class ResponseDoneEvent(ServerEvent):
    """A response ended; always sent once per ``response.created``."""

    type: Literal["response.done"] = "response.done"
    response: RealtimeResponse


class ResponseOutputItemAddedEvent(OutputRef, ServerEvent):
    """A response began an output item."""

    type: Literal["response.output_item.added"] = "response.output_item.added"
    item: Item


class ResponseOutputItemDoneEvent(OutputRef, ServerEvent):
    """A response finished an output item."""

    type: Literal["response.output_item.done"] = "response.output_item.done"
    item: Item


class ResponseContentPartAddedEvent(PartRef, ServerEvent):
    """An output item began a content part."""

    type: Literal["response.content_part.added"] = "response.content_part.added"
    part: ContentPart


class ResponseContentPartDoneEvent(PartRef, ServerEvent):
    """An output item finished a content part."""

    type: Literal["response.content_part.done"] = "response.content_part.done"
    part: ContentPart


class ResponseOutputTextDeltaEvent(PartRef, ServerEvent):
    """More text."""

    type: Literal["response.output_text.delta"] = "response.output_text.delta"
    delta: str
    obfuscation: str | None = None


class ResponseOutputTextDoneEvent(PartRef, ServerEvent):
    """The full text of a part."""

    type: Literal["response.output_text.done"] = "response.output_text.done"
    text: str


class ResponseOutputAudioTranscriptDeltaEvent(PartRef, ServerEvent):
    """More transcript of the output audio."""

    type: Literal["response.output_audio_transcript.delta"] = (
        "response.output_audio_transcript.delta"
    )
    delta: str
    obfuscation: str | None = None


class ResponseOutputAudioTranscriptDoneEvent(PartRef, ServerEvent):
    """The full transcript of the output audio."""

    type: Literal["response.output_audio_transcript.done"] = "response.output_audio_transcript.done"
    transcript: str


class ResponseOutputAudioDeltaEvent(PartRef, ServerEvent):
    """More output audio (base64, session output format)."""

    type: Literal["response.output_audio.delta"] = "response.output_audio.delta"
    delta: B64


class ResponseOutputAudioDoneEvent(PartRef, ServerEvent):
    """The output audio of a part is complete."""

    type: Literal["response.output_audio.done"] = "response.output_audio.done"


class ResponseFunctionCallArgumentsDeltaEvent(FunctionCallRef, ServerEvent):
    """More of a function call's JSON arguments."""

    type: Literal["response.function_call_arguments.delta"] = (
        "response.function_call_arguments.delta"
    )
    delta: str


class ResponseFunctionCallArgumentsDoneEvent(FunctionCallRef, ServerEvent):
    """A function call's complete arguments."""

    type: Literal["response.function_call_arguments.done"] = "response.function_call_arguments.done"
    name: str
    arguments: str


class ResponseMcpCallArgumentsDeltaEvent(ServerEvent):
    """More of an MCP call's arguments."""

    type: Literal["response.mcp_call_arguments.delta"] = "response.mcp_call_arguments.delta"
    response_id: str
    item_id: str
    output_index: int
    delta: str
    obfuscation: str | None = None


class ResponseMcpCallArgumentsDoneEvent(ServerEvent):
    """An MCP call's complete arguments."""

    type: Literal["response.mcp_call_arguments.done"] = "response.mcp_call_arguments.done"
    response_id: str
    item_id: str
    output_index: int
    arguments: str


class ResponseMcpCallInProgressEvent(ServerEvent):
    """An MCP call is running."""

    type: Literal["response.mcp_call.in_progress"] = "response.mcp_call.in_progress"
    output_index: int
    item_id: str


class ResponseMcpCallCompletedEvent(ServerEvent):
    """An MCP call succeeded."""

    type: Literal["response.mcp_call.completed"] = "response.mcp_call.completed"
    output_index: int
    item_id: str


class ResponseMcpCallFailedEvent(ServerEvent):
    """An MCP call failed."""

    type: Literal["response.mcp_call.failed"] = "response.mcp_call.failed"
    output_index: int
    item_id: str


class McpListToolsInProgressEvent(ItemIdPayload, ServerEvent):
    """Listing an MCP server's tools began."""

    type: Literal["mcp_list_tools.in_progress"] = "mcp_list_tools.in_progress"


class McpListToolsCompletedEvent(ItemIdPayload, ServerEvent):
    """Listing an MCP server's tools succeeded."""

    type: Literal["mcp_list_tools.completed"] = "mcp_list_tools.completed"


class McpListToolsFailedEvent(ItemIdPayload, ServerEvent):
    """Listing an MCP server's tools failed."""

    type: Literal["mcp_list_tools.failed"] = "mcp_list_tools.failed"


class RateLimitsUpdatedEvent(RateLimitsPayload, ServerEvent):
    """The session's rate limits (GA: after ``response.done``, tokens only)."""

    type: Literal["rate_limits.updated"] = "rate_limits.updated"
