"""Bad client frames through the dialect edge and the session (spec §2, §3.11, §12).

Each bad frame gets exactly one ``error`` with OpenAI's code, message, param and the
client's ``event_id`` when readable; the session then goes on as if nothing happened.
"""

from __future__ import annotations

from typing import Any, Literal

import pytest

from openrealtime.server.session import errors

from .core_checks import DIALECTS, assert_text_turn_works, invalid_request, only_error
from .harness import Harness

Dialect = Literal["ga", "beta"]

GA_TYPES = (
    "'session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit', "
    "'input_audio_buffer.clear', 'conversation.item.create', 'conversation.item.truncate', "
    "'conversation.item.delete', 'conversation.item.retrieve', 'response.create', and "
    "'response.cancel'"
)
BETA_TYPES = (
    "'session.update', 'transcription_session.update', 'input_audio_buffer.append', "
    "'input_audio_buffer.commit', 'input_audio_buffer.clear', 'conversation.item.create', "
    "'conversation.item.truncate', 'conversation.item.delete', 'conversation.item.retrieve', "
    "'response.create', and 'response.cancel'"
)


async def assert_one_error_then_a_turn(
    dialect: Dialect, frame: str | dict[str, Any], expected: dict[str, Any]
) -> None:
    async with Harness(dialect=dialect) as h:
        h.take()
        await h.send(frame)
        assert only_error(h) == expected
        await assert_text_turn_works(h)


# -- 12.7 invalid_event ------------------------------------------------------------------------


@pytest.mark.spec("12.7")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_binary_frame(dialect: Dialect) -> None:
    """The transport reports a binary frame; the session sends the error and goes on."""
    async with Harness(dialect=dialect) as h:
        h.take()
        h.session.report(errors.binary_frame())
        assert only_error(h) == invalid_request(
            "invalid_event", "Expected a text WebSocket message; binary frames are not supported."
        )
        await assert_text_turn_works(h)


@pytest.mark.spec("12.7")
@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (
            '{"event_id": "e1"}',
            invalid_request("invalid_event", "The 'type' field is missing.", None, "e1"),
        ),
        ("{}", invalid_request("invalid_event", "The 'type' field is missing.")),
        (
            "[1, 2]",
            invalid_request(
                "invalid_event", "Invalid event: expected a JSON object, but got an array instead."
            ),
        ),
        (
            '"hello"',
            invalid_request(
                "invalid_event", "Invalid event: expected a JSON object, but got a string instead."
            ),
        ),
        (
            "42",
            invalid_request(
                "invalid_event",
                "Invalid event: expected a JSON object, but got an integer instead.",
            ),
        ),
    ],
)
async def test_invalid_event(dialect: Dialect, frame: str, expected: dict[str, Any]) -> None:
    await assert_one_error_then_a_turn(dialect, frame, expected)


# -- 12.8 invalid_json ----------------------------------------------------------------------------


@pytest.mark.spec("12.8")
@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("frame", ["not json", '{"type": "response.create"', "", "{'a': 1}"])
async def test_invalid_json(dialect: Dialect, frame: str) -> None:
    async with Harness(dialect=dialect) as h:
        h.take()
        await h.send(frame)
        got = only_error(h)
        assert got["code"] == "invalid_json"
        assert got["message"].startswith("Invalid event: failed to parse JSON value. ")
        assert len(got["message"]) > len("Invalid event: failed to parse JSON value. ")
        assert (got["type"], got["param"], got["event_id"]) == ("invalid_request_error", None, None)
        await assert_text_turn_works(h)


# -- 12.9 invalid_value, 3.11 --------------------------------------------------------------------


@pytest.mark.spec("12.9", "3.11")
@pytest.mark.parametrize(("dialect", "types"), [("ga", GA_TYPES), ("beta", BETA_TYPES)])
@pytest.mark.parametrize("wire_type", ["nope", "output_audio_buffer.clear", "session.close"])
async def test_unknown_type_lists_the_websocket_types(
    dialect: Dialect, types: str, wire_type: str
) -> None:
    await assert_one_error_then_a_turn(
        dialect,
        {"type": wire_type, "event_id": "u1"},
        invalid_request(
            "invalid_value",
            f"Invalid value: '{wire_type}'. Supported values are: {types}.",
            "type",
            "u1",
        ),
    )


