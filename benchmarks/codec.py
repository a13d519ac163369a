"""Codec speed: openrealtime's wire models against the official ``openai`` SDK, in one run.

Receive: ``ServerEvent.parse(bytes)`` (a discriminated-union ``validate_json`` to fully
validated objects) against the SDK's ``parse_event`` (``json.loads`` then
``construct_type_unchecked``), on the same frames: audio deltas with 4,096 characters of
base64, text deltas and item events, for both the GA and the beta dialect. A bare
``orjson.loads`` and ``json.loads`` of the same bytes are timed for reference.

Send: ``InputAudioBufferAppendEvent(audio=...).to_text()`` (and ``.from_pcm16(pcm)``, which
base64-encodes too) against the SDK's ``connection.input_audio_buffer.append(audio=...)``
over a stub websocket that records the frame. Both frames are checked to be the same JSON.

Each path runs over N events after a warm-up; the best of R repeats is reported. The
script prints a table and exits 0; it does not assert the 10x target.

Run from the repository root::

    .venv/bin/python benchmarks/codec.py                 # defaults: --events 2000 --repeats 5
    .venv/bin/python benchmarks/codec.py --events 20000 --repeats 5
"""

from __future__ import annotations

import argparse
import base64
import gc
import json
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import cycle, islice
from typing import Any, cast

import openai
import orjson
import pydantic
import pydantic_core
from openai._models import construct_type_unchecked, validate_type
from openai.resources.beta.realtime.realtime import RealtimeConnection as SdkBetaConnection
from openai.resources.realtime.realtime import RealtimeConnection as SdkGaConnection
from openai.types import realtime as sdk_ga
from openai.types.beta import realtime as sdk_beta

from openrealtime.protocol import beta, ga

PCM = bytes(range(256)) * 12  # 3,072 bytes of PCM16: 64 ms at 24 kHz mono
B64 = base64.b64encode(PCM).decode("ascii")  # 4,096 characters

WARMUP_EVENTS = 200


def _frame(obj: dict[str, Any]) -> bytes:
    """Compact JSON bytes, as a websocket text frame arrives."""
    return json.dumps(obj, separators=(",", ":")).encode()


_REF = {"response_id": "resp_C9XgA2ZQ7bRk", "item_id": "item_C9XgA3Lm0pQe"}

GA_FRAMES: dict[str, bytes] = {
    "response.output_audio.delta": _frame(
        {
            "type": "response.output_audio.delta",
            "event_id": "event_C9XgA4aB1cD2",
            **_REF,
            "output_index": 0,
            "content_index": 0,
            "delta": B64,
        }
    ),
    "response.output_text.delta": _frame(
        {
            "type": "response.output_text.delta",
            "event_id": "event_C9XgA5eF3gH4",
            **_REF,
            "output_index": 0,
            "content_index": 0,
            "delta": " sunny",
            "obfuscation": "k3Vq9xZ2mP",
        }
    ),
    "conversation.item.added": _frame(
        {
            "type": "conversation.item.added",
            "event_id": "event_C9XgA6iJ5kL6",
            "previous_item_id": "item_C9Xg9zYx8wVu",
            "item": {
                "id": "item_C9XgA7mN7oP8",
                "type": "message",
                "object": "realtime.item",
                "status": "completed",
                "role": "user",
                "content": [{"type": "input_text", "text": "What is the weather in Paris?"}],
            },
        }
    ),
    "response.output_item.done": _frame(
        {
            "type": "response.output_item.done",
            "event_id": "event_C9XgA8qR9sT0",
            "response_id": _REF["response_id"],
            "output_index": 0,
            "item": {
                "id": _REF["item_id"],
                "type": "message",
                "object": "realtime.item",
                "status": "completed",
                "role": "assistant",
                "content": [
                    {
                        "type": "output_audio",
                        "transcript": "It is sunny in Paris today, about 24 degrees.",
                    }
                ],
            },
        }
    ),
}

