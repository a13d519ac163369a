"""The 35 beta server events: the SDK's 34 plus ``transcription_session.created``.

Class names follow the seed: ``ResponseAudioDeltaEvent`` for ``response.audio.delta``,
and ``InputAudioBufferCommittedEvent`` spelled right.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from .._base import InvalidServerEventBase, ServerEventBase, UnknownServerEventBase
from .._common import Conversation, PartRef, TranscriptionUsage
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
from ..ga._items import ContentPart
from ._items import Item
from ._response import RealtimeResponse
from ._session import Session, TranscriptionSession

__all__ = [
    "ConversationCreatedEvent",
    "ConversationItemCreatedEvent",
    "ConversationItemDeletedEvent",
    "ConversationItemInputAudioTranscriptionCompletedEvent",
    "ConversationItemInputAudioTranscriptionDeltaEvent",
    "ConversationItemInputAudioTranscriptionFailedEvent",
    "ConversationItemRetrievedEvent",
    "ConversationItemTruncatedEvent",
    "ErrorEvent",
    "InputAudioBufferClearedEvent",
    "InputAudioBufferCommittedEvent",
    "InputAudioBufferSpeechStartedEvent",
    "InputAudioBufferSpeechStoppedEvent",
    "InvalidServerEvent",
    "OutputAudioBufferClearedEvent",
    "OutputAudioBufferStartedEvent",
    "OutputAudioBufferStoppedEvent",
    "RateLimitsUpdatedEvent",
    "ResponseAudioDeltaEvent",
    "ResponseAudioDoneEvent",
    "ResponseAudioTranscriptDeltaEvent",
    "ResponseAudioTranscriptDoneEvent",
    "ResponseContentPartAddedEvent",
    "ResponseContentPartDoneEvent",
    "ResponseCreatedEvent",
    "ResponseDoneEvent",
    "ResponseFunctionCallArgumentsDeltaEvent",
    "ResponseFunctionCallArgumentsDoneEvent",
    "ResponseOutputItemAddedEvent",
    "ResponseOutputItemDoneEvent",
    "ResponseTextDeltaEvent",
    "ResponseTextDoneEvent",
    "ServerEvent",
    "SessionCreatedEvent",
    "SessionUpdatedEvent",
    "TranscriptionSessionCreatedEvent",
    "TranscriptionSessionUpdatedEvent",
    "UnknownServerEvent",
]


class ServerEvent(ServerEventBase):
    """Base of every beta server event; ``ServerEvent.parse`` dispatches on ``type``."""

    __dialect__: ClassVar[str | None] = "beta"


class UnknownServerEvent(UnknownServerEventBase, ServerEvent):
    """A server event of a type beta does not define; all its fields are kept."""


class InvalidServerEvent(InvalidServerEventBase, ServerEvent):
    """A beta server event of a known type whose fields did not validate."""


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


class TranscriptionSessionCreatedEvent(ServerEvent):
    """The first server event of a transcription session."""

    type: Literal["transcription_session.created"] = "transcription_session.created"
    session: TranscriptionSession


class TranscriptionSessionUpdatedEvent(ServerEvent):
    """The full transcription configuration after ``transcription_session.update``."""

    type: Literal["transcription_session.updated"] = "transcription_session.updated"
    session: TranscriptionSession


class ConversationCreatedEvent(ServerEvent):
    """The default conversation was created; it follows ``session.created``."""

    type: Literal["conversation.created"] = "conversation.created"
    conversation: Conversation


class ConversationItemCreatedEvent(ServerEvent):
    """An item was inserted into the conversation."""

    type: Literal["conversation.item.created"] = "conversation.item.created"
    previous_item_id: str | None
    item: Item


class ConversationItemRetrievedEvent(ServerEvent):
    """An item in full, audio included, answering ``conversation.item.retrieve``."""

    type: Literal["conversation.item.retrieved"] = "conversation.item.retrieved"
    item: Item


class ConversationItemInputAudioTranscriptionDeltaEvent(TranscriptionDeltaPayload, ServerEvent):
    """Part of the transcript of a user audio item."""

    type: Literal["conversation.item.input_audio_transcription.delta"] = (
        "conversation.item.input_audio_transcription.delta"
    )


class ConversationItemInputAudioTranscriptionCompletedEvent(
    TranscriptionResultPayload, ServerEvent
):
    """The full transcript of a user audio item (``usage`` appeared late in beta)."""

    type: Literal["conversation.item.input_audio_transcription.completed"] = (
        "conversation.item.input_audio_transcription.completed"
    )
    usage: TranscriptionUsage | None = None


class ConversationItemInputAudioTranscriptionFailedEvent(TranscriptionFailedPayload, ServerEvent):
    """Transcribing a user audio item failed."""

    type: Literal["conversation.item.input_audio_transcription.failed"] = (
        "conversation.item.input_audio_transcription.failed"
    )


class ConversationItemTruncatedEvent(TruncatePayload, ServerEvent):
    """An assistant audio item was cut at ``audio_end_ms``."""

    type: Literal["conversation.item.truncated"] = "conversation.item.truncated"


class ConversationItemDeletedEvent(ItemIdPayload, ServerEvent):
    """An item was removed from the conversation."""

    type: Literal["conversation.item.deleted"] = "conversation.item.deleted"


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


class OutputAudioBufferStartedEvent(ResponseIdPayload, ServerEvent):
    """Playback of a response's audio began (WebRTC)."""

    type: Literal["output_audio_buffer.started"] = "output_audio_buffer.started"


