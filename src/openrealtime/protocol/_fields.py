"""Field annotations shared by both dialects.

One model set serves two directions. A server parses client events strictly, as
OpenAI's server does; a client parses server events leniently, so that a newer
or looser server never breaks it. The limits that OpenAI enforces on client input
(lengths, ranges, read-only fields) therefore apply only when a validation runs
with :data:`STRICT_CONTEXT`. They raise errors shaped like pydantic's own, so one
mapper turns every failure into an OpenAI error.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from pydantic import AfterValidator, BeforeValidator, ValidationInfo
from pydantic_core import PydanticCustomError

__all__ = [
    "B64",
    "STRICT_CONTEXT",
    "Base64",
    "beta_only",
    "is_strict",
    "max_items",
    "max_length",
    "one_of",
    "server_only",
    "value_range",
]

_STRICT_KEY: Final = "openrealtime.strict"
STRICT_CONTEXT: Final[dict[str, Any]] = {_STRICT_KEY: True}
"""Validation context that turns on the client-input rules."""


def is_strict(info: ValidationInfo) -> bool:
    """Whether this validation parses client input (the strict direction)."""
    context = info.context
    return isinstance(context, dict) and bool(context.get(_STRICT_KEY))


class Base64:
    """Marks a field holding base64 audio, so ``repr`` shortens it."""

    __slots__ = ()


B64 = Annotated[str, Base64()]


def max_length(limit: int) -> AfterValidator:
    """A string length limit that OpenAI enforces on client input."""

    def check(value: Any, info: ValidationInfo) -> Any:
        if is_strict(info) and isinstance(value, str) and len(value) > limit:
            raise PydanticCustomError(
                "string_too_long",
                "String should have at most {max_length} characters",
                {"max_length": limit, "actual_length": len(value)},
            )
        return value

    return AfterValidator(check)


def max_items(limit: int) -> AfterValidator:
    """A limit on the entries of a list or object in client input."""

    def check(value: Any, info: ValidationInfo) -> Any:
        if is_strict(info) and value is not None and len(value) > limit:
            raise PydanticCustomError(
                "too_long",
                "Value should have at most {max_length} items",
                {"max_length": limit, "actual_length": len(value)},
            )
        return value

    return AfterValidator(check)


def value_range(ge: float | None = None, le: float | None = None) -> AfterValidator:
    """An inclusive numeric range that OpenAI enforces on client input."""

    def check(value: Any, info: ValidationInfo) -> Any:
        if not is_strict(info) or isinstance(value, bool) or not isinstance(value, int | float):
            return value
        if ge is not None and value < ge:
            raise PydanticCustomError(
                "greater_than_equal", "Input should be >= {ge}", {"ge": ge, "actual": value}
            )
        if le is not None and value > le:
            raise PydanticCustomError(
                "less_than_equal", "Input should be <= {le}", {"le": le, "actual": value}
            )
        return value

    return AfterValidator(check)


def one_of(*choices: str) -> AfterValidator:
    """A closed set of strings for client input; a server may send newer values."""
    expected = ", ".join(f"'{choice}'" for choice in choices)

    def check(value: Any, info: ValidationInfo) -> Any:
        if is_strict(info) and isinstance(value, str) and value not in choices:
            raise PydanticCustomError(
                "literal_error", "Input should be {expected}", {"expected": expected}
            )
        return value

    return AfterValidator(check)


def _reject_in_strict(value: Any, info: ValidationInfo) -> Any:
    if is_strict(info):
        raise PydanticCustomError("extra_forbidden", "Extra inputs are not permitted")
    return value


server_only: Final = BeforeValidator(_reject_in_strict)
"""A field the server reports but a client may not send (``id``, ``expires_at``, ...)."""

beta_only: Final = BeforeValidator(_reject_in_strict)
"""A beta field kept on the GA model for translation; GA clients may not send it."""
