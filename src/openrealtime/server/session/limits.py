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

Refusals are ordinary errors: the session goes on. The limits see every event the
session emits (:meth:`SessionLimits.observe`), so assistant audio that arrives between
client events is trimmed as well.
"""

from __future__ import annotations

import logging
from typing import Final

from ...protocol import ga
from ..config import SessionOptions
from . import errors
from .audio_input import AudioInput
from .conversation import Conversation

__all__ = ["SessionLimits"]

_SETTLED: Final = frozenset({"conversation.item.done", "response.done"})
"""Events after which the items' audio may have grown."""


class SessionLimits:
    """Checks client events against the limits, and trims retained audio as items settle."""

    def __init__(
        self,
        options: SessionOptions,
        conversation: Conversation,
        audio_input: AudioInput,
        log: logging.LoggerAdapter[logging.Logger],
    ) -> None:
        self._options = options
        self._conversation = conversation
        self._audio_input = audio_input
        self._log = log

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

    def observe(self, event: ga.ServerEvent) -> None:
        """The session emitted ``event``: trim retained audio once items may have grown."""
        if event.type in _SETTLED:
            self._trim_audio()

    def _check_append(self, event: ga.InputAudioBufferAppendEvent) -> None:
        audio_input = self._audio_input
        if audio_input.detecting_turns:
            self._check_items(event.event_id)
        # Base64 holds 3 bytes per 4 characters; padding makes this a slight overestimate.
        incoming = audio_input.format.duration_ms(len(event.audio) * 3 // 4)
        limit = self._options.max_input_buffer_ms
        if audio_input.buffer.duration_ms + incoming > limit:
            raise errors.input_buffer_full(limit, event.event_id)

    def _check_items(self, event_id: str | None) -> None:
        limit = self._options.max_items
        if len(self._conversation) >= limit:
            raise errors.item_limit_reached(limit, event_id)

    def _trim_audio(self) -> None:
        """Drop the audio of the oldest finished items until the rest fits the limit."""
        limit = self._options.max_retained_audio_bytes
        items = list(self._conversation)
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
            self._log.info(
                "dropped the audio of %d oldest items: retained audio is capped at %d bytes",
                dropped,
                limit,
            )
