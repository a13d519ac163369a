"""Protocol errors, and the mapping from a pydantic failure to OpenAI's wording.

Every failure to parse a client event becomes one :class:`ProtocolError` with
OpenAI's ``code``, ``message`` and ``param``. Only the first problem in document
order is reported, as OpenAI's server does; ``param`` is the dotted path with
list indexes (``session.tools[0].name``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any, Final

from pydantic import ValidationError
from pydantic_core import ErrorDetails

__all__ = ["ProtocolError", "format_choices", "json_too_deep", "json_type_name"]

EVENT_ID_MAX_LENGTH: Final = 512
ECHO_LIMIT: Final = 512
"""Characters of a client value an error message quotes; the rest is cut."""
JSON_NESTING_LIMIT: Final = 200
"""The deepest nesting pydantic's JSON parser reads; deeper JSON is refused."""
_UNREADABLE: Final = frozenset({"json_invalid", "string_unicode"})
_DISCRIMINATORS: Final = ("type", "role")
_QUOTED: Final = re.compile(r"'((?:[^'\\]|\\.)*)'")
_MISSING: Final = object()

_EXPECTED: Final[dict[str, str]] = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "int_parsing": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "a boolean",
    "bool_parsing": "a boolean",
    "list_type": "an array",
    "tuple_type": "an array",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "dataclass_type": "an object",
    "none_required": "null",
}


