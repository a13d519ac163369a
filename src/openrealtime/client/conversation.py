"""The conversation mirror: the server's conversation, as the server holds it.

:class:`Conversation` changes only when a server event arrives (the client feeds it
each event's :class:`~openrealtime.client.wire.Envelope`):

- Items go where the server puts them: after ``previous_item_id``, at the front when
  it is ``null`` (an insert at ``root``), at the end when a server leaves it out.
  An output item of a response in the default conversation is placed as soon as
  ``response.output_item.added`` names it, for servers that never send
  ``conversation.item.added``; out-of-band output is kept apart (:meth:`get` finds it,
  :attr:`items` does not list it).
- Text, audio (decoded to PCM16) and transcripts are assembled from their deltas; the
  ``.done`` events then set the server's final text.
- Input transcriptions attach to their user item by id, also when they complete before
  the item arrives or out of turn order.
- ``conversation.item.truncated`` cuts the audio at ``audio_end_ms`` and forgets the
  transcript, which no longer matches (the server rewrites it); a
  ``conversation.item.retrieved`` then brings the server's text, transcript and audio.
- ``conversation.item.deleted`` removes the item.
"""

from __future__ import annotations

import asyncio
import binascii
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Final

from ..audio import PCM16, AudioFormat, b64decode, bytes_for_ms, duration_ms
from .errors import RealtimeError
from .wire import Envelope, ItemData, PartData

__all__ = ["AudioChunk", "AudioStream", "ContentPart", "Conversation", "ConversationItem"]

logger = logging.getLogger("openrealtime.client")

_TEXT_TYPES: Final = frozenset({"input_text", "output_text"})
_AUDIO_TYPES: Final = frozenset({"input_audio", "output_audio"})


@dataclass
class ContentPart:
    """One part of an item's content; ``audio`` is PCM16 mono at ``sample_rate``."""

    type: str
    text: str | None = None
    transcript: str | None = None
    audio: bytearray = field(default_factory=bytearray, repr=False)
    sample_rate: int = PCM16.sample_rate
    truncated: bool = False

    @property
    def audio_ms(self) -> float:
        """The duration of the audio received for this part, in ms."""
        return duration_ms(len(self.audio), self.sample_rate)


@dataclass(frozen=True)
class AudioChunk:
    """A piece of output audio as it arrived: PCM16 of one item's content part."""

    item_id: str
    content_index: int
    pcm: bytes
    sample_rate: int


@dataclass
class ConversationItem:
    """An item of the conversation, kept up to date by server events.

    ``text`` joins the text parts, ``transcript`` the audio parts' transcripts (``None``
    when no audio part has one), ``audio`` their PCM16. Function calls carry ``name``,
    ``call_id`` and ``arguments``; their outputs ``call_id`` and ``output``.
    """

    id: str
    type: str = "message"
    role: str | None = None
    status: str | None = None
    content: list[ContentPart] = field(default_factory=list)
    name: str | None = None
    call_id: str | None = None
    arguments: str | None = None
    output: str | None = None
    response_id: str | None = None
    transcription_error: RealtimeError | None = None

    @property
    def text(self) -> str:
        """The text of the item's text parts."""
        return "".join(p.text or "" for p in self.content if p.type in _TEXT_TYPES)

    @property
    def transcript(self) -> str | None:
        """The transcript of the item's audio parts, if any is known."""
        known = [p.transcript for p in self.content if p.type in _AUDIO_TYPES]
        present = [t for t in known if t is not None]
        return "".join(present) if present else None

    @property
    def audio(self) -> bytes:
        """The item's audio as PCM16 mono (at :attr:`sample_rate`)."""
        return b"".join(bytes(p.audio) for p in self.content if p.type in _AUDIO_TYPES)

    @property
    def sample_rate(self) -> int:
        """The sample rate of :attr:`audio`."""
        return next((p.sample_rate for p in self.content if p.audio), PCM16.sample_rate)

    @property
    def truncated(self) -> bool:
        """Whether the server cut this item's audio."""
        return any(p.truncated for p in self.content)

    @property
    def done(self) -> bool:
        """Whether the item is final (not ``in_progress``)."""
        return self.status != "in_progress"

    def audio_part(self) -> tuple[int, ContentPart] | None:
        """The index and part of the item's first audio part."""
        for index, part in enumerate(self.content):
            if part.type in _AUDIO_TYPES:
                return index, part
        return None


@dataclass
class _Transcription:
    """Transcription events that came before their item."""

    deltas: dict[int, str] = field(default_factory=dict)
    final: dict[int, str] = field(default_factory=dict)
    error: RealtimeError | None = None


