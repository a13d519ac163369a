"""``conversation.item.delete`` and ``.retrieve`` (docs/behaviour.md §3.7, §3.8)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from openrealtime.audio.b64 import b64decode, b64encode
from openrealtime.audio.formats import audio_format_from_wire
from openrealtime.engines.scripted import decode

from ..traces import closing_audio
from .core_checks import reply_to
from .dialects import Dialect, user_text
from .harness import Harness, speech
from .invariants import Make, traced

DIALECTS = pytest.mark.parametrize("dialect", ["ga", "beta"])


@pytest.fixture
async def make() -> AsyncIterator[Make]:
    async with traced() as factory:
        yield factory


def not_found(item_id: str, event_id: str) -> dict[str, Any]:
    return {
        "type": "invalid_request_error",
        "code": "item_not_found",
        "message": f"Item with item_id not found: {item_id}",
        "param": "item_id",
        "event_id": event_id,
    }


def previous_ids(h: Harness) -> list[str | None]:
    return [e.previous_item_id for e in h.take() if e.type.startswith("conversation.item.")]


@DIALECTS
@pytest.mark.spec("3.7.1")
async def test_delete_and_the_chain_closes_up(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    for name in ("item_a", "item_b", "item_c"):
        await h.send(user_text(name, item_id=name))
    h.take()
    await h.send({"type": "conversation.item.delete", "event_id": "d1", "item_id": "item_c"})
    assert [{k: v for k, v in e.to_dict().items() if k != "event_id"} for e in h.take()] == [
        {"type": "conversation.item.deleted", "item_id": "item_c"}
    ]
    await h.send(user_text("d", item_id="item_d"))
    assert set(previous_ids(h)) == {"item_b"}

    await h.send({"type": "conversation.item.delete", "item_id": "item_b"})
    h.take()
    await h.send(user_text("e", item_id="item_e", previous_item_id="item_a"))
    assert set(previous_ids(h)) == {"item_a"}
    await h.send(user_text("f", item_id="item_f"))
    assert set(previous_ids(h)) == {"item_d"}
    await h.send({"type": "conversation.item.retrieve", "event_id": "r1", "item_id": "item_b"})
    assert h.errors() == [not_found("item_b", "r1")]


@DIALECTS
@pytest.mark.parametrize("output_format", ["pcm16", "g711_ulaw"])
@pytest.mark.spec("3.7.1")
async def test_deleting_an_item_being_generated_cancels_first(
    make: Make, dialect: Dialect, output_format: str
) -> None:
    h = await make(dialect=dialect).start()
    await reply_to(h, "Hello there friend", output_format=output_format)
    await h.advance(0.3)
    item_id = h.of_type("response.output_item.added")[0].item.id
    h.take()
    await h.send({"type": "conversation.item.delete", "item_id": item_id})
    events = h.take()
    assert [e.type for e in events] == [*closing_audio(dialect), "conversation.item.deleted"]
    assert events[-1].item_id == item_id
    done = next(e for e in events if e.type == "response.done").response.to_dict()
    assert done["status"] == "cancelled"
    assert done["status_details"] == {"type": "cancelled", "reason": "client_cancelled"}
    assert [item["status"] for item in done["output"]] == ["incomplete"]
    await h.settle()
    assert h.take() == []
    await h.send({"type": "conversation.item.retrieve", "event_id": "r1", "item_id": item_id})
    assert h.errors() == [not_found(item_id, "r1")]
    await h.send({"type": "response.create"})  # nothing is active any more
    await h.settle()
    assert [e.response.status for e in h.of_type("response.done")] == ["cancelled", "completed"]


@DIALECTS
@pytest.mark.spec("3.7.2", "12.24")
async def test_delete_unknown_item(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send({"type": "conversation.item.delete", "event_id": "d1", "item_id": "item_nope"})
    assert h.errors() == [not_found("item_nope", "d1")]
    assert [e.type for e in h.wire()][-1] == "error"


@DIALECTS
@pytest.mark.parametrize(
    ("output_format", "size"),
    [("pcm16", 1680 * 48), ("g711_ulaw", 1680 * 8), ("g711_alaw", 1680 * 8)],
)
@pytest.mark.spec("3.8.1")
async def test_retrieve_assistant_audio(
    make: Make, dialect: Dialect, output_format: str, size: int
) -> None:
    h = await make(dialect=dialect).start()
    await reply_to(h, "Hello there friend", output_format=output_format)
    await h.settle()
    item_id = h.of_type("response.output_item.done")[0].item.id
    h.take()
    await h.send({"type": "conversation.item.retrieve", "item_id": item_id})
    (event,) = h.take()
    assert event.type == "conversation.item.retrieved"
    item = event.item.to_dict()
    (content,) = item.pop("content")
    audio = b64decode(content.pop("audio"))
    expected: dict[str, Any] = {
        "id": item_id,
        "type": "message",
        "status": "completed",
        "role": "assistant",
    }
    if dialect == "beta":
        expected["object"] = "realtime.item"
    assert item == expected
    content_type = "output_audio" if dialect == "ga" else "audio"
    assert content == {"type": content_type, "transcript": "You said: Hello there friend"}
    assert len(audio) == size
    fmt = audio_format_from_wire(output_format)
    assert decode(fmt.decode(audio), fmt.sample_rate) == "You said: Hello there friend"


@DIALECTS
@pytest.mark.spec("3.8.1")
async def test_retrieve_created_user_audio(make: Make, dialect: Dialect) -> None:
    spoken = speech("Hi there")
    h = await make(dialect=dialect).start()
    content = [{"type": "input_audio", "audio": b64encode(spoken)}]
    await h.send(
        {
            "type": "conversation.item.create",
            "item": {"id": "item_said", "type": "message", "role": "user", "content": content},
        }
    )
    await h.settle()
    h.take()
    await h.send({"type": "conversation.item.retrieve", "item_id": "item_said"})
    (event,) = h.take()
    (part,) = event.item.to_dict()["content"]
    audio = b64decode(part["audio"])
    assert audio == spoken
    assert decode(audio, 24000) == "Hi there"


@DIALECTS
@pytest.mark.spec("3.8.1")
async def test_retrieve_committed_audio_in_the_input_format(make: Make, dialect: Dialect) -> None:
    ulaw = audio_format_from_wire("g711_ulaw")
    sent = ulaw.encode(speech("Hi there", rate=8000), 8000)
    h = await make(dialect=dialect).start()
    session: dict[str, Any] = (
        {
            "type": "realtime",
            "audio": {"input": {"format": {"type": "audio/pcmu"}, "turn_detection": None}},
        }
        if dialect == "ga"
        else {"input_audio_format": "g711_ulaw", "turn_detection": None}
    )
    await h.send({"type": "session.update", "session": session})
    await h.append(sent, rate=8000)
    await h.send({"type": "input_audio_buffer.commit"})
    await h.settle()
    item_id = h.of_type("input_audio_buffer.committed")[0].item_id
    h.take()
    await h.send({"type": "conversation.item.retrieve", "item_id": item_id})
    (event,) = h.take()
    (part,) = event.item.to_dict()["content"]
    audio = b64decode(part["audio"])
    assert audio == sent
    assert decode(ulaw.decode(audio), 8000) == "Hi there"


@DIALECTS
@pytest.mark.spec("3.8.2", "12.24")
async def test_retrieve_unknown_item(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send({"type": "conversation.item.retrieve", "event_id": "r1", "item_id": "item_nope"})
    assert h.errors() == [not_found("item_nope", "r1")]
