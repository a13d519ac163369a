"""Mutations of client frames: types, values, nesting, encodings and sizes.

A :class:`Mutator` takes a valid event (a JSON object) and a source of randomness
and returns a :class:`Frame`: text, or bytes sent as a text frame (not UTF-8), or
a binary frame. Structural mutations edit the object (a field set to ``null``, to
another JSON type, removed, added, a string made huge or not text, a value nested
deep, the ``type`` swapped, ids pointed elsewhere); textual ones edit the JSON
(cut short, a character changed, a key duplicated, not an object). Every choice
comes from the ``random.Random`` given, so a seed reproduces a campaign, and
hypothesis can drive the same mutator through ``st.randoms()`` and shrink it.
"""

from __future__ import annotations

import copy
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Path = tuple[str | int, ...]

MAX_TEXT = 6 * 1024 * 1024
"""The largest string a mutation writes: well under the 24 MiB frame cap."""
MAX_FRAME_BYTES = 24 * 1024 * 1024
"""The server's default frame cap, which no mutated frame reaches."""
MAX_FRAME_TEXT = 5 * MAX_TEXT // 2
"""The longest frame a mutation makes, in characters (and under the cap in UTF-8)."""

SURROGATE = "\ud800"
"""Written into a string as the JSON escape ``\\ud800``: valid JSON, not text."""

OTHER_VALUES: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    -1,
    1,
    2**31,
    -(2**63),
    2**64,
    10**40,
    0.5,
    -0.0,
    1e308,
    -1e-300,
    "",
    "x",
    "🙂",
    "\u0000",
    [],
    [None],
    [1, "a"],
    {},
    {"a": None},
)
STRINGS: tuple[Callable[[random.Random], str], ...] = (
    lambda rnd: "",
    lambda rnd: " ",
    lambda rnd: "null",
    lambda rnd: "root",
    lambda rnd: "inf",
    lambda rnd: "x" * rnd.choice([32, 33, 64, 65, 511, 512, 513, 4096]),
    lambda rnd: "é" * rnd.randint(1, 5000),
    lambda rnd: "🙂" * rnd.randint(1, 5000),
    lambda rnd: "\u2028\u2029\u200b\ufeff\u202e",
    lambda rnd: "".join(chr(rnd.randrange(0, 32)) for _ in range(rnd.randint(1, 64))),
    lambda rnd: "a" * rnd.choice([10_000, 100_000, 1_000_000]),
    lambda rnd: "b" * rnd.randint(1, MAX_TEXT) if rnd.random() < 0.05 else "b",
    lambda rnd: SURROGATE,
    lambda rnd: "text" + rnd.choice(["\ud800", "\udfff", "\udc00x", "\ud83d"]),
    lambda rnd: "AAAA" * rnd.randint(1, 10_000),
    lambda rnd: "not base64!",
    lambda rnd: "%s{}$1${name}\\",
)
NUMBERS: tuple[Any, ...] = (
    -1,
    0,
    1,
    99,
    100,
    8000,
    24000,
    4096,
    4097,
    2**31 - 1,
    2**31,
    2**53 + 1,
    2**63,
    -(2**63) - 1,
    0.1,
    1.0,
    -0.5,
    1e-9,
    1.7976931348623157e308,
)
DEPTHS = (2, 20, 199, 200, 201, 500, 999, 1000, 1001, 5000)


@dataclass(frozen=True)
class Frame:
    """One client frame: ``text``, or ``data`` (bytes as a text frame, or a binary frame)."""

    text: str | None = None
    data: bytes | None = None
    binary: bool = False

    @property
    def size(self) -> int:
        return len(self.text) if self.text is not None else len(self.data or b"")

    def describe(self, limit: int = 300) -> str:
        """The start of the frame, for a report."""
        if self.text is not None:
            return self.text[:limit] + ("…" if len(self.text) > limit else "")
        kind = "binary" if self.binary else "non-UTF-8 text"
        return f"<{kind} frame, {len(self.data or b'')} bytes>"

    def to_json(self) -> dict[str, Any]:
        """The frame as a corpus entry."""
        if self.text is not None:
            return {"text": self.text}
        return {"bytes_hex": (self.data or b"").hex(), "binary": self.binary}

    @classmethod
    def from_json(cls, entry: dict[str, Any]) -> Frame:
        """A corpus entry back as a frame."""
        if "text" in entry:
            return cls(text=entry["text"])
        return cls(data=bytes.fromhex(entry["bytes_hex"]), binary=bool(entry.get("binary")))


