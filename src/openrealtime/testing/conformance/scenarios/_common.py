"""Steps and shapes that several scenarios share."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ...wire import WireSession
from ..context import Run
from ..model import Fail
from ..words import Words

__all__ = [
    "AudioReply",
    "audio_reply",
    "events_of",
    "expected_response",
    "manual_session",
    "output_items",
    "shape",
    "silence",
    "text_session",
    "until_all",
    "vad",
]

_TRANSCRIPTION = "conversation.item.input_audio_transcription."


def silence(ms: int) -> bytes:
    """``ms`` of PCM16 24 kHz silence."""
    return b"\x00\x00" * (24 * ms)


def vad(**settings: Any) -> dict[str, Any]:
    """Server VAD with a pause long enough for the kit's speech clip to stay one turn."""
    return {"type": "server_vad", "silence_duration_ms": 500, **settings}


async def text_session(run: Run) -> WireSession:
    """A session answering in text, with turn detection off."""
    wire = await run.connect()
    await run.update(wire, run.words.text_only(), run.words.turn_detection(None))
    return wire


async def manual_session(run: Run) -> WireSession:
    """A session with turn detection off: audio is committed by the client."""
    wire = await run.connect()
    await run.update(wire, run.words.turn_detection(None))
    return wire


def events_of(events: Iterable[dict[str, Any]], *types: str) -> list[dict[str, Any]]:
    """The events of the given types, in order."""
    return [event for event in events if event.get("type") in types]


def _is_delta(kind: str) -> bool:
    return kind.endswith(".delta")


def shape(events: Iterable[dict[str, Any]]) -> list[str]:
    """Event types without deltas and input transcription events (they interleave freely)."""
    return [
        event["type"]
        for event in events
        if not _is_delta(event["type"]) and not event["type"].startswith(_TRANSCRIPTION)
    ]


def output_items(done: dict[str, Any]) -> list[dict[str, Any]]:
    """The output items of a ``response.done``."""
    items: list[dict[str, Any]] = done["response"].get("output") or []
    return items


def expected_response(words: Words, output: list[dict[str, Any]]) -> list[str]:
    """The events of a default-conversation response with ``output``, per the §4 traces.

    Deltas and input transcription events are left out (see :func:`shape`).
    """
    sequence = ["response.created"]
    if not words.ga:
        sequence.append("rate_limits.updated")
    for item in output:
        sequence.append("response.output_item.added")
        sequence.append("conversation.item.added" if words.ga else "conversation.item.created")
        if item.get("type") == "message":
            for part in item.get("content") or []:
                sequence.append("response.content_part.added")
                if part.get("type") in ("text", "output_text"):
                    sequence.append(words.text_done)
                else:
                    sequence += [words.audio_done, words.transcript_done]
                sequence.append("response.content_part.done")
        elif item.get("type") == "function_call":
            sequence.append("response.function_call_arguments.done")
        if words.ga:
            sequence.append("conversation.item.done")
        sequence.append("response.output_item.done")
    sequence.append("response.done")
    if words.ga:
        sequence.append("rate_limits.updated")
    return sequence


async def until_all(wire: WireSession, *types: str) -> list[dict[str, Any]]:
    """Events until one of each of ``types`` has come (in any order)."""
    missing = set(types)
    taken: list[dict[str, Any]] = []

    def seen(event: dict[str, Any]) -> bool:
        missing.discard(event.get("type", ""))
        return not missing

    taken += await wire.until(seen)
    return taken


@dataclass
class AudioReply:
    """A finished spoken response: its assistant item, how much audio, what it said."""

    item_id: str
    audio_ms: int
    transcript: str
    events: list[dict[str, Any]]


async def audio_reply(run: Run, wire: WireSession, prompt: str) -> AudioReply:
    """Ask for a spoken answer (the session must output audio) and wait for all of it."""
    await run.create_item(wire, run.words.user_text(prompt))
    events = await run.respond(wire)
    return reply_from(run, events)


def reply_from(run: Run, events: list[dict[str, Any]]) -> AudioReply:
    """The spoken reply in a response's events."""
    words = run.words
    added = [
        e for e in events_of(events, "response.output_item.added") if e["item"]["type"] == "message"
    ]
    if not added:
        raise Fail("no assistant message", expected="a message item", got=shape(events))
    item_id = added[0]["item"]["id"]
    pcm_bytes = sum(
        len(base64.b64decode(e["delta"]))
        for e in events_of(events, words.audio_delta)
        if e.get("item_id") == item_id
    )
    if not pcm_bytes:
        raise Fail(
            "the response carried no audio, though the session asked for audio output",
            expected=words.audio_delta,
            got=shape(events),
        )
    transcripts = [
        e.get("transcript") or ""
        for e in events_of(events, words.transcript_done)
        if e.get("item_id") == item_id
    ]
    return AudioReply(item_id, pcm_bytes // 48, "".join(transcripts), events)