AudioListener = Callable[[AudioChunk], None]


class Conversation:
    """The mirror of the server's default conversation (see the module docstring)."""

    def __init__(self) -> None:
        self._order: list[str] = []
        self._items: dict[str, ConversationItem] = {}
        self._out_of_band: set[str] = set()
        self._early: dict[str, _Transcription] = {}
        self._audio_listeners: list[AudioListener] = []
        self.input_format: AudioFormat = PCM16
        self.output_format: AudioFormat = PCM16

    @property
    def items(self) -> list[ConversationItem]:
        """The items, in the server's order."""
        return [self._items[item_id] for item_id in self._order]

    def __len__(self) -> int:
        return len(self._order)

    def __iter__(self) -> Iterator[ConversationItem]:
        return iter(self.items)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._order

    def __getitem__(self, item_id: str) -> ConversationItem:
        if item_id not in self._order:
            raise KeyError(item_id)
        return self._items[item_id]

    def get(self, item_id: str) -> ConversationItem | None:
        """Any item the server told of, out-of-band output included."""
        return self._items.get(item_id)

    def on_audio(self, listener: AudioListener) -> Callable[[], None]:
        """Call ``listener`` with every output audio chunk; returns the unsubscribe."""
        self._audio_listeners.append(listener)
        return lambda: self._audio_listeners.remove(listener)

    def clear(self) -> None:
        """Forget everything: a new connection starts with an empty conversation."""
        self._order.clear()
        self._items.clear()
        self._out_of_band.clear()
        self._early.clear()

    def apply(self, env: Envelope) -> None:
        """Apply one server event."""
        handler = _HANDLERS.get(env.type)
        if handler is not None:
            handler(self, env)

    # Items and their place.

    def _upsert(self, data: ItemData, *, response_id: str | None = None) -> ConversationItem | None:
        if data.id is None:
            return None
        item = self._items.get(data.id)
        if item is None:
            item = ConversationItem(id=data.id, type=data.type or "message")
            self._items[data.id] = item
            self._attach_early(item)
        _merge(item, data, self._format_for(item, data))
        if response_id is not None:
            item.response_id = response_id
        return item

    def _place(self, item_id: str, env: Envelope) -> None:
        if item_id in self._order:
            if not env.places_item:
                return
            self._order.remove(item_id)
        if not env.places_item:
            self._order.append(item_id)
        elif env.previous_item_id is None or env.previous_item_id == "root":
            self._order.insert(0, item_id)
        elif env.previous_item_id in self._order:
            self._order.insert(self._order.index(env.previous_item_id) + 1, item_id)
        else:
            logger.warning(
                "item %s follows %s, which the conversation does not hold; appended",
                item_id,
                env.previous_item_id,
            )
            self._order.append(item_id)

    def _item_added(self, env: Envelope) -> None:
        if env.item is None:
            return
        item = self._upsert(env.item)
        if item is not None:
            self._place(item.id, env)

    def _output_item(self, env: Envelope) -> None:
        if env.item is None:
            return
        item = self._upsert(env.item, response_id=env.response_id)
        if item is None:
            return
        if env.response_id in self._out_of_band:
            return
        if item.id not in self._order:
            self._order.append(item.id)

    def _item_retrieved(self, env: Envelope) -> None:
        if env.item is None or env.item.id is None:
            return
        item = self._items.get(env.item.id)
        if item is None:
            return
        fmt = self._format_for(item, env.item)
        for index, data in enumerate(env.item.content or []):
            part = _part_at(item, index, data.kind or "input_text")
            part.text = data.text if data.text is not None else part.text
            part.transcript = data.transcript
            if data.audio:
                pcm = _decode(data.audio, fmt)
                if pcm is not None:
                    part.audio = bytearray(pcm)
                    part.sample_rate = fmt.sample_rate
        if env.item.status is not None:
            item.status = env.item.status

    def _item_deleted(self, env: Envelope) -> None:
        if env.item_id in self._order:
            self._order.remove(env.item_id)
        if env.item_id is not None:
            self._items.pop(env.item_id, None)

    def _item_truncated(self, env: Envelope) -> None:
        item = self._items.get(env.item_id or "")
        if item is None or env.audio_end_ms is None:
            return
        part = _part_at(item, env.content_index or 0, "output_audio")
        del part.audio[bytes_for_ms(env.audio_end_ms, part.sample_rate) :]
        part.truncated = True
        part.transcript = None

    # Responses.

    def _response_created(self, env: Envelope) -> None:
        response = env.response
        if response is None or response.id is None or response.conversation_id is not None:
            return
        if "conversation_id" in response.model_fields_set:
            self._out_of_band.add(response.id)

    def _response_done(self, env: Envelope) -> None:
        if env.response is None:
            return
        for data in env.response.output or []:
            item = self._items.get(data.id or "")
            if item is not None and data.status is not None:
                item.status = data.status

    # Deltas.

    def _delta_item(self, env: Envelope) -> ConversationItem | None:
        if env.item_id is None:
            return None
        item = self._items.get(env.item_id)
        if item is None:
            # A server that skipped output_item.added: the delta still names the item.
            item = ConversationItem(
                id=env.item_id, role="assistant", status="in_progress", response_id=env.response_id
            )
            self._items[item.id] = item
            if env.response_id not in self._out_of_band:
                self._order.append(item.id)
        return item

    def _part_added(self, env: Envelope) -> None:
        item = self._delta_item(env)
        if item is not None and env.part is not None:
            part = _part_at(item, env.content_index or 0, env.part.kind or "output_text")
            if env.part.text:
                part.text = env.part.text
            if env.part.transcript:
                part.transcript = env.part.transcript

    def _part_done(self, env: Envelope) -> None:
        item = self._delta_item(env)
        if item is not None and env.part is not None:
            part = _part_at(item, env.content_index or 0, env.part.kind or "output_text")
            if env.part.text is not None:
                part.text = env.part.text
            if env.part.transcript is not None and not part.truncated:
                part.transcript = env.part.transcript

    def _text_delta(self, env: Envelope) -> None:
        item = self._delta_item(env)
        if item is not None and env.delta is not None:
            part = _part_at(item, env.content_index or 0, "output_text")
            part.text = (part.text or "") + env.delta

    def _text_done(self, env: Envelope) -> None:
        item = self._delta_item(env)
        if item is not None and env.text is not None:
            _part_at(item, env.content_index or 0, "output_text").text = env.text

    def _transcript_delta(self, env: Envelope) -> None:
        item = self._delta_item(env)
        if item is not None and env.delta is not None:
            part = _part_at(item, env.content_index or 0, "output_audio")
            if not part.truncated:
                part.transcript = (part.transcript or "") + env.delta

    def _transcript_done(self, env: Envelope) -> None:
        item = self._delta_item(env)
        if item is not None and env.transcript is not None:
            part = _part_at(item, env.content_index or 0, "output_audio")
            if not part.truncated:
                part.transcript = env.transcript

    def _audio_delta(self, env: Envelope) -> None:
        item = self._delta_item(env)
        if item is None or not env.delta:
            return
        index = env.content_index or 0
        part = _part_at(item, index, "output_audio")
        if part.truncated:
            return  # audio of a cut item that was already on its way
        pcm = _decode(env.delta, self.output_format)
        if pcm is None:
            return
        part.sample_rate = self.output_format.sample_rate
        part.audio += pcm
        chunk = AudioChunk(item.id, index, pcm, part.sample_rate)
        for listener in list(self._audio_listeners):
            try:
                listener(chunk)
            except Exception:
                logger.exception("an audio listener raised")

    def _arguments_delta(self, env: Envelope) -> None:
        item = self._delta_item(env)
        if item is not None and env.delta is not None:
            item.type, item.role = "function_call", None
            item.arguments = (item.arguments or "") + env.delta

    def _arguments_done(self, env: Envelope) -> None:
        item = self._delta_item(env)
        if item is not None and env.arguments is not None:
            item.type, item.role = "function_call", None
            item.arguments = env.arguments
            item.call_id = env.call_id or item.call_id
            item.name = env.name or item.name

    # Input transcription.

    def _user_part(self, item: ConversationItem, index: int) -> ContentPart:
        return _part_at(item, index, "input_audio")

    def _transcription_delta(self, env: Envelope) -> None:
        if env.item_id is None or env.delta is None:
            return
        index = env.content_index or 0
        item = self._items.get(env.item_id)
        if item is None:
            early = self._early.setdefault(env.item_id, _Transcription())
            early.deltas[index] = early.deltas.get(index, "") + env.delta
            return
        part = self._user_part(item, index)
        part.transcript = (part.transcript or "") + env.delta

    def _transcription_completed(self, env: Envelope) -> None:
        if env.item_id is None or env.transcript is None:
            return
        index = env.content_index or 0
        item = self._items.get(env.item_id)
        if item is None:
            self._early.setdefault(env.item_id, _Transcription()).final[index] = env.transcript
            return
        self._user_part(item, index).transcript = env.transcript

    def _transcription_failed(self, env: Envelope) -> None:
        if env.item_id is None or env.error is None:
            return
        error = RealtimeError.from_error(env.error)
        item = self._items.get(env.item_id)
        if item is None:
            self._early.setdefault(env.item_id, _Transcription()).error = error
        else:
            item.transcription_error = error

    def _attach_early(self, item: ConversationItem) -> None:
        early = self._early.pop(item.id, None)
        if early is None:
            return
        for index, text in early.deltas.items():
            self._user_part(item, index).transcript = text
        for index, text in early.final.items():
            self._user_part(item, index).transcript = text
        item.transcription_error = early.error

    def _format_for(self, item: ConversationItem, data: ItemData) -> AudioFormat:
        role = data.role or item.role
        return self.input_format if role == "user" else self.output_format


