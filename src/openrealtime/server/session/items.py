"""``conversation.item.create``, ``retrieve``, ``delete`` and ``truncate``.

Items created by the client are stored with ``status: "completed"``. Their audio
is kept for retrieval and for the engines, and never echoed in item events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from ...audio.b64 import InvalidBase64Error, b64decode, b64encode
from ...audio.formats import audio_format_from_wire
from ...protocol import ga
from . import errors
from .conversation import ROOT, AudioTrack, StoredItem

if TYPE_CHECKING:
    from .session import Session

__all__ = ["Items", "kept_transcript", "wire_item"]

_CREATABLE = ("message", "function_call", "function_call_output")
_Creatable = (
    ga.SystemMessageItem
    | ga.UserMessageItem
    | ga.AssistantMessageItem
    | ga.FunctionCallItem
    | ga.FunctionCallOutputItem
)


def kept_transcript(
    track: AudioTrack, transcript: str, end_ms: float, mode: Literal["spoken", "delete"]
) -> str:
    """The transcript a truncation at ``end_ms`` keeps: the words heard, or nothing."""
    if mode == "delete":
        return ""
    return transcript[: track.spoken_prefix(end_ms)]


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

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, stored: StoredItem, after: str | None) -> None:
        """Insert an item and announce it: ``conversation.item.added`` then ``.done``."""
        ctx = self._session.ctx
        previous = self._session.conversation.insert(stored, after)
        for event_class in (ga.ConversationItemAddedEvent, ga.ConversationItemDoneEvent):
            ctx.emit(
                event_class(
                    event_id=ctx.event_id(), previous_item_id=previous, item=wire_item(stored)
                )
            )

    def create(self, event: ga.ConversationItemCreateEvent) -> None:
        """Check and add a client's item."""
        session = self._session
        conversation = session.conversation
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
        audio = self.extract_audio(item, event_id, "item")
        item.id = item.id or session.ctx.ids.new("item_")
        item.status = "completed"
        if isinstance(item, ga.FunctionCallItem) and item.call_id is None:
            item.call_id = session.ctx.ids.new("call_", 16)
        stored = StoredItem(item=item, audio=audio)
        self.add(stored, after)
        for index, track in audio.items():
            if index == 0:
                session.transcriptions.start(stored, bytes(track.pcm), track.sample_rate)

    def retrieve(self, event: ga.ConversationItemRetrieveEvent) -> None:
        """Send an item in full, its audio included."""
        stored = self._session.conversation.get(event.item_id)
        if stored is None:
            raise errors.item_not_found(event.item_id, "item_id", event.event_id)
        ctx = self._session.ctx
        ctx.emit(
            ga.ConversationItemRetrievedEvent(
                event_id=ctx.event_id(), item=wire_item(stored, with_audio=True)
            )
        )

    def delete(self, event: ga.ConversationItemDeleteEvent) -> None:
        """Remove an item; a response still generating it is cancelled first."""
        session = self._session
        stored = session.conversation.get(event.item_id)
        if stored is None:
            raise errors.item_not_found(event.item_id, "item_id", event.event_id)
        if stored.response_id is not None:
            session.responses.cancel_by_id(stored.response_id, "client_cancelled")
        session.conversation.delete(event.item_id)
        ctx = session.ctx
        ctx.emit(ga.ConversationItemDeletedEvent(event_id=ctx.event_id(), item_id=event.item_id))

    def truncate(self, event: ga.ConversationItemTruncateEvent) -> None:
        """Cut assistant audio at what was heard; the transcript follows the cut."""
        session = self._session
        stored = session.conversation.get(event.item_id)
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
            session.responses.mute(stored.response_id, event.item_id, index, event.audio_end_ms)
        content = item.content[index]
        assert isinstance(content, ga.OutputAudioContent)
        content.transcript = kept_transcript(
            track,
            content.transcript or "",
            event.audio_end_ms,
            session.ctx.options.truncation_transcript,
        )
        track.cut(event.audio_end_ms)
        track.words = [w for w in track.words if w[0] <= event.audio_end_ms]
        ctx = session.ctx
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
            for stored in self._session.conversation
        )

    def extract_audio(self, item: Any, event_id: str | None, param: str) -> dict[int, AudioTrack]:
        """Move client audio out of an item's wire view into tracks (input format)."""
        tracks: dict[int, AudioTrack] = {}
        if not isinstance(item, ga.UserMessageItem):
            return tracks
        fmt = audio_format_from_wire(self._session.view.input_format)
        for index, part in enumerate(item.content):
            if not isinstance(part, ga.InputAudioContent):
                continue
            if part.audio is not None:
                try:
                    wire = b64decode(part.audio)
                except InvalidBase64Error:
                    where = f"{param}.content[{index}].audio"
                    raise errors.invalid_audio(event_id, where) from None
                tracks[index] = AudioTrack(
                    fmt.beta_name, fmt.sample_rate, bytearray(fmt.decode(wire))
                )
            item.content[index] = ga.InputAudioContent(transcript=part.transcript)
        return tracks
