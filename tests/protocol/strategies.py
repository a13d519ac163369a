"""Hypothesis strategies that build valid wire JSON for the protocol models.

:func:`for_model` walks a pydantic model's fields (or :func:`for_annotation` an
annotation) and draws JSON-compatible dicts that the model must accept. Two modes:

- ``client=True`` draws what a strict parser must accept: the client-only rules in
  the field metadata (``MaxLength``, ``MaxItems``, ``ValueRange``, ``OneOf``) are
  honoured, fields marked ``Rejected`` (server-only, beta-only) are left out, and
  no unknown key is added.
- ``client=False`` draws what a server may send: the client-only rules are ignored
  (a closed set may also get a newer value), and objects get unknown extra keys.

Optional fields are omitted at random and, when the annotation allows it, sometimes
sent as an explicit ``null``. Strings are short and often non-ASCII.
"""

from __future__ import annotations

import base64
import math
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal, get_args, get_origin

from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from openrealtime.protocol._fields import Base64, MaxItems, MaxLength, OneOf, Rejected, ValueRange

__all__ = [
    "for_annotation",
    "for_model",
    "json_objects",
    "json_values",
    "shuffled",
    "texts",
    "wire_keys",
]

_INT_LIMIT = 2**53
_MAX_TEXT = 8
_MAX_ITEMS = 3

texts = st.one_of(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=_MAX_TEXT),
    st.text(st.characters(codec="utf-8"), max_size=_MAX_TEXT),
)
"""Short strings: printable ASCII, or any code point that UTF-8 can carry."""

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-_INT_LIMIT, _INT_LIMIT)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts,
    lambda inner: (
        st.lists(inner, max_size=_MAX_ITEMS) | st.dictionaries(texts, inner, max_size=_MAX_ITEMS)
    ),
    max_leaves=6,
)
"""Any JSON value, small."""

json_objects: st.SearchStrategy[dict[str, Any]] = st.dictionaries(
    texts, json_values, max_size=_MAX_ITEMS
)
"""Any JSON object, small."""

_base64_audio = st.binary(max_size=48).map(lambda raw: base64.b64encode(raw).decode("ascii"))


@dataclass(frozen=True)
class _Rules:
    """The client-only limits that apply to one value."""

    max_length: int | None = None
    max_items: int | None = None
    ge: float | None = None
    le: float | None = None
    choices: tuple[str, ...] | None = None
    base64: bool = False

    def add(self, metadata: Iterable[Any]) -> _Rules:
        rules = self
        for meta in metadata:
            if isinstance(meta, FieldInfo):
                rules = rules.add(meta.metadata)
            elif isinstance(meta, MaxLength):
                rules = _replace(rules, max_length=meta.limit)
            elif isinstance(meta, MaxItems):
                rules = _replace(rules, max_items=meta.limit)
            elif isinstance(meta, ValueRange):
                rules = _replace(rules, ge=meta.ge, le=meta.le)
            elif isinstance(meta, OneOf):
                rules = _replace(rules, choices=meta.choices)
            elif isinstance(meta, Base64):
                rules = _replace(rules, base64=True)
        return rules


def _replace(rules: _Rules, **changes: Any) -> _Rules:
    return _Rules(**{**rules.__dict__, **changes})


_NO_RULES = _Rules()


def _is_rejected(info: FieldInfo) -> bool:
    return any(isinstance(meta, Rejected) for meta in info.metadata)


def _single_literal(annotation: Any) -> Any:
    if get_origin(annotation) is Literal and len(get_args(annotation)) == 1:
        return get_args(annotation)[0]
    return None


def wire_keys(model: type[BaseModel]) -> frozenset[str]:
    """The JSON keys a model declares."""
    return frozenset(info.alias or name for name, info in model.model_fields.items())


def for_model(model: type[BaseModel], *, client: bool) -> st.SearchStrategy[dict[str, Any]]:
    """Valid JSON objects for ``model``: client input or server output."""
    return _model(model, client)


def for_annotation(annotation: Any, *, client: bool) -> st.SearchStrategy[Any]:
    """Valid JSON values for a type annotation."""
    return _annotation(annotation, _NO_RULES, client)