def _part_at(item: ConversationItem, index: int, kind: str) -> ContentPart:
    """The item's part at ``index``, created (with ``kind``) when the server skipped it."""
    while len(item.content) <= index:
        item.content.append(ContentPart(type=kind))
    return item.content[index]


def _merge(item: ConversationItem, data: ItemData, fmt: AudioFormat) -> None:
    """Take what the server reports about an item; keep audio and text it leaves out."""
    item.type = data.type or item.type
    item.role = data.role or item.role
    item.status = data.status or item.status
    item.name = data.name or item.name
    item.call_id = data.call_id or item.call_id
    if data.arguments is not None:
        item.arguments = data.arguments
    if data.output is not None:
        item.output = data.output
    for index, content in enumerate(data.content or []):
        _merge_part(_part_at(item, index, content.kind or "input_text"), content, fmt)


def _merge_part(part: ContentPart, data: PartData, fmt: AudioFormat) -> None:
    part.type = data.kind or part.type
    if data.text is not None:
        part.text = data.text
    if data.transcript is not None and not part.truncated:
        part.transcript = data.transcript
    if data.audio and not part.audio:
        pcm = _decode(data.audio, fmt)
        if pcm is not None:
            part.audio = bytearray(pcm)
            part.sample_rate = fmt.sample_rate


