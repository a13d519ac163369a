"""``conversation.item.create``, ``retrieve``, ``delete`` and ``truncate``.

Items created by the client are stored with ``status: "completed"``. Their audio
is kept for retrieval and for the engines, and never echoed in item events.
"""

from __future__ import annotations

from typing import Literal, Protocol

from ...audio.b64 import InvalidBase64Error, b64decode, b64encode
from ...audio.formats import AudioFormat, audio_format_from_wire
from ...protocol import ga
from . import errors
from .context import SessionContext
from .conversation import ROOT, AudioTrack, Conversation, StoredItem
from .transcription import Transcriptions
from .view import EffectiveSession

__all__ = ["GeneratingResponses", "Items", "client_audio", "wire_item"]

_CREATABLE = ("message", "function_call", "function_call_output")
_Creatable = (
    ga.SystemMessageItem
    | ga.UserMessageItem
    | ga.AssistantMessageItem
    | ga.FunctionCallItem
    | ga.FunctionCallOutputItem
)


class GeneratingResponses(Protocol):
    """What item events need of the responses that may be generating an item."""

    def cancel_by_id(
        self, response_id: str, reason: Literal["turn_detected", "client_cancelled"]
    ) -> None:
        """Cancel a running response, if it still runs."""
        ...

    def mute(self, response_id: str, item_id: str, content_index: int, end_ms: float) -> None:
        """Stop the speech of a part a client truncated while it generates."""
        ...


def client_audio(
    item: ga.UserMessageItem, fmt: AudioFormat, event_id: str | None, param: str
) -> dict[int, AudioTrack]:
    """Move a client item's audio out of its wire view into tracks (PCM16, in ``fmt``'s rate).

    The item keeps its audio parts, without the bytes; ``param`` names the item in errors.
    """
    tracks: dict[int, AudioTrack] = {}
    for index, part in enumerate(item.content):
        if not isinstance(part, ga.InputAudioContent):
            continue
        if part.audio is not None:
            try:
                wire = b64decode(part.audio)
            except InvalidBase64Error:
                raise errors.invalid_audio(event_id, f"{param}.content[{index}].audio") from None
            tracks[index] = AudioTrack(fmt.beta_name, fmt.sample_rate, bytearray(fmt.decode(wire)))
        item.content[index] = ga.InputAudioContent(transcript=part.transcript)
    return tracks


def wire_item(stored: StoredItem, *, with_audio: bool = False) -> ga.Item:
    """The item as an event carries it: a copy, audio bytes only when asked for."""
    item = stored.item.model_copy(deep=True)
    if with_audio and isinstance(item, ga.UserMessageItem | ga.AssistantMessageItem):
        for index, track in stored.audio.items():
            if index < len(item.content):
                part = item.content[index]
                if isinstance(part, ga.InputAudioContent | ga.OutputAudioContent):
                    fmt = audio_format_from_wire(track.format_name)
                    part.audio = b64encode(fmt.encode(bytes(track.pcm), track.sample_rate))
    return item


