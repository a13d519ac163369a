"""Valid client events to start from: every variant the SDK types, and stateful scenarios.

:func:`sdk_seeds` gives one realistic event per variant of the official SDK's client
unions (``tests/protocol/sdk_examples.py``), for both dialects. :class:`Scenario`
writes valid events that build and use session state: user text and speech, commits,
responses with overrides, tools and their outputs, cancels, truncations, deletions
and session updates, naming the ids the server has actually sent (:class:`LiveIds`).
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from openrealtime.engines.scripted import speak

Dialect = Literal["ga", "beta"]
Event = dict[str, Any]

PHRASES = (
    "Hello there",
    "What's the weather in Paris?",
    "Tell me a story",
    "call lookup please",
    "Thanks",
    "Ünïcödé and 🙂 emoji",
)
WEATHER_TOOL: Event = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}


@cache
def sdk_seeds(dialect: Dialect) -> tuple[Event, ...]:
    """One example event per variant of the SDK's client union of ``dialect``."""
    from tests.protocol.sdk_examples import SURFACES, build_example, enumerate_variants

    surface = SURFACES[f"{dialect}.client"]
    return tuple(build_example(variant) for variant in enumerate_variants(surface))


@cache
def speech_b64(text: str, ms_per_char: float = 60.0) -> tuple[str, ...]:
    """``text`` spoken by the scripted voice, as 100 ms base64 PCM16 chunks."""
    pcm, _words = speak(text, ms_per_char=ms_per_char)
    step = 4800
    return tuple(
        base64.b64encode(pcm[start : start + step]).decode("ascii")
        for start in range(0, len(pcm), step)
    )


_AUDIO_DELTAS = ("response.output_audio.delta", "response.audio.delta")
SILENCE_B64 = base64.b64encode(b"\x00\x00" * 2400).decode("ascii")
"""100 ms of PCM16 silence at 24 kHz."""


@dataclass
class LiveIds:
    """Ids the server sent on one connection, for events that must name real things."""

    items: list[str] = field(default_factory=list)
    audio_items: list[str] = field(default_factory=list)
    responses: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)

    def feed(self, event: Event) -> None:
        """Learn from one server event (either dialect)."""
        kind = event.get("type")
        item = event.get("item")
        if kind in ("conversation.item.added", "conversation.item.created") and item:
            self.items.append(item["id"])
            if item.get("type") == "function_call" and item.get("call_id"):
                self.calls.append(item["call_id"])
        elif kind == "conversation.item.deleted" and event["item_id"] in self.items:
            self.items.remove(event["item_id"])
        elif kind == "response.created":
            self.responses.append(event["response"]["id"])
        elif kind in _AUDIO_DELTAS and event["item_id"] not in self.audio_items:
            self.audio_items.append(event["item_id"])
        for bag in (self.items, self.audio_items, self.responses, self.calls):
            del bag[:-32]