BETA_FRAMES: dict[str, bytes] = {
    "response.audio.delta": _frame(
        {
            "type": "response.audio.delta",
            "event_id": "event_C9XgB1aB1cD2",
            **_REF,
            "output_index": 0,
            "content_index": 0,
            "delta": B64,
        }
    ),
    "response.text.delta": _frame(
        {
            "type": "response.text.delta",
            "event_id": "event_C9XgB2eF3gH4",
            **_REF,
            "output_index": 0,
            "content_index": 0,
            "delta": " sunny",
        }
    ),
    "conversation.item.created": _frame(
        {
            "type": "conversation.item.created",
            "event_id": "event_C9XgB3iJ5kL6",
            "previous_item_id": "item_C9Xg9zYx8wVu",
            "item": {
                "id": "item_C9XgB4mN7oP8",
                "object": "realtime.item",
                "type": "message",
                "status": "completed",
                "role": "user",
                "content": [{"type": "input_text", "text": "What is the weather in Paris?"}],
            },
        }
    ),
}


# --------------------------------------------------------------------------- receive paths


SDK_GA_UNION: Any = sdk_ga.RealtimeServerEvent
SDK_BETA_UNION: Any = sdk_beta.RealtimeServerEvent


def sdk_parse_ga(data: bytes) -> Any:
    """The body of the SDK's GA ``RealtimeConnection.parse_event``, call for call."""
    return construct_type_unchecked(value=json.loads(data), type_=cast(Any, SDK_GA_UNION))


def sdk_parse_beta(data: bytes) -> Any:
    """The body of the SDK's beta ``RealtimeConnection.parse_event``, call for call."""
    return construct_type_unchecked(value=json.loads(data), type_=cast(Any, SDK_BETA_UNION))


def _check(condition: bool, message: str) -> None:
    """``assert`` that survives ``python -O``."""
    if not condition:
        raise AssertionError(message)


def _nested(event: Any) -> list[type]:
    """The classes of an event's item and first content part, when it has an item."""
    item = getattr(event, "item", None)
    if item is None:
        return []
    return [type(item), type(item.content[0])]


# (ours: event class, item class, part class; SDK: the same)
GA_EXPECTED: dict[str, tuple[list[type], list[type]]] = {
    "response.output_audio.delta": (
        [ga.ResponseOutputAudioDeltaEvent],
        [sdk_ga.ResponseAudioDeltaEvent],
    ),
    "response.output_text.delta": (
        [ga.ResponseOutputTextDeltaEvent],
        [sdk_ga.ResponseTextDeltaEvent],
    ),
    "conversation.item.added": (
        [ga.ConversationItemAddedEvent, ga.UserMessageItem, ga.InputTextContent],
        [
            sdk_ga.ConversationItemAdded,
            sdk_ga.RealtimeConversationItemUserMessage,
            sdk_ga.realtime_conversation_item_user_message.Content,
        ],
    ),
    "response.output_item.done": (
        [ga.ResponseOutputItemDoneEvent, ga.AssistantMessageItem, ga.OutputAudioContent],
        [
            sdk_ga.ResponseOutputItemDoneEvent,
            sdk_ga.RealtimeConversationItemAssistantMessage,
            sdk_ga.realtime_conversation_item_assistant_message.Content,
        ],
    ),
}

BETA_EXPECTED: dict[str, tuple[list[type], list[type]]] = {
    "response.audio.delta": (
        [beta.ResponseAudioDeltaEvent],
        [sdk_beta.ResponseAudioDeltaEvent],
    ),
    "response.text.delta": (
        [beta.ResponseTextDeltaEvent],
        [sdk_beta.ResponseTextDeltaEvent],
    ),
    "conversation.item.created": (
        [beta.ConversationItemCreatedEvent, beta.UserMessageItem, beta.InputTextContent],
        [
            sdk_beta.ConversationItemCreatedEvent,
            sdk_beta.ConversationItem,
            sdk_beta.ConversationItemContent,
        ],
    ),
}


