"""Reconnecting: when to try again, what to re-apply, how to re-create the conversation.

:class:`ReconnectPolicy` waits ``initial_delay * 2**attempt`` seconds (capped at
``max_delay``), less a random share of up to ``jitter`` of it, before each attempt.
A new connection gets the session settings the client asked for (:class:`SessionConfig`,
merged the way the server merges updates) and, with ``restore_conversation``, the
conversation's items again, in order and with the same ids (:func:`restore_item`).
A client cannot create assistant audio, so an assistant audio item comes back as
assistant text holding its transcript, and user audio as user text holding its
transcript.
"""

from __future__ import annotations

import copy
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ..protocol import ga
from .conversation import ConversationItem

__all__ = ["ReconnectPolicy", "SessionConfig", "restore_item", "should_reconnect"]

logger = logging.getLogger("openrealtime.client")

# Closes that say trying again cannot help: protocol misuse, policy, bad credentials
# (3000) and refused models or shapes (4000-4999).
_FINAL_CLOSES: Final = frozenset({1000, 1002, 1003, 1007, 1008, 1009, 1010})


@dataclass(frozen=True)
class ReconnectPolicy:
    """Opt-in reconnection: backoff with jitter; optionally re-create the conversation."""

    max_attempts: int = 5
    initial_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.5
    restore_conversation: bool = False

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.initial_delay < 0 or self.max_delay < 0:
            raise ValueError("max_attempts must be at least 1 and delays non-negative")
        if not 0 <= self.jitter <= 1:
            raise ValueError(f"jitter is a fraction from 0 to 1, got {self.jitter}")

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Seconds to wait before attempt ``attempt`` (0 is the first)."""
        base = min(self.max_delay, self.initial_delay * 2.0**attempt)
        return float(base * (1 - self.jitter * rng.random()))


def should_reconnect(close_code: int | None) -> bool:
    """Whether a connection closed with this code is worth opening again."""
    if close_code is None:
        return True
    return close_code not in _FINAL_CLOSES and not 3000 <= close_code < 5000


class SessionConfig:
    """The session settings the client asked for, merged as the server merges them.

    ``audio``, ``audio.input`` and ``audio.output`` merge key by key; every other
    setting is replaced whole (``docs/behaviour.md`` 3.1.5).
    """

    def __init__(self) -> None:
        self._fields: dict[str, Any] = {}

    @property
    def fields(self) -> dict[str, Any]:
        """The merged settings, GA-shaped (a copy)."""
        return copy.deepcopy(self._fields)

    def merge(self, update: Mapping[str, Any]) -> None:
        """Take a successful ``session.update``'s ``session``."""
        for key, value in update.items():
            current = self._fields.get(key)
            if key == "audio" and isinstance(value, Mapping) and isinstance(current, dict):
                for side, settings in value.items():
                    known = current.get(side)
                    if isinstance(settings, Mapping) and isinstance(known, dict):
                        known.update(copy.deepcopy(dict(settings)))
                    else:
                        current[side] = copy.deepcopy(settings)
            else:
                self._fields[key] = copy.deepcopy(value)


def restore_item(item: ConversationItem) -> ga.Item | None:
    """The item to create on a new connection for ``item``, or ``None`` if it cannot be."""
    if item.status == "in_progress":
        return None
    if item.type == "function_call" and item.call_id and item.name is not None:
        return ga.FunctionCallItem(
            id=item.id, call_id=item.call_id, name=item.name, arguments=item.arguments or "{}"
        )
    if item.type == "function_call_output" and item.call_id and item.output is not None:
        return ga.FunctionCallOutputItem(id=item.id, call_id=item.call_id, output=item.output)
    if item.type != "message":
        logger.warning("cannot re-create a %s item (%s) on a new connection", item.type, item.id)
        return None
    text = item.text or item.transcript or ""
    if not text:
        logger.warning("item %s has no text or transcript to re-create; left out", item.id)
        return None
    if item.role == "assistant":
        return ga.AssistantMessageItem(id=item.id, content=[ga.OutputTextContent(text=text)])
    if item.role == "system":
        return ga.SystemMessageItem(id=item.id, content=[ga.InputTextContent(text=text)])
    return ga.UserMessageItem.from_text(text, id=item.id)