def dumps(document: Any, rnd: random.Random | None = None) -> str:
    """JSON text; strings with lone surrogates are escaped (``ensure_ascii``), as they must."""
    pretty = rnd is not None and rnd.random() < 0.05
    try:
        return json.dumps(document, ensure_ascii=False, indent=2 if pretty else None)
    except (UnicodeEncodeError, ValueError):
        return json.dumps(document, ensure_ascii=True)


def _needs_ascii(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def paths(document: Any, prefix: Path = ()) -> list[Path]:
    """Every path into a JSON document (the root excluded), depth-first."""
    found: list[Path] = []
    stack: list[tuple[Path, Any]] = [(prefix, document)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            children = [((*path, key), value) for key, value in node.items()]
        elif isinstance(node, list):
            children = [((*path, index), value) for index, value in enumerate(node)]
        else:
            continue
        for child in children:
            found.append(child[0])
        stack.extend(children)
    return found


def _get(document: Any, path: Path) -> Any:
    node = document
    for step in path:
        node = node[step]
    return node


def _set(document: Any, path: Path, value: Any) -> None:
    _get(document, path[:-1])[path[-1]] = value


class Mutator:
    """Mutates valid events; ``event_types`` are the types to swap in, ``ids`` live ids."""

    def __init__(self, event_types: list[str], *, allow_bytes: bool) -> None:
        self.event_types = event_types
        self.allow_bytes = allow_bytes
        self._structural: list[Callable[[Any, random.Random, list[str]], None]] = [
            self._null,
            self._retype,
            self._remove,
            self._unknown,
            self._string,
            self._number,
            self._nest,
            self._swap_type,
            self._event_id,
            self._grow_list,
            self._point_id,
        ]

    def mutate(self, event: dict[str, Any], rnd: random.Random, ids: list[str]) -> Frame:
        """One mutated frame from ``event`` (which is left as it was)."""
        roll = rnd.random()
        if roll < 0.03:
            return self._raw(rnd)
        document = copy.deepcopy(event)
        for _ in range(rnd.choice([1, 1, 1, 2, 3])):
            rnd.choice(self._structural)(document, rnd, ids)
        text = _nested(dumps(document, rnd))
        if rnd.random() < 0.15:
            text = self._textual(text, rnd)
        if _needs_ascii(text):
            text = json.dumps(json.loads(text), ensure_ascii=True) if _loads(text) else text
        if _needs_ascii(text):
            text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        if len(text) > MAX_FRAME_TEXT or (
            4 * len(text) > MAX_FRAME_BYTES and len(text.encode()) > MAX_FRAME_BYTES
        ):
            # Past the server's frame cap a frame is closed with 1009 before it is read:
            # documented, and nothing to fuzz. Cut it (it is then no longer JSON).
            text = text[: rnd.randrange(MAX_FRAME_BYTES // 4)]
        return Frame(text=text)

    # -- structural ---------------------------------------------------------------------------

    def _target(self, document: Any, rnd: random.Random) -> Path | None:
        found = paths(document)
        return rnd.choice(found) if found else None

    def _null(self, document: Any, rnd: random.Random, ids: list[str]) -> None:
        path = self._target(document, rnd)
        if path is not None:
            _set(document, path, None)

    def _retype(self, document: Any, rnd: random.Random, ids: list[str]) -> None:
        path = self._target(document, rnd)
        if path is not None:
            _set(document, path, copy.deepcopy(rnd.choice(OTHER_VALUES)))

    def _remove(self, document: Any, rnd: random.Random, ids: list[str]) -> None:
        path = self._target(document, rnd)
        if path is not None:
            parent = _get(document, path[:-1])
            del parent[path[-1]]

    def _unknown(self, document: Any, rnd: random.Random, ids: list[str]) -> None:
        objects = [()] + [p for p in paths(document) if isinstance(_get(document, p), dict)]
        parent = _get(document, rnd.choice(objects))
        key = rnd.choice(["bogus", "", "type", "event_id", "k" * 1000, "ключ", "\u0000", SURROGATE])
        parent[key] = copy.deepcopy(rnd.choice(OTHER_VALUES))

    def _string(self, document: Any, rnd: random.Random, ids: list[str]) -> None:
        strings = [p for p in paths(document) if isinstance(_get(document, p), str)]
        if strings:
            _set(document, rnd.choice(strings), rnd.choice(STRINGS)(rnd))

    def _number(self, document: Any, rnd: random.Random, ids: list[str]) -> None:
        numbers = [
            p
            for p in paths(document)
            if isinstance(_get(document, p), int | float)
            and not isinstance(_get(document, p), bool)
        ]
        path = rnd.choice(numbers) if numbers else self._target(document, rnd)
        if path is not None:
            _set(document, path, rnd.choice(NUMBERS))

    def _nest(self, document: Any, rnd: random.Random, ids: list[str]) -> None:
        # Written into the text after dumping: json.dumps cannot nest 1,000 levels.
        path = self._target(document, rnd)
        if path is not None:
            _set(document, path, f"{_NEST}{rnd.choice(DEPTHS)}:{rnd.choice('ao')}")

    def _swap_type(self, document: Any, rnd: random.Random, ids: list[str]) -> None:
        choices = [*self.event_types, "nope", "session.close", "output_audio_buffer.clear"]
        document["type"] = rnd.choice(choices) if rnd.random() < 0.9 else rnd.choice(STRINGS)(rnd)

    def _event_id(self, document: Any, rnd: random.Random, ids: list[str]) -> None:
        if rnd.random() < 0.6:
            document["event_id"] = rnd.choice(STRINGS)(rnd)
        else:
            document["event_id"] = copy.deepcopy(rnd.choice(OTHER_VALUES))

    def _grow_list(self, document: Any, rnd: random.Random, ids: list[str]) -> None:
        lists = [p for p in paths(document) if isinstance(_get(document, p), list)]
        if lists:
            items = _get(document, rnd.choice(lists))
            # Copies of a small element only: the frame stays under the frame cap.
            if items and len(dumps(items[0])) < 64 * 1024:
                items.extend(copy.deepcopy(items[0]) for _ in range(rnd.choice([1, 16, 17, 200])))

    def _point_id(self, document: Any, rnd: random.Random, ids: list[str]) -> None:
        names = ("item_id", "previous_item_id", "response_id", "call_id", "id")
        found = [p for p in paths(document) if p and p[-1] in names]
        if found:
            _set(
                document, rnd.choice(found), rnd.choice([*ids, "root", "", None]) if ids else "root"
            )

    # -- textual -------------------------------------------------------------------------------

    def _textual(self, text: str, rnd: random.Random) -> str:
        choice = rnd.randrange(6)
        if choice == 0 and text:
            return text[: rnd.randrange(len(text))]
        if choice == 1 and text:
            at = rnd.randrange(len(text))
            return (
                text[:at]
                + rnd.choice(['"', "{", "}", ",", ":", "\\", "\x00", "\\u", "é"])
                + text[at + 1 :]
            )
        if choice == 2 and text.startswith("{"):
            return '{"type":"input_audio_buffer.clear",' + text[1:]
        if choice == 3:
            return " \n\t" + text + "\n"
        if choice == 4:
            return text.replace('"', '"\\u0041', 1) if rnd.random() < 0.5 else text + text
        return rnd.choice(["null", "[]", "1", '"type"', "{}", "", "  ", "[{}]", "true"])

    def _raw(self, rnd: random.Random) -> Frame:
        if not self.allow_bytes:
            return Frame(text=rnd.choice(["", "\x00", "{", "}{", "🙂", '{"type":}']))
        choice = rnd.randrange(3)
        if choice == 0:
            return Frame(data=b'{"type":"session.update","x":"\xff\xfe"}')
        if choice == 1:
            return Frame(
                data=bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 64))), binary=True
            )
        return Frame(data=b'{"type":"input_audio_buffer.clear"}', binary=True)


_NEST = "\u0001nest:"
_NESTED = re.compile(r'"\\u0001nest:(\d+):([ao])"')


def _nested(text: str) -> str:
    """Each nesting marker replaced by arrays (``a``) or objects (``o``) that deep."""

    def deep(match: re.Match[str]) -> str:
        depth = int(match.group(1))
        if match.group(2) == "a":
            return "[" * depth + "1" + "]" * depth
        return '{"a":' * depth + "1" + "}" * depth

    return _NESTED.sub(deep, text)


def _loads(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True