def check_receive(
    frames: dict[str, bytes],
    expected: dict[str, tuple[list[type], list[type]]],
    ours: Callable[[bytes], Any],
    sdk: Callable[[bytes], Any],
    sdk_connection: Any,
    sdk_union: Any,
) -> None:
    """Prove, before timing, that both paths build the expected classes by validation."""
    for name, data in frames.items():
        our_classes, sdk_classes = expected[name]
        event = ours(data)
        got = [type(event), *_nested(event)]
        _check(got == our_classes, f"ours parsed {name} to {got}, not {our_classes}")
        # The SDK falls back to an unvalidated construct when validation fails, which
        # also yields the right class. Validating on its own rules that fallback out.
        validated = validate_type(type_=sdk_union, value=json.loads(data))
        got = [type(validated), *_nested(validated)]
        _check(got == sdk_classes, f"SDK validated {name} to {got}, not {sdk_classes}")
        for parsed in (sdk(data), sdk_connection.parse_event(data)):
            got = [type(parsed), *_nested(parsed)]
            _check(got == sdk_classes, f"SDK parse_event gave {got} for {name}")
            _check(parsed == validated, f"SDK parse_event differs from validation for {name}")
        _check(
            getattr(event, "delta", None) == getattr(validated, "delta", None),
            f"ours and the SDK disagree on {name}",
        )


# ------------------------------------------------------------------------------ send paths


class StubWebSocket:
    """Stands in for a ``websockets`` sync connection: ``send`` records the frame."""

    def __init__(self) -> None:
        self.sent: str | bytes = ""

    def send(self, data: str | bytes) -> None:
        self.sent = data

    def close(self, code: int = 1000, reason: str = "") -> None:
        pass


def sdk_connections() -> tuple[StubWebSocket, SdkGaConnection, StubWebSocket, SdkBetaConnection]:
    ga_ws, beta_ws = StubWebSocket(), StubWebSocket()
    return (
        ga_ws,
        SdkGaConnection(cast(Any, ga_ws)),
        beta_ws,
        SdkBetaConnection(cast(Any, beta_ws)),
    )


def check_send(ours: str, sdk: str | bytes, what: str) -> None:
    _check(json.loads(ours) == json.loads(sdk), f"{what}: ours {ours[:80]!r} != SDK {sdk[:80]!r}")


# ------------------------------------------------------------------------------- harness


@dataclass
class Row:
    label: str
    seconds_per_event: float

    @property
    def us(self) -> float:
        return self.seconds_per_event * 1e6


@dataclass
class Group:
    """One workload: our path, the SDK's, and reference floors, timed on the same inputs."""

    title: str
    ours: Row
    sdk: Row
    floor: Row  # the bare-orjson reference the "x" column divides by
    refs: list[Row] = field(default_factory=list)  # further references, after the floor

    @property
    def speedup(self) -> float:
        """How many times faster ours is than the SDK."""
        return self.sdk.seconds_per_event / self.ours.seconds_per_event

    @property
    def over_floor(self) -> float:
        """How many times slower ours is than the bare orjson reference."""
        return self.ours.seconds_per_event / self.floor.seconds_per_event


Path = tuple[str, Callable[[Any], object], Sequence[Any]]  # label, function, inputs


def _one_pass(fn: Callable[[Any], object], inputs: Sequence[Any]) -> float:
    gc.disable()
    try:
        start = time.perf_counter()
        for item in inputs:
            fn(item)
        return time.perf_counter() - start
    finally:
        gc.enable()


def measure(paths: Sequence[Path], repeats: int) -> list[Row]:
    """Best seconds per event of each path over ``repeats`` passes, after a warm-up.

    Repeats are interleaved (a pass of each path, then the next round), so a burst of
    load on a shared machine hits all paths of a comparison alike. The garbage collector
    is off while timing, as in ``timeit``; the timed code frees its objects by reference
    counting, so nothing piles up between passes.
    """
    for _, fn, inputs in paths:
        for item in inputs[:WARMUP_EVENTS]:
            fn(item)
    best = [float("inf")] * len(paths)
    for _ in range(repeats):
        for index, (_, fn, inputs) in enumerate(paths):
            best[index] = min(best[index], _one_pass(fn, inputs) / len(inputs))
    return [Row(label, seconds) for (label, _, _), seconds in zip(paths, best, strict=True)]


def timed_group(
    title: str, ours: Path, sdk: Path, floor: Path, refs: Sequence[Path], repeats: int
) -> Group:
    rows = measure([ours, sdk, floor, *refs], repeats)
    return Group(title=title, ours=rows[0], sdk=rows[1], floor=rows[2], refs=rows[3:])


