"""Per-session limits: how much audio and how many items one session may hold.

Three limits from :class:`SessionOptions` (docs/operations.md lists them):

- ``max_input_buffer_ms``: an append that would take the uncommitted input audio
  past it is refused (``input_audio_buffer_full``) and nothing is buffered.
- ``max_items``: at the limit, whatever would add a conversation item is refused
  (``conversation_item_limit_reached``): ``conversation.item.create``, a commit, a
  ``response.create`` writing to the conversation, and, with turn detection on, an
  append (each turn would commit an item).
- ``max_retained_audio_bytes``: once the audio kept in items passes it, the oldest
  finished items lose their audio (their transcripts stay); no event is sent, and
  ``conversation.item.retrieve`` then returns those items without audio.

Refusals are ordinary errors: the session goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from ...protocol import ProtocolError, ga

if TYPE_CHECKING:
    from .session import Session

__all__ = ["SessionLimits", "input_buffer_full", "item_limit_reached"]

_SETTLED: Final = frozenset({"conversation.item.done", "response.done"})
"""Events after which the items' audio may have grown."""


def input_buffer_full(limit_ms: int, event_id: str | None) -> ProtocolError:
    """An append past ``max_input_buffer_ms``."""
    return ProtocolError(
        "input_audio_buffer_full",
        f"The input audio buffer is full: it holds at most {_duration(limit_ms)} of "
        "uncommitted audio. Commit or clear it before appending more.",
        param="audio",
        event_id=event_id,
    )


def item_limit_reached(limit: int, event_id: str | None) -> ProtocolError:
    """Adding an item to a conversation that holds ``max_items``."""
    return ProtocolError(
        "conversation_item_limit_reached",
        f"The conversation already holds {limit} items, the most this server keeps. "
        "Delete items before adding more.",
        event_id=event_id,
    )


def _duration(ms: int) -> str:
    minutes, rest = divmod(ms, 60_000)
    if rest or not minutes:
        return f"{ms} ms"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


class SessionLimits:
    """Checks client events against the limits and trims retained audio.

    It wraps the session's sink to see when items settle, so assistant audio that
    arrives between client events is trimmed as well.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._options = session.ctx.options
        session.ctx.sink = self._watching(session.ctx.sink)

    def check(self, event: ga.ClientEvent) -> None:
        """Raise the error an event deserves under the limits, before it is applied."""
        if isinstance(event, ga.InputAudioBufferAppendEvent):
            self._check_append(event)
        elif isinstance(event, ga.ConversationItemCreateEvent | ga.InputAudioBufferCommitEvent):
            self._check_items(event.event_id)
        elif isinstance(event, ga.ResponseCreateEvent):
            params = event.response
            if params is None or params.conversation != "none":
                self._check_items(event.event_id)

    def _check_append(self, event: ga.InputAudioBufferAppendEvent) -> None:
        session = self._session
        if session.view.turn_detection is not None:
            self._check_items(event.event_id)
        audio_input = session.audio_input
        # Base64 holds 3 bytes per 4 characters; padding makes this a slight overestimate.
        incoming = audio_input.format.duration_ms(len(event.audio) * 3 // 4)
        limit = self._options.max_input_buffer_ms
        if audio_input.buffer.duration_ms + incoming > limit:
            raise input_buffer_full(limit, event.event_id)

    def _check_items(self, event_id: str | None) -> None:
        limit = self._options.max_items
        if len(self._session.conversation) >= limit:
            raise item_limit_reached(limit, event_id)

    def _watching(self, sink: Callable[[ga.ServerEvent], None]) -> Callable[[ga.ServerEvent], None]:
        def emit(event: ga.ServerEvent) -> None:
            sink(event)
            if event.type in _SETTLED:
                self.trim_audio()

        return emit

    def trim_audio(self) -> None:
        """Drop the audio of the oldest finished items until the rest fits the limit."""
        limit = self._options.max_retained_audio_bytes
        items = list(self._session.conversation)
        total = sum(len(track.pcm) for stored in items for track in stored.audio.values())
        dropped = 0
        for stored in items:
            if total <= limit:
                break
            if stored.response_id is not None or not stored.audio:
                continue
            total -= sum(len(track.pcm) for track in stored.audio.values())
            stored.audio.clear()
            dropped += 1
        if dropped:
            self._session.ctx.log.info(
                "dropped the audio of %d oldest items: retained audio is capped at %d bytes",
                dropped,
                limit,
            )
