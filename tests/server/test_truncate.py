"""``conversation.item.truncate`` (docs/behaviour.md §3.6), in both dialects.

The assistant says "You said: Hello there friend" in the scripted tone code, 60 ms a
character, one speech chunk a word: "You" ends at 180 ms, "said:" at 540, "Hello" at
900, "there" at 1260 and "friend" at 1680. Paced in real (virtual) time, the chunks go
out at 0, 0.18, 0.54, 0.9 and 1.26 s.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from openrealtime.audio.b64 import b64decode
from openrealtime.engines.scripted import decode
from openrealtime.engines.scripted.script import Actions, Script
from openrealtime.server import SessionOptions

from ..traces import closing_audio
from .core_checks import reply_to
from .dialects import Dialect, user_text
from .harness import Harness
from .invariants import Make, traced

DIALECTS = pytest.mark.parametrize("dialect", ["ga", "beta"])
NOT_AUDIO = {
    "type": "invalid_request_error",
    "code": "unsupported_content_type",
    "message": "Only model output audio messages can be truncated",
    "param": None,
    "event_id": "t1",
}


@pytest.fixture
async def make() -> AsyncIterator[Make]:
    async with traced() as factory:
        yield factory


def assistant_id(h: Harness) -> str:
    item_id: str = h.of_type("response.output_item.added")[0].item.id
    return item_id


def truncate(item_id: str, audio_end_ms: int, content_index: int = 0) -> dict[str, Any]:
    return {
        "type": "conversation.item.truncate",
        "event_id": "t1",
        "item_id": item_id,
        "content_index": content_index,
        "audio_end_ms": audio_end_ms,
    }


async def retrieved(h: Harness, item_id: str) -> dict[str, Any]:
    h.take()
    await h.send({"type": "conversation.item.retrieve", "item_id": item_id})
    (event,) = h.take()
    item: dict[str, Any] = event.item.to_dict()
    return item


def without_event_id(events: list[Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in e.to_dict().items() if k != "event_id"} for e in events]


@DIALECTS
@pytest.mark.parametrize(
    ("audio_end_ms", "transcript"),
    [
        (1680, "You said: Hello there friend"),
        (900, "You said: Hello"),
        (899, "You said:"),
        (179, ""),
        (0, ""),
    ],
)
@pytest.mark.spec("3.6.1")
async def test_truncate_keeps_exactly_the_words_heard(
    make: Make, dialect: Dialect, audio_end_ms: int, transcript: str
) -> None:
    h = await make(dialect=dialect).start()
    await reply_to(h, "Hello there friend", item_id="item_user")
    await h.settle()
    item_id = assistant_id(h)
    h.take()
    await h.send(truncate(item_id, audio_end_ms))
    assert without_event_id(h.take()) == [
        {
            "type": "conversation.item.truncated",
            "item_id": item_id,
            "content_index": 0,
            "audio_end_ms": audio_end_ms,
        }
    ]
    item = await retrieved(h, item_id)
    assert item["content"][0]["transcript"] == transcript
    assert len(b64decode(item["content"][0]["audio"])) == audio_end_ms * 48

    # The item keeps its place: the next item still follows it.
    await h.send(user_text("Next"))
    assert h.take()[0].previous_item_id == item_id


@DIALECTS
@pytest.mark.spec("3.6.1")
async def test_truncated_audio_is_cut_at_audio_end_ms(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await reply_to(h, "Hello there friend", item_id="item_user")
    await h.settle()
    item_id = assistant_id(h)
    await h.send(truncate(item_id, 900))
    audio = b64decode((await retrieved(h, item_id))["content"][0]["audio"])
    assert decode(audio, 24000) == "You said: Hello"


@DIALECTS
@pytest.mark.spec("3.6.1")
async def test_truncation_transcript_delete_clears_it(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect, options=SessionOptions(truncation_transcript="delete")).start()
    await reply_to(h, "Hello there friend", item_id="item_user")
    await h.settle()
    item_id = assistant_id(h)
    await h.send(truncate(item_id, 900))
    item = await retrieved(h, item_id)
    assert item["content"][0]["transcript"] == ""
    assert len(b64decode(item["content"][0]["audio"])) == 900 * 48


@DIALECTS
@pytest.mark.spec("3.6.2", "12.21")
async def test_truncate_past_the_end(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await reply_to(h, "Hello there friend", item_id="item_user")
    await h.settle()
    item_id = assistant_id(h)
    h.take()
    await h.send(truncate(item_id, 1681))
    assert h.errors() == [
        {
            "type": "invalid_request_error",
            "code": "invalid_value",
            "message": "Audio content of 1680ms is already shorter than 1681ms",
            "param": None,
            "event_id": "t1",
        }
    ]
    assert [e.type for e in h.take()] == ["error"]
    item = await retrieved(h, item_id)
    assert item["content"][0]["transcript"] == "You said: Hello there friend"
    assert len(b64decode(item["content"][0]["audio"])) == 1680 * 48


@DIALECTS
@pytest.mark.spec("3.6.2", "12.21")
async def test_truncate_past_the_audio_sent_so_far(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await reply_to(h, "Hello there friend", item_id="item_user")
    await h.advance(0.3)  # "You" and " said:" are out: 540 ms
    await h.send(truncate(assistant_id(h), 600))
    assert h.errors() == [
        {
            "type": "invalid_request_error",
            "code": "invalid_value",
            "message": "Audio content of 540ms is already shorter than 600ms",
            "param": None,
            "event_id": "t1",
        }
    ]
    await h.settle()
    final = h.of_type("response.done")[0].response.to_dict()
    assert final["status"] == "completed"
    assert final["output"][0]["content"][0]["transcript"] == "You said: Hello there friend"


@DIALECTS
@pytest.mark.spec("3.6.3", "12.22")
async def test_user_and_text_items_cannot_be_truncated(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await reply_to(h, "Hello there friend", item_id="item_user", text=True)
    await h.settle()
    h.take()
    await h.send(truncate("item_user", 0))
    await h.send(truncate(assistant_id(h), 0))
    assert h.errors() == [NOT_AUDIO, NOT_AUDIO]


@DIALECTS
@pytest.mark.spec("3.6.3", "12.22")
async def test_function_calls_cannot_be_truncated(make: Make, dialect: Dialect) -> None:
    tool = {"type": "function", "name": "ping", "parameters": {"type": "object"}}
    h = await make(dialect=dialect).start()
    await reply_to(h, "/call ping", tools=[tool])
    await h.settle()
    await h.send(truncate(assistant_id(h), 0))
    assert h.errors() == [NOT_AUDIO]


@DIALECTS
@pytest.mark.spec("3.6.3", "12.22")
async def test_audio_items_only_at_their_audio_part(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await reply_to(h, "Hello there friend", item_id="item_user")
    await h.settle()
    await h.send(truncate(assistant_id(h), 0, content_index=1))
    assert h.errors() == [NOT_AUDIO]


@DIALECTS
@pytest.mark.spec("3.6.3", "12.22")
async def test_no_audio_yet_cannot_be_truncated(make: Make, dialect: Dialect) -> None:
    script = Script(default=Actions(reply="Slow reply here", delta_delay_ms=200))
    h = await make(dialect=dialect, script=script).start()
    await reply_to(h, "Hello there friend", item_id="item_user")
    await h.advance(0.1)  # the part is open; its first word waits for the next delta
    assert h.of_type("response.content_part.added")
    assert not h.of_type(
        "response.output_audio.delta" if dialect == "ga" else "response.audio.delta"
    )
    await h.send(truncate(assistant_id(h), 0))
    assert h.errors() == [NOT_AUDIO]
    await h.settle()


@DIALECTS
@pytest.mark.spec("3.6.4", "12.23")
async def test_truncate_unknown_item(make: Make, dialect: Dialect) -> None:
    h = await make(dialect=dialect).start()
    await h.send(truncate("item_nope", 0))
    assert h.errors() == [
        {
            "type": "invalid_request_error",
            "code": "item_truncate_invalid_item_id",
            "message": "Item with item_id not found: item_nope",
            "param": "item_id",
            "event_id": "t1",
        }
    ]


@DIALECTS
@pytest.mark.parametrize(("mode", "kept"), [("spoken", "You said:"), ("delete", "")])
@pytest.mark.spec("3.6.5")
async def test_truncate_while_generating(
    make: Make, dialect: Dialect, mode: Any, kept: str
) -> None:
    h = await make(dialect=dialect, options=SessionOptions(truncation_transcript=mode)).start()
    await reply_to(h, "Hello there friend", item_id="item_user")
    await h.advance(0.6)  # "You", " said:" and " Hello" are out: 900 ms
    item_id = assistant_id(h)
    h.take()
    await h.send(truncate(item_id, 540))
    await h.settle()
    events = h.take()
    # Nothing more of the part is spoken: no audio or transcript deltas after the cut.
    assert [e.type for e in events] == ["conversation.item.truncated", *closing_audio(dialect)]
    transcript_done = events[2]
    assert transcript_done.transcript == kept
    assert events[3].part.transcript == kept
    content_type = "output_audio" if dialect == "ga" else "audio"
    final = next(e for e in events if e.type == "response.done").response.to_dict()
    assert final["status"] == "completed"
    assert final["output"][0]["status"] == "completed"
    assert final["output"][0]["content"] == [{"type": content_type, "transcript": kept}]
    # What was sent still counts: "You said: Hello" (4 text tokens) and 900 ms (18 tokens).
    assert final["usage"]["output_token_details"] == {"text_tokens": 4, "audio_tokens": 18}
    item = await retrieved(h, item_id)
    assert item["content"][0]["transcript"] == kept
    audio = b64decode(item["content"][0]["audio"])
    assert len(audio) == 540 * 48
    assert decode(audio, 24000) == "You said:"