def receive_groups(
    dialect: str,
    frames: dict[str, bytes],
    ours: Callable[[bytes], Any],
    sdk: Callable[[bytes], Any],
    n: int,
    repeats: int,
    per_type: bool,
) -> list[Group]:
    workloads = [(f"{dialect} mix ({len(frames)} types, round-robin)", list(frames.values()))]
    if per_type:
        workloads += [(f"{dialect} only {name}", [data]) for name, data in frames.items()]
    groups = []
    for index, (title, cycle_frames) in enumerate(workloads):
        inputs = list(islice(cycle(cycle_frames), n))
        refs: list[Path] = []
        if index == 0:
            refs.append(("ref   json.loads(bytes)", json.loads, inputs))
        groups.append(
            timed_group(
                title,
                ours=("ours  ServerEvent.parse(bytes)", ours, inputs),
                sdk=("SDK   json.loads + construct_type_unchecked", sdk, inputs),
                floor=("ref   orjson.loads(bytes)", orjson.loads, inputs),
                refs=refs,
                repeats=repeats,
            )
        )
    return groups


def send_groups(n: int, repeats: int) -> list[Group]:
    ga_ws, ga_conn, beta_ws, beta_conn = sdk_connections()
    b64_inputs = [B64] * n
    pcm_inputs = [PCM] * n
    append_type = "input_audio_buffer.append"
    frame = json.dumps({"type": append_type, "audio": B64})

    def orjson_b64(audio: str) -> bytes:
        return orjson.dumps({"type": append_type, "audio": audio})

    def orjson_pcm(pcm: bytes) -> bytes:
        return orjson.dumps({"type": append_type, "audio": base64.b64encode(pcm).decode("ascii")})

    def json_b64(audio: str) -> str:
        return json.dumps({"type": append_type, "audio": audio})

    def sdk_send_raw(_audio: str) -> None:
        ga_conn.send_raw(frame)

    groups = []
    dialects: list[tuple[str, Any, Any, StubWebSocket]] = [
        ("ga", ga.InputAudioBufferAppendEvent, ga_conn, ga_ws),
        ("beta", beta.InputAudioBufferAppendEvent, beta_conn, beta_ws),
    ]
    for dialect, event_cls, conn, ws in dialects:

        def ours_b64(audio: str, cls: Any = event_cls) -> str:
            return cast(str, cls(audio=audio).to_text())

        def ours_pcm(pcm: bytes, cls: Any = event_cls) -> str:
            return cast(str, cls.from_pcm16(pcm).to_text())

        def sdk_b64(audio: str, conn: Any = conn) -> None:
            conn.input_audio_buffer.append(audio=audio)

        def sdk_pcm(pcm: bytes, conn: Any = conn) -> None:
            conn.input_audio_buffer.append(audio=base64.b64encode(pcm).decode("ascii"))

        # Same JSON both ways, checked before timing.
        sdk_b64(B64)
        check_send(ours_b64(B64), ws.sent, f"{dialect} append(audio=b64)")
        sdk_pcm(PCM)
        check_send(ours_pcm(PCM), ws.sent, f"{dialect} append from pcm")

        refs: list[Path] = []
        if dialect == "ga":
            refs = [
                ("ref   json.dumps({type, audio})", json_b64, b64_inputs),
                ("ref   SDK send_raw(ready frame): its own overhead", sdk_send_raw, b64_inputs),
            ]
        groups.append(
            timed_group(
                f"{dialect} input_audio_buffer.append, 4,096-char base64 given",
                ours=(
                    "ours  InputAudioBufferAppendEvent(audio=b64).to_text()",
                    ours_b64,
                    b64_inputs,
                ),
                sdk=("SDK   conn.input_audio_buffer.append(audio=b64)", sdk_b64, b64_inputs),
                floor=("ref   orjson.dumps({type, audio})", orjson_b64, b64_inputs),
                refs=refs,
                repeats=repeats,
            )
        )
        groups.append(
            timed_group(
                f"{dialect} input_audio_buffer.append, from 3,072 bytes of PCM16",
                ours=(
                    "ours  InputAudioBufferAppendEvent.from_pcm16(pcm).to_text()",
                    ours_pcm,
                    pcm_inputs,
                ),
                sdk=(
                    "SDK   b64encode + conn.input_audio_buffer.append(audio=)",
                    sdk_pcm,
                    pcm_inputs,
                ),
                floor=("ref   b64encode + orjson.dumps({type, audio})", orjson_pcm, pcm_inputs),
                refs=[],
                repeats=repeats,
            )
        )
    return groups


