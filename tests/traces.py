"""The event types of the canonical traces (docs/behaviour.md §4), written out per dialect.

Every event type is written here by hand, GA and beta side by side, so that a test can
name the trace it expects in a line, e.g. ``text_turn(dialect, deltas=5)``, and the
differences between the dialects stand in one place:

- beta sends ``rate_limits.updated`` just after ``response.created``, GA just after
  ``response.done``;
- GA puts an item into the conversation with ``conversation.item.added`` and closes it
  with ``conversation.item.done`` (an output item's before its ``response.output_item.done``);
  beta sends one ``conversation.item.created``;
- GA streams ``response.output_text.*``, ``response.output_audio.*`` and
  ``response.output_audio_transcript.*``, beta ``response.text.*``, ``response.audio.*``
  and ``response.audio_transcript.*``.

How many deltas a trace has is the test's to say: it depends on what the scripted
engine is asked to say.
"""

from __future__ import annotations

from typing import Any, Literal

__all__ = [
    "WEATHER_TOOL",
    "Dialect",
    "audio_response",
    "call_response",
    "closing_audio",
    "closing_call",
    "closing_text",
    "function_call",
    "item_added",
    "item_start",
    "response_end",
    "response_of",
    "response_start",
    "session_start",
    "spoken",
    "text_message",
    "text_response",
    "text_turn",
    "transcribed_speech",
]

Dialect = Literal["ga", "beta"]

WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}
"""The tool of the function-call trace (4c), called by ``/call get_weather {...}``."""


# -- the session and its conversation -----------------------------------------------------


def session_start(dialect: Dialect) -> list[str]:
    """What a realtime session sends first."""
    if dialect == "ga":
        return ["session.created"]
    return ["session.created", "conversation.created"]


def item_added(dialect: Dialect) -> list[str]:
    """An item joins the conversation: one the client created, or committed audio."""
    if dialect == "ga":
        return ["conversation.item.added", "conversation.item.done"]
    return ["conversation.item.created"]


def transcribed_speech(dialect: Dialect, *, deltas: int) -> list[str]:
    """Speech detected, committed and transcribed, with no response (4g)."""
    return [
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        *item_added(dialect),
        *["conversation.item.input_audio_transcription.delta"] * deltas,
        "conversation.item.input_audio_transcription.completed",
    ]


# -- a response and its output items ------------------------------------------------------


def response_start(dialect: Dialect) -> list[str]:
    if dialect == "ga":
        return ["response.created"]
    return ["response.created", "rate_limits.updated"]


def response_end(dialect: Dialect) -> list[str]:
    if dialect == "ga":
        return ["response.done", "rate_limits.updated"]
    return ["response.done"]


def response_of(dialect: Dialect, *output: str) -> list[str]:
    """A whole response around the events of its ``output`` items."""
    return [*response_start(dialect), *output, *response_end(dialect)]


def item_start(dialect: Dialect, *, conversation: bool = True) -> list[str]:
    """An output item opens and, unless the response is out of band, joins the conversation."""
    if not conversation:
        return ["response.output_item.added"]
    if dialect == "ga":
        return ["response.output_item.added", "conversation.item.added"]
    return ["response.output_item.added", "conversation.item.created"]


def _item_end(dialect: Dialect, *, conversation: bool = True) -> list[str]:
    if conversation and dialect == "ga":
        return ["conversation.item.done", "response.output_item.done"]
    return ["response.output_item.done"]


def _text_deltas(dialect: Dialect, count: int) -> list[str]:
    if dialect == "ga":
        return ["response.output_text.delta"] * count
    return ["response.text.delta"] * count


def _text_end(dialect: Dialect) -> list[str]:
    if dialect == "ga":
        return ["response.output_text.done", "response.content_part.done"]
    return ["response.text.done", "response.content_part.done"]


def spoken(dialect: Dialect, *, words: tuple[int, ...]) -> list[str]:
    """Each word's transcript delta, then as many audio deltas as ``words`` gives for it."""
    if dialect == "ga":
        transcript, audio = "response.output_audio_transcript.delta", "response.output_audio.delta"
    else:
        transcript, audio = "response.audio_transcript.delta", "response.audio.delta"
    return [event for count in words for event in (transcript, *[audio] * count)]


def _audio_end(dialect: Dialect) -> list[str]:
    if dialect == "ga":
        return [
            "response.output_audio.done",
            "response.output_audio_transcript.done",
            "response.content_part.done",
        ]
    return ["response.audio.done", "response.audio_transcript.done", "response.content_part.done"]


def text_message(dialect: Dialect, *, deltas: int, conversation: bool = True) -> list[str]:
    """An assistant message with one text part of ``deltas`` deltas."""
    return [
        *item_start(dialect, conversation=conversation),
        "response.content_part.added",
        *_text_deltas(dialect, deltas),
        *_text_end(dialect),
        *_item_end(dialect, conversation=conversation),
    ]


def function_call(dialect: Dialect, *, deltas: int) -> list[str]:
    """A function call whose arguments come in ``deltas`` deltas."""
    return [
        *item_start(dialect),
        *["response.function_call_arguments.delta"] * deltas,
        "response.function_call_arguments.done",
        *_item_end(dialect),
    ]


# -- whole responses and turns ------------------------------------------------------------


def text_response(dialect: Dialect, *, deltas: int, conversation: bool = True) -> list[str]:
    """A response that writes one text message; ``conversation=False``: out of band."""
    return response_of(dialect, *text_message(dialect, deltas=deltas, conversation=conversation))


def audio_response(dialect: Dialect, *, words: tuple[int, ...]) -> list[str]:
    """A response that speaks one audio message (see :func:`spoken` for ``words``)."""
    return response_of(
        dialect,
        *item_start(dialect),
        "response.content_part.added",
        *spoken(dialect, words=words),
        *_audio_end(dialect),
        *_item_end(dialect),
    )


def call_response(dialect: Dialect, *, deltas: int) -> list[str]:
    """A response that makes one function call."""
    return response_of(dialect, *function_call(dialect, deltas=deltas))


def text_turn(dialect: Dialect, *, deltas: int) -> list[str]:
    """A client item, then a response that writes one text message (4a)."""
    return [*item_added(dialect), *text_response(dialect, deltas=deltas)]


# -- what closes a response with one item, from the part it is in -------------------------


def closing_text(dialect: Dialect) -> list[str]:
    """The text part, its message and the response close."""
    return [*_text_end(dialect), *_item_end(dialect), *response_end(dialect)]


def closing_audio(dialect: Dialect) -> list[str]:
    """The audio part, its message and the response close."""
    return [*_audio_end(dialect), *_item_end(dialect), *response_end(dialect)]


def closing_call(dialect: Dialect) -> list[str]:
    """The arguments, the function call and the response close."""
    return ["response.function_call_arguments.done", *_item_end(dialect), *response_end(dialect)]
