"""Per-session limits: input buffer, conversation items, retained audio; and the frame cap."""

from __future__ import annotations

from typing import Any

import pytest

from openrealtime.audio.b64 import b64encode
from openrealtime.server import ServerConfig, SessionOptions
from openrealtime.server.app.runner import running
from tests.server.harness import Harness, silence

from .wire import until_closed

NO_VAD = {
    "type": "session.update",
    "session": {"type": "realtime", "audio": {"input": {"turn_detection": None}}},
}


def text_item(text: str, item_id: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "type": "message",
        "role": "user",
        "content": [{"type": "input_text", "text": text}],
    }
    if item_id is not None:
        item["id"] = item_id
    return {"type": "conversation.item.create", "item": item}


def audio_item(item_id: str, pcm: bytes, transcript: str) -> dict[str, Any]:
    content = [{"type": "input_audio", "audio": b64encode(pcm), "transcript": transcript}]
    return {
        "type": "conversation.item.create",
        "item": {"id": item_id, "type": "message", "role": "user", "content": content},
    }


async def test_an_append_past_the_input_buffer_limit_is_refused() -> None:
    h = await Harness(options=SessionOptions(max_input_buffer_ms=1000)).start()
    await h.send(NO_VAD)
    await h.append(silence(600), chunk_ms=600)
    await h.send(
        {"type": "input_audio_buffer.append", "audio": b64encode(silence(600)), "event_id": "a2"}
    )
    assert h.errors() == [
        {
            "type": "invalid_request_error",
            "code": "input_audio_buffer_full",
            "message": "The input audio buffer is full: it holds at most 1000 ms of uncommitted "
            "audio. Commit or clear it before appending more.",
            "param": "audio",
            "event_id": "a2",
        }
    ]
    assert h.session.audio_input.buffer.duration_ms == pytest.approx(600)
    await h.send({"type": "input_audio_buffer.commit"})
    await h.append(silence(900), chunk_ms=900)
    assert len(h.errors()) == 1
    await h.close()


async def test_the_default_input_buffer_holds_90_minutes() -> None:
    assert SessionOptions().max_input_buffer_ms == 90 * 60 * 1000


async def test_items_past_the_limit_are_refused_until_one_is_deleted() -> None:
    h = await Harness(options=SessionOptions(max_items=2)).start()
    await h.send(NO_VAD)
    await h.send(text_item("one", "item_one"))
    await h.send(text_item("two"))
    h.take()
    refused = [
        {**text_item("three"), "event_id": "e1"},
        {"type": "response.create", "event_id": "e2"},
        {"type": "input_audio_buffer.commit", "event_id": "e3"},
    ]
    await h.append(silence(200))
    for event in refused:
        await h.send(event)
    events = h.take()
    assert [e.type for e in events] == ["error"] * 3
    assert [e.error.code for e in events] == ["conversation_item_limit_reached"] * 3
    assert [e.error.event_id for e in events] == ["e1", "e2", "e3"]
    assert events[0].error.message == (
        "The conversation already holds 2 items, the most this server keeps. "
        "Delete items before adding more."
    )
    # An out-of-band response writes no item, so it is allowed.
    await h.send({"type": "response.create", "response": {"conversation": "none"}})
    assert "response.created" in [e.type for e in h.take()]
    await h.settle()
    await h.send({"type": "conversation.item.delete", "item_id": "item_one"})
    await h.send(text_item("three"))
    assert "conversation.item.added" in [e.type for e in h.take()]
    await h.close()


async def test_with_turn_detection_a_full_conversation_refuses_audio() -> None:
    h = await Harness(options=SessionOptions(max_items=1)).start()
    await h.send(text_item("one"))
    h.take()
    await h.append(silence(40), chunk_ms=40)
    assert [e["code"] for e in h.errors()] == ["conversation_item_limit_reached"]
    assert h.session.audio_input.buffer.duration_ms == 0
    await h.close()


async def test_the_oldest_items_lose_their_audio_past_the_retained_audio_limit() -> None:
    # 48 000 bytes is one second of PCM16 at 24 kHz; each item holds 0.4 s.
    h = await Harness(options=SessionOptions(max_retained_audio_bytes=48_000)).start()
    await h.send(NO_VAD)
    for index, word in enumerate(("one", "two", "three")):
        await h.send(audio_item(f"item_{index}", silence(400), word))
    await h.settle()
    h.take()
    for index in range(3):
        await h.send({"type": "conversation.item.retrieve", "item_id": f"item_{index}"})
    retrieved = [e.item.content[0] for e in h.take() if e.type == "conversation.item.retrieved"]
    assert [part.transcript for part in retrieved] == ["one", "two", "three"]
    assert [part.audio is not None for part in retrieved] == [False, True, True]
    assert h.errors() == []
    await h.close()


@pytest.mark.spec("12.26")
@pytest.mark.timeout(30)
async def test_a_frame_over_the_cap_is_closed_1009() -> None:
    async with running(ServerConfig(max_frame_bytes=64 * 1024)) as url:
        closed = await until_closed(url.realtime(), send=[text_item("x" * 100_000)])
    assert closed.code == 1009
    assert closed.reason
    assert "error" not in closed.types()