# ------------------------------------------------------------------------------- output

LABEL_WIDTH = 62
TARGET = 10.0


def print_section(heading: str, groups: list[Group], floor_name: str) -> None:
    print()
    print(heading)
    print(
        f"{'path':<{LABEL_WIDTH}} {'events/s':>10} {'µs/event':>9}"
        f" {'ours vs SDK':>12} {'x ' + floor_name:>15}"
    )
    for group in groups:
        print(f"-- {group.title}")
        for row in [group.ours, group.sdk, group.floor, *group.refs]:
            speedup = f"{group.speedup:.1f}x faster" if row is group.ours else ""
            slower = (
                f"{row.seconds_per_event / group.floor.seconds_per_event:.1f}x"
                if row is not group.floor
                else "1.0x"
            )
            print(
                f"   {row.label:<{LABEL_WIDTH - 3}} {1 / row.seconds_per_event:>10,.0f}"
                f" {row.us:>9.2f} {speedup:>12} {slower:>15}"
            )


def print_summary(receive: list[Group], send: list[Group]) -> None:
    print()
    print(
        f"Summary: ours vs SDK (target at least {TARGET:.0f}x both ways; printed, not asserted),"
        " and ours vs the bare orjson reference"
    )
    for kind, groups, floor_name in (
        ("parse", receive, "orjson.loads"),
        ("send ", send, "orjson.dumps"),
    ):
        for group in groups:
            verdict = "ok   " if group.speedup >= TARGET else "BELOW"
            print(
                f"  {verdict} {kind} {group.title:<58} {group.speedup:>5.1f}x faster than SDK,"
                f" {group.over_floor:>4.1f}x {floor_name}"
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=2000, help="events per repeat (N)")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats; best is kept (R)")
    parser.add_argument(
        "--no-per-type", action="store_true", help="skip the one-event-type receive rows"
    )
    args = parser.parse_args(argv)
    n, repeats = max(1, args.events), max(1, args.repeats)

    _, ga_conn, _, beta_conn = sdk_connections()
    check_receive(GA_FRAMES, GA_EXPECTED, ga.ServerEvent.parse, sdk_parse_ga, ga_conn, SDK_GA_UNION)
    check_receive(
        BETA_FRAMES,
        BETA_EXPECTED,
        beta.ServerEvent.parse,
        sdk_parse_beta,
        beta_conn,
        SDK_BETA_UNION,
    )

    print(
        f"codec benchmark: {n:,} events per repeat, best of {repeats}, gc off while timing\n"
        f"Python {platform.python_version()} ({platform.machine()}), pydantic {pydantic.VERSION},"
        f" pydantic-core {pydantic_core.__version__}, openai {openai.__version__},"
        f" orjson {orjson.__version__}\n"
        f"GA frames: {', '.join(GA_FRAMES)}\n"
        f"beta frames: {', '.join(BETA_FRAMES)}\n"
        f"audio: {len(B64):,}-char base64 ({len(PCM):,} bytes of PCM16). Checked first: both"
        " parse to the expected classes by validation; both sends give the same JSON."
    )
    # One full collection, then freeze the survivors (the SDK's many types, our models):
    # a later collection then skips them. A full collection costs tens of ms here.
    gc.collect()
    gc.freeze()
    started = time.perf_counter()
    per_type = not args.no_per_type
    receive = [
        *receive_groups("ga", GA_FRAMES, ga.ServerEvent.parse, sdk_parse_ga, n, repeats, per_type),
        *receive_groups(
            "beta", BETA_FRAMES, beta.ServerEvent.parse, sdk_parse_beta, n, repeats, per_type
        ),
    ]
    send = send_groups(n, repeats)
    print_section("RECEIVE: frame bytes -> event object", receive, "orjson.loads")
    print_section("SEND: audio -> frame text", send, "orjson.dumps")
    print_summary(receive, send)
    print(f"\n(timed in {time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