@cache
def _model(model: type[BaseModel], client: bool) -> st.SearchStrategy[dict[str, Any]]:
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, info in model.model_fields.items():
        if client and _is_rejected(info):
            continue
        key = info.alias or name
        value = _field(info, client)
        literal = _single_literal(info.annotation)
        # A single-valued discriminator is always on the wire once set, so always send it.
        if info.is_required() or (literal is not None and info.default == literal):
            required[key] = value
        else:
            optional[key] = value
    fields = st.fixed_dictionaries(required, optional=optional)
    if client:
        return fields
    known = wire_keys(model)
    extras = st.dictionaries(texts.filter(lambda key: key not in known), json_values, max_size=2)
    return st.builds(lambda base, more: {**base, **more}, fields, extras)


def _field(info: FieldInfo, client: bool) -> st.SearchStrategy[Any]:
    # Deferred, so that a model may (indirectly) contain itself.
    def build() -> st.SearchStrategy[Any]:
        return _annotation(info.annotation, _NO_RULES.add(info.metadata), client)

    return st.deferred(build)


def _annotation(annotation: Any, rules: _Rules, client: bool) -> st.SearchStrategy[Any]:
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Annotated:
        return _annotation(args[0], rules.add(annotation.__metadata__), client)
    if origin is typing.Union or origin is types.UnionType:
        # Members of a discriminated union (``Field(discriminator=...)`` or
        # ``Discriminator`` with ``Tag``) carry their tag as a single-valued Literal,
        # which is always drawn, so any member gives a correctly tagged object.
        return st.one_of(*(_annotation(member, rules, client) for member in args))
    if origin is Literal:
        return st.sampled_from(args)
    if origin is list:
        return st.lists(_annotation(args[0], _NO_RULES, client), max_size=_cap(rules, client))
    if origin is dict:
        keys = _annotation(args[0], _NO_RULES, client)
        values = _annotation(args[1], _NO_RULES, client)
        return st.dictionaries(keys, values, max_size=_cap(rules, client))
    if annotation is Any:
        return json_values
    if annotation is None or annotation is type(None):
        return st.none()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model(annotation, client)
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        return _integers(rules, client)
    if annotation is float:
        return _floats(rules, client)
    if annotation is str:
        return _strings(rules, client)
    raise TypeError(f"no strategy for {annotation!r}")


def _cap(rules: _Rules, client: bool) -> int:
    if client and rules.max_items is not None:
        return min(rules.max_items, _MAX_ITEMS)
    return _MAX_ITEMS


def _integers(rules: _Rules, client: bool) -> st.SearchStrategy[int]:
    if not client:
        return st.integers(-_INT_LIMIT, _INT_LIMIT)
    low = -_INT_LIMIT if rules.ge is None else math.ceil(rules.ge)
    high = _INT_LIMIT if rules.le is None else math.floor(rules.le)
    return st.integers(low, high)


def _floats(rules: _Rules, client: bool) -> st.SearchStrategy[float | int]:
    if not client or (rules.ge is None and rules.le is None):
        return st.floats(allow_nan=False, allow_infinity=False) | st.integers(-1000, 1000)
    floats = st.floats(min_value=rules.ge, max_value=rules.le)
    low = -1000 if rules.ge is None else math.ceil(rules.ge)
    high = 1000 if rules.le is None else math.floor(rules.le)
    # JSON has one number type: an integer is a valid value for a float field.
    return floats | st.integers(low, high) if low <= high else floats


def _strings(rules: _Rules, client: bool) -> st.SearchStrategy[str]:
    if rules.choices is not None:
        closed = st.sampled_from(rules.choices)
        # A newer server may send a value this version does not know.
        return closed if client else closed | texts
    if rules.base64:
        return _base64_audio
    limit = rules.max_length
    if client and limit is not None:
        short = texts.filter(lambda text: len(text) <= limit)
        at_limit = st.text(min_size=limit, max_size=limit)
        # Now and then exactly at the limit, which must still pass.
        return st.integers(0, 7).flatmap(lambda n: at_limit if n == 0 else short)
    return texts


def shuffled(value: Any) -> st.SearchStrategy[Any]:
    """The same JSON value with the keys of every object in a random order."""
    return st.randoms(use_true_random=False).map(lambda rnd: _shuffle(value, rnd))


def _shuffle(value: Any, rnd: Any) -> Any:
    if isinstance(value, dict):
        keys = list(value)
        rnd.shuffle(keys)
        return {key: _shuffle(value[key], rnd) for key in keys}
    if isinstance(value, list):
        return [_shuffle(item, rnd) for item in value]
    return value
