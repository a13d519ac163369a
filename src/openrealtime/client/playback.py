"""Playback tracking: what the listener has heard, and where to cut when they interrupt.

The application (or :class:`~openrealtime.client.devices.Speaker`) reports how far it
has played an assistant item with :meth:`PlaybackTracker.played`. When the server
hears the user start speaking while that audio is still playing, the client stops
playback (the :meth:`~PlaybackTracker.on_interrupt` listeners) and truncates the item
at the played position: the reported milliseconds, floored to whole ms and capped at
the audio received so far, so the truncation is never past what the server sent and
never a guess from the wall clock. Before the first whole millisecond of audio there is
nothing to cut (and servers refuse such a truncation).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

from .conversation import Conversation

__all__ = ["PlaybackTracker", "Truncation"]

logger = logging.getLogger("openrealtime.client")


@dataclass(frozen=True)
class Truncation:
    """Where an interrupted item's audio is cut: the ``conversation.item.truncate`` fields."""

    item_id: str
    content_index: int
    audio_end_ms: int


InterruptListener = Callable[[Truncation], None]


class PlaybackTracker:
    """The played position of the assistant audio item being played, if any."""

    def __init__(self, conversation: Conversation) -> None:
        self._conversation = conversation
        self._item_id: str | None = None
        self._played_ms = 0.0
        self._stopped = True
        self._listeners: list[InterruptListener] = []

    def played(self, item_id: str, ms: float) -> None:
        """Report that playback of ``item_id`` has reached ``ms`` from its start."""
        if not math.isfinite(ms) or ms < 0:
            raise ValueError(f"a played position is a non-negative number of ms, got {ms!r}")
        self._item_id, self._played_ms, self._stopped = item_id, ms, False

    def finished(self, item_id: str) -> None:
        """Report that ``item_id`` played to its end: there is nothing left to cut."""
        if self._item_id == item_id:
            self._stopped = True

    @property
    def item_id(self) -> str | None:
        """The item whose playback was last reported."""
        return self._item_id

    @property
    def played_ms(self) -> float:
        """The last reported position, in ms."""
        return self._played_ms

    @property
    def playing(self) -> bool:
        """Whether assistant audio is playing: reported, not finished, not all played."""
        return self.position() is not None

    def position(self) -> Truncation | None:
        """Where to cut the playing item now, or ``None`` when nothing is playing."""
        if self._stopped or self._item_id is None:
            return None
        item = self._conversation.get(self._item_id)
        found = item.audio_part() if item is not None else None
        if item is None or found is None:
            return None
        index, part = found
        if part.truncated:
            return None
        received_ms = math.floor(part.audio_ms)
        if received_ms == 0:
            return None  # nothing to cut yet; servers refuse a truncation before any audio
        if self._played_ms >= received_ms and item.done:
            return None  # every sample the server sent has been heard
        return Truncation(item.id, index, min(math.floor(self._played_ms), received_ms))

    def on_interrupt(self, listener: InterruptListener) -> Callable[[], None]:
        """Call ``listener`` when playback must stop; returns the unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def interrupt(self) -> Truncation | None:
        """Stop playback; return where to cut, or ``None`` when nothing was playing."""
        cut = self.position()
        self._stopped = True
        if cut is not None:
            for listener in list(self._listeners):
                try:
                    listener(cut)
                except Exception:
                    logger.exception("an interruption listener raised")
        return cut

    def reset(self) -> None:
        """Forget the playing item (a new connection)."""
        self._item_id, self._played_ms, self._stopped = None, 0.0, True