class ProtocolError(Exception):
    """A client event the server rejects: one ``error`` event on the wire.

    Attributes mirror the wire's ``error`` object: ``type``, ``code``, ``message``,
    ``param`` and ``event_id`` (the offending client event's id, when readable).
    """

    def __init__(
        self,
        code: str | None,
        message: str,
        *,
        param: str | None = None,
        event_id: str | None = None,
        type: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.type = type
        self.code = code
        self.message = message
        self.param = param
        self.event_id = event_id

    def to_dict(self) -> dict[str, Any]:
        """The wire ``error`` object, with all five keys in OpenAI's order.

        ``param`` is cut as client values are (``param`` itself keeps the whole path).
        """
        return {
            "type": self.type,
            "code": self.code,
            "message": self.message,
            "param": self.param if self.param is None else ProtocolError.shown(self.param),
            "event_id": self.event_id,
        }

    def __repr__(self) -> str:
        return (
            f"ProtocolError(code={self.code!r}, message={self.message!r}, "
            f"param={self.param!r}, event_id={self.event_id!r})"
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ProtocolError) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    @staticmethod
    def shown(value: object) -> str:
        """A client value as an error quotes it: cut after :data:`ECHO_LIMIT` characters."""
        text = str(value)
        if len(text) <= ECHO_LIMIT:
            return text
        return f"{text[:ECHO_LIMIT]}…(+{len(text) - ECHO_LIMIT} chars)"

    @classmethod
    def invalid_value(
        cls,
        value: object,
        choices: Iterable[str],
        *,
        param: str | None,
        event_id: str | None = None,
    ) -> ProtocolError:
        """``invalid_value``: "Invalid value: 'x'. Supported values are: ..."."""
        return cls(
            "invalid_value",
            f"Invalid value: '{cls.shown(value)}'. Supported values are: "
            f"{format_choices(choices)}.",
            param=param,
            event_id=event_id,
        )

    @classmethod
    def from_validation(
        cls, exc: ValidationError, text: str | bytes, supported_types: Sequence[str]
    ) -> ProtocolError:
        """Map a failed validation of the client event ``text`` to OpenAI's error."""
        errors = exc.errors(include_url=False)
        raw = _loads(text)
        unreadable = next((e for e in errors if e["type"] in _UNREADABLE), None)
        if raw is _MISSING or unreadable is not None:
            return _unreadable(unreadable, raw)
        event_id = readable_event_id(raw)
        located = [_locate(error, raw) for error in errors]
        # In a union, a branch whose JSON type matched and failed deeper explains the
        # problem better than the branches that wanted another JSON type.
        relevant = [item for item in located if not _outranked(item, located)]
        error, _order, path, value = min(relevant, key=lambda item: item[1])
        return _map(error, path, value, raw, supported_types, event_id)


def readable_event_id(raw: object) -> str | None:
    """The client's ``event_id``, when the event carries a usable one.

    Usable: a string of at most 512 characters that is Unicode text (a lone
    surrogate escape such as ``"\\ud800"`` cannot be sent back).
    """
    if isinstance(raw, dict):
        event_id = raw.get("event_id")
        if (
            isinstance(event_id, str)
            and len(event_id) <= EVENT_ID_MAX_LENGTH
            and _lone_surrogate(event_id) is None
        ):
            return event_id
    return None


def format_choices(choices: Iterable[str]) -> str:
    """``'a'``, ``'a' and 'b'``, ``'a', 'b', and 'c'``: OpenAI's list style."""
    quoted = [f"'{choice}'" for choice in choices]
    if len(quoted) <= 2:
        return " and ".join(quoted)
    return ", ".join(quoted[:-1]) + ", and " + quoted[-1]


def json_type_name(value: object) -> str:
    """The JSON type of ``value``, as OpenAI's messages name it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


_STRUCTURE_TEXT: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
_STRUCTURE_BYTES: Final = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def json_too_deep(text: str | bytes, limit: int = JSON_NESTING_LIMIT) -> bool:
    """Whether JSON text nests arrays and objects more than ``limit`` levels deep.

    A linear scan that never recurses, so deep input is refused before a recursive
    parser (and anything that runs while its stack is deep) sees it.
    """
    opening = (b"[", b"{") if isinstance(text, bytes) else ("[", "{")
    if text.count(opening[0]) + text.count(opening[1]) <= limit:  # type: ignore[arg-type]
        return False
    pattern = _STRUCTURE_BYTES if isinstance(text, bytes) else _STRUCTURE_TEXT
    depth = 0
    for match in pattern.finditer(text):  # type: ignore[arg-type]
        token = match.group()
        if token in ("[", "{", b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in ("]", "}", b"]", b"}"):
            depth -= 1
    return False


def _loads(text: str | bytes) -> Any:
    # Python's parser recurses: JSON too deep for pydantic is not read at all.
    if json_too_deep(text):
        return _MISSING
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return _MISSING


def _unreadable(error: ErrorDetails | None, raw: Any) -> ProtocolError:
    """The error for a frame pydantic could not read: not JSON, too deep, or not text.

    Python's parser is more permissive than pydantic's, so ``raw`` may hold the
    document pydantic refused; it tells a lone surrogate and deep nesting (valid
    JSON both) from text that is not JSON at all.
    """
    detail = str(error.get("ctx", {}).get("error", "")) if error is not None else ""

    event_id = readable_event_id(raw) if raw is not _MISSING else None
    if raw is not _MISSING:
        found = _find_surrogate(raw)
        if found is not None:
            path, in_key, character = found
            param = _dotted(path)
            where = "a key" if in_key else "the string"
            subject = f"Invalid value for '{_label(param)}'" if param else "Invalid event"
            return ProtocolError(
                "invalid_value",
                f"{subject}: {where} contains a lone UTF-16 surrogate ({character}), so it is "
                "not Unicode text. Surrogates are only valid in pairs.",
                param=param,
                event_id=event_id,
            )
    if "recursion limit" in detail:
        return ProtocolError(
            "invalid_json",
            "Invalid event: failed to parse JSON value. It is nested more than "
            f"{JSON_NESTING_LIMIT} levels deep, the most this server reads.",
            event_id=event_id,
        )
    message = f"Invalid event: failed to parse JSON value. {detail}".strip()
    return ProtocolError("invalid_json", message, event_id=event_id)


def _lone_surrogate(text: str) -> str | None:
    """The first lone surrogate in ``text`` as a ``\\uXXXX`` escape, if any."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"\\u{ord(text[exc.start]):04x}"
    return None


def _find_surrogate(raw: Any) -> tuple[list[str | int], bool, str] | None:
    """The first string or key holding a lone surrogate (an object's keys before its values).

    Returns the path (of the string, or of the object whose key it is), whether it
    is a key, and the surrogate as an escape. Iterative: the document may nest
    nearly as deep as Python's recursion limit.
    """
    stack: list[tuple[list[str | int], Any]] = [([], raw)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, str):
            character = _lone_surrogate(node)
            if character is not None:
                return path, False, character
        elif isinstance(node, dict):
            children: list[tuple[list[str | int], Any]] = []
            for key, value in node.items():
                character = _lone_surrogate(key)
                if character is not None:
                    return path, True, character
                children.append(([*path, key], value))
            stack.extend(reversed(children))
        elif isinstance(node, list):
            stack.extend(reversed([([*path, index], value) for index, value in enumerate(node)]))
    return None


def _is_tag(node: dict[str, Any], segment: str) -> bool:
    return any(node.get(key) == segment for key in _DISCRIMINATORS)


_Located = tuple[ErrorDetails, tuple[int, ...], list[str | int], Any]


def _locate(error: ErrorDetails, raw: Any) -> _Located:
    """Follow an error's ``loc`` through the document.

    pydantic adds union tags and labels to ``loc``; they are skipped here. The
    result is the data path, its position in document order (a missing key sorts
    after the keys present), and the offending value.
    """
    node: Any = raw
    path: list[str | int] = []
    order: list[int] = []
    loc = error["loc"]
    for index, segment in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(node, dict):
            if isinstance(segment, str) and segment in node:
                order.append(list(node).index(segment))
                path.append(segment)
                node = node[segment]
            elif isinstance(segment, str) and last and error["type"] == "missing":
                order.append(len(node))
                path.append(segment)
                node = _MISSING
        elif isinstance(node, list) and isinstance(segment, int) and 0 <= segment < len(node):
            order.append(segment)
            path.append(segment)
            node = node[segment]
        elif not isinstance(node, list):
            break
    return error, tuple(order), path, node


def _outranked(item: _Located, located: list[_Located]) -> bool:
    """Whether a type mismatch is explained better by another union branch's error."""
    error, _order, path, _value = item
    if error["type"] not in _EXPECTED:
        return False
    for other_error, _, other_path, _ in located:
        if other_path[: len(path)] != path:
            continue
        if len(other_path) > len(path) or other_error["type"] not in _EXPECTED:
            return True
    return False


def _dotted(path: Sequence[str | int]) -> str | None:
    text = ""
    for segment in path:
        text += f"[{segment}]" if isinstance(segment, int) else (f".{segment}" if text else segment)
    # A key may be empty: "" is a path, only no path at all is None.
    return text if path else None


def _label(param: str | None) -> str | None:
    """A parameter path as a message names it: cut as client values are."""
    return None if param is None else ProtocolError.shown(param)


def _type_message(param: str | None, expected: str, value: Any) -> str:
    actual = json_type_name(value)
    return f"Invalid type for '{_label(param)}': expected {expected}, but got {actual} instead."


def _number(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _map(
    error: ErrorDetails,
    path: list[str | int],
    value: Any,
    raw: Any,
    supported_types: Sequence[str],
    event_id: str | None,
) -> ProtocolError:
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    param = _dotted(path)
    named = _label(param)

    def fail(code: str | None, message: str, at: str | None = param) -> ProtocolError:
        return ProtocolError(code, message, param=at, event_id=event_id)

    if not path and kind in ("dict_type", "model_type", "model_attributes_type"):
        return fail(
            "invalid_event",
            f"Invalid event: expected a JSON object, but got {json_type_name(raw)} instead.",
        )
    if kind in ("union_tag_not_found", "union_tag_invalid"):
        # A callable discriminator has no quoted key name; ours all read "type".
        key = next(iter(_QUOTED.findall(str(ctx.get("discriminator", "")))), "type")
        at = _dotted([*path, key])
        if not path and kind == "union_tag_not_found":
            return fail("invalid_event", "The 'type' field is missing.", None)
        tag = value.get(key, _MISSING) if isinstance(value, dict) else _MISSING
        if kind == "union_tag_not_found" or tag is _MISSING:
            return fail(
                "missing_required_parameter", f"Missing required parameter: '{_label(at)}'.", at
            )
        if not isinstance(tag, str):
            return fail("invalid_type", _type_message(at, "a string", tag), at)
        choices = supported_types if not path else _QUOTED.findall(ctx.get("expected_tags", ""))
        return ProtocolError.invalid_value(tag, choices, param=at, event_id=event_id)
    if kind == "extra_forbidden":
        return fail("unknown_parameter", f"Unknown parameter: '{named}'.")
    if kind == "missing" or value is _MISSING:
        return fail("missing_required_parameter", f"Missing required parameter: '{named}'.")
    if kind in ("literal_error", "enum"):
        if not isinstance(value, str):
            return fail("invalid_type", _type_message(param, "a string", value))
        choices = _QUOTED.findall(ctx.get("expected", ""))
        return ProtocolError.invalid_value(value, choices, param=param, event_id=event_id)
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        below = kind.startswith("greater")
        limit = ctx.get("ge", ctx.get("gt")) if below else ctx.get("le", ctx.get("lt"))
        number = "integer" if isinstance(value, int) and isinstance(limit, int) else "decimal"
        side, word, sign = ("below", "minimum", ">=") if below else ("above", "maximum", "<=")
        return fail(
            f"{number}_{side}_{word[:3]}_value",
            f"Invalid '{named}': {number} {side} {word} value. Expected a value {sign} "
            f"{_number(limit)}, but got {_number(value)} instead.",
        )
    if kind in ("string_too_long", "string_too_short", "too_long", "too_short"):
        longer = kind.endswith("long")
        noun = "a string" if kind.startswith("string") else "an array"
        thing = noun.split()[1]
        limit = ctx.get("max_length" if longer else "min_length")
        actual = ctx.get("actual_length", len(value) if hasattr(value, "__len__") else "?")
        side, word = ("above", "maximum") if longer else ("below", "minimum")
        return fail(
            f"{thing}_{side}_{word[:3]}_length",
            f"Invalid '{named}': {thing} too {'long' if longer else 'short'}. Expected {noun} "
            f"with {word} length {limit}, but got {noun} with length {actual} instead.",
        )
    if kind in _EXPECTED:
        return fail("invalid_type", _type_message(param, _EXPECTED[kind], value))
    if kind == "openrealtime":
        return fail(ctx.get("code"), str(ctx.get("message", error["msg"])).format(param=named))
    return fail("invalid_value", f"Invalid value for '{named}': {error['msg']}.")