class OutputAudioBufferStoppedEvent(ResponseIdPayload, ServerEvent):
    """Playback of a response's audio ended (WebRTC)."""

    type: Literal["output_audio_buffer.stopped"] = "output_audio_buffer.stopped"


class OutputAudioBufferClearedEvent(ResponseIdPayload, ServerEvent):
    """Buffered output audio was dropped (WebRTC)."""

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


class ResponseTextDeltaEvent(PartRef, ServerEvent):
    """More text."""

    type: Literal["response.text.delta"] = "response.text.delta"
    delta: str


class ResponseTextDoneEvent(PartRef, ServerEvent):
    """The full text of a part."""

    type: Literal["response.text.done"] = "response.text.done"
    text: str


class ResponseAudioTranscriptDeltaEvent(PartRef, ServerEvent):
    """More transcript of the output audio."""

    type: Literal["response.audio_transcript.delta"] = "response.audio_transcript.delta"
    delta: str


class ResponseAudioTranscriptDoneEvent(PartRef, ServerEvent):
    """The full transcript of the output audio."""

    type: Literal["response.audio_transcript.done"] = "response.audio_transcript.done"
    transcript: str


class ResponseAudioDeltaEvent(PartRef, ServerEvent):
    """More output audio (base64, session output format)."""

    type: Literal["response.audio.delta"] = "response.audio.delta"
    delta: B64


class ResponseAudioDoneEvent(PartRef, ServerEvent):
    """The output audio of a part is complete."""

    type: Literal["response.audio.done"] = "response.audio.done"


class ResponseFunctionCallArgumentsDeltaEvent(FunctionCallRef, ServerEvent):
    """More of a function call's JSON arguments."""

    type: Literal["response.function_call_arguments.delta"] = (
        "response.function_call_arguments.delta"
    )
    delta: str


class ResponseFunctionCallArgumentsDoneEvent(FunctionCallRef, ServerEvent):
    """A function call's complete arguments (beta carries no ``name``)."""

    type: Literal["response.function_call_arguments.done"] = "response.function_call_arguments.done"
    arguments: str


class RateLimitsUpdatedEvent(RateLimitsPayload, ServerEvent):
    """The session's rate limits (beta: right after ``response.created``)."""

    type: Literal["rate_limits.updated"] = "rate_limits.updated"