@pytest.mark.spec("12.9")
@pytest.mark.parametrize(
    ("dialect", "frame", "expected"),
    [
        (
            "beta",
            {"type": "session.update", "session": {"input_audio_format": "g711-ulaw"}},
            invalid_request(
                "invalid_value",
                "Invalid value: 'g711-ulaw'. Supported values are: 'pcm16', 'g711_ulaw', and "
                "'g711_alaw'.",
                "session.input_audio_format",
            ),
        ),
        (
            "ga",
            {
                "type": "session.update",
                "session": {
                    "type": "realtime",
                    "audio": {"input": {"format": {"type": "audio/wav"}}},
                },
            },
            invalid_request(
                "invalid_value",
                "Invalid value: 'audio/wav'. Supported values are: 'audio/pcm', 'audio/pcmu', "
                "and 'audio/pcma'.",
                "session.audio.input.format.type",
            ),
        ),
        (
            "ga",
            {
                "type": "session.update",
                "session": {"type": "realtime", "output_modalities": ["video"]},
            },
            invalid_request(
                "invalid_value",
                "Invalid value: 'video'. Supported values are: 'text' and 'audio'.",
                "session.output_modalities[0]",
            ),
        ),
        (
            "ga",
            {
                "type": "session.update",
                "session": {"type": "realtime", "audio": {"output": {"voice": "bob"}}},
            },
            invalid_request(
                "invalid_value",
                "Invalid value: 'bob'. Supported values are: 'alloy', 'ash', 'ballad', 'coral', "
                "'echo', 'sage', 'shimmer', 'verse', 'marin', and 'cedar'.",
                "session.audio.output.voice",
            ),
        ),
    ],
)
async def test_bad_enum_values(
    dialect: Dialect, frame: dict[str, Any], expected: dict[str, Any]
) -> None:
    await assert_one_error_then_a_turn(dialect, frame, expected)


# -- 12.10 - 12.13 -------------------------------------------------------------------------------


@pytest.mark.spec("12.10")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_unknown_top_level_parameter(dialect: Dialect) -> None:
    await assert_one_error_then_a_turn(
        dialect,
        {"type": "input_audio_buffer.clear", "bogus": 1, "event_id": "x"},
        invalid_request("unknown_parameter", "Unknown parameter: 'bogus'.", "bogus", "x"),
    )


@pytest.mark.spec("12.11")
@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    ("frame", "param"),
    [
        ({"type": "input_audio_buffer.append"}, "audio"),
        ({"type": "conversation.item.delete"}, "item_id"),
        ({"type": "conversation.item.create"}, "item"),
    ],
)
async def test_missing_parameters(dialect: Dialect, frame: dict[str, Any], param: str) -> None:
    await assert_one_error_then_a_turn(
        dialect,
        frame,
        invalid_request(
            "missing_required_parameter", f"Missing required parameter: '{param}'.", param
        ),
    )


@pytest.mark.spec("12.12")
@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(
    ("frame", "param", "expected", "actual"),
    [
        ({"type": "input_audio_buffer.append", "audio": 5}, "audio", "a string", "an integer"),
        ({"type": "conversation.item.delete", "item_id": None}, "item_id", "a string", "null"),
        ({"type": "response.create", "response": []}, "response", "an object", "an array"),
        (
            {"type": "input_audio_buffer.commit", "event_id": True},
            "event_id",
            "a string",
            "a boolean",
        ),
    ],
)
async def test_wrong_json_types(
    dialect: Dialect, frame: dict[str, Any], param: str, expected: str, actual: str
) -> None:
    await assert_one_error_then_a_turn(
        dialect,
        frame,
        invalid_request(
            "invalid_type",
            f"Invalid type for '{param}': expected {expected}, but got {actual} instead.",
            param,
        ),
    )


