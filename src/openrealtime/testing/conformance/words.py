"""The two dialects' words for the same things: event names, session and item bodies.

A scenario says what it wants once (``words.text_only()``, ``words.text_done``) and
gets the GA or beta wire form, so one scenario checks one row in both dialects.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from ..invariants import Dialect

__all__ = ["Words", "merge"]


def merge(*parts: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge JSON objects, later parts winning."""
    merged: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = merge(merged[key], value)
            else:
                merged[key] = value
    return merged


@dataclass(frozen=True)
class Words:
    """Wire names and bodies of one dialect."""

    dialect: Dialect

    @property
    def ga(self) -> bool:
        return self.dialect == "ga"

    # -- server event names -------------------------------------------------------------

    @property
    def item_echo(self) -> tuple[str, ...]:
        """The events that put an item into the conversation."""
        if self.ga:
            return ("conversation.item.added", "conversation.item.done")
        return ("conversation.item.created",)

    @property
    def item_echo_last(self) -> str:
        return self.item_echo[-1]

    @property
    def text_delta(self) -> str:
        return "response.output_text.delta" if self.ga else "response.text.delta"

    @property
    def text_done(self) -> str:
        return "response.output_text.done" if self.ga else "response.text.done"

    @property
    def audio_delta(self) -> str:
        return "response.output_audio.delta" if self.ga else "response.audio.delta"

    @property
    def audio_done(self) -> str:
        return "response.output_audio.done" if self.ga else "response.audio.done"

    @property
    def transcript_done(self) -> str:
        return (
            "response.output_audio_transcript.done" if self.ga else "response.audio_transcript.done"
        )

    @property
    def assistant_text(self) -> str:
        """The content type of assistant text in items."""
        return "output_text" if self.ga else "text"

    @property
    def assistant_audio(self) -> str:
        return "output_audio" if self.ga else "audio"

    @property
    def session_created(self) -> str:
        return "session.created"

    @property
    def transcription_created(self) -> str:
        """The first event of a transcription session."""
        return "session.created" if self.ga else "transcription_session.created"

    # -- session bodies -----------------------------------------------------------------

    def session(self, *parts: dict[str, Any]) -> dict[str, Any]:
        """A ``session.update`` body of a realtime session (GA adds ``type``)."""
        return merge({"type": "realtime"} if self.ga else {}, *parts)

    def text_only(self) -> dict[str, Any]:
        return {"output_modalities": ["text"]} if self.ga else {"modalities": ["text"]}

    def audio_out(self) -> dict[str, Any]:
        return {"output_modalities": ["audio"]} if self.ga else {"modalities": ["audio", "text"]}

    def modalities(self, values: list[str]) -> dict[str, Any]:
        return {"output_modalities": values} if self.ga else {"modalities": values}

    def turn_detection(self, value: dict[str, Any] | None) -> dict[str, Any]:
        if self.ga:
            return {"audio": {"input": {"turn_detection": value}}}
        return {"turn_detection": value}

    def transcription(self, value: dict[str, Any] | None) -> dict[str, Any]:
        if self.ga:
            return {"audio": {"input": {"transcription": value}}}
        return {"input_audio_transcription": value}

    def noise_reduction(self, value: dict[str, Any] | None) -> dict[str, Any]:
        if self.ga:
            return {"audio": {"input": {"noise_reduction": value}}}
        return {"input_audio_noise_reduction": value}

    def voice(self, voice: str) -> dict[str, Any]:
        return {"audio": {"output": {"voice": voice}}} if self.ga else {"voice": voice}

    def speed(self, speed: float) -> dict[str, Any]:
        return {"audio": {"output": {"speed": speed}}} if self.ga else {"speed": speed}

    def g711_input(self) -> dict[str, Any]:
        if self.ga:
            return {"audio": {"input": {"format": {"type": "audio/pcmu"}}}}
        return {"input_audio_format": "g711_ulaw"}

    # -- reading a session object --------------------------------------------------------

    def read_turn_detection(self, session: dict[str, Any]) -> Any:
        if self.ga:
            return _path(session, "audio", "input", "turn_detection")
        return session.get("turn_detection")

    def read_transcription(self, session: dict[str, Any]) -> Any:
        if self.ga:
            return _path(session, "audio", "input", "transcription")
        return session.get("input_audio_transcription")

    def read_noise_reduction(self, session: dict[str, Any]) -> Any:
        if self.ga:
            return _path(session, "audio", "input", "noise_reduction")
        return session.get("input_audio_noise_reduction")

    def read_voice(self, session: dict[str, Any]) -> Any:
        return _path(session, "audio", "output", "voice") if self.ga else session.get("voice")

    def read_speed(self, session: dict[str, Any]) -> Any:
        return _path(session, "audio", "output", "speed") if self.ga else session.get("speed")

    def read_input_format(self, session: dict[str, Any]) -> Any:
        if self.ga:
            return _path(session, "audio", "input", "format")
        return session.get("input_audio_format")

    # -- response bodies -----------------------------------------------------------------

    def max_tokens(self, value: int | str) -> dict[str, Any]:
        """A ``response.create`` body's output-token limit."""
        return {"max_output_tokens": value} if self.ga else {"max_response_output_tokens": value}

    # -- items ---------------------------------------------------------------------------

    @staticmethod
    def user_text(text: str, item_id: str | None = None) -> dict[str, Any]:
        item: dict[str, Any] = {"type": "message", "role": "user"}
        if item_id is not None:
            item["id"] = item_id
        item["content"] = [{"type": "input_text", "text": text}]
        return item

    @staticmethod
    def system_text(text: str) -> dict[str, Any]:
        return {
            "type": "message",
            "role": "system",
            "content": [{"type": "input_text", "text": text}],
        }

    def assistant_text_item(self, text: str) -> dict[str, Any]:
        content = [{"type": self.assistant_text, "text": text}]
        return {"type": "message", "role": "assistant", "content": content}

    @staticmethod
    def user_audio(pcm: bytes) -> dict[str, Any]:
        audio = base64.b64encode(pcm).decode("ascii")
        return {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_audio", "audio": audio}],
        }

    @staticmethod
    def function_call(call_id: str, name: str, arguments: str) -> dict[str, Any]:
        return {"type": "function_call", "call_id": call_id, "name": name, "arguments": arguments}

    @staticmethod
    def function_call_output(call_id: str, output: str) -> dict[str, Any]:
        return {"type": "function_call_output", "call_id": call_id, "output": output}


def _path(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value