class Scenario:
    """Valid events of one dialect, drawn at random, that use the session's live ids."""

    def __init__(self, dialect: Dialect, rnd: random.Random, live: LiveIds) -> None:
        self.dialect = dialect
        self.rnd = rnd
        self.live = live
        self._speech: list[str] = []
        self._makers = [
            (6, self.user_text),
            (6, self.response_create),
            (10, self.append),
            (2, self.commit),
            (1, self.clear),
            (3, self.session_update),
            (2, self.cancel),
            (2, self.truncate),
            (1, self.delete),
            (1, self.retrieve),
            (2, self.tool_output),
        ]
        self._weights = [weight for weight, _ in self._makers]

    def next(self) -> Event:
        """One valid event (valid on its own; the session may still refuse it)."""
        (maker,) = self.rnd.choices([m for _, m in self._makers], self._weights)
        event = maker()
        if self.rnd.random() < 0.5:
            event["event_id"] = f"evt_{self.rnd.randrange(10**9)}"
        return event

    # -- the events -------------------------------------------------------------------------

    def user_text(self) -> Event:
        item: Event = {
            "type": "message",
            "role": self.rnd.choice(["user", "user", "system", "assistant"]),
            "content": [{"type": "input_text", "text": self.rnd.choice(PHRASES)}],
        }
        if item["role"] == "assistant":
            text_type = "output_text" if self.dialect == "ga" else "text"
            item["content"] = [{"type": text_type, "text": "Earlier I said this."}]
        event: Event = {"type": "conversation.item.create", "item": item}
        if self.rnd.random() < 0.2:
            event["previous_item_id"] = self._pick(self.live.items, "root")
        if self.rnd.random() < 0.1:
            item["id"] = f"item_fz{self.rnd.randrange(10**6)}"
        return event

    def response_create(self) -> Event:
        response: Event = {}
        roll = self.rnd.random()
        if roll < 0.3:
            response.update(self._modalities(text=self.rnd.random() < 0.5))
        if self.rnd.random() < 0.15:
            response["conversation"] = "none"
            if self.live.items and self.rnd.random() < 0.5:
                response["input"] = [{"type": "item_reference", "id": self._pick(self.live.items)}]
        if self.rnd.random() < 0.2:
            response["instructions"] = "Answer briefly."
        if self.rnd.random() < 0.15:
            response["tools"] = [WEATHER_TOOL]
            response["tool_choice"] = self.rnd.choice(
                ["auto", "required", {"type": "function", "name": "get_weather"}]
            )
        if self.rnd.random() < 0.1:
            response["metadata"] = {"topic": "fuzz"}
        if self.rnd.random() < 0.1:
            key = "max_output_tokens" if self.dialect == "ga" else "max_response_output_tokens"
            response[key] = self.rnd.choice([1, 5, 50, "inf"])
        return (
            {"type": "response.create", "response": response}
            if response
            else {"type": "response.create"}
        )

    def append(self) -> Event:
        if not self._speech:
            if self.rnd.random() < 0.3:
                self._speech = [SILENCE_B64] * self.rnd.randint(1, 8)
            else:
                self._speech = [*speech_b64(self.rnd.choice(PHRASES)), *[SILENCE_B64] * 6]
        return {"type": "input_audio_buffer.append", "audio": self._speech.pop(0)}

    def commit(self) -> Event:
        return {"type": "input_audio_buffer.commit"}

    def clear(self) -> Event:
        return {"type": "input_audio_buffer.clear"}

    def session_update(self) -> Event:
        choice = self.rnd.randrange(6)
        if choice == 0:
            settings = self._vad(self.rnd.choice([None, "server_vad", "semantic_vad"]))
        elif choice == 1:
            settings = self._modalities(text=self.rnd.random() < 0.5)
        elif choice == 2:
            settings = {"tools": [WEATHER_TOOL], "tool_choice": "auto"}
        elif choice == 3:
            settings = {"instructions": self.rnd.choice(["", "Be brief.", "Speak slowly."])}
        elif choice == 4:
            settings = self._transcription(self.rnd.random() < 0.7)
        else:
            settings = self._output_format(self.rnd.choice(["pcm16", "g711_ulaw", "g711_alaw"]))
        return self._update(settings)

    def cancel(self) -> Event:
        event: Event = {"type": "response.cancel"}
        if self.live.responses and self.rnd.random() < 0.5:
            event["response_id"] = self._pick(self.live.responses)
        return event

    def truncate(self) -> Event:
        return {
            "type": "conversation.item.truncate",
            "item_id": self._pick(self.live.audio_items or self.live.items, "item_none"),
            "content_index": 0,
            "audio_end_ms": self.rnd.choice([0, 10, 200, 700, 1500, 5000]),
        }

    def delete(self) -> Event:
        return {"type": "conversation.item.delete", "item_id": self._pick(self.live.items, "x")}

    def retrieve(self) -> Event:
        return {"type": "conversation.item.retrieve", "item_id": self._pick(self.live.items, "x")}

    def tool_output(self) -> Event:
        item = {
            "type": "function_call_output",
            "call_id": self._pick(self.live.calls, "call_none"),
            "output": '{"temperature": 21}',
        }
        return {"type": "conversation.item.create", "item": item}

    # -- dialect details ----------------------------------------------------------------------

    def _pick(self, ids: list[str], fallback: str | None = None) -> str:
        if ids and (fallback is None or self.rnd.random() < 0.9):
            return self.rnd.choice(ids)
        return fallback or "none"

    def _update(self, settings: Event) -> Event:
        if self.dialect == "ga":
            return {"type": "session.update", "session": {"type": "realtime", **settings}}
        return {"type": "session.update", "session": settings}

    def _modalities(self, *, text: bool) -> Event:
        if self.dialect == "ga":
            return {"output_modalities": ["text" if text else "audio"]}
        return {"modalities": ["text"] if text else ["audio", "text"]}

    def _vad(self, kind: str | None) -> Event:
        detection: Event | None = None
        if kind == "server_vad":
            detection = {"type": "server_vad", "silence_duration_ms": 300}
        elif kind == "semantic_vad":
            detection = {"type": "semantic_vad", "eagerness": "high"}
        if detection is not None and self.rnd.random() < 0.3:
            detection["create_response"] = False
        if self.dialect == "ga":
            return {"audio": {"input": {"turn_detection": detection}}}
        return {"turn_detection": detection}

    def _transcription(self, on: bool) -> Event:
        value = {"model": "whisper-1"} if on else None
        if self.dialect == "ga":
            return {"audio": {"input": {"transcription": value}}}
        return {"input_audio_transcription": value}

    def _output_format(self, name: str) -> Event:
        if self.dialect == "beta":
            return {"output_audio_format": name}
        formats: dict[str, Event] = {
            "pcm16": {"type": "audio/pcm", "rate": 24000},
            "g711_ulaw": {"type": "audio/pcmu"},
            "g711_alaw": {"type": "audio/pcma"},
        }
        return {"audio": {"output": {"format": formats[name]}}}