@pytest.mark.spec("12.13")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_integer_below_minimum(dialect: Dialect) -> None:
    await assert_one_error_then_a_turn(
        dialect,
        {
            "type": "conversation.item.truncate",
            "item_id": "i",
            "content_index": 0,
            "audio_end_ms": -1,
        },
        invalid_request(
            "integer_below_min_value",
            "Invalid 'audio_end_ms': integer below minimum value. Expected a value >= 0, but got "
            "-1 instead.",
            "audio_end_ms",
        ),
    )


@pytest.mark.spec("12.13")
async def test_integer_above_maximum() -> None:
    await assert_one_error_then_a_turn(
        "beta",
        {"type": "session.update", "session": {"max_response_output_tokens": 5000}},
        invalid_request(
            "integer_above_max_value",
            "Invalid 'session.max_response_output_tokens': integer above maximum value. Expected "
            "a value <= 4096, but got 5000 instead.",
            "session.max_response_output_tokens",
        ),
    )


# -- 12.15 lengths -------------------------------------------------------------------------------


@pytest.mark.spec("12.15")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_metadata_over_16_pairs(dialect: Dialect) -> None:
    metadata = {f"k{index}": "v" for index in range(17)}
    await assert_one_error_then_a_turn(
        dialect,
        {"type": "response.create", "response": {"metadata": metadata}},
        invalid_request(
            "array_above_max_length",
            "Invalid 'response.metadata': array too long. Expected an array with maximum length "
            "16, but got an array with length 17 instead.",
            "response.metadata",
        ),
    )


@pytest.mark.spec("12.15")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_event_id_over_512_characters(dialect: Dialect) -> None:
    await assert_one_error_then_a_turn(
        dialect,
        {"type": "response.cancel", "event_id": "e" * 600},
        invalid_request(
            "string_above_max_length",
            "Invalid 'event_id': string too long. Expected a string with maximum length 512, but "
            "got a string with length 600 instead.",
            "event_id",
        ),
    )


# -- 12.16 - 12.18, through the edge --------------------------------------------------------------


@pytest.mark.spec("12.16")
async def test_invalid_parameter_through_the_edge() -> None:
    await assert_one_error_then_a_turn(
        "ga",
        '{"type": "session.update", "event_id": "s1", "session": {"type": "transcription"}}',
        invalid_request(
            "invalid_parameter",
            "Passing a transcription session update event to a realtime session is not allowed.",
            "session.type",
            "s1",
        ),
    )


@pytest.mark.spec("12.18")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_commit_empty_through_the_edge(dialect: Dialect) -> None:
    await assert_one_error_then_a_turn(
        dialect,
        '{"type": "input_audio_buffer.commit", "event_id": "commit_10"}',
        invalid_request(
            "input_audio_buffer_commit_empty",
            "Error committing input audio buffer: buffer too small. Expected at least 100ms of "
            "audio, but buffer only has 0.00ms of audio.",
            None,
            "commit_10",
        ),
    )


@pytest.mark.spec("12.17")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_cannot_update_voice_then_a_turn(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        await h.send(
            {
                "type": "conversation.item.create",
                "item": {
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "hi"}],
                },
            }
        )
        await h.send({"type": "response.create"})
        await h.settle()
        h.take()
        if dialect == "ga":
            await h.send(
                '{"type":"session.update","session":{"type":"realtime","audio":{"output":{"voice":"ash"}}}}'
            )
        else:
            await h.send('{"type":"session.update","session":{"voice":"ash"}}')
        assert only_error(h) == invalid_request(
            "cannot_update_voice",
            "Cannot update a conversation's voice if assistant audio is present.",
        )
        await assert_text_turn_works(h)


@pytest.mark.spec("12.7", "12.8", "12.9", "12.10")
@pytest.mark.parametrize("dialect", DIALECTS)
async def test_bad_frames_in_a_row_each_get_one_error(dialect: Dialect) -> None:
    async with Harness(dialect=dialect) as h:
        h.take()
        for frame in (
            "{",
            "{}",
            '{"type": "nope"}',
            '{"type": "input_audio_buffer.clear", "x": 1}',
        ):
            await h.send(frame)
        assert [e["code"] for e in h.errors()] == [
            "invalid_json",
            "invalid_event",
            "invalid_value",
            "unknown_parameter",
        ]
        assert h.types().count("error") == 4
        await assert_text_turn_works(h)
