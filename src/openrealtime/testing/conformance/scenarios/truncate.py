"""§3.6 ``conversation.item.truncate``."""

from __future__ import annotations

import re
from typing import Any

from ...wire import WireSession
from ..context import ANY, Run
from ..registry import scenario
from ._common import audio_reply, events_of, reply_from, text_session
from .items import MISSING_ITEM

_SHORTER = re.compile(r"Audio content of (\d+)ms is already shorter than (\d+)ms")


async def spoken_session(run: Run) -> WireSession:
    """A session that answers with audio, turn detection off."""
    wire = await run.connect()
    await run.update(wire, run.words.audio_out(), run.words.turn_detection(None), needs="audio")
    return wire


def truncate(item_id: str, audio_end_ms: int) -> dict[str, Any]:
    return {
        "type": "conversation.item.truncate",
        "item_id": item_id,
        "content_index": 0,
        "audio_end_ms": audio_end_ms,
    }


async def retrieved_transcript(run: Run, wire: WireSession, item_id: str) -> object:
    """The transcript the server holds for an assistant audio item (via retrieve)."""
    await wire.send({"type": "conversation.item.retrieve", "item_id": item_id})
    answer = (await wire.until(("conversation.item.retrieved", "error")))[-1]
    if answer["type"] == "error":
        return answer["error"]
    return answer["item"]["content"][0].get("transcript")


@scenario(
    "3.6.1",
    "truncate: truncated{item_id,content_index,audio_end_ms}; the transcript",
    grade="ours",
    needs=("audio",),
)
async def truncate_heard(run: Run) -> None:
    wire = await spoken_session(run)
    reply = await audio_reply(run, wire, "Please tell me a joke.")
    cut = max(reply.audio_ms // 2, 1)
    await wire.send(truncate(reply.item_id, cut))
    truncated = (await wire.until("conversation.item.truncated"))[-1]
    run.equal(truncated.get("item_id"), reply.item_id, "truncated.item_id")
    run.equal(truncated.get("content_index"), 0, "truncated.content_index")
    run.equal(truncated.get("audio_end_ms"), cut, "truncated.audio_end_ms")
    transcript = await retrieved_transcript(run, wire, reply.item_id)
    if isinstance(transcript, dict):
        run.note(
            f"the item could not be retrieved to see its transcript ({transcript.get('code')})"
        )
    elif not transcript:
        run.note("the transcript was deleted (as OpenAI does)")
    elif isinstance(transcript, str) and reply.transcript.startswith(transcript):
        run.note(f"ours: the transcript kept the words heard: {transcript!r}")
    else:
        run.equal(transcript, "", "the transcript after truncation")


async def past_the_end(run: Run) -> None:
    wire = await spoken_session(run)
    reply = await audio_reply(run, wire, "Say hello.")
    end = reply.audio_ms + 5000
    error = await run.expect_error(wire, truncate(reply.item_id, end), code="invalid_value")
    match = _SHORTER.fullmatch(str(error.get("message")))
    run.check(
        match and int(match.group(2)) == end,
        "error.message",
        expected=f"Audio content of Xms is already shorter than {end}ms",
        got=error.get("message"),
    )


scenario(
    "3.6.2",
    'audio_end_ms past the audio: "Audio content of Xms is already shorter..."',
    grade="O",
    needs=("audio",),
)(past_the_end)
scenario("12.21", "truncate past the end", grade="O", needs=("audio",))(past_the_end)


async def not_assistant_audio(run: Run) -> None:
    wire = await text_session(run)
    item = await run.create_item(wire, run.words.user_text("Hello."))
    await run.expect_error(
        wire,
        truncate(item["item"]["id"], 0),
        code="unsupported_content_type",
        message="Only model output audio messages can be truncated",
    )


scenario("3.6.3", "truncating what is not assistant audio: unsupported_content_type", grade="O")(
    not_assistant_audio
)
scenario("12.22", "unsupported_content_type", grade="O")(not_assistant_audio)


async def unknown_item(run: Run) -> None:
    wire = await text_session(run)
    error = await run.expect_error(wire, truncate(MISSING_ITEM, 0), code=ANY)
    if error.get("code") != "item_truncate_invalid_item_id":
        run.note("OpenAI's clients expect item_truncate_invalid_item_id here")


scenario("3.6.4", "truncating an unknown item is refused", grade="O,U")(unknown_item)
scenario("12.23", "item_truncate_invalid_item_id", grade="O,U")(unknown_item)


@scenario("3.6.5", "truncating an item still generating", grade="ours", needs=("audio",))
async def truncate_generating(run: Run) -> None:
    words = run.words
    wire = await spoken_session(run)
    await run.create_item(wire, words.user_text("Please tell me a long story about a dragon."))
    await wire.send({"type": "response.create"})
    events = await wire.until(words.audio_delta)
    await wire.send(truncate(events[-1]["item_id"], 1))
    events += await wire.until(
        lambda e: (
            e["type"] in ("conversation.item.truncated", "error") or e["type"] == "response.done"
        )
    )
    answer = events[-1]
    finished_first = answer["type"] == "response.done"
    if finished_first:
        events += await wire.until(("conversation.item.truncated", "error"))
        answer = events[-1]
    verdict = (
        f"refused ({answer['error'].get('code')})" if answer["type"] == "error" else "truncated"
    )
    if finished_first:
        run.note(f"the response had finished before the truncate was answered: {verdict}")
    else:
        run.note(f"while generating: {verdict}")
    if not events_of(events, "response.done"):
        events += await run.until_done(wire)
    reply_from(run, events)
