"""The default conversation: an ordered item store.

Items keep their wire view (a GA item model, without audio bytes) beside what
only the server keeps: the audio of each content part, the word timings of
assistant speech, and the internal transcript of user audio that cascade engines
read even when the session's input transcription is off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Final, Literal

from ...audio.pcm import duration_ms
from ...protocol import ga

__all__ = ["ROOT", "AudioTrack", "Conversation", "StoredItem"]

ROOT: Final = "root"
"""``previous_item_id`` value that inserts at the start of the conversation."""


@dataclass
class AudioTrack:
    """The audio of one content part, as PCM16 at ``sample_rate``, aligned with its transcript.

    ``words`` maps spoken words to the transcript: ``(end_ms, transcript_length)``
    after each word, so a truncation can keep exactly what was heard.
    """

    format_name: str
    sample_rate: int
    pcm: bytearray = field(default_factory=bytearray)
    words: list[tuple[float, int]] = field(default_factory=list)

    @property
    def duration_ms(self) -> float:
        """How much audio the track holds."""
        return duration_ms(len(self.pcm), self.sample_rate)

    def cut(self, end_ms: float) -> None:
        """Keep only the audio before ``end_ms``, and the words finished by then."""
        keep = int(end_ms * self.sample_rate / 1000) * 2
        del self.pcm[keep:]
        self.words = [word for word in self.words if word[0] <= end_ms]

    def kept_transcript(
        self, transcript: str, end_ms: float, mode: Literal["spoken", "delete"]
    ) -> str:
        """The transcript a truncation at ``end_ms`` keeps: the words heard, or nothing."""
        if mode == "delete":
            return ""
        length = 0
        for word_end, transcript_length in self.words:
            if word_end > end_ms:
                break
            length = transcript_length
        return transcript[:length]


@dataclass(eq=False)
class StoredItem:
    """One conversation item and what the server keeps beside its wire view.

    Identity is equality: two stored items are the same only if they are one object.
    """

    item: ga.Item
    audio: dict[int, AudioTrack] = field(default_factory=dict)
    transcript: str | None = None
    """The internal transcript of user audio, for engines; set when known."""
    response_id: str | None = None
    """The response generating this item, while it is generating."""
    token_counts: dict[str, tuple[str, int]] = field(default_factory=dict)
    """Token counts of the item's texts by name, each with the text it counted."""

    def tokens(self, name: str, text: str, count: Callable[[str], int]) -> int:
        """``count(text)``, remembered while ``name`` still holds this very text.

        A response counts its whole input; counting a long item's text again for every
        response would hold the event loop for as long each time.
        """
        cached = self.token_counts.get(name)
        if cached is not None and cached[0] is text:
            return cached[1]
        counted = count(text)
        self.token_counts[name] = (text, counted)
        return counted

    @property
    def id(self) -> str:
        """The item's id (always set once stored)."""
        item_id = self.item.id
        assert item_id is not None, "stored items always have ids"
        return item_id


class Conversation:
    """Items in order, with insertion after any item, at the root, or at the end."""

    def __init__(self, conversation_id: str) -> None:
        self.id = conversation_id
        self._items: list[StoredItem] = []
        self._by_id: dict[str, StoredItem] = {}

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[StoredItem]:
        return iter(list(self._items))

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._by_id

    def get(self, item_id: str) -> StoredItem | None:
        """The item with this id, if present."""
        return self._by_id.get(item_id)

    @property
    def last_id(self) -> str | None:
        """The id of the last item, or ``None`` when empty."""
        return self._items[-1].id if self._items else None

    def previous_id(self, item_id: str) -> str | None:
        """The id of the item before ``item_id``, or ``None`` when it is first."""
        index = self._index(item_id)
        return self._items[index - 1].id if index > 0 else None

    def insert(self, stored: StoredItem, after: str | None = None) -> str | None:
        """Insert after ``after`` (the end when ``None``, the start for :data:`ROOT`).

        Returns the new item's ``previous_item_id``. The caller has checked that
        ``after`` exists.
        """
        if after is None:
            position = len(self._items)
        elif after == ROOT:
            position = 0
        else:
            position = self._index(after) + 1
        self._items.insert(position, stored)
        self._by_id[stored.id] = stored
        return self._items[position - 1].id if position > 0 else None

    def delete(self, item_id: str) -> None:
        """Remove an item; the items around it close up."""
        self._items.remove(self._by_id.pop(item_id))

    def _index(self, item_id: str) -> int:
        return self._items.index(self._by_id[item_id])
