"""Field annotations shared by both dialects.

One model set serves two directions. A server parses client events strictly, as
OpenAI's server does; a client parses server events leniently, so that a newer
or looser server never breaks it. The limits that OpenAI enforces on client input
(lengths, ranges, closed sets, read-only fields) therefore apply only when a
validation runs with :data:`STRICT_CONTEXT`. They raise errors shaped like
pydantic's own, so one mapper turns every failure into an OpenAI error.

Each rule is a small frozen dataclass, so tools (property tests, docs) can read
the limits back from a model's field metadata.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Final

from pydantic import GetCoreSchemaHandler, ValidationInfo
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

__all__ = [
    "B64",
    "STRICT_CONTEXT",
    "Base64",
    "ClientOnlyRule",
    "MaxItems",
    "MaxLength",
    "OneOf",
    "Rejected",
    "ValueRange",
    "beta_only",
    "max_items",
    "max_length",
    "one_of",
    "server_only",
    "value_range",
]

_STRICT_KEY: Final = "openrealtime.strict"
STRICT_CONTEXT: Final[dict[str, Any]] = {_STRICT_KEY: True}
"""Validation context that turns on the client-input rules."""


class Base64:
    """Marks a field holding base64 audio, so ``repr`` shortens it."""

    __slots__ = ()


B64 = Annotated[str, Base64()]


class ClientOnlyRule(ABC):
    """A rule checked only on client input; subclasses implement :meth:`check`."""

    mode: ClassVar[str] = "after"

    @abstractmethod
    def check(self, value: Any) -> None:
        """Raise a pydantic-shaped ``PydanticCustomError`` when ``value`` breaks the rule."""

    def _validate(self, value: Any, info: ValidationInfo) -> Any:
        # Runs on every lenient parse too, so the common case stays this cheap.
        context = info.context
        if context is not None and context.get(_STRICT_KEY):
            self.check(value)
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        schema = handler(source)
        if self.mode == "before":
            return core_schema.with_info_before_validator_function(self._validate, schema)
        return core_schema.with_info_after_validator_function(self._validate, schema)


@dataclass(frozen=True)
class MaxLength(ClientOnlyRule):
    """A string length limit."""

    limit: int

    def check(self, value: Any) -> None:
        if isinstance(value, str) and len(value) > self.limit:
            raise PydanticCustomError(
                "string_too_long",
                "String should have at most {max_length} characters",
                {"max_length": self.limit, "actual_length": len(value)},
            )


@dataclass(frozen=True)
class MaxItems(ClientOnlyRule):
    """A limit on the entries of a list or an object."""

    limit: int

    def check(self, value: Any) -> None:
        if value is not None and len(value) > self.limit:
            raise PydanticCustomError(
                "too_long",
                "Value should have at most {max_length} items",
                {"max_length": self.limit, "actual_length": len(value)},
            )


@dataclass(frozen=True)
class ValueRange(ClientOnlyRule):
    """An inclusive numeric range."""

    ge: float | None = None
    le: float | None = None

    def check(self, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return
        if self.ge is not None and value < self.ge:
            raise PydanticCustomError(
                "greater_than_equal", "Input should be >= {ge}", {"ge": self.ge}
            )
        if self.le is not None and value > self.le:
            raise PydanticCustomError("less_than_equal", "Input should be <= {le}", {"le": self.le})


@dataclass(frozen=True)
class OneOf(ClientOnlyRule):
    """A closed set of strings; a server may still send newer values."""

    choices: tuple[str, ...]

    def check(self, value: Any) -> None:
        if isinstance(value, str) and value not in self.choices:
            expected = ", ".join(f"'{choice}'" for choice in self.choices)
            raise PydanticCustomError(
                "literal_error", "Input should be {expected}", {"expected": expected}
            )


@dataclass(frozen=True)
class Rejected(ClientOnlyRule):
    """A field a client may not send at all: it is reported as unknown."""

    why: str
    mode: ClassVar[str] = "before"

    def check(self, value: Any) -> None:
        raise PydanticCustomError("extra_forbidden", "Extra inputs are not permitted")


def max_length(limit: int) -> MaxLength:
    """A string length limit that OpenAI enforces on client input."""
    return MaxLength(limit)


def max_items(limit: int) -> MaxItems:
    """A limit on the entries of a list or object in client input."""
    return MaxItems(limit)


def value_range(ge: float | None = None, le: float | None = None) -> ValueRange:
    """An inclusive numeric range that OpenAI enforces on client input."""
    return ValueRange(ge, le)


def one_of(*choices: str) -> OneOf:
    """A closed set of strings for client input; a server may send newer values."""
    return OneOf(choices)


server_only: Final = Rejected("server_only")
"""A field the server reports but a client may not send (``id``, ``expires_at``, ...)."""

beta_only: Final = Rejected("beta_only")
"""A beta field kept on the GA model for translation; GA clients may not send it."""
