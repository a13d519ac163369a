"""§3.5, §3.7, §3.8: creating, deleting and retrieving conversation items."""

from __future__ import annotations

import base64
from typing import Any

from ..context import ANY, Run
from ..model import Fail
from ..registry import scenario
from ._common import shape, text_session

MISSING_ITEM = "item_kit_missing"
LONG_ID = "kit_" + "x" * 35


@scenario(
    "3.5.1",
    "previous_item_id: absent = end, root = start, an id = after it, unknown = error",
    grade="S,U",
)
async def insert_positions(run: Run) -> None:
    words = run.words
    wire = await text_session(run)
    first = await run.create_item(wire, words.user_text("A"))
    run.equal(first.get("previous_item_id"), None, "the first item's previous_item_id")
    a = first["item"]["id"]
    second = await run.create_item(wire, words.user_text("B"))
    run.equal(second.get("previous_item_id"), a, "an appended item's previous_item_id")
    at_root = await run.create_item(wire, words.user_text("C"), previous="root")
    run.equal(at_root.get("previous_item_id"), None, "previous_item_id after root")
    after = await run.create_item(wire, words.user_text("D"), previous=a)
    run.equal(after.get("previous_item_id"), a, "previous_item_id after an id")
    await run.expect_error(
        wire,
        {
            "type": "conversation.item.create",
            "previous_item_id": MISSING_ITEM,
            "item": words.user_text("E"),
        },
        code=ANY,
    )
    await run.quietly(wire, "nothing is added after an unknown previous_item_id")


async def long_item_id(run: Run, wire: Any) -> None:
    await run.expect_error(
        wire,
        {"type": "conversation.item.create", "item": run.words.user_text("Hi", item_id=LONG_ID)},
        code=ANY,
        message="Invalid 'item.id': string too long. Expected a string with maximum length 32, "
        f"but got a string with length {len(LONG_ID)} instead.",
    )


@scenario(
    "3.5.2", "client item ids are kept, at most 32 characters; duplicates refused", grade="O,U"
)
async def client_ids(run: Run) -> None:
    words = run.words
    wire = await text_session(run)
    echo = await run.create_item(wire, words.user_text("Hi", item_id="kit_item_0001"))
    run.equal(echo["item"].get("id"), "kit_item_0001", "item.id")
    await long_item_id(run, wire)
    await run.expect_error(
        wire,
        {
            "type": "conversation.item.create",
            "item": words.user_text("Hi", item_id="kit_item_0001"),
        },
        code=ANY,
    )


@scenario("12.15", "string length: item.id over 32 characters", grade="O")
async def string_too_long(run: Run) -> None:
    await long_item_id(run, await text_session(run))


@scenario("3.5.3", "which items may be created; assistant audio may not", grade="S,U")
async def item_kinds(run: Run) -> None:
    words = run.words
    wire = await text_session(run)
    await run.create_item(wire, words.system_text("You are terse."))
    await run.create_item(wire, words.user_text("Hi"))
    await run.create_item(wire, words.assistant_text_item("Hello."))
    call = words.function_call("call_kit_0001", "get_weather", '{"city":"Paris"}')
    await run.create_item(wire, call)
    await run.create_item(wire, words.function_call_output("call_kit_0001", '{"temp":20}'))
    audio = base64.b64encode(bytes(4800)).decode("ascii")
    assistant_audio = {
        "type": "message",
        "role": "assistant",
        "content": [{"type": words.assistant_audio, "audio": audio, "transcript": "Hi"}],
    }
    await run.expect_error(
        wire, {"type": "conversation.item.create", "item": assistant_audio}, code=ANY
    )