class Items:
    """Item events of the default conversation."""

    def __init__(
        self,
        ctx: SessionContext,
        conversation: Conversation,
        settings: EffectiveSession,
        transcriptions: Transcriptions,
        responses: GeneratingResponses,
    ) -> None:
        self._ctx = ctx
        self._conversation = conversation
        self._settings = settings
        self._transcriptions = transcriptions
        self._responses = responses

    def add(self, stored: StoredItem, after: str | None) -> None:
        """Insert an item and announce it: ``conversation.item.added`` then ``.done``."""
        ctx = self._ctx
        previous = self._conversation.insert(stored, after)
        for event_class in (ga.ConversationItemAddedEvent, ga.ConversationItemDoneEvent):
            ctx.emit(
                event_class(
                    event_id=ctx.event_id(), previous_item_id=previous, item=wire_item(stored)
                )
            )

    def create(self, event: ga.ConversationItemCreateEvent) -> None:
        """Check and add a client's item."""
        conversation = self._conversation
        item = event.item.model_copy(deep=True)
        event_id = event.event_id
        if item.type not in _CREATABLE:
            raise errors.unsupported_value(item.type, _CREATABLE, "item.type", event_id)
        after = event.previous_item_id
        if after is not None and after != ROOT and after not in conversation:
            raise errors.item_not_found(after, "previous_item_id", event_id)
        if item.id is not None and item.id in conversation:
            raise errors.duplicate_item_id(item.id, event_id)
        if isinstance(item, ga.AssistantMessageItem):
            for index, part in enumerate(item.content):
                if isinstance(part, ga.OutputAudioContent):
                    raise errors.assistant_audio(f"item.content[{index}].type", event_id)
        if isinstance(item, ga.FunctionCallOutputItem) and not self._has_call(item.call_id):
            raise errors.no_function_call(item.call_id, event_id)
        assert isinstance(item, _Creatable)
        audio = (
            client_audio(item, self._settings.view.input_format, event_id, "item")
            if isinstance(item, ga.UserMessageItem)
            else {}
        )
        item.id = item.id or self._ctx.ids.new("item_")
        item.status = "completed"
        if isinstance(item, ga.FunctionCallItem) and item.call_id is None:
            item.call_id = self._ctx.ids.new("call_", 16)
        stored = StoredItem(item=item, audio=audio)
        self.add(stored, after)
        first = audio.get(0)
        if first is not None:
            self._transcriptions.start(stored, bytes(first.pcm), first.sample_rate)

    def retrieve(self, event: ga.ConversationItemRetrieveEvent) -> None:
        """Send an item in full, its audio included."""
        stored = self._conversation.get(event.item_id)
        if stored is None:
            raise errors.item_not_found(event.item_id, "item_id", event.event_id)
        ctx = self._ctx
        ctx.emit(
            ga.ConversationItemRetrievedEvent(
                event_id=ctx.event_id(), item=wire_item(stored, with_audio=True)
            )
        )

    def delete(self, event: ga.ConversationItemDeleteEvent) -> None:
        """Remove an item; a response still generating it is cancelled first."""
        stored = self._conversation.get(event.item_id)
        if stored is None:
            raise errors.item_not_found(event.item_id, "item_id", event.event_id)
        if stored.response_id is not None:
            self._responses.cancel_by_id(stored.response_id, "client_cancelled")
        self._conversation.delete(event.item_id)
        ctx = self._ctx
        ctx.emit(ga.ConversationItemDeletedEvent(event_id=ctx.event_id(), item_id=event.item_id))

    def truncate(self, event: ga.ConversationItemTruncateEvent) -> None:
        """Cut assistant audio at what was heard; the transcript follows the cut."""
        stored = self._conversation.get(event.item_id)
        if stored is None:
            raise errors.truncate_item_not_found(event.item_id, event.event_id)
        item, index = stored.item, event.content_index
        track = stored.audio.get(index)
        if (
            not isinstance(item, ga.AssistantMessageItem)
            or index >= len(item.content)
            or not isinstance(item.content[index], ga.OutputAudioContent)
            or track is None
            or not track.pcm
        ):
            raise errors.truncate_not_audio(event.event_id)
        sent_ms = track.duration_ms
        if event.audio_end_ms > sent_ms:
            raise errors.audio_too_short_for_truncate(
                int(sent_ms), event.audio_end_ms, event.event_id
            )
        if stored.response_id is not None:
            self._responses.mute(stored.response_id, event.item_id, index, event.audio_end_ms)
        content = item.content[index]
        assert isinstance(content, ga.OutputAudioContent)
        content.transcript = track.kept_transcript(
            content.transcript or "", event.audio_end_ms, self._ctx.options.truncation_transcript
        )
        track.cut(event.audio_end_ms)
        ctx = self._ctx
        ctx.emit(
            ga.ConversationItemTruncatedEvent(
                event_id=ctx.event_id(),
                item_id=event.item_id,
                content_index=index,
                audio_end_ms=event.audio_end_ms,
            )
        )

    def _has_call(self, call_id: str) -> bool:
        return any(
            isinstance(stored.item, ga.FunctionCallItem) and stored.item.call_id == call_id
            for stored in self._conversation
        )