def _decode(b64: str, fmt: AudioFormat) -> bytes | None:
    try:
        return fmt.decode(b64decode(b64))
    except (ValueError, binascii.Error) as exc:
        logger.warning("ignoring audio the client cannot decode: %s", exc)
        return None


_HANDLERS: Final[dict[str, Callable[[Conversation, Envelope], None]]] = {
    "conversation.item.added": Conversation._item_added,
    "conversation.item.created": Conversation._item_added,
    "conversation.item.done": Conversation._item_added,
    "conversation.item.retrieved": Conversation._item_retrieved,
    "conversation.item.deleted": Conversation._item_deleted,
    "conversation.item.truncated": Conversation._item_truncated,
    "conversation.item.input_audio_transcription.delta": Conversation._transcription_delta,
    "conversation.item.input_audio_transcription.completed": (
        Conversation._transcription_completed
    ),
    "conversation.item.input_audio_transcription.failed": Conversation._transcription_failed,
    "response.created": Conversation._response_created,
    "response.done": Conversation._response_done,
    "response.output_item.added": Conversation._output_item,
    "response.output_item.done": Conversation._output_item,
    "response.content_part.added": Conversation._part_added,
    "response.content_part.done": Conversation._part_done,
    "response.output_text.delta": Conversation._text_delta,
    "response.output_text.done": Conversation._text_done,
    "response.output_audio_transcript.delta": Conversation._transcript_delta,
    "response.output_audio_transcript.done": Conversation._transcript_done,
    "response.output_audio.delta": Conversation._audio_delta,
    "response.function_call_arguments.delta": Conversation._arguments_delta,
    "response.function_call_arguments.done": Conversation._arguments_done,
}


class AudioStream:
    """Output audio chunks of every item, collected from the moment it was made."""

    def __init__(self, conversation: Conversation, forget: Callable[[AudioStream], None]) -> None:
        self._queue: asyncio.Queue[AudioChunk | None] = asyncio.Queue()
        self._unsubscribe = conversation.on_audio(self._queue.put_nowait)
        self._forget = forget
        self._ended = False

    def __aiter__(self) -> AudioStream:
        return self

    async def __anext__(self) -> AudioChunk:
        chunk = await self._queue.get()
        if chunk is None:
            raise StopAsyncIteration
        return chunk

    def close(self) -> None:
        """Stop collecting audio."""
        self.end()

    def end(self) -> None:
        """End the stream after the chunks already collected."""
        if self._ended:
            return
        self._ended = True
        self._unsubscribe()
        self._forget(self)
        self._queue.put_nowait(None)