@scenario("3.5.4", "the echo: status completed, text in full, audio never", grade="S,O")
async def item_echo(run: Run) -> None:
    words = run.words
    wire = await text_session(run)
    text = "The whole text, echoed in full."
    await wire.send({"type": "conversation.item.create", "item": words.user_text(text)})
    events = await wire.until(words.item_echo_last)
    run.order(shape(events), list(words.item_echo), "echo events")
    for echo in events:
        item = echo["item"]
        run.equal(item.get("status"), "completed", "item.status")
        run.equal(item["content"][0].get("text"), text, "item text")
        check_object(run, item)
    speech = run.settings.speech[: 24000 * 2 // 5]
    echo = await run.create_item(wire, words.user_audio(speech))
    part = echo["item"]["content"][0]
    run.equal(part.get("type"), "input_audio", "content type")
    run.check(
        not part.get("audio"), "content[0].audio", expected="no audio bytes", got="audio bytes"
    )


def check_object(run: Run, item: dict[str, Any]) -> None:
    """Beta items carry ``object: realtime.item``; GA items carry none (observed)."""
    if run.ga:
        run.check("object" not in item, "GA item.object", expected="absent", got=item.get("object"))
    else:
        run.equal(item.get("object"), "realtime.item", "beta item.object")


@scenario("3.5.5", "creating an item never starts a response", grade="D")
async def no_response_on_create(run: Run) -> None:
    wire = await run.connect()
    await run.create_item(wire, run.words.user_text("Hello?"))
    await run.quietly(wire, "no response after an item is created")


@scenario("3.5.6", "items may be created while a response runs", grade="S")
async def create_during_response(run: Run) -> None:
    words = run.words
    wire = await text_session(run)
    await run.create_item(wire, words.user_text("Count from one to ten."))
    await wire.send({"type": "response.create"})
    await wire.send({"type": "conversation.item.create", "item": words.user_text("And then?")})
    seen: dict[str, dict[str, Any]] = {}

    def settled(event: dict[str, Any]) -> bool:
        if event["type"] == "error":
            raise Fail(
                "an item created during a response was refused",
                expected=words.item_echo_last,
                got=event["error"].get("message"),
            )
        item = event.get("item") or {}
        if event["type"] == words.item_echo_last and item.get("role") == "user":
            seen["item"] = event
        if event["type"] == "response.done":
            seen["done"] = event
        return len(seen) == 2

    await wire.until(settled)


@scenario("3.7.1", "delete: deleted{item_id}; the chain closes up", grade="S,U")
async def delete_item(run: Run) -> None:
    words = run.words
    wire = await text_session(run)
    a = (await run.create_item(wire, words.user_text("A")))["item"]["id"]
    b = (await run.create_item(wire, words.user_text("B")))["item"]["id"]
    await wire.send({"type": "conversation.item.delete", "item_id": b})
    deleted = (await wire.until("conversation.item.deleted"))[-1]
    run.equal(deleted.get("item_id"), b, "deleted.item_id")
    after = await run.create_item(wire, words.user_text("C"))
    run.equal(after.get("previous_item_id"), a, "previous_item_id after the deletion")


async def delete_unknown(run: Run) -> None:
    wire = await text_session(run)
    await run.expect_error(
        wire, {"type": "conversation.item.delete", "item_id": MISSING_ITEM}, code=ANY
    )


scenario("3.7.2", "delete of an unknown item is refused", grade="S,U")(delete_unknown)
scenario("12.24", "item_not_found", grade="U")(delete_unknown)


@scenario("3.8.1", "retrieve: the full item, audio included", grade="S")
async def retrieve_item(run: Run) -> None:
    words = run.words
    wire = await text_session(run)
    speech = run.settings.speech[: 24000 * 2 // 5]
    item_id = (await run.create_item(wire, words.user_audio(speech)))["item"]["id"]
    await wire.send({"type": "conversation.item.retrieve", "item_id": item_id})
    retrieved = (await wire.until("conversation.item.retrieved"))[-1]
    item = retrieved["item"]
    run.equal(item.get("id"), item_id, "item.id")
    audio = item["content"][0].get("audio")
    run.check(
        isinstance(audio, str) and audio, "content[0].audio", expected="base64 audio", got=audio
    )


@scenario("3.8.2", "retrieve of an unknown item is refused", grade="S,U")
async def retrieve_unknown(run: Run) -> None:
    wire = await text_session(run)
    await run.expect_error(
        wire, {"type": "conversation.item.retrieve", "item_id": MISSING_ITEM}, code=ANY
    )
