"""Opt-in leniency (``--lenient``): accept client fields our models do not know.

A client newer than our models may send fields we have never seen; strict parsing
refuses them with ``unknown_parameter``, as OpenAI does. A :class:`LenientEdge`
instead removes each unknown field, reports its path once, and parses again. Every
other error stays an error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Final, Literal

from ...protocol import ProtocolError, ga
from .edge import DialectEdge

__all__ = ["LenientEdge"]

_SEGMENT: Final = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_MAX_REMOVED: Final = 64
"""Unknown fields removed from one event at most; a bound on re-parsing."""


def _remove(document: object, path: str) -> bool:
    """Delete the field at a dotted path (``session.tools[0].x``); whether it was there."""
    steps: list[str | int] = [
        name if name else int(index) for name, index in _SEGMENT.findall(path)
    ]
    node = document
    for step in steps[:-1]:
        child = _child(node, step)
        if child is None:
            return False
        node = child
    last = steps[-1] if steps else None
    if isinstance(last, str) and isinstance(node, dict) and last in node:
        del node[last]
        return True
    return False


def _child(node: object, step: str | int) -> object | None:
    """``node[step]`` when the list index or object key exists, else ``None``."""
    if isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
        child: object = node[step]
        return child
    if isinstance(step, str) and isinstance(node, dict) and step in node:
        found: object = node[step]
        return found
    return None


class LenientEdge:
    """A dialect edge that drops unknown client fields; ``on_unknown`` hears each path."""

    def __init__(self, inner: DialectEdge, on_unknown: Callable[[str], None]) -> None:
        self._inner = inner
        self._on_unknown = on_unknown
        self.dialect: Literal["ga", "beta"] = inner.dialect

    def decode(self, text: str | bytes) -> ga.ClientEvent:
        """Parse a client frame, ignoring unknown fields."""
        try:
            return self._inner.decode(text)
        except ProtocolError as error:
            failure = error
        document = None
        for _ in range(_MAX_REMOVED):
            path = failure.param
            if failure.code != "unknown_parameter" or path is None:
                break
            document = json.loads(text) if document is None else document
            if not _remove(document, path):
                break
            self._on_unknown(path)
            try:
                return self._inner.decode(json.dumps(document))
            except ProtocolError as error:
                failure = error
        raise failure

    def encode(self, event: ga.ServerEvent) -> list[str]:
        """Server events pass through unchanged."""
        return self._inner.encode(event)
