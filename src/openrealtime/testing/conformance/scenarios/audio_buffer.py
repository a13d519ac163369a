"""§3.2-3.4: the input audio buffer (append, commit, clear) and server VAD."""

from __future__ import annotations

import base64
from typing import Any

from ...wire import ServerClosed
from ..context import ANY, Run
from ..model import Fail
from ..registry import scenario
from ._common import events_of, manual_session, shape, silence, vad

_COMMIT = {"type": "input_audio_buffer.commit"}
_TRANSCRIPTION_END = (
    "conversation.item.input_audio_transcription.completed",
    "conversation.item.input_audio_transcription.failed",
)
MAX_APPEND_BYTES = 15 * 1024 * 1024


def commit_empty(ms: str) -> str:
    return (
        "Error committing input audio buffer: buffer too small. Expected at least 100ms of "
        f"audio, but buffer only has {ms}ms of audio."
    )


async def commit(run: Run, wire: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Commit; returns the ``committed`` event and the user item's last echo."""
    await wire.send(_COMMIT)
    events = await wire.until((run.words.item_echo_last, "error"))
    if events[-1]["type"] == "error":
        error = events[-1]["error"]
        raise Fail(
            "the commit was refused",
            expected="input_audio_buffer.committed",
            got=f"error {error.get('code')}: {error.get('message')}",
        )
    committed = events_of(events, "input_audio_buffer.committed")
    if not committed:
        raise Fail(
            "no committed before the item",
            expected="input_audio_buffer.committed",
            got=shape(events),
        )
    return committed[0], events[-1]


@scenario("3.2.1", "append has no acknowledgement", grade="S")
async def append_silently(run: Run) -> None:
    wire = await manual_session(run)
    await wire.append_audio(silence(200))
    await run.quietly(wire, "no event answers an append")


@scenario("3.2.2", "at most 15 MiB of audio per append", grade="S,D")
async def append_limit(run: Run) -> None:
    wire = await manual_session(run)
    audio = base64.b64encode(bytes(MAX_APPEND_BYTES + 2)).decode("ascii")
    sent = await wire.send({"type": "input_audio_buffer.append", "audio": audio})
    try:
        event = (await wire.until("error"))[-1]
    except ServerClosed as closed:
        run.note(f"refused by closing the connection: {closed.code} {closed.reason!r}")
        return
    run.equal(event["error"].get("event_id"), sent, "error.event_id")
    run.note(f"refused with {event['error'].get('code')}: {event['error'].get('message')}")
    await run.expect_error(wire, _COMMIT, code="input_audio_buffer_commit_empty")


@scenario("3.2.3", "input formats: PCM16 24 kHz, G.711; GA accepts only rate 24000", grade="S,O")
async def input_formats(run: Run) -> None:
    words = run.words
    wire = await run.connect()
    session = await run.update(wire, words.g711_input())
    if run.ga:
        run.equal(words.read_input_format(session), {"type": "audio/pcmu"}, "input format")
        await run.expect_error(
            wire,
            {
                "type": "session.update",
                "session": words.session(
                    {"audio": {"input": {"format": {"type": "audio/pcm", "rate": 16000}}}}
                ),
            },
            code="integer_below_min_value",
            param="session.audio.input.format.rate",
            contains="Expected a value >= 24000",
        )
    else:
        run.equal(words.read_input_format(session), "g711_ulaw", "input_audio_format")
        await run.expect_error(
            wire,
            {"type": "session.update", "session": {"input_audio_format": "g711-ulaw"}},
            code="invalid_value",
            param="session.input_audio_format",
            message="Invalid value: 'g711-ulaw'. Supported values are: 'pcm16', 'g711_ulaw', "
            "and 'g711_alaw'.",
        )


@scenario("3.2.4", "noise reduction is accepted and reported", grade="S")
async def noise_reduction(run: Run) -> None:
    words = run.words
    wire = await run.connect()
    session = await run.update(wire, words.noise_reduction({"type": "near_field"}))
    run.equal(words.read_noise_reduction(session), {"type": "near_field"}, "noise reduction")


@scenario(
    "3.2.5",
    "with server VAD: speech_started, speech_stopped, a commit and a response",
    grade="S",
    needs=("vad",),
)
async def vad_turn(run: Run) -> None:
    words = run.words
    wire = await run.connect()
    await run.update(wire, words.text_only(), words.turn_detection(vad()), needs="vad")
    await wire.append_audio(run.settings.speech + silence(1000))
    events = await wire.until("response.created")
    started = events_of(events, "input_audio_buffer.speech_started")
    stopped = events_of(events, "input_audio_buffer.speech_stopped")
    committed = events_of(events, "input_audio_buffer.committed")
    run.check(
        started and stopped and committed,
        "the turn's events",
        expected="speech_started speech_stopped committed",
        got=shape(events),
    )
    item_id = started[0]["item_id"]
    run.equal(stopped[0]["item_id"], item_id, "speech_stopped.item_id")
    run.equal(committed[0]["item_id"], item_id, "committed.item_id")
    order = [e["type"] for e in events if e["type"].startswith("input_audio_buffer.")]
    run.equal(
        order[:3],
        [
            "input_audio_buffer.speech_started",
            "input_audio_buffer.speech_stopped",
            "input_audio_buffer.committed",
        ],
        "order",
    )
    await run.until_done(wire)


@scenario("3.2.6", "audio that is not base64 is refused", grade="U")
async def not_base64(run: Run) -> None:
    wire = await manual_session(run)
    await run.expect_error(
        wire, {"type": "input_audio_buffer.append", "audio": "not base64 at all!"}, code=ANY
    )
    await wire.append_audio(silence(200))
    await commit(run, wire)


async def commit_too_short(run: Run) -> None:
    wire = await manual_session(run)
    await wire.append_audio(silence(50))
    await run.expect_error(
        wire, _COMMIT, code="input_audio_buffer_commit_empty", message=commit_empty("50.00")
    )


scenario("3.3.1", "a commit needs 100 ms of audio: input_audio_buffer_commit_empty", grade="O")(
    commit_too_short
)
scenario("12.18", "input_audio_buffer_commit_empty", grade="O")(commit_too_short)


@scenario(
    "3.3.2", "committed{previous_item_id,item_id}, then the user item, transcript null", grade="O"
)
async def commit_events(run: Run) -> None:
    words = run.words
    wire = await manual_session(run)
    await wire.append_audio(silence(200))
    await wire.send(_COMMIT)
    events = await wire.until(words.item_echo_last)
    run.order(shape(events), ["input_audio_buffer.committed", *words.item_echo], "events")
    committed = events[0]
    run.check(
        "previous_item_id" in committed,
        "committed.previous_item_id",
        expected="present",
        got="absent",
    )
    for echo in events[1:]:
        item = echo["item"]
        run.equal(item.get("id"), committed["item_id"], "item.id")
        run.equal(item.get("role"), "user", "item.role")
        run.equal(item.get("status"), "completed", "item.status")
        content = item.get("content") or []
        run.equal([part.get("type") for part in content], ["input_audio"], "item content")
        run.equal(content[0].get("transcript"), None, "content[0].transcript")
        run.check(
            not content[0].get("audio"),
            "content[0].audio",
            expected="no audio bytes",
            got="audio bytes",
        )


@scenario("3.3.3", "previous_item_id is the last item, or null; commits in order", grade="O")
async def commit_chain(run: Run) -> None:
    wire = await manual_session(run)
    await wire.append_audio(silence(200))
    first, _ = await commit(run, wire)
    run.equal(first.get("previous_item_id"), None, "first commit's previous_item_id")
    await wire.append_audio(silence(200))
    second, _ = await commit(run, wire)
    run.equal(second.get("previous_item_id"), first["item_id"], "second commit's previous_item_id")


@scenario(
    "3.3.4",
    "with transcription on: delta* then completed or failed",
    grade="S",
    needs=("transcription",),
)
async def commit_transcribed(run: Run) -> None:
    words = run.words
    wire = await run.connect()
    model = {"model": run.settings.transcription_model}
    await run.update(
        wire, words.transcription(model), words.turn_detection(None), needs="transcription"
    )
    await wire.append_audio(run.settings.speech + silence(300))
    committed, _ = await commit(run, wire)
    events = await wire.until(_TRANSCRIPTION_END)
    ending = events[-1]
    run.equal(ending.get("item_id"), committed["item_id"], f"{ending['type']}.item_id")
    run.equal(ending.get("content_index"), 0, f"{ending['type']}.content_index")
    if ending["type"].endswith("completed"):
        if run.ga:
            run.check(
                isinstance(ending.get("usage"), dict),
                "completed.usage",
                expected="usage",
                got=ending.get("usage"),
            )
        run.note(f"transcript: {ending.get('transcript')!r}")
    else:
        run.note(f"transcription failed: {ending.get('error')}")


@scenario("3.3.5", "a commit creates no response", grade="S")
async def commit_no_response(run: Run) -> None:
    wire = await manual_session(run)
    await wire.append_audio(silence(200))
    await commit(run, wire)
    await run.quietly(wire, "no response after a commit")


@scenario("3.3.6", "a failed commit sends no committed; the buffer is kept or dropped", grade="O,U")
async def failed_commit(run: Run) -> None:
    wire = await manual_session(run)
    await wire.append_audio(silence(60))
    await run.expect_error(wire, _COMMIT, code="input_audio_buffer_commit_empty")
    await run.quietly(wire, "no committed after a failed commit")
    await wire.append_audio(silence(60))
    await wire.send(_COMMIT)
    answer = await wire.until(("input_audio_buffer.committed", "error"))
    if answer[-1]["type"] == "error":
        run.note("[U] the buffer was dropped after the failed commit")
    else:
        run.note("[U] the buffer was kept after the failed commit")
        await wire.until(run.words.item_echo_last)


@scenario("3.3.7", "the buffer is empty after a commit", grade="O")
async def empty_after_commit(run: Run) -> None:
    wire = await manual_session(run)
    await wire.append_audio(silence(200))
    await commit(run, wire)
    await run.expect_error(
        wire, _COMMIT, code="input_audio_buffer_commit_empty", message=commit_empty("0.00")
    )


@scenario("3.3.8", "a manual commit while VAD hears speech", grade="S,U", needs=("vad",))
async def commit_during_speech(run: Run) -> None:
    words = run.words
    wire = await run.connect()
    await run.update(
        wire, words.text_only(), words.turn_detection(vad(create_response=False)), needs="vad"
    )
    await wire.append_audio(run.settings.speech)
    started = (await wire.until("input_audio_buffer.speech_started"))[-1]
    committed, _ = await commit(run, wire)
    if committed["item_id"] == started["item_id"]:
        run.note("[U] the commit took the item_id that speech_started announced")
    else:
        run.note("[U] the commit made a new item, not the one speech_started announced")
    await wire.append_audio(silence(800))
    later = await wire.drain(run.quiet)
    if events_of(later, "input_audio_buffer.speech_stopped"):
        run.note("[U] speech_stopped followed the commit")


@scenario("3.4.1", "clear: input_audio_buffer.cleared, the buffer empties, no item", grade="S")
async def clear_buffer(run: Run) -> None:
    wire = await manual_session(run)
    await wire.append_audio(silence(200))
    await wire.send({"type": "input_audio_buffer.clear"})
    events = await wire.until("input_audio_buffer.cleared")
    run.order(shape(events), ["input_audio_buffer.cleared"], "events")
    await run.expect_error(wire, _COMMIT, code="input_audio_buffer_commit_empty")


@scenario("3.4.2", "a response in progress is unaffected by clear", grade="U")
async def clear_during_response(run: Run) -> None:
    words = run.words
    wire = await run.connect()
    await run.update(wire, words.text_only(), words.turn_detection(None))
    await run.create_item(wire, words.user_text("Count from one to ten."))
    await wire.send({"type": "response.create"})
    await wire.send({"type": "input_audio_buffer.clear"})
    events = await wire.until("response.done")
    if not events_of(events, "input_audio_buffer.cleared"):
        await wire.until("input_audio_buffer.cleared")
    run.equal(events[-1]["response"]["status"], "completed", "response status")
    run.note("[U] the response went on")


@scenario("3.4.3", "clear drops an open VAD segment", grade="U", needs=("vad",))
async def clear_during_speech(run: Run) -> None:
    words = run.words
    wire = await run.connect()
    await run.update(
        wire, words.text_only(), words.turn_detection(vad(create_response=False)), needs="vad"
    )
    await wire.append_audio(run.settings.speech)
    await wire.until("input_audio_buffer.speech_started")
    await wire.send({"type": "input_audio_buffer.clear"})
    await wire.until("input_audio_buffer.cleared")
    await wire.append_audio(silence(800))
    later = await wire.drain(run.quiet)
    if events_of(later, "input_audio_buffer.committed"):
        raise Fail("the cleared speech was committed", expected="no commit", got=shape(later))
    if events_of(later, "input_audio_buffer.speech_stopped"):
        run.note("[U] speech_stopped still followed the clear")
    else:
        run.note("[U] the segment was dropped without speech_stopped")
